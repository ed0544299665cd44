//! The seed's rules, from a managed Kafka service's FAQ on frequent rebalancing: an old (0.10)
//! broker, a session timeout above the managed ceiling, and batches too large for a heartbeat
//! that only goes out from `poll()`. They follow the catalogue's formulas exactly.

use super::context::{num, Ctx, V0_10_0, V0_10_1, V0_10_2};
use super::{Finding, Heartbeat, Profile, Severity};
use crate::settings::Dialect;

const FAQ: &str = "Alibaba Cloud Kafka FAQ: why does rebalancing frequently occur";

/// Runs VR001, ST006, PL001–PL004.
pub(super) fn run(ctx: &Ctx, out: &mut Vec<Finding>) {
    out.extend(
        [
            vr001(ctx),
            st006(ctx),
            pl001(ctx),
            pl002(ctx),
            pl003(ctx),
            pl004(ctx),
        ]
        .into_iter()
        .flatten(),
    );
}

/// VR001: a 0.10 broker older than 0.10.2. Error on 0.10.0 (no KIP-62), warning on 0.10.1.
/// Every dialect: it is the broker that bounds the rebalance.
fn vr001(ctx: &Ctx) -> Option<Finding> {
    let broker = ctx.broker_version()?;
    if !(ctx.broker_at_least(V0_10_0) && ctx.broker_below(V0_10_2)) {
        return None;
    }
    let (severity, why) = if ctx.broker_below(V0_10_1) {
        (
            Severity::Error,
            "0.10.0 has no KIP-62: it takes session.timeout.ms as the rebalance timeout, so every \
             rebalance must complete within the session timeout and a consumer busy with a batch \
             keeps the group rebalancing",
        )
    } else {
        (
            Severity::Warning,
            "0.10.1 brought KIP-62, but the 0.10 line is where the managed service sees frequent \
             rebalancing; 0.10.2 is its stable release",
        )
    };
    Some(Finding::new(
        "VR001",
        severity,
        "broker",
        format!(
            "The broker is {} (major version 0.10). {why}. Upgrade the broker to 0.10.2 or \
             later; today choose 2.3 or later for static membership and 4.0 or later for the \
             KIP-848 consumer group protocol.",
            broker.label
        ),
        "Alibaba Cloud Kafka FAQ (frequent rebalancing); KIP-62",
    ))
}

/// ST006: session.timeout.ms above 30000 where the managed 0.10-era ceiling applies (profile
/// alibaba, or a broker older than 0.10.2). Every dialect: the limit is the service's.
fn st006(ctx: &Ctx) -> Option<Finding> {
    let session = ctx.int("session.timeout.ms")?;
    let alibaba = ctx.profile == Profile::Alibaba;
    if session <= 30_000 || !(alibaba || ctx.broker_below(V0_10_2)) {
        return None;
    }
    let why = if alibaba {
        "the alibaba profile"
    } else {
        "a broker older than 0.10.2"
    };
    Some(
        Finding::new(
            "ST006",
            Severity::Warning,
            "session.timeout.ms",
            format!(
                "session.timeout.ms is {}, above 30000, the ceiling managed 0.10-era services \
                 accept ({why}). Set it to 25000, the recommended value — and keep it above the \
                 time one batch takes to process.",
                ctx.shown("session.timeout.ms")
            ),
            FAQ,
        )
        .recommend("session.timeout.ms", 25_000),
    )
}

/// L = records/s per thread × threads × session.timeout.ms / 1000: the records a coupled
/// heartbeat lets the consumer process within one session. `None` while any input is unknown.
fn poll_limit(ctx: &Ctx) -> Option<f64> {
    let rate = ctx.workload.rate_per_thread?;
    let threads = f64::from(ctx.workload.threads?);
    let session = ctx.int("session.timeout.ms")? as f64;
    let limit = rate * threads * session / 1000.0;
    (limit.is_finite() && limit > 0.0).then_some(limit)
}

/// max(1, floor(L/10)): "far smaller than the limit".
fn recommended_records(limit: f64) -> i64 {
    ((limit / 10.0).floor() as i64).max(1)
}

/// PL002: max.poll.records against L, when the heartbeat is coupled or profile is alibaba.
/// Java only: librdkafka has no max.poll.records, and in steady it sizes the hand-off buffer,
/// which never holds back the heartbeat.
fn pl002(ctx: &Ctx) -> Option<Finding> {
    let coupled = ctx.heartbeat == Some(Heartbeat::Coupled);
    if ctx.dialect != Dialect::Java || !(coupled || ctx.profile == Profile::Alibaba) {
        return None;
    }
    let limit = poll_limit(ctx)?;
    let records = ctx.int("max.poll.records")?;
    let n = records as f64;
    let (severity, relation) = if n >= limit {
        (Severity::Error, "at or above")
    } else if n > limit / 4.0 {
        (Severity::Warning, "above a quarter of")
    } else {
        return None;
    };
    let w = ctx.workload;
    Some(
        Finding::new(
            "PL002",
            severity,
            "max.poll.records",
            format!(
                "max.poll.records is {}, {relation} the limit L = {} records/s per thread × {} \
                 threads × {} s session = {} records. While a batch is processed no \
                 heartbeat goes out, so a batch that takes longer than the session gets the \
                 consumer evicted and the group rebalances. Keep it far below L.",
                ctx.shown("max.poll.records"),
                num(w.rate_per_thread.unwrap_or_default()),
                w.threads.unwrap_or_default(),
                num(ctx.int("session.timeout.ms").unwrap_or_default() as f64 / 1000.0),
                num(limit),
            ),
            FAQ,
        )
        .recommend("max.poll.records", recommended_records(limit)),
    )
}

/// PL003: no separate heartbeat thread (Java < 0.10.1, or the caller says so). steady never:
/// its poll thread heartbeats.
fn pl003(ctx: &Ctx) -> Option<Finding> {
    let coupled = ctx.heartbeat == Some(Heartbeat::Coupled);
    if ctx.dialect == Dialect::Steady || !(ctx.java_below(V0_10_1) || coupled) {
        return None;
    }
    let who = match (ctx.dialect, ctx.version) {
        (Dialect::Java, Some(v)) if v < V0_10_1 => {
            format!("Java client {v} predates KIP-62's background heartbeat thread (0.10.1.0)")
        }
        _ => "the caller says heartbeats go out only from poll()".to_string(),
    };
    Some(Finding::new(
        "PL003",
        Severity::Error,
        "client",
        format!(
            "The consumer has no separate heartbeat thread: {who}. Processing that outlasts \
             session.timeout.ms ({}) gets it evicted and the group rebalances. Use steady's \
             runtime, which polls and heartbeats on its own thread, or a client 0.10.1 or later \
             (the FAQ says 0.10.2).",
            ctx.shown("session.timeout.ms")
        ),
        "KIP-62; Alibaba Cloud Kafka FAQ (frequent rebalancing)",
    ))
}

/// PL001: the poll-loop budget of a decoupled client: the records one poll returns × p99
/// against max.poll.interval.ms. Java: max.poll.records records; librdkafka: one message per
/// poll, so a single slow record is enough. Not steady: its poll loop never waits for processing.
fn pl001(ctx: &Ctx) -> Option<Finding> {
    if ctx.heartbeat != Some(Heartbeat::Decoupled) {
        return None;
    }
    let p99 = ctx
        .workload
        .record_ms_p99
        .filter(|p| p.is_finite() && *p > 0.0)?;
    let interval = ctx.int("max.poll.interval.ms")?;
    let (records, batch) = match ctx.dialect {
        Dialect::Java => {
            let records = ctx.int("max.poll.records")?;
            (
                records,
                format!("max.poll.records {}", ctx.shown("max.poll.records")),
            )
        }
        Dialect::Librdkafka => (1, "one message per poll".to_string()),
        Dialect::Steady => return None,
    };
    let budget = records as f64 * p99;
    let (severity, relation) = if budget >= interval as f64 {
        (Severity::Error, "at or above")
    } else if budget >= interval as f64 / 2.0 {
        (Severity::Warning, "at or above half of")
    } else {
        return None;
    };
    let message = format!(
        "{batch} × {} ms per record (p99) = {} ms, {relation} max.poll.interval.ms ({}). A poll \
         loop whose processing outlasts it makes the consumer leave the group.",
        num(p99),
        num(budget),
        ctx.shown("max.poll.interval.ms")
    );
    let source = "KafkaConsumer javadoc (max.poll.interval.ms); Aliyun Kafka FAQ";
    let finding = if ctx.dialect == Dialect::Java {
        // The largest batch whose p99 processing time stays below half the interval.
        let fits = ((interval as f64 / (2.0 * p99)).ceil() as i64 - 1).max(1);
        Finding::new(
            "PL001",
            severity,
            "max.poll.records",
            format!("{message} Lower max.poll.records, or use steady's runtime, whose poll loop never waits for processing."),
            source,
        )
        .recommend("max.poll.records", fits)
    } else {
        // No batch to shrink: twice the p99, rounded up to a second, keeps one record in budget.
        let raise = ((2.0 * p99 / 1000.0).ceil() as i64 * 1000).max(interval);
        Finding::new(
            "PL001",
            severity,
            "max.poll.interval.ms",
            format!("{message} Raise max.poll.interval.ms (it also bounds rebalances), or use steady's runtime, whose poll loop never waits for processing."),
            source,
        )
        .recommend("max.poll.interval.ms", raise)
    };
    Some(finding)
}

/// PL004: Java client 0.10.0 without max.poll.records: its default is 2147483647 (unbounded).
fn pl004(ctx: &Ctx) -> Option<Finding> {
    let v = ctx.version?;
    if ctx.dialect != Dialect::Java || !(V0_10_0..V0_10_1).contains(&v) {
        return None;
    }
    if ctx.is_set("max.poll.records") {
        return None;
    }
    let value = poll_limit(ctx).map_or(500, recommended_records);
    Some(
        Finding::new(
            "PL004",
            Severity::Error,
            "max.poll.records",
            format!(
                "max.poll.records is unset, and Java client {v} defaults it to 2147483647: one \
                 poll() may return everything fetched, and processing it all holds back the \
                 heartbeat. Set it explicitly ({value}{}).",
                if poll_limit(ctx).is_some() {
                    ", a tenth of what one session allows"
                } else {
                    ", the default from 0.10.1"
                }
            ),
            "ConsumerConfig 0.10.0 (max.poll.records)",
        )
        .recommend("max.poll.records", value),
    )
}

//! Session and poll-interval rules: ST001–ST005, ST007–ST010, PL005, PL006.
//!
//! Under the consumer group protocol (KIP-848) the session lives on the broker, so the session
//! rules stay silent there (GR005 reports client session keys set anyway).

use super::context::{num, Ctx, V0_10_0, V0_10_1, V2_0};
use super::{Finding, Profile, Severity};
use crate::settings::Dialect;

const KIP735: &str = "KIP-735";

/// Runs the family.
pub(super) fn run(ctx: &Ctx, out: &mut Vec<Finding>) {
    if ctx.classic() {
        out.extend(
            [
                st001(ctx),
                st002(ctx),
                st003(ctx),
                st004(ctx),
                st005(ctx),
                st007(ctx),
            ]
            .into_iter()
            .flatten(),
        );
    }
    out.extend(
        [st008(ctx), st009(ctx), st010(ctx), pl005(ctx), pl006(ctx)]
            .into_iter()
            .flatten(),
    );
}

fn session(ctx: &Ctx) -> Option<i64> {
    ctx.int("session.timeout.ms")
}

/// ST001: heartbeat.interval.ms at or above session.timeout.ms (the Java client refuses it).
fn st001(ctx: &Ctx) -> Option<Finding> {
    let (hb, s) = (ctx.int("heartbeat.interval.ms")?, session(ctx)?);
    (hb >= s).then(|| {
        Finding::new(
            "ST001",
            Severity::Error,
            "heartbeat.interval.ms",
            format!(
                "heartbeat.interval.ms ({}) is not below session.timeout.ms ({}): the member \
                 would expire between two heartbeats. Set it to a third of the session.",
                ctx.shown("heartbeat.interval.ms"),
                ctx.shown("session.timeout.ms")
            ),
            "AbstractCoordinator/Heartbeat (\"must be set lower than the session timeout\")",
        )
        .recommend("heartbeat.interval.ms", (s / 3).max(1))
    })
}

/// ST002: heartbeat.interval.ms above a third of session.timeout.ms (one lost heartbeat away
/// from expiry).
fn st002(ctx: &Ctx) -> Option<Finding> {
    let (hb, s) = (ctx.int("heartbeat.interval.ms")?, session(ctx)?);
    (hb < s && hb * 3 > s).then(|| {
        Finding::new(
            "ST002",
            Severity::Warning,
            "heartbeat.interval.ms",
            format!(
                "heartbeat.interval.ms ({}) is above a third of session.timeout.ms ({}): one \
                 or two delayed heartbeats expire the member. Keep it at most a third.",
                ctx.shown("heartbeat.interval.ms"),
                ctx.shown("session.timeout.ms")
            ),
            "CommonClientConfigs HEARTBEAT_INTERVAL_MS_DOC",
        )
        .recommend("heartbeat.interval.ms", s / 3)
    })
}

/// The allowed session window: the broker's, else Azure Event Hubs' 6000–300000 under that
/// profile.
fn window(ctx: &Ctx) -> (Option<i64>, Option<i64>) {
    let broker = ctx.broker.map_or((None, None), |b| {
        (
            b.group_min_session_timeout_ms,
            b.group_max_session_timeout_ms,
        )
    });
    match (broker, ctx.profile) {
        ((None, None), Profile::AzureEventHubs) => (Some(6000), Some(300_000)),
        (window, _) => window,
    }
}

/// ST003: session.timeout.ms outside the broker's group.min/max.session.timeout.ms: JoinGroup
/// fails with INVALID_SESSION_TIMEOUT.
fn st003(ctx: &Ctx) -> Option<Finding> {
    let s = session(ctx)?;
    let (min, max) = window(ctx);
    let fix = match (min, max) {
        (Some(min), _) if s < min => min,
        (_, Some(max)) if s > max => max,
        _ => return None,
    };
    let bound = |b: Option<i64>| b.map_or("?".to_string(), |b| b.to_string());
    Some(
        Finding::new(
            "ST003",
            Severity::Error,
            "session.timeout.ms",
            format!(
                "session.timeout.ms ({}) is outside the broker's window [{}, {}] \
                 (group.min/max.session.timeout.ms): JoinGroup fails with \
                 INVALID_SESSION_TIMEOUT and the consumer never joins.",
                ctx.shown("session.timeout.ms"),
                bound(min),
                bound(max)
            ),
            "GroupCoordinator (INVALID_SESSION_TIMEOUT); KIP-735",
        )
        .recommend("session.timeout.ms", fix),
    )
}

/// ST004: session shorter than request.timeout.ms (Java 2.0 on, or version unknown): a member
/// is evicted before a timed-out request lets it reconnect. Before 2.0 the request timeout had
/// to exceed the session (ST008), so the rule would contradict it; under the alibaba profile
/// the session is capped at 30000 (ST006), so it stays silent there too.
fn st004(ctx: &Ctx) -> Option<Finding> {
    if ctx.dialect != Dialect::Java || ctx.profile == Profile::Alibaba || !ctx.maybe_at_least(V2_0)
    {
        return None;
    }
    let (s, request) = (session(ctx)?, ctx.int("request.timeout.ms")?);
    (s < request).then(|| {
        Finding::new(
            "ST004",
            Severity::Warning,
            "session.timeout.ms",
            format!(
                "session.timeout.ms ({}) is shorter than request.timeout.ms ({}): when a broker \
                 stops answering, the member is evicted before its request even times out, and \
                 the group rebalances. 45000 (the default since 3.0) avoids it.",
                ctx.shown("session.timeout.ms"),
                ctx.shown("request.timeout.ms")
            ),
            KIP735,
        )
        .recommend("session.timeout.ms", request.max(45_000))
    })
}

/// ST005: session.timeout.ms below 10000 (Azure Event Hubs: 30000): ordinary GC pauses and
/// network hiccups expire members.
fn st005(ctx: &Ctx) -> Option<Finding> {
    let s = session(ctx)?;
    let (floor, whose) = match ctx.profile {
        Profile::AzureEventHubs => (30_000, "Azure Event Hubs recommends at least 30000"),
        _ => (10_000, "below 10000"),
    };
    (s < floor).then(|| {
        Finding::new(
            "ST005",
            Severity::Warning,
            "session.timeout.ms",
            format!(
                "session.timeout.ms is {} ({whose}): a GC pause or a network hiccup that long \
                 expires the member and rebalances the group. Raise it (failures are then \
                 detected later).",
                ctx.shown("session.timeout.ms")
            ),
            "KIP-735; Azure Event Hubs Kafka configuration",
        )
        .recommend("session.timeout.ms", floor)
    })
}

/// ST007: max.poll.interval.ms below session.timeout.ms (librdkafka refuses it: error; the Java
/// client accepts it: warning). Azure Event Hubs also wants max.poll.interval.ms ≥ 50000.
fn st007(ctx: &Ctx) -> Option<Finding> {
    let (interval, s) = (ctx.int("max.poll.interval.ms")?, session(ctx)?);
    let azure = ctx.profile == Profile::AzureEventHubs;
    let (severity, why, fix) = if interval < s {
        let severity = if ctx.on_librdkafka() {
            Severity::Error
        } else {
            Severity::Warning
        };
        let why = format!(
            "below session.timeout.ms ({}); librdkafka refuses it (\"must be >= \
             session.timeout.ms\")",
            ctx.shown("session.timeout.ms")
        );
        (severity, why, s.max(if azure { 50_000 } else { 0 }))
    } else if azure && interval < 50_000 {
        let why = "below 50000, the least Azure Event Hubs recommends".to_string();
        (Severity::Warning, why, 50_000)
    } else {
        return None;
    };
    Some(
        Finding::new(
            "ST007",
            severity,
            "max.poll.interval.ms",
            format!(
                "max.poll.interval.ms is {}, {why}. Raise it.",
                ctx.shown("max.poll.interval.ms")
            ),
            "librdkafka rdkafka_conf.c; Azure Event Hubs Kafka configuration",
        )
        .recommend("max.poll.interval.ms", fix),
    )
}

/// The request timeout to recommend on Java 0.10.0–1.1: it must exceed the session and
/// fetch.max.wait.ms, and (0.10.1 on) max.poll.interval.ms. The version's default when that
/// suffices, else the largest of them + 5000.
fn request_fix(ctx: &Ctx) -> Option<i64> {
    let mut floor = session(ctx)?.max(ctx.int("fetch.max.wait.ms")?);
    if !ctx.java_below(V0_10_1) {
        floor = floor.max(ctx.int("max.poll.interval.ms")?);
    }
    let default = ctx.int_default("request.timeout.ms");
    Some(default.filter(|d| *d > floor).unwrap_or(floor + 5000))
}

/// Java 0.10.0 ≤ v < 2.0.
fn old_java(ctx: &Ctx) -> bool {
    ctx.dialect == Dialect::Java
        && ctx.version.is_some_and(|v| v >= V0_10_0)
        && ctx.java_below(V2_0)
}

/// ST008: Java 0.10.0–1.1 refuses request.timeout.ms ≤ session.timeout.ms or ≤
/// fetch.max.wait.ms (ConfigException at construction).
fn st008(ctx: &Ctx) -> Option<Finding> {
    if !old_java(ctx) {
        return None;
    }
    let request = ctx.int("request.timeout.ms")?;
    let (s, wait) = (session(ctx)?, ctx.int("fetch.max.wait.ms")?);
    if request > s && request > wait {
        return None;
    }
    let fix = request_fix(ctx)?;
    Some(
        Finding::new(
            "ST008",
            Severity::Error,
            "request.timeout.ms",
            format!(
                "request.timeout.ms ({}) must exceed session.timeout.ms ({}) and \
                 fetch.max.wait.ms ({}) on Java clients before 2.0: KafkaConsumer refuses to \
                 start.",
                ctx.shown("request.timeout.ms"),
                ctx.shown("session.timeout.ms"),
                ctx.shown("fetch.max.wait.ms")
            ),
            "KafkaConsumer 0.10.0–1.1 constructor",
        )
        .recommend("request.timeout.ms", fix),
    )
}

/// ST009: Java 0.10.1 ≤ v < 2.0: JoinGroup is bounded by request.timeout.ms but may wait up to
/// max.poll.interval.ms, so a request timeout at or below it fails joins.
fn st009(ctx: &Ctx) -> Option<Finding> {
    if !old_java(ctx) || ctx.java_below(V0_10_1) {
        return None;
    }
    let (request, interval) = (
        ctx.int("request.timeout.ms")?,
        ctx.int("max.poll.interval.ms")?,
    );
    if request > interval {
        return None;
    }
    let fix = request_fix(ctx)?;
    Some(
        Finding::new(
            "ST009",
            Severity::Error,
            "request.timeout.ms",
            format!(
                "request.timeout.ms ({}) is not above max.poll.interval.ms ({}): before 2.0 a \
                 JoinGroup can wait that long, so the request times out and the join fails \
                 over and over. Raise it, or upgrade the client to 2.0 or later.",
                ctx.shown("request.timeout.ms"),
                ctx.shown("max.poll.interval.ms")
            ),
            "ConsumerConfig 0.10.1 (request.timeout.ms); AbstractCoordinator 2.0",
        )
        .recommend("request.timeout.ms", fix),
    )
}

/// ST010: default.api.timeout.ms below request.timeout.ms (Java 2.0 on): blocking calls give
/// up before their own request does.
fn st010(ctx: &Ctx) -> Option<Finding> {
    if ctx.dialect != Dialect::Java {
        return None;
    }
    let (api, request) = (
        ctx.int("default.api.timeout.ms")?,
        ctx.int("request.timeout.ms")?,
    );
    (api < request).then(|| {
        Finding::new(
            "ST010",
            Severity::Info,
            "default.api.timeout.ms",
            format!(
                "default.api.timeout.ms ({}) is below request.timeout.ms ({}): blocking calls \
                 such as commitSync give up before their request times out. Keep \
                 default.api.timeout.ms ≥ request.timeout.ms.",
                ctx.shown("default.api.timeout.ms"),
                ctx.shown("request.timeout.ms")
            ),
            "ConsumerConfig (default.api.timeout.ms)",
        )
        .recommend("default.api.timeout.ms", request)
    })
}

/// PL005: max.poll.interval.ms above 1800000. It is also the rebalance timeout, so one stuck
/// member stalls every rebalance that long, and a livelocked consumer goes unnoticed.
fn pl005(ctx: &Ctx) -> Option<Finding> {
    let interval = ctx.int("max.poll.interval.ms")?;
    (interval > 1_800_000).then(|| {
        Finding::new(
            "PL005",
            Severity::Warning,
            "max.poll.interval.ms",
            format!(
                "max.poll.interval.ms is {} (over 30 minutes). It is also the rebalance \
                 timeout: one stuck member holds every rebalance that long, and a livelocked \
                 consumer goes unnoticed. Use steady's runtime, which keeps polling while \
                 records are processed, and keep the interval small.",
                ctx.shown("max.poll.interval.ms")
            ),
            "KIP-62; KafkaConsumer javadoc",
        )
        .recommend("max.poll.interval.ms", 300_000)
    })
}

/// PL006: per-record processing time varies by 10× or more (p99/p50): batches sized for the
/// median blow the poll budget at the tail. steady already decouples processing: silent there.
fn pl006(ctx: &Ctx) -> Option<Finding> {
    if ctx.dialect == Dialect::Steady {
        return None;
    }
    let p50 = ctx.workload.record_ms_p50.filter(|p| *p > 0.0)?;
    let p99 = ctx.workload.record_ms_p99?;
    let ratio = p99 / p50;
    (ratio.is_finite() && ratio >= 10.0).then(|| {
        Finding::new(
            "PL006",
            Severity::Info,
            "workload",
            format!(
                "Processing time varies widely: p99 {} ms is {}× p50 {} ms per record, so a \
                 batch sized for the median can outlast the poll budget. Use steady's runtime \
                 (or a worker thread with pause/resume) and commit after processing.",
                num(p99),
                num(ratio),
                num(p50)
            ),
            "KafkaConsumer javadoc (detecting consumer failures)",
        )
    })
}

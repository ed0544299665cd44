//! Offset and version rules: OF001–OF004, VR002, VR003.

use super::context::{Ctx, V4_0};
use super::{Finding, Severity};
use crate::settings::Dialect;
use crate::version::Version;

/// Runs the family.
pub(super) fn run(ctx: &Ctx, out: &mut Vec<Finding>) {
    out.extend(
        [
            of001(ctx),
            of002(ctx),
            of003(ctx),
            of004(ctx),
            vr002(ctx),
            vr003(ctx),
        ]
        .into_iter()
        .flatten(),
    );
}

/// OF001: auto-commit with automatic offset store while processing is handed off the poll
/// thread: offsets run ahead of processing and a crash loses records. The inputs only say so
/// for steady, which hands off by design and forces the store off; a setting asking for it
/// there is reported.
fn of001(ctx: &Ctx) -> Option<Finding> {
    let asked = ctx.settings.get_bool("enable.auto.offset.store")?;
    (ctx.dialect == Dialect::Steady && asked && ctx.flag("enable.auto.commit") == Some(true)).then(
        || {
            Finding::new(
                "OF001",
                Severity::Warning,
                "enable.auto.offset.store",
                "enable.auto.offset.store=true with auto-commit while records are processed off \
                 the poll thread would commit records before they are processed. steady forces \
                 it to false and stores each offset after its ack; remove the setting.",
                "KafkaConsumer javadoc (manual offset control)",
            )
            .recommend("enable.auto.offset.store", "false")
        },
    )
}

/// OF002: auto-commit without group.id. The Java client (2.2 on) throws when
/// enable.auto.commit=true is set explicitly without a group; librdkafka cannot subscribe
/// without one; steady's runtime always subscribes, so there the default counts too.
fn of002(ctx: &Ctx) -> Option<Finding> {
    if ctx.is_set("group.id") {
        return None;
    }
    let explicit = ctx.settings.get_bool("enable.auto.commit") == Some(true);
    let steady = ctx.dialect == Dialect::Steady && ctx.flag("enable.auto.commit") == Some(true);
    (explicit || steady).then(|| {
        Finding::new(
            "OF002",
            Severity::Error,
            "group.id",
            format!(
                "enable.auto.commit is {} but group.id is not set: offsets are committed for a \
                 group, and a subscribing consumer without one is refused \
                 (InvalidConfigurationException). Set group.id.",
                ctx.shown("enable.auto.commit")
            ),
            "ConsumerConfig (enable.auto.commit without group.id)",
        )
    })
}

/// OF003: auto.commit.interval.ms below 1000 with auto-commit on: a commit request every few
/// milliseconds loads the coordinator for no gain. (librdkafka's 0 disables auto-commit.)
fn of003(ctx: &Ctx) -> Option<Finding> {
    let interval = ctx.int("auto.commit.interval.ms")?;
    let disabled = ctx.on_librdkafka() && interval == 0;
    (ctx.flag("enable.auto.commit") == Some(true) && interval < 1000 && !disabled).then(|| {
        Finding::new(
            "OF003",
            Severity::Warning,
            "auto.commit.interval.ms",
            format!(
                "auto.commit.interval.ms is {}: committing that often loads the group \
                 coordinator without making anything safer. Use 1000 or more (5000 is typical).",
                ctx.shown("auto.commit.interval.ms")
            ),
            "AWS MSK client best practices",
        )
        .recommend("auto.commit.interval.ms", 5000)
    })
}

/// OF004: auto.offset.reset=latest (librdkafka: largest/end): a new group starts at the end and
/// skips everything written before it joined.
fn of004(ctx: &Ctx) -> Option<Finding> {
    let reset = ctx.value("auto.offset.reset")?.trim().to_ascii_lowercase();
    matches!(reset.as_str(), "latest" | "largest" | "end").then(|| {
        Finding::new(
            "OF004",
            Severity::Info,
            "auto.offset.reset",
            format!(
                "auto.offset.reset is {}: a new group (or one whose offsets expired) starts at \
                 the end and skips what was written before it joined. Choose it deliberately \
                 (earliest re-reads instead).",
                ctx.shown("auto.offset.reset")
            ),
            "ConsumerConfig AUTO_OFFSET_RESET_DOC; KIP-211",
        )
    })
}

/// VR002: a Java client older than 2.1 against a 4.0+ broker, which dropped the old protocol
/// versions (KIP-896): requests fail with UNSUPPORTED_VERSION.
fn vr002(ctx: &Ctx) -> Option<Finding> {
    let v = ctx.version?;
    (ctx.java_below(Version::new(2, 1, 0)) && ctx.broker_at_least(V4_0)).then(|| {
        Finding::new(
            "VR002",
            Severity::Error,
            "client",
            format!(
                "Java client {v} is older than 2.1, and the broker ({}) is 4.0 or later, which \
                 removed the protocol versions it speaks (KIP-896): its requests fail with \
                 UNSUPPORTED_VERSION. Upgrade the client to 2.1 or later.",
                ctx.broker_version().map_or("", |b| b.label.as_str())
            ),
            "KIP-896",
        )
    })
}

/// VR003: nothing is known about the broker, so the rules that depend on it stayed silent.
fn vr003(ctx: &Ctx) -> Option<Finding> {
    let known = ctx.broker.is_some_and(|b| {
        b.version.is_some()
            || b.kip62.is_some()
            || b.kip848.is_some()
            || b.static_membership.is_some()
            || b.group_min_session_timeout_ms.is_some()
            || b.group_max_session_timeout_ms.is_some()
    });
    (!known).then(|| {
        Finding::new(
            "VR003",
            Severity::Info,
            "broker",
            "Nothing is known about the broker, so the rules that depend on its version and \
             session window stayed silent. Give its version (--broker-version) or let steady \
             probe it (--bootstrap-servers).",
            "steady",
        )
    })
}

//! librdkafka rules: RK001–RK003, FT001, FT002, FT004. They apply to the librdkafka dialect and,
//! except where noted, to steady, which hands every librdkafka key to librdkafka.

use super::context::{num, Ctx};
use super::{Finding, Severity};
use crate::settings::Dialect;

const CONF: &str = "librdkafka rdkafka_conf.c; CONFIGURATION.md";

/// Runs the family.
pub(super) fn run(ctx: &Ctx, out: &mut Vec<Finding>) {
    if !ctx.on_librdkafka() {
        return;
    }
    out.extend(
        [
            rk001(ctx),
            rk002(ctx),
            rk003(ctx),
            ft001(ctx),
            ft002(ctx),
            ft004(ctx),
        ]
        .into_iter()
        .flatten(),
    );
}

/// RK001: max.poll.records given to librdkafka, which has no such property. steady accepts it
/// as steady.buffer.max.records, so only the librdkafka dialect.
fn rk001(ctx: &Ctx) -> Option<Finding> {
    let value = ctx.settings.raw("max.poll.records")?;
    (ctx.dialect == Dialect::Librdkafka).then(|| {
        Finding::new(
            "RK001",
            Severity::Error,
            "max.poll.records",
            format!(
                "max.poll.records={value} does not exist in librdkafka, which refuses unknown \
                 properties. Bound the batch in the application (consume(num_messages), \
                 consume_batch_queue(..., size) or one message per poll) so that batch size × \
                 time per record stays below max.poll.interval.ms — or use steady's runtime, \
                 which accepts it as steady.buffer.max.records."
            ),
            "librdkafka#1653, #3234",
        )
    })
}

/// RK002: librdkafka stores each offset as the message is handed to the application, so with
/// slow processing (p99 > 1 s per record) a crash commits records never processed. steady
/// forces enable.auto.offset.store=false, so only the librdkafka dialect.
fn rk002(ctx: &Ctx) -> Option<Finding> {
    let p99 = ctx.workload.record_ms_p99?;
    let auto_store = ctx.flag("enable.auto.offset.store")?;
    (ctx.dialect == Dialect::Librdkafka && auto_store && p99 > 1000.0).then(|| {
        Finding::new(
            "RK002",
            Severity::Warning,
            "enable.auto.offset.store",
            format!(
                "enable.auto.offset.store is {} while a record takes up to {} ms (p99): \
                 offsets are stored when a record is handed over, so auto-commit can commit \
                 records still being processed and a crash loses them. Store offsets after \
                 processing (offsets_store) with enable.auto.offset.store=false.",
                ctx.shown("enable.auto.offset.store"),
                num(p99)
            ),
            "librdkafka INTRODUCTION.md (at-least-once); CONFIGURATION.md",
        )
        .recommend("enable.auto.offset.store", "false")
    })
}

/// RK003: offsets stored by hand but never committed automatically. In steady (which always
/// stores after the ack) it means commits only happen on revoke and close.
fn rk003(ctx: &Ctx) -> Option<Finding> {
    let store = ctx.flag("enable.auto.offset.store")?;
    let commit = ctx.flag("enable.auto.commit")?;
    if store || commit {
        return None;
    }
    let what = if ctx.dialect == Dialect::Steady {
        "steady stores offsets after each ack and relies on auto-commit to commit them; \
         without it they are committed only on revoke and close"
    } else {
        "stored offsets are committed only if the application commits them itself"
    };
    Some(
        Finding::new(
            "RK003",
            Severity::Warning,
            "enable.auto.commit",
            format!(
                "enable.auto.offset.store and enable.auto.commit are both false: {what}, so a \
                 crash replays everything since the last commit. Enable auto-commit (librdkafka \
                 says it should be true) or commit explicitly."
            ),
            "librdkafka INTRODUCTION.md (offset management)",
        )
        .recommend("enable.auto.commit", "true"),
    )
}

/// FT001: fetch.max.bytes below message.max.bytes, both set (librdkafka refuses it; when either
/// is left unset it adjusts fetch.max.bytes itself).
fn ft001(ctx: &Ctx) -> Option<Finding> {
    let fetch = ctx.set_int("fetch.max.bytes")?;
    let message = ctx.set_int("message.max.bytes")?;
    (fetch < message).then(|| {
        Finding::new(
            "FT001",
            Severity::Error,
            "fetch.max.bytes",
            format!(
                "fetch.max.bytes ({fetch}) is below message.max.bytes ({message}): librdkafka \
                 refuses the configuration (\"fetch.max.bytes must be >= message.max.bytes\")."
            ),
            CONF,
        )
        .recommend("fetch.max.bytes", message)
    })
}

/// FT002: receive.message.max.bytes below fetch.max.bytes + 512, both set (librdkafka refuses
/// it: a full fetch response would not fit).
fn ft002(ctx: &Ctx) -> Option<Finding> {
    let receive = ctx.set_int("receive.message.max.bytes")?;
    let fetch = ctx.set_int("fetch.max.bytes")?;
    (receive < fetch + 512).then(|| {
        Finding::new(
            "FT002",
            Severity::Error,
            "receive.message.max.bytes",
            format!(
                "receive.message.max.bytes ({receive}) is below fetch.max.bytes + 512 ({}): a \
                 full fetch response would not fit, and librdkafka refuses the configuration.",
                fetch + 512
            ),
            CONF,
        )
        .recommend("receive.message.max.bytes", fetch + 512)
    })
}

/// FT004: fetch.max.bytes set above the local queue (queued.max.messages.kbytes × 1024): the
/// queue caps what is fetched anyway (the default adjusts itself), and lowered queue thresholds
/// stall fetching for fetch.queue.backoff.ms.
fn ft004(ctx: &Ctx) -> Option<Finding> {
    let fetch = ctx.set_int("fetch.max.bytes")?;
    let queue = ctx.int("queued.max.messages.kbytes")?.saturating_mul(1024);
    (fetch > queue).then(|| {
        Finding::new(
            "FT004",
            Severity::Info,
            "fetch.max.bytes",
            format!(
                "fetch.max.bytes ({fetch}) is above the local queue, queued.max.messages.kbytes \
                 × 1024 = {queue} bytes: the queue bounds what is fetched, and when it is full \
                 fetching pauses for fetch.queue.backoff.ms. Align the two."
            ),
            CONF,
        )
        .recommend("fetch.max.bytes", queue)
    })
}

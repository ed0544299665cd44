//! Settings rules: CF001 unknown keys, CF002 invalid values.

use super::context::Ctx;
use super::{ClientInfo, Finding, Input, Severity};
use crate::settings::{
    check_value, default_for, java_security_advice, lookup, lookup_in, name_in, nearest_key_in,
    redact_value, Dialect, Kind, Settings,
};

/// Runs CF001 and CF002.
pub(super) fn run(ctx: &Ctx, out: &mut Vec<Finding>) {
    for (key, value) in ctx.settings.iter() {
        match lookup_in(key, ctx.dialect) {
            Some(info) => out.extend(cf002(ctx, key, value, &info.kind)),
            None => out.extend(cf001(ctx, key, value)),
        }
    }
}

/// Checks only the keys and values of `settings` for `dialect` (CF001, CF002): what the
/// runtime refuses (errors) and warns about before it builds a consumer.
pub fn validate(settings: &Settings, dialect: Dialect) -> Vec<Finding> {
    let input = Input {
        settings: settings.clone(),
        client: ClientInfo {
            dialect: Some(dialect),
            ..ClientInfo::default()
        },
        ..Input::default()
    };
    let mut out = Vec::new();
    run(&Ctx::new(&input), &mut out);
    out
}

/// CF001: a key the dialect does not know. A warning (the Java client ignores it, librdkafka
/// refuses it at configuration); an error in the steady dialect, whose runtime refuses it.
/// `max.poll.records` under librdkafka is left to RK001; Java's `config.providers.*` are known.
fn cf001(ctx: &Ctx, key: &str, value: &str) -> Option<Finding> {
    // Java reads each config provider's own settings under `config.providers.<name>.…`.
    let provider = ctx.dialect == Dialect::Java && key.starts_with("config.providers.");
    if provider || (ctx.dialect == Dialect::Librdkafka && key == "max.poll.records") {
        return None;
    }
    let dialect = ctx.dialect;
    if let Some(advice) = java_security_advice(key).filter(|_| dialect != Dialect::Java) {
        return Some(Finding::new(
            "CF001",
            Severity::Warning,
            key,
            format!("{key} is the Java client's, not a {dialect} key: {advice}."),
            "ConsumerConfig; librdkafka CONFIGURATION.md",
        ));
    }
    let (severity, consequence) = match dialect {
        Dialect::Steady => (Severity::Error, "steady's runtime refuses unknown keys"),
        Dialect::Librdkafka => (Severity::Warning, "librdkafka rejects unknown keys"),
        Dialect::Java => (Severity::Warning, "the Java client ignores it"),
    };
    let value = redact_value(key, value);
    let (hint, fix) = match (name_in(key, dialect), lookup(key)) {
        (Some(same), _) => (format!("{dialect} calls this setting {same}"), Some(same)),
        (None, Some(known)) => {
            let owners: Vec<&str> = known.dialects.iter().map(|d| d.as_str()).collect();
            (
                format!("it is a {} key, not a {dialect} one", owners.join("/")),
                None,
            )
        }
        (None, None) => match nearest_key_in(key, dialect) {
            Some(near) => (format!("did you mean {near}?"), Some(near)),
            None => ("check its spelling".to_string(), None),
        },
    };
    let finding = Finding::new(
        "CF001",
        severity,
        key,
        format!("{key} is not a known {dialect} consumer key ({consequence}): {hint}."),
        "ConsumerConfig; librdkafka CONFIGURATION.md; steady DESIGN.md",
    );
    Some(match fix {
        Some(name) => finding.recommend(name, value),
        None => finding,
    })
}

/// CF002: a value of the wrong type, out of range, or not among the allowed words.
fn cf002(ctx: &Ctx, key: &str, value: &str, kind: &Kind) -> Option<Finding> {
    let allowed = check_value(kind, value).err()?;
    let fix = default_for(key, ctx.dialect, ctx.version)
        .map(str::to_string)
        .or_else(|| match (*kind, value.trim().parse::<i64>()) {
            (Kind::Int { min, max }, Ok(n)) => Some(n.clamp(min, max).to_string()),
            _ => None,
        });
    let finding = Finding::new(
        "CF002",
        Severity::Error,
        key,
        format!(
            "{key}={} is invalid for {}: expected {allowed}.",
            redact_value(key, value),
            ctx.dialect
        ),
        "ConsumerConfig; librdkafka CONFIGURATION.md; steady DESIGN.md",
    );
    Some(match fix {
        Some(v) => finding.recommend(key, v),
        None => finding,
    })
}

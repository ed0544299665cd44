//! `steady_probe`: what the broker is (version range, features, session window, live group).

use crate::check::steady_check_options;
use crate::error::{steady_error, steady_result, Error};
use crate::handle::{try_mut, try_out, try_ref, write_out};
use crate::settings::steady_settings;
use crate::strings::{to_owned_ptr, try_str};
use std::ffi::c_char;
use std::time::Duration;
use steady_core::rules::BrokerFacts;

/// Probes the broker with the C arguments of `steady_probe`.
fn probe_broker(
    bootstrap_servers: *const c_char,
    settings: *const steady_settings,
    group: *const c_char,
    timeout_ms: i32,
) -> Result<BrokerFacts, Error> {
    let servers = try_str(bootstrap_servers, "bootstrap_servers")?;
    let settings = &try_ref(settings, "settings")?.settings;
    let group = if group.is_null() {
        None
    } else {
        Some(try_str(group, "group")?)
    };
    let timeout = u64::try_from(timeout_ms)
        .ok()
        .filter(|ms| *ms > 0)
        .ok_or_else(|| Error::invalid(format!("timeout_ms {timeout_ms}: expected above 0")))?;
    let facts =
        steady_core::broker::probe(servers, settings, group, Duration::from_millis(timeout))?;
    Ok(facts)
}

/// Asks the broker at `bootstrap_servers` ("host:port[,host:port…]") what it is — version range,
/// KIP-62 / static membership / KIP-848 support, session window — and, when `group` is not
/// NULL, describes that live group. Security settings (`security.protocol`, `sasl.*`, `ssl.*`)
/// come from `settings`. Blocks up to `timeout_ms` (> 0).
///
/// Writes the facts as JSON to `*facts_json_out` (an owned string for `steady_string_free`).
/// Errors: NULL_PARAMETER, INVALID_UTF8, INVALID_ARGUMENT, BROKER_UNREACHABLE, BROKER_PROTOCOL.
/// Any thread.
#[no_mangle]
pub extern "C" fn steady_probe(
    bootstrap_servers: *const c_char,
    settings: *const steady_settings,
    group: *const c_char,
    timeout_ms: i32,
    facts_json_out: *mut *mut c_char,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let out = try_out(facts_json_out, "facts_json_out")?;
        let facts = probe_broker(bootstrap_servers, settings, group, timeout_ms)?;
        let json = serde_json::to_string(&facts).expect("broker facts serialize");
        write_out(out, to_owned_ptr(json));
        Ok(())
    }
}

/// Probes the broker as `steady_probe` does and keeps the facts in `options` for the next
/// `steady_check` (replacing a broker version set before). On error `options` is unchanged.
/// Errors: as `steady_probe`.
#[no_mangle]
pub extern "C" fn steady_check_options_probe(
    options: *mut steady_check_options,
    bootstrap_servers: *const c_char,
    settings: *const steady_settings,
    group: *const c_char,
    timeout_ms: i32,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let options = try_mut(options, "options")?;
        options.broker = Some(probe_broker(bootstrap_servers, settings, group, timeout_ms)?);
        Ok(())
    }
}

//! `steady_check_options` and `steady_check`: the rule checks ("the doctor").

use crate::error::{steady_error, steady_result, Error};
use crate::handle::{
    as_ref, free_box, to_boxed_mut_ptr, try_mut, try_out, try_ref, write_out, Castable,
    OwnershipBox,
};
use crate::report::{steady_report, ReportView};
use crate::settings::steady_settings;
use crate::strings::try_str;
use std::ffi::c_char;
use std::fmt::Display;
use std::str::FromStr;
use steady_core::rules::{self, BrokerFacts, ClientInfo, Input, Profile, Workload};
use steady_core::settings::Dialect;
use steady_core::Version;

/// What a check knows besides the settings: the client, the broker, the workload and the
/// service profile. Everything starts unknown; rules whose inputs stay unknown stay silent.
///
/// Thread rules: it may move between threads; the setters must not run at the same time as any
/// other call on it; `steady_check` only reads it and may run from many threads at once.
pub struct steady_check_options {
    _private: [u8; 0],
}

/// The Rust side of `steady_check_options`: an `Input` without settings.
#[derive(Debug, Clone, Default)]
pub(crate) struct CheckOptions {
    pub(crate) client: ClientInfo,
    pub(crate) broker: Option<BrokerFacts>,
    pub(crate) workload: Workload,
    pub(crate) profile: Profile,
}

impl Castable for steady_check_options {
    type Rust = CheckOptions;
    type Ownership = OwnershipBox;
}

/// Parses the word or version `text` given for `what`; the error names both.
fn parse<T: FromStr>(text: &str, what: &str) -> Result<T, Error>
where
    T::Err: Display,
{
    text.parse()
        .map_err(|e| Error::invalid(format!("{what} '{text}': {e}")))
}

/// Runs `apply` on the options behind `options` with the parsed string argument `value`.
fn set_parsed<T: FromStr>(
    options: *mut steady_check_options,
    value: *const c_char,
    what: &str,
    apply: impl FnOnce(&mut CheckOptions, T),
) -> Result<(), Error>
where
    T::Err: Display,
{
    let options = try_mut(options, "options")?;
    let parsed = parse(try_str(value, what)?, what)?;
    apply(options, parsed);
    Ok(())
}

/// Creates options with nothing known in `*options_out`. Release them with
/// `steady_check_options_free`.
#[no_mangle]
pub extern "C" fn steady_check_options_new(
    options_out: *mut *mut steady_check_options,
) -> steady_result {
    let err_out = std::ptr::null_mut();
    ffi_panic_boundary! { err_out =>
        let out = try_out(options_out, "options_out")?;
        write_out(out, to_boxed_mut_ptr::<steady_check_options>(CheckOptions::default()));
        Ok(())
    }
}

/// The client's dialect: "java", "librdkafka" or "steady" (default: guessed from the keys).
/// Errors: NULL_PARAMETER, INVALID_UTF8, INVALID_ARGUMENT for another word.
#[no_mangle]
pub extern "C" fn steady_check_options_set_dialect(
    options: *mut steady_check_options,
    dialect: *const c_char,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        set_parsed(options, dialect, "dialect", |o, d: Dialect| o.client.dialect = Some(d))
    }
}

/// The client's version, such as "0.10.0" or "2.12.1".
/// Errors: NULL_PARAMETER, INVALID_UTF8, INVALID_ARGUMENT when it is not a dotted version.
#[no_mangle]
pub extern "C" fn steady_check_options_set_client_version(
    options: *mut steady_check_options,
    version: *const c_char,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        set_parsed(options, version, "client version", |o, v: Version| o.client.version = Some(v))
    }
}

/// How the client heartbeats: "coupled" (only inside poll) or "decoupled" (a background
/// thread). Default: derived from dialect and client version.
/// Errors: NULL_PARAMETER, INVALID_UTF8, INVALID_ARGUMENT for another word.
#[no_mangle]
pub extern "C" fn steady_check_options_set_heartbeat(
    options: *mut steady_check_options,
    heartbeat: *const c_char,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        set_parsed(options, heartbeat, "heartbeat", |o, h| o.client.heartbeat = Some(h))
    }
}

/// The broker's version, such as "0.10.0" (replaces broker facts set before, probed ones too).
/// Errors: NULL_PARAMETER, INVALID_UTF8, INVALID_ARGUMENT when it is not a dotted version.
#[no_mangle]
pub extern "C" fn steady_check_options_set_broker_version(
    options: *mut steady_check_options,
    version: *const c_char,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        set_parsed(options, version, "broker version", |o, v: Version| {
            o.broker = Some(BrokerFacts::from_version(v))
        })
    }
}

/// The service profile: "apache" (default), "alibaba" or "azure-event-hubs".
/// Errors: NULL_PARAMETER, INVALID_UTF8, INVALID_ARGUMENT for another word.
#[no_mangle]
pub extern "C" fn steady_check_options_set_profile(
    options: *mut steady_check_options,
    profile: *const c_char,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        set_parsed(options, profile, "profile", |o, p| o.profile = p)
    }
}

/// The workload: records per second one thread processes (finite, > 0) and the number of
/// consumer threads (≥ 1). Errors: NULL_PARAMETER, INVALID_ARGUMENT (options unchanged).
#[no_mangle]
pub extern "C" fn steady_check_options_set_workload(
    options: *mut steady_check_options,
    rate_per_thread: f64,
    threads: u32,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let options = try_mut(options, "options")?;
        if !(rate_per_thread.is_finite() && rate_per_thread > 0.0) {
            return Err(Error::invalid(format!(
                "rate_per_thread {rate_per_thread}: expected a finite number above 0"
            )));
        }
        if threads == 0 {
            return Err(Error::invalid("threads 0: expected at least 1"));
        }
        options.workload.rate_per_thread = Some(rate_per_thread);
        options.workload.threads = Some(threads);
        Ok(())
    }
}

/// Processing time per record in milliseconds: median and 99th percentile (finite, ≥ 0,
/// p50 ≤ p99). Errors: NULL_PARAMETER, INVALID_ARGUMENT (options unchanged).
#[no_mangle]
pub extern "C" fn steady_check_options_set_record_ms(
    options: *mut steady_check_options,
    p50: f64,
    p99: f64,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let options = try_mut(options, "options")?;
        let valid = |ms: f64| ms.is_finite() && ms >= 0.0;
        if !(valid(p50) && valid(p99) && p50 <= p99) {
            return Err(Error::invalid(format!(
                "record ms p50 {p50}, p99 {p99}: expected finite numbers with 0 <= p50 <= p99"
            )));
        }
        options.workload.record_ms_p50 = Some(p50);
        options.workload.record_ms_p99 = Some(p99);
        Ok(())
    }
}

/// Releases options. NULL is fine.
#[no_mangle]
pub extern "C" fn steady_check_options_free(options: *mut steady_check_options) {
    ffi_panic_boundary! {
        free_box(options)
    }
}

/// Runs every rule over `settings` and `options` (NULL options: nothing known besides the
/// settings) and writes the report to `*report_out`; release it with `steady_report_free`.
/// Findings are not failures: the call succeeds whatever they say.
///
/// Errors: NULL_PARAMETER (settings, report_out). Reads its inputs only; any thread.
#[no_mangle]
pub extern "C" fn steady_check(
    settings: *const steady_settings,
    options: *const steady_check_options,
    report_out: *mut *mut steady_report,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let settings = &try_ref(settings, "settings")?.settings;
        let out = try_out(report_out, "report_out")?;
        let options = as_ref(options).cloned().unwrap_or_default();
        let input = Input {
            settings: settings.clone(),
            client: options.client,
            broker: options.broker,
            workload: options.workload,
            profile: options.profile,
        };
        let report = rules::check(&input);
        write_out(out, to_boxed_mut_ptr::<steady_report>(ReportView::new(report)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{steady_error_free, steady_error_message};
    use crate::report::*;
    use crate::settings::{steady_settings_free, test_settings};
    use std::ffi::CStr;

    fn text(p: *const c_char) -> String {
        unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string()
    }

    #[test]
    fn seed_example_through_the_abi() {
        let settings = test_settings(&[
            ("session.timeout.ms", "40000"),
            ("max.poll.records", "2000"),
        ]);
        let mut options = std::ptr::null_mut();
        assert_eq!(steady_check_options_new(&mut options), steady_result::Ok);
        let none = std::ptr::null_mut();
        assert_eq!(
            steady_check_options_set_dialect(options, c"java".as_ptr(), none),
            steady_result::Ok
        );
        assert_eq!(
            steady_check_options_set_client_version(options, c"0.10.0".as_ptr(), none),
            steady_result::Ok
        );
        assert_eq!(
            steady_check_options_set_broker_version(options, c"0.10.0".as_ptr(), none),
            steady_result::Ok
        );
        assert_eq!(
            steady_check_options_set_workload(options, 10.0, 2, none),
            steady_result::Ok
        );
        let mut report = std::ptr::null_mut();
        assert_eq!(
            steady_check(settings, options, &mut report, none),
            steady_result::Ok
        );
        let rules: Vec<String> = (0..steady_report_count(report))
            .map(|i| text(steady_finding_rule(steady_report_finding(report, i))))
            .collect();
        for rule in ["VR001", "ST006", "PL002", "PL003"] {
            assert!(
                rules.iter().any(|r| r == rule),
                "{rule} missing from {rules:?}"
            );
        }
        let pl002 = (0..rules.len())
            .map(|i| steady_report_finding(report, i))
            .find(|f| text(steady_finding_rule(*f)) == "PL002")
            .unwrap();
        assert_eq!(
            text(steady_finding_recommended_key(pl002)),
            "max.poll.records"
        );
        assert_eq!(text(steady_finding_recommended_value(pl002)), "80");
        assert!(steady_report_finding(report, rules.len()).is_null());
        steady_report_free(report);
        steady_check_options_free(options);
        steady_settings_free(settings);
    }

    #[test]
    fn bad_option_values_name_themselves() {
        let mut options = std::ptr::null_mut();
        assert_eq!(steady_check_options_new(&mut options), steady_result::Ok);
        let mut err = std::ptr::null_mut();
        let r = steady_check_options_set_profile(options, c"aws".as_ptr(), &mut err);
        assert_eq!(r, steady_result::InvalidArgument);
        assert!(text(steady_error_message(err)).contains("profile 'aws'"));
        steady_error_free(err);
        let none = std::ptr::null_mut();
        let bad = c"\xfe".as_ptr();
        assert_eq!(
            steady_check_options_set_heartbeat(options, bad, none),
            steady_result::InvalidUtf8
        );
        assert_eq!(
            steady_check_options_set_workload(options, f64::NAN, 1, none),
            steady_result::InvalidArgument
        );
        assert_eq!(
            steady_check_options_set_record_ms(options, -1.0, 5.0, none),
            steady_result::InvalidArgument
        );
        assert_eq!(
            steady_check_options_set_dialect(std::ptr::null_mut(), c"java".as_ptr(), none),
            steady_result::NullParameter
        );
        let mut report = std::ptr::null_mut();
        assert_eq!(
            steady_check(std::ptr::null(), options, &mut report, none),
            steady_result::NullParameter
        );
        assert!(report.is_null());
        steady_check_options_free(options);
    }
}

//! `steady_settings`: consumer properties in the Java or librdkafka dialect.

use crate::error::{steady_error, steady_result, Error};
use crate::handle::{free_box, to_boxed_mut_ptr, try_mut, try_out, write_out, Castable};
use crate::log::{steady_log_cb, LogCallback};
use crate::strings::try_str;
use std::ffi::{c_char, c_void};
use steady_core::Settings;

/// Consumer properties (Java or librdkafka names, plus `steady.*`), as `key=value` pairs, and
/// the log callback of the consumers built from them.
///
/// Thread rules: it may move between threads; calls that change it (`_set`, `_load_file`,
/// `_set_log_callback`) must not run at the same time as any other call on it; calls that only
/// read it (`steady_check`, `steady_consumer_new`, `steady_probe`) may run at the same time
/// from many threads. Under the hood it is a `Box` of the settings and the callback.
pub struct steady_settings {
    _private: [u8; 0],
}

/// The Rust side of `steady_settings`.
#[derive(Debug, Default)]
pub(crate) struct SettingsHandle {
    /// The `key=value` pairs.
    pub(crate) settings: Settings,
    /// Where the log records of consumers built from them go; `None`: the default.
    pub(crate) log: Option<LogCallback>,
}

impl Castable for steady_settings {
    type Rust = SettingsHandle;
    type Ownership = crate::handle::OwnershipBox;
}

/// Creates empty settings in `*settings_out`. Release them with `steady_settings_free`.
#[no_mangle]
pub extern "C" fn steady_settings_new(settings_out: *mut *mut steady_settings) -> steady_result {
    let err_out = std::ptr::null_mut();
    ffi_panic_boundary! { err_out =>
        let out = try_out(settings_out, "settings_out")?;
        write_out(out, to_boxed_mut_ptr::<steady_settings>(SettingsHandle::default()));
        Ok(())
    }
}

/// Sets `key` to `value` (both trimmed; a later value replaces an earlier one). Values are not
/// checked here: `steady_check` and `steady_consumer_new` report bad ones by key.
///
/// Errors: NULL_PARAMETER, INVALID_UTF8, CONFIG_SYNTAX for an empty key. On error the settings
/// are unchanged.
#[no_mangle]
pub extern "C" fn steady_settings_set(
    settings: *mut steady_settings,
    key: *const c_char,
    value: *const c_char,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let settings = try_mut(settings, "settings")?;
        let key = try_str(key, "key")?;
        let value = try_str(value, "value")?;
        if key.trim().is_empty() {
            return Err(Error::new(steady_result::ConfigSyntax, format!("empty key for value '{value}'")));
        }
        settings.settings.set(key, value);
        Ok(())
    }
}

/// Reads the Java `.properties` file at `path` and adds its entries (they replace entries of the
/// same key).
///
/// Errors: NULL_PARAMETER, INVALID_UTF8, CONFIG_IO (unreadable file), CONFIG_SYNTAX (the message
/// gives file and line). On error the settings are unchanged.
#[no_mangle]
pub extern "C" fn steady_settings_load_file(
    settings: *mut steady_settings,
    path: *const c_char,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let settings = try_mut(settings, "settings")?;
        let loaded = Settings::load(try_str(path, "path")?)?;
        for (key, value) in loaded.iter() {
            settings.settings.set(key, value);
        }
        Ok(())
    }
}

/// Sends the log records of consumers built from these settings to `cb` (NULL: the default,
/// warnings and errors written to stderr), replacing a callback set before. Consumers already
/// built keep theirs.
///
/// The records are steady's own (logger "steady": start-up findings of the rule checks with
/// facility "config", rebalances with "rebalance" ("assigned t/0, t/1", "revoked …",
/// "lost …"), failed commits, stalls, errors) and librdkafka's log lines (logger
/// "steady.librdkafka", facility librdkafka's: "CGRPOP", "HEARTBEAT", …; `debug=cgrp,consumer`
/// raises librdkafka's level to debug). With a callback set, steady writes nothing to stderr.
///
/// Threads: each consumer calls `cb` on its own "steady-log" thread, one record at a time,
/// never concurrently with itself, never on librdkafka's threads or the poll thread, so a slow
/// callback does not stall the consumer (records beyond a queue of 4096 are dropped and
/// counted). Consumers built from the same settings call it from their own threads, possibly
/// at the same time. `user_data` is passed to `cb` untouched; it (and `cb`) must stay valid
/// and callable from those threads until `steady_consumer_close` of every such consumer
/// returned (or the consumer was freed, or `steady_consumer_new` failed): no call starts after
/// that. Close waits up to 5 s for the records still queued to reach `cb`, and up to 5 s more
/// for a call in progress.
///
/// Errors: NULL_PARAMETER (settings). On error the settings are unchanged.
#[no_mangle]
pub extern "C" fn steady_settings_set_log_callback(
    settings: *mut steady_settings,
    cb: steady_log_cb,
    user_data: *mut c_void,
) -> steady_result {
    let err_out = std::ptr::null_mut();
    ffi_panic_boundary! { err_out =>
        let settings = try_mut(settings, "settings")?;
        settings.log = LogCallback::new(cb, user_data);
        Ok(())
    }
}

/// Releases settings. NULL is fine. Consumers built from them keep their own copy.
#[no_mangle]
pub extern "C" fn steady_settings_free(settings: *mut steady_settings) {
    ffi_panic_boundary! {
        free_box(settings)
    }
}

/// Used by the other modules' tests: settings built from pairs, as C would build them.
#[cfg(test)]
pub(crate) fn test_settings(pairs: &[(&str, &str)]) -> *mut steady_settings {
    let mut s = std::ptr::null_mut();
    assert_eq!(steady_settings_new(&mut s), steady_result::Ok);
    for (k, v) in pairs {
        let (k, v) = (
            std::ffi::CString::new(*k).unwrap(),
            std::ffi::CString::new(*v).unwrap(),
        );
        let r = steady_settings_set(s, k.as_ptr(), v.as_ptr(), std::ptr::null_mut());
        assert_eq!(r, steady_result::Ok);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{steady_error_code, steady_error_free};
    use crate::handle::as_ref;

    #[test]
    fn set_and_load() {
        let s = test_settings(&[("session.timeout.ms", " 25000 ")]);
        let dir =
            std::env::temp_dir().join(format!("steady-ffi-{}.properties", std::process::id()));
        std::fs::write(&dir, "max.poll.records=80\nsession.timeout.ms: 30000\n").unwrap();
        let path = std::ffi::CString::new(dir.to_str().unwrap()).unwrap();
        let r = steady_settings_load_file(s, path.as_ptr(), std::ptr::null_mut());
        assert_eq!(r, steady_result::Ok);
        std::fs::remove_file(&dir).unwrap();
        let rust = &as_ref(s.cast_const()).unwrap().settings;
        assert_eq!(rust.raw("session.timeout.ms"), Some("30000"));
        assert_eq!(rust.raw("max.poll.records"), Some("80"));
        steady_settings_free(s);
    }

    #[test]
    fn misuse_is_reported() {
        assert_eq!(
            steady_settings_new(std::ptr::null_mut()),
            steady_result::NullParameter
        );
        let s = test_settings(&[]);
        let mut err = std::ptr::null_mut();
        let r = steady_settings_set(s, c"".as_ptr(), c"1".as_ptr(), &mut err);
        assert_eq!(r, steady_result::ConfigSyntax);
        assert_eq!(steady_error_code(err), steady_result::ConfigSyntax);
        steady_error_free(err);
        let bad = c"\xc3\x28";
        let r = steady_settings_set(s, c"k".as_ptr(), bad.as_ptr(), std::ptr::null_mut());
        assert_eq!(r, steady_result::InvalidUtf8);
        let r = steady_settings_set(
            std::ptr::null_mut(),
            c"k".as_ptr(),
            c"v".as_ptr(),
            std::ptr::null_mut(),
        );
        assert_eq!(r, steady_result::NullParameter);
        let r = steady_settings_load_file(
            s,
            c"/nonexistent/steady.properties".as_ptr(),
            std::ptr::null_mut(),
        );
        assert_eq!(r, steady_result::ConfigIo);
        assert!(as_ref(s.cast_const()).unwrap().settings.is_empty());
        assert_eq!(
            steady_settings_set_log_callback(std::ptr::null_mut(), None, std::ptr::null_mut()),
            steady_result::NullParameter
        );
        assert_eq!(
            steady_settings_set_log_callback(s, None, std::ptr::null_mut()),
            steady_result::Ok
        );
        assert!(as_ref(s.cast_const()).unwrap().log.is_none());
        steady_settings_free(s);
        steady_settings_free(std::ptr::null_mut());
    }
}

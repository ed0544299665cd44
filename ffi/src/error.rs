//! Result codes and error objects.

use std::ffi::{c_char, CString};

/// The outcome of a call. Values are fixed and grouped in ranges; a value is never reused or
/// renumbered, so they may be stored and compared across versions.
///
/// - 0: success;
/// - 100–199: the caller passed something unusable;
/// - 200–299: settings could not be read or were refused;
/// - 300–399: Kafka or the broker reported a problem;
/// - 400–499: the consumer's state (closed, stalled) or a wait that ran out;
/// - 900–999: a failure inside steady.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum steady_result {
    /// Success.
    Ok = 0,
    /// A required pointer was NULL.
    NullParameter = 100,
    /// A string was not valid UTF-8.
    InvalidUtf8 = 101,
    /// A value was out of range or not one of the accepted words (the message names it).
    InvalidArgument = 102,
    /// A settings file could not be read.
    ConfigIo = 200,
    /// A setting was malformed (empty key, bad syntax in a file).
    ConfigSyntax = 201,
    /// The rule checks refused the settings: an error-severity finding (the message lists them).
    ConfigRefused = 202,
    /// librdkafka or the broker reported an error.
    Kafka = 300,
    /// No broker answered within the timeout.
    BrokerUnreachable = 301,
    /// The broker answered with an error or something unexpected.
    BrokerProtocol = 302,
    /// A fatal Kafka error ended the consumer (a fenced static member, an unsupported
    /// assignor, …); every later call returns it, only close is left.
    KafkaFatal = 303,
    /// A record stayed unacked past `steady.processing.timeout.ms`.
    Stalled = 400,
    /// The consumer was closed.
    Closed = 401,
    /// Nothing arrived within the timeout (not a failure of the consumer).
    Timeout = 402,
    /// steady panicked; the call had no effect that can be relied on.
    Panic = 900,
    /// steady's poll thread died; every later call returns this, only close is left.
    Internal = 901,
}

impl steady_result {
    /// A static description of the code.
    fn describe(self) -> &'static str {
        match self {
            steady_result::Ok => "ok\0",
            steady_result::NullParameter => "a required pointer was NULL\0",
            steady_result::InvalidUtf8 => "a string was not valid UTF-8\0",
            steady_result::InvalidArgument => "invalid argument\0",
            steady_result::ConfigIo => "settings file could not be read\0",
            steady_result::ConfigSyntax => "malformed setting\0",
            steady_result::ConfigRefused => "settings refused by the rule checks\0",
            steady_result::Kafka => "kafka error\0",
            steady_result::BrokerUnreachable => "broker unreachable\0",
            steady_result::BrokerProtocol => "broker protocol error\0",
            steady_result::KafkaFatal => "fatal kafka error\0",
            steady_result::Stalled => "a record was not acked in time\0",
            steady_result::Closed => "consumer is closed\0",
            steady_result::Timeout => "timed out\0",
            steady_result::Panic => "internal panic in steady\0",
            steady_result::Internal => "steady's poll thread died\0",
        }
    }

    const ALL: [steady_result; 16] = [
        steady_result::Ok,
        steady_result::NullParameter,
        steady_result::InvalidUtf8,
        steady_result::InvalidArgument,
        steady_result::ConfigIo,
        steady_result::ConfigSyntax,
        steady_result::ConfigRefused,
        steady_result::Kafka,
        steady_result::BrokerUnreachable,
        steady_result::BrokerProtocol,
        steady_result::KafkaFatal,
        steady_result::Stalled,
        steady_result::Closed,
        steady_result::Timeout,
        steady_result::Panic,
        steady_result::Internal,
    ];
}

/// A static, NUL-terminated description of a `steady_result` value; "unknown result" for a
/// value that is not one. Never NULL; never free it. Any thread.
#[no_mangle]
pub extern "C" fn steady_result_str(result: u32) -> *const c_char {
    ffi_panic_boundary! {
        steady_result::ALL
            .iter()
            .find(|r| **r as u32 == result)
            .map_or("unknown result\0", |r| r.describe())
            .as_ptr()
            .cast()
    }
}

/// The detail of a failed call: its code and a message that names the bad key, value or
/// parameter.
///
/// Created by steady when a call fails and its `err_out` was not NULL; owned by the caller,
/// who releases it with `steady_error_free`. Immutable: it may be read from any thread.
pub struct steady_error {
    _private: [u8; 0],
}

/// The Rust side of `steady_error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Error {
    pub(crate) code: steady_result,
    message: CString,
    kafka: Option<Kafka>,
}

/// librdkafka's side of an error.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Kafka {
    code: i32,
    name: CString,
    retriable: bool,
}

impl Error {
    /// An error with `code` and `message` (NUL bytes in the message become spaces).
    pub(crate) fn new(code: steady_result, message: impl Into<String>) -> Self {
        Error {
            code,
            message: to_cstring_lossy(message.into()),
            kafka: None,
        }
    }

    /// `STEADY_RESULT_INVALID_ARGUMENT` with `message`.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(steady_result::InvalidArgument, message)
    }

    /// The message as text.
    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        self.message.to_str().unwrap_or_default()
    }
}

impl crate::handle::Castable for steady_error {
    type Rust = Error;
    type Ownership = crate::handle::OwnershipBox;
}

impl From<steady_core::settings::SettingsError> for Error {
    fn from(e: steady_core::settings::SettingsError) -> Self {
        use steady_core::settings::SettingsError as E;
        let code = match e {
            E::Io { .. } => steady_result::ConfigIo,
            E::Malformed(_) | E::Syntax { .. } => steady_result::ConfigSyntax,
        };
        Error::new(code, e.to_string())
    }
}

impl From<steady_core::runtime::Error> for Error {
    fn from(e: steady_core::runtime::Error) -> Self {
        use steady_core::runtime::Error as E;
        let code = match &e {
            E::Config(_) => steady_result::ConfigRefused,
            E::Kafka(k) if k.is_fatal() => steady_result::KafkaFatal,
            E::Kafka(_) => steady_result::Kafka,
            E::Stalled { .. } => steady_result::Stalled,
            E::Closed => steady_result::Closed,
            E::InvalidArgument(_) => steady_result::InvalidArgument,
            E::Internal(_) => steady_result::Internal,
            _ => steady_result::Internal,
        };
        let mut error = Error::new(code, e.to_string());
        error.kafka = e.kafka().map(|k| Kafka {
            code: k.code(),
            name: to_cstring_lossy(k.name().to_string()),
            retriable: k.is_retriable(),
        });
        error
    }
}

/// `text` as a C string, NUL bytes turned into spaces.
fn to_cstring_lossy(text: String) -> CString {
    CString::new(text.replace('\0', " ")).unwrap_or_default()
}

impl From<steady_core::broker::ProbeError> for Error {
    fn from(e: steady_core::broker::ProbeError) -> Self {
        use steady_core::broker::ProbeError as E;
        let code = match e {
            E::Unreachable { .. } => steady_result::BrokerUnreachable,
            E::Protocol { .. } => steady_result::BrokerProtocol,
        };
        Error::new(code, e.to_string())
    }
}

/// Turns the outcome of a fallible body into its result code, handing the error to `err_out`
/// (when not NULL) on failure.
pub(crate) fn finish(err_out: *mut *mut steady_error, outcome: Result<(), Error>) -> steady_result {
    match outcome {
        Ok(()) => steady_result::Ok,
        Err(e) => {
            let code = e.code;
            if !err_out.is_null() {
                // SAFETY: the caller promises err_out, when not NULL, points to writable storage.
                unsafe { *err_out = crate::handle::to_boxed_mut_ptr::<steady_error>(e) };
            }
            code
        }
    }
}

/// The code of `err`; `STEADY_RESULT_NULL_PARAMETER` when `err` is NULL. Any thread.
#[no_mangle]
pub extern "C" fn steady_error_code(err: *const steady_error) -> steady_result {
    ffi_panic_boundary! {
        crate::handle::as_ref(err).map_or(steady_result::NullParameter, |e| e.code)
    }
}

/// The message of `err`: NUL-terminated UTF-8, borrowed, valid until `steady_error_free(err)`.
/// NULL when `err` is NULL. Any thread.
#[no_mangle]
pub extern "C" fn steady_error_message(err: *const steady_error) -> *const c_char {
    ffi_panic_boundary! {
        crate::handle::as_ref(err).map_or(std::ptr::null(), |e| e.message.as_ptr())
    }
}

/// librdkafka's code (`rd_kafka_resp_err_t`) of a Kafka error (KAFKA, KAFKA_FATAL); for a
/// fatal error the code that caused it, e.g. 82 (`FENCED_INSTANCE_ID`). 0 when `err` is not a
/// Kafka error or is NULL. Any thread.
#[no_mangle]
pub extern "C" fn steady_error_kafka_code(err: *const steady_error) -> i32 {
    ffi_panic_boundary! {
        crate::handle::as_ref(err).and_then(|e| e.kafka.as_ref()).map_or(0, |k| k.code)
    }
}

/// librdkafka's name of that code, e.g. "FENCED_INSTANCE_ID": NUL-terminated, borrowed, valid
/// until `steady_error_free(err)`. NULL when `err` is not a Kafka error or is NULL. Any thread.
#[no_mangle]
pub extern "C" fn steady_error_kafka_name(err: *const steady_error) -> *const c_char {
    ffi_panic_boundary! {
        crate::handle::as_ref(err)
            .and_then(|e| e.kafka.as_ref())
            .map_or(std::ptr::null(), |k| k.name.as_ptr())
    }
}

/// Whether the consumer cannot go on (KAFKA_FATAL or INTERNAL): every later call returns the
/// same error and only close is left. false for NULL. Any thread.
#[no_mangle]
pub extern "C" fn steady_error_is_fatal(err: *const steady_error) -> bool {
    ffi_panic_boundary! {
        crate::handle::as_ref(err).is_some_and(|e| {
            matches!(e.code, steady_result::KafkaFatal | steady_result::Internal)
        })
    }
}

/// Whether the same call may succeed if tried again (a transient Kafka condition: brokers
/// down, a coordinator moving, a timeout). false for NULL. Any thread.
#[no_mangle]
pub extern "C" fn steady_error_is_retriable(err: *const steady_error) -> bool {
    ffi_panic_boundary! {
        crate::handle::as_ref(err)
            .and_then(|e| e.kafka.as_ref())
            .is_some_and(|k| k.retriable)
    }
}

/// Releases `err`. NULL is fine; call it once per error.
#[no_mangle]
pub extern "C" fn steady_error_free(err: *mut steady_error) {
    ffi_panic_boundary! {
        crate::handle::free_box(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_code_has_a_distinct_static_text() {
        let mut seen = std::collections::HashSet::new();
        for r in steady_result::ALL {
            let text = unsafe { CStr::from_ptr(steady_result_str(r as u32)) };
            assert!(seen.insert(text.to_owned()), "{r:?}");
        }
        let unknown = unsafe { CStr::from_ptr(steady_result_str(12345)) };
        assert_eq!(unknown.to_str().unwrap(), "unknown result");
    }

    #[test]
    fn codes_keep_their_values() {
        assert_eq!(steady_result::Ok as u32, 0);
        assert_eq!(steady_result::NullParameter as u32, 100);
        assert_eq!(steady_result::InvalidUtf8 as u32, 101);
        assert_eq!(steady_result::InvalidArgument as u32, 102);
        assert_eq!(steady_result::ConfigIo as u32, 200);
        assert_eq!(steady_result::ConfigSyntax as u32, 201);
        assert_eq!(steady_result::ConfigRefused as u32, 202);
        assert_eq!(steady_result::Kafka as u32, 300);
        assert_eq!(steady_result::BrokerUnreachable as u32, 301);
        assert_eq!(steady_result::BrokerProtocol as u32, 302);
        assert_eq!(steady_result::KafkaFatal as u32, 303);
        assert_eq!(steady_result::Stalled as u32, 400);
        assert_eq!(steady_result::Closed as u32, 401);
        assert_eq!(steady_result::Timeout as u32, 402);
        assert_eq!(steady_result::Panic as u32, 900);
        assert_eq!(steady_result::Internal as u32, 901);
    }

    #[test]
    fn error_accessors_accept_null() {
        assert_eq!(
            steady_error_code(std::ptr::null()),
            steady_result::NullParameter
        );
        assert!(steady_error_message(std::ptr::null()).is_null());
        assert_eq!(steady_error_kafka_code(std::ptr::null()), 0);
        assert!(steady_error_kafka_name(std::ptr::null()).is_null());
        assert!(!steady_error_is_fatal(std::ptr::null()));
        assert!(!steady_error_is_retriable(std::ptr::null()));
        steady_error_free(std::ptr::null_mut());
    }

    #[test]
    fn finish_writes_err_out_only_on_failure() {
        let mut err: *mut steady_error = std::ptr::null_mut();
        assert_eq!(finish(&mut err, Ok(())), steady_result::Ok);
        assert!(err.is_null());
        let code = finish(&mut err, Err(Error::invalid("bad 'x'")));
        assert_eq!(code, steady_result::InvalidArgument);
        assert_eq!(steady_error_code(err), steady_result::InvalidArgument);
        let msg = unsafe { CStr::from_ptr(steady_error_message(err)) };
        assert_eq!(msg.to_str().unwrap(), "bad 'x'");
        steady_error_free(err);
        assert_eq!(
            finish(std::ptr::null_mut(), Err(Error::invalid("x"))),
            steady_result::InvalidArgument
        );
    }
}

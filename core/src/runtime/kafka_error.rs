//! A Kafka error as the application sees it: librdkafka's code (number and name), whether it
//! ends the consumer, whether retrying can help, and what happened.

use rdkafka::error::{KafkaError as RdError, RDKafkaErrorCode as Code};
use std::ffi::{c_char, CStr};

/// A failure reported by librdkafka or the broker.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KafkaError {
    kind: Code,
    code: i32,
    name: String,
    fatal: bool,
    retriable: bool,
    message: String,
}

extern "C" {
    // librdkafka's own table; any value is accepted (unknown ones get a generic name).
    #[link_name = "rd_kafka_err2name"]
    fn err2name(code: i32) -> *const c_char;
}

impl KafkaError {
    /// librdkafka's error code (`rd_kafka_resp_err_t`: negative for librdkafka's own, the
    /// broker's protocol code otherwise). For a fatal error, the code that caused it.
    pub fn code(&self) -> i32 {
        self.code
    }

    /// librdkafka's name of the code, e.g. `FENCED_INSTANCE_ID` or `_TRANSPORT`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the consumer cannot go on (librdkafka's fatal errors, and the group errors
    /// steady treats as fatal: an incompatible rebalance protocol).
    pub fn is_fatal(&self) -> bool {
        self.fatal
    }

    /// Whether the same call may succeed if tried again (brokers down, a coordinator moving).
    pub fn is_retriable(&self) -> bool {
        self.retriable
    }

    /// What happened, in words.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// librdkafka's code as rdkafka's enum.
    pub(crate) fn kind(&self) -> Code {
        self.kind
    }

    /// An error of `code` with `message`; fatal as given, retriable as the code says.
    pub(crate) fn new(code: Code, fatal: bool, message: impl Into<String>) -> KafkaError {
        let number = code as i32;
        KafkaError {
            kind: code,
            code: number,
            name: name_of(number),
            fatal,
            retriable: !fatal && retriable(code),
            message: message.into(),
        }
    }

    /// rdkafka's error with what it was doing (`context`); errors without a librdkafka code
    /// (a bad argument rdkafka caught itself) get `_INVALID_ARG`.
    pub(crate) fn from_rdkafka(context: &str, e: &RdError) -> KafkaError {
        let code = e.rdkafka_error_code().unwrap_or(Code::InvalidArgument);
        let fatal = matches!(e, RdError::MessageConsumptionFatal(_)) || code == Code::Fatal;
        KafkaError::new(code, fatal, format!("{context}: {e}"))
    }

    /// The error of a group member that cannot go on, whether librdkafka calls it fatal or not:
    /// `INCONSISTENT_GROUP_PROTOCOL` (the group's members run another assignor kind) names the
    /// setting to change. `None` for every other code.
    pub(crate) fn steady_fatal(code: Code, reason: &str) -> Option<KafkaError> {
        (code == Code::InconsistentGroupProtocol).then(|| {
            KafkaError::new(
                code,
                true,
                format!(
                    "the group's members use a rebalance protocol this consumer does not \
                     support ({reason}): set partition.assignment.strategy to the members' own \
                     (for example range,roundrobin for eager groups, cooperative-sticky for \
                     cooperative ones)"
                ),
            )
        })
    }
}

impl std::fmt::Display for KafkaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fatal = if self.fatal { "fatal " } else { "" };
        write!(f, "{fatal}{} ({}): {}", self.name, self.code, self.message)
    }
}

fn name_of(code: i32) -> String {
    // SAFETY: librdkafka returns a static NUL-terminated string for any value.
    let name = unsafe { CStr::from_ptr(err2name(code)) };
    name.to_string_lossy().into_owned()
}

/// The codes of transient conditions: brokers or coordinators unavailable or moving, timeouts,
/// throttling (Kafka's `RetriableException` family and librdkafka's transport errors).
fn retriable(code: Code) -> bool {
    matches!(
        code,
        Code::BrokerTransportFailure
            | Code::Resolve
            | Code::MessageTimedOut
            | Code::AllBrokersDown
            | Code::OperationTimedOut
            | Code::UnknownTopicOrPartition
            | Code::LeaderNotAvailable
            | Code::NotLeaderForPartition
            | Code::RequestTimedOut
            | Code::NetworkException
            | Code::CoordinatorLoadInProgress
            | Code::CoordinatorNotAvailable
            | Code::NotCoordinator
            | Code::NotEnoughReplicas
            | Code::RebalanceInProgress
            | Code::NotController
            | Code::KafkaStorageError
            | Code::FencedLeaderEpoch
            | Code::UnknownLeaderEpoch
            | Code::OffsetNotAvailable
            | Code::PreferredLeaderNotAvailable
            | Code::ThrottlingQuotaExceeded
            | Code::StaleMemberEpoch
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_librdkafkas() {
        let e = KafkaError::new(Code::FencedInstanceId, true, "fenced");
        assert_eq!((e.code(), e.name()), (82, "FENCED_INSTANCE_ID"));
        assert!(e.is_fatal() && !e.is_retriable());
        let t = KafkaError::new(Code::BrokerTransportFailure, false, "down");
        assert_eq!((t.code(), t.name()), (-195, "_TRANSPORT"));
        assert!(t.is_retriable() && !t.is_fatal());
        assert_eq!(
            t.to_string(),
            "_TRANSPORT (-195): down",
            "display names code and number"
        );
    }

    #[test]
    fn rdkafka_errors_keep_their_code() {
        let e = KafkaError::from_rdkafka(
            "commit",
            &RdError::ConsumerCommit(Code::RebalanceInProgress),
        );
        assert_eq!(e.name(), "REBALANCE_IN_PROGRESS");
        assert!(e.is_retriable());
        assert!(e.message().starts_with("commit: "));
        let fatal =
            KafkaError::from_rdkafka("poll", &RdError::MessageConsumptionFatal(Code::Fatal));
        assert!(fatal.is_fatal());
    }

    #[test]
    fn an_inconsistent_protocol_is_fatal_and_names_the_setting() {
        let e = KafkaError::steady_fatal(Code::InconsistentGroupProtocol, "join").unwrap();
        assert!(e.is_fatal());
        assert!(e.message().contains("partition.assignment.strategy"));
        assert!(KafkaError::steady_fatal(Code::RebalanceInProgress, "x").is_none());
    }
}

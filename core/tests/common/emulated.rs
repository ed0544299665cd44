//! Old brokers emulated by librdkafka's mock cluster: its ApiVersions answer is cut down to
//! what Apache Kafka 0.10.0 or 0.10.2 advertise (broker-versions table), on a real socket.
//! Used where the harness cannot run those versions.
//!
//! Include it beside broker.rs: `#[path = "…/core/tests/common/emulated.rs"] mod emulated;`.
#![allow(dead_code)]

use rdkafka::bindings::{
    rd_kafka_mock_cluster_bootstraps, rd_kafka_mock_cluster_destroy, rd_kafka_mock_cluster_new,
    rd_kafka_mock_cluster_t, rd_kafka_mock_set_apiversion,
};
use rdkafka::producer::{BaseProducer, Producer};
use rdkafka::ClientConfig;
use std::ffi::CStr;

/// The API keys librdkafka 2.12's mock cluster implements (each setting below is a round trip
/// to the mock's thread, so only these are set).
const MOCK_KEYS: [i16; 21] = [
    0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 18, 22, 23, 24, 25, 26, 28, 68, 71, 72,
];

/// `(key, min, max)` advertised by Apache Kafka 0.10.0 for the keys the mock implements.
const KAFKA_0_10_0: &[(i16, i16, i16)] = &[
    (0, 0, 2),  // Produce
    (1, 0, 2),  // Fetch
    (2, 0, 0),  // ListOffsets
    (3, 0, 1),  // Metadata
    (8, 0, 2),  // OffsetCommit
    (9, 0, 1),  // OffsetFetch
    (10, 0, 0), // FindCoordinator
    (11, 0, 0), // JoinGroup
    (12, 0, 0), // Heartbeat
    (13, 0, 0), // LeaveGroup
    (14, 0, 0), // SyncGroup
    (18, 0, 0), // ApiVersions
];

/// The same for Apache Kafka 0.10.2: Fetch 3, ListOffsets 1, Metadata 2, OffsetFetch 2,
/// JoinGroup 1 (CreateTopics 1 is not implemented by the mock).
const KAFKA_0_10_2: &[(i16, i16, i16)] = &[
    (0, 0, 2),
    (1, 0, 3),
    (2, 0, 1),
    (3, 0, 2),
    (8, 0, 2),
    (9, 0, 2),
    (10, 0, 0),
    (11, 0, 1),
    (12, 0, 0),
    (13, 0, 0),
    (14, 0, 0),
    (18, 0, 0),
];

/// A one-broker mock cluster answering ApiVersions like an old Apache Kafka.
pub struct EmulatedBroker {
    cluster: *mut rd_kafka_mock_cluster_t,
    /// The client handle the mock cluster lives in; dropped after the cluster.
    _handle: BaseProducer,
    /// Its `host:port`.
    pub bootstrap: String,
}

impl EmulatedBroker {
    /// Emulates Apache Kafka `version` ("0.10.0.1" or "0.10.2.2").
    pub fn new(version: &str) -> Self {
        let table = match version {
            "0.10.0.1" => KAFKA_0_10_0,
            "0.10.2.2" => KAFKA_0_10_2,
            other => panic!("no emulation for Kafka {other}"),
        };
        let handle: BaseProducer = ClientConfig::new().create().expect("a librdkafka handle");
        // SAFETY: the handle outlives the cluster (field order and Drop below); every call
        // gets the pointer rd_kafka_mock_cluster_new returned, checked non-null.
        unsafe {
            let cluster = rd_kafka_mock_cluster_new(handle.client().native_ptr(), 1);
            assert!(!cluster.is_null(), "mock cluster created");
            for key in MOCK_KEYS {
                let (min, max) = table
                    .iter()
                    .find(|(k, _, _)| *k == key)
                    .map_or((-1, -1), |&(_, min, max)| (min, max));
                let err = rd_kafka_mock_set_apiversion(cluster, key, min, max);
                assert_eq!(err as i32, 0, "set ApiVersions of key {key}");
            }
            let bootstrap = CStr::from_ptr(rd_kafka_mock_cluster_bootstraps(cluster))
                .to_string_lossy()
                .into_owned();
            EmulatedBroker {
                cluster,
                _handle: handle,
                bootstrap,
            }
        }
    }
}

impl Drop for EmulatedBroker {
    fn drop(&mut self) {
        // SAFETY: created by rd_kafka_mock_cluster_new and destroyed once, before the handle.
        unsafe { rd_kafka_mock_cluster_destroy(self.cluster) }
    }
}

/// The address of an old Apache Kafka `version`: the real one from the harness, or, when the
/// harness cannot run it here, an emulation (the reason is printed).
pub enum OldBroker {
    /// A real broker run by kafka.sh.
    Real(String),
    /// The mock cluster standing in for it.
    Emulated(EmulatedBroker),
}

impl OldBroker {
    /// Starts the real `version` when possible, otherwise its emulation.
    pub fn start(version: &str) -> Self {
        match super::broker::try_start(&["--version", version]) {
            Ok(bootstrap) => OldBroker::Real(bootstrap),
            Err(reason) => {
                println!("Kafka {version} emulated by librdkafka's mock cluster: {reason}");
                OldBroker::Emulated(EmulatedBroker::new(version))
            }
        }
    }

    /// Its `host:port`.
    pub fn bootstrap(&self) -> &str {
        match self {
            OldBroker::Real(b) => b,
            OldBroker::Emulated(e) => &e.bootstrap,
        }
    }
}

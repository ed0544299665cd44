//! The catalogue of consumer keys known to the Java client, librdkafka and steady.
// Skeleton: to be filled with every consumer key.

/// Which client a key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// The Apache Kafka Java client (`KafkaConsumer`).
    Java,
    /// librdkafka (C), and every client built on it.
    Librdkafka,
    /// steady's runtime (librdkafka keys plus `steady.*`).
    Steady,
}

/// The type and allowed values of a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An integer within `min..=max`.
    Int {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// `true` or `false`.
    Bool,
    /// One of the listed words.
    Enum(&'static [&'static str]),
    /// A comma-separated list whose items are among the listed words (empty: any items).
    List(&'static [&'static str]),
    /// Free text.
    Text,
}

/// What is known about one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key's name.
    pub name: &'static str,
    /// The dialects that accept it.
    pub dialects: &'static [Dialect],
    /// Its type and range.
    pub kind: Kind,
    /// Default in the current Java client, if it has one.
    pub java_default: Option<&'static str>,
    /// Default in librdkafka 2.12, if it has one.
    pub rdkafka_default: Option<&'static str>,
}

/// Looks a key up by exact name.
pub fn lookup(key: &str) -> Option<&'static KeyInfo> {
    let _ = key;
    todo!()
}

/// The known key closest in spelling to `key`, for "did you mean" hints.
pub fn nearest_key(key: &str) -> Option<&'static str> {
    let _ = key;
    todo!()
}

/// Names that mean the same setting as `key` in the other dialect.
pub(crate) fn equivalents(key: &str) -> &'static [&'static str] {
    let _ = key;
    &[]
}

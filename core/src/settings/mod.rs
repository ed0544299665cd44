//! Consumer settings: `.properties` files and `key=value` pairs in the Java or librdkafka
//! dialect, with a catalogue of every known consumer key (type, range, default, dialect),
//! name mapping between dialects, typed getters and secret redaction.

mod catalog;
mod choice;
mod java_security;
mod properties;
mod redact;

pub use catalog::{
    all, check_value, default_for, lookup, lookup_in, name_in, nearest_key, nearest_key_in,
    Dialect, KeyInfo, Kind, STEADY_DEFAULTS,
};
pub(crate) use choice::choose;
pub use choice::UnknownChoice;
pub use java_security::{
    advice as java_security_advice, for_librdkafka as java_security_for_librdkafka,
};
pub use redact::{is_secret, redact_value};

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// Why settings could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// The file could not be read.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The file's path as given.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// A `key=value` pair had no `=` or an empty key.
    #[error("malformed setting '{0}': expected KEY=VALUE")]
    Malformed(String),
    /// A properties file had a syntax error (for example a bad `\u` escape).
    #[error("{path}:{line}: {reason}")]
    Syntax {
        /// The file's path (or `<string>`).
        path: String,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        reason: String,
    },
}

/// Consumer properties, as the user wrote them (keys keep their spelling; later values win).
///
/// `Debug` shows every key but the values of secret keys ([`redact::is_secret`]).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Settings {
    entries: BTreeMap<String, String>,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(
                self.entries
                    .iter()
                    .map(|(k, v)| (k, redact::redact_value(k, v))),
            )
            .finish()
    }
}

impl Settings {
    /// An empty set of settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// `text` with the value of every secret key of these settings replaced by `[redacted]`.
    pub fn scrub(&self, text: &str) -> String {
        let mut text = text.to_string();
        for (key, value) in &self.entries {
            if !value.is_empty() && redact::is_secret(key) {
                text = text.replace(value.as_str(), "[redacted]");
            }
        }
        text
    }

    /// Parses Java `.properties` text (comments, `=`/`:`/space separators, escapes, continuation lines).
    pub fn parse_properties(text: &str) -> Result<Self, SettingsError> {
        properties::parse(text, "<string>").map(Self::from_pairs)
    }

    /// Reads a `.properties` file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, SettingsError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| SettingsError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        properties::parse(&text, &path.display().to_string()).map(Self::from_pairs)
    }

    /// Builds settings from pairs; later pairs override earlier ones.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut s = Self::new();
        for (k, v) in pairs {
            s.set(k, v);
        }
        s
    }

    /// Sets `key` to `value` (keys and values are trimmed).
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let key = key.into().trim().to_string();
        let value = value.into().trim().to_string();
        self.entries.insert(key, value);
    }

    /// Sets one `KEY=VALUE` pair as given on a command line.
    pub fn set_pair(&mut self, pair: &str) -> Result<(), SettingsError> {
        match pair.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                self.set(k, v);
                Ok(())
            }
            _ => Err(SettingsError::Malformed(pair.to_string())),
        }
    }

    /// Removes `key`; returns its value if it was set.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        self.entries.remove(key)
    }

    /// The value of `key` exactly as spelled, if set.
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.entries.get(key).map(String::as_str)
    }

    /// The value of `key` or of any equivalent name in the other dialect
    /// (`max.partition.fetch.bytes` ↔ `fetch.message.max.bytes`, …), if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.raw(key).or_else(|| {
            catalog::equivalents(key)
                .iter()
                .find_map(|alias| self.raw(alias))
        })
    }

    /// Whether `key` (or an equivalent name) is set explicitly.
    pub fn is_set(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The value of `key` (or an equivalent) as an integer; `None` when unset or not a number.
    pub fn get_i64(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(|v| v.trim().parse().ok())
    }

    /// The value of `key` (or an equivalent) as a boolean (`true`/`false`, any case).
    pub fn get_bool(&self, key: &str) -> Option<bool> {
        match self.get(key)?.trim().to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// All entries in key order, values as given (secrets included: do not print these).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// All entries in key order with secret values replaced by `[redacted]`.
    pub fn redacted(&self) -> impl Iterator<Item = (&str, String)> {
        self.iter().map(|(k, v)| (k, redact_value(k, v)))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no entry is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Prints `key=value` lines with secrets redacted.
impl fmt::Display for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (k, v) in self.redacted() {
            writeln!(f, "{k}={v}")?;
        }
        Ok(())
    }
}

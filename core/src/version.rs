//! Dotted version numbers of Kafka clients and brokers ("0.10.0.1", "2.12.1", "4.0").

use std::fmt;
use std::str::FromStr;

/// A version of up to four numeric parts; missing parts compare as 0, so "0.10" == "0.10.0.0".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version(pub [u32; 4]);

impl Version {
    /// Builds `major.minor.patch`.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        Version([major, minor, patch, 0])
    }
}

/// Why a version string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid version '{0}': expected numbers separated by dots, such as 0.10.2 or 3.7.1")]
pub struct VersionError(pub String);

impl FromStr for Version {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || VersionError(s.to_string());
        let mut parts = [0u32; 4];
        let mut n = 0;
        for part in s.trim().split('.') {
            if n == 4 || part.is_empty() {
                return Err(err());
            }
            parts[n] = part.parse().map_err(|_| err())?;
            n += 1;
        }
        if n < 2 {
            return Err(err());
        }
        Ok(Version(parts))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = self.0;
        match (c, d) {
            (0, 0) if a > 0 => write!(f, "{a}.{b}"),
            (_, 0) => write!(f, "{a}.{b}.{c}"),
            _ => write!(f, "{a}.{b}.{c}.{d}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        let v: Version = "0.10.0.1".parse().unwrap();
        assert!(v < Version::new(0, 10, 1));
        assert_eq!("0.10".parse::<Version>().unwrap(), Version::new(0, 10, 0));
        assert!("x.1".parse::<Version>().is_err());
        assert!("4".parse::<Version>().is_err());
        assert_eq!(Version::new(4, 0, 0).to_string(), "4.0");
        assert_eq!(Version::new(0, 10, 0).to_string(), "0.10.0");
    }
}

//! Secret redaction: values that must never be printed, logged or put in a report.

/// Keys that hold a secret without saying "password" or "secret" in their name.
const SECRET_KEYS: &[&str] = &[
    "sasl.jaas.config",
    "sasl.oauthbearer.config",
    "ssl.keystore.key",
];

/// Whether `key` holds a secret: passwords, passphrases, `*.secret`, JAAS and OAUTHBEARER
/// configurations and private keys given inline (`ssl.key.pem`, `*.private.key.pem`).
pub fn is_secret(key: &str) -> bool {
    let k = key.trim().to_ascii_lowercase();
    k.contains("password")
        || k.contains("secret")
        || k.contains("passphrase")
        || k.ends_with("key.pem")
        || SECRET_KEYS.contains(&k.as_str())
}

/// `value`, or `[redacted]` when `key` holds a secret.
pub fn redact_value(key: &str, value: &str) -> String {
    if is_secret(key) {
        "[redacted]".to_string()
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_recognised() {
        for key in [
            "sasl.password",
            "ssl.key.password",
            "ssl.keystore.password",
            "ssl.truststore.password",
            "sasl.oauthbearer.client.secret",
            "sasl.oauthbearer.client.credentials.client.secret",
            "sasl.oauthbearer.assertion.private.key.passphrase",
            "sasl.oauthbearer.assertion.private.key.pem",
            "ssl.key.pem",
            "ssl.keystore.key",
            "sasl.jaas.config",
            "SASL.JAAS.CONFIG",
            "sasl.oauthbearer.config",
            "my.app.Secret",
        ] {
            assert!(is_secret(key), "{key}");
            assert_eq!(redact_value(key, "hunter2"), "[redacted]");
        }
        for key in [
            "sasl.username",
            "ssl.certificate.pem",
            "ssl.key.location",
            "group.id",
        ] {
            assert!(!is_secret(key), "{key}");
            assert_eq!(redact_value(key, "v"), "v");
        }
    }
}

//! Secret redaction.

/// Whether `key` holds a secret (passwords, `*.secret`, credentials, …).
pub fn is_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("password") || k.contains("secret")
}

/// `value`, or `[redacted]` when `key` holds a secret.
pub fn redact_value(key: &str, value: &str) -> String {
    if is_secret(key) {
        "[redacted]".to_string()
    } else {
        value.to_string()
    }
}

//! The Java client's security keys, which librdkafka does not have: what to set instead, and
//! their translation for librdkafka — the username and password of a `sasl.jaas.config` login
//! module become `sasl.username` and `sasl.password`; the JKS keys are dropped (librdkafka reads
//! PEM files, or a PKCS#12 keystore through its own `ssl.keystore.location`).

use super::Settings;

/// The Java-only security keys and what librdkafka takes instead.
const ADVICE: &[(&str, &str)] = &[
    (
        "sasl.jaas.config",
        "librdkafka takes the credentials as sasl.username and sasl.password (with \
         sasl.mechanism; OAUTHBEARER: sasl.oauthbearer.*); steady uses the username and password \
         of a PLAIN or SCRAM login module given here when those are not set",
    ),
    (
        "ssl.truststore.location",
        "librdkafka reads the CA certificates from a PEM file: set ssl.ca.location (export them \
         with keytool -exportcert -rfc); ignored",
    ),
    (
        "ssl.truststore.password",
        "not needed with ssl.ca.location (a PEM file); ignored",
    ),
    (
        "ssl.truststore.type",
        "librdkafka reads the CA certificates from PEM (ssl.ca.location); ignored",
    ),
    (
        "ssl.keystore.type",
        "librdkafka reads a PKCS#12 keystore (ssl.keystore.location, ssl.keystore.password) or \
         PEM files (ssl.certificate.location, ssl.key.location, ssl.key.password); convert a JKS \
         keystore with keytool -importkeystore -deststoretype PKCS12; ignored",
    ),
];

/// What librdkafka takes instead of the Java-only security key `key`.
pub fn advice(key: &str) -> Option<&'static str> {
    ADVICE.iter().find(|(k, _)| *k == key).map(|(_, a)| *a)
}

/// `settings` for librdkafka: the Java-only security keys dropped, and the username and
/// password of a PLAIN or SCRAM `sasl.jaas.config` set as `sasl.username` and `sasl.password`
/// unless those are set.
pub fn for_librdkafka(settings: &Settings) -> Settings {
    let mut out = settings.clone();
    for (key, _) in ADVICE {
        out.remove(key);
    }
    if let Some(jaas) = settings.get("sasl.jaas.config") {
        let plain_or_scram = jaas.contains("PlainLoginModule") || jaas.contains("ScramLoginModule");
        for (option, key) in [("username", "sasl.username"), ("password", "sasl.password")] {
            if let Some(value) = option_of(jaas, option).filter(|_| plain_or_scram) {
                if !settings.is_set(key) {
                    out.set(key, value);
                }
            }
        }
    }
    out
}

/// The value of `name="…"` in a JAAS line (Java's quoting: `\"` and `\\` inside).
fn option_of(jaas: &str, name: &str) -> Option<String> {
    let mut rest = jaas;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].trim_start();
        rest = &rest[at + name.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(quoted) = after.strip_prefix('=').map(str::trim_start) else {
            continue;
        };
        let quoted = quoted.strip_prefix('"')?;
        let mut value = String::new();
        let mut chars = quoted.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => value.push(chars.next()?),
                '"' => return Some(value),
                c => value.push(c),
            }
        }
        return None;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRAM: &str = r#"org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="s3\"cr=t";"#;

    #[test]
    fn a_scram_login_module_gives_username_and_password() {
        let s = Settings::from_pairs([
            ("sasl.jaas.config", SCRAM),
            ("ssl.truststore.location", "/t.jks"),
        ]);
        let out = for_librdkafka(&s);
        assert_eq!(out.get("sasl.username"), Some("alice"));
        assert_eq!(out.get("sasl.password"), Some("s3\"cr=t"));
        assert_eq!(
            (
                out.get("sasl.jaas.config"),
                out.get("ssl.truststore.location")
            ),
            (None, None)
        );
    }

    #[test]
    fn keys_that_are_set_win_and_other_modules_give_nothing() {
        let s = Settings::from_pairs([("sasl.jaas.config", SCRAM), ("sasl.username", "bob")]);
        assert_eq!(for_librdkafka(&s).get("sasl.username"), Some("bob"));
        let oauth = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;";
        let s = Settings::from_pairs([("sasl.jaas.config", oauth)]);
        assert_eq!(for_librdkafka(&s).get("sasl.username"), None);
    }

    #[test]
    fn option_names_are_whole_words() {
        let jaas = r#"x required myusername="no" username = "yes";"#;
        assert_eq!(option_of(jaas, "username").as_deref(), Some("yes"));
        assert_eq!(option_of(r#"username="open"#, "username"), None);
    }
}

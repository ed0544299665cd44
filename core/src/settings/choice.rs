//! Reading one of a fixed set of words (dialects, profiles, severities, …) from text.

/// A word that is not one of the allowed ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} '{value}': expected one of {}", allowed.join(", "))]
pub struct UnknownChoice {
    /// What was being read ("dialect", "profile", …).
    pub what: &'static str,
    /// The text given.
    pub value: String,
    /// The words accepted.
    pub allowed: &'static [&'static str],
}

/// The index of `value` among `allowed` (ASCII case-insensitive, surrounding blanks ignored).
pub(crate) fn choose(
    what: &'static str,
    value: &str,
    allowed: &'static [&'static str],
) -> Result<usize, UnknownChoice> {
    allowed
        .iter()
        .position(|word| word.eq_ignore_ascii_case(value.trim()))
        .ok_or_else(|| UnknownChoice {
            what,
            value: value.to_string(),
            allowed,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chooses_and_names_the_allowed_words() {
        assert_eq!(choose("colour", " Red ", &["blue", "red"]), Ok(1));
        let err = choose("colour", "green", &["blue", "red"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid colour 'green': expected one of blue, red"
        );
    }
}

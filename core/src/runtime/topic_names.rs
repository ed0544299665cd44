//! The topics a consumer may subscribe to: Kafka's legal names, or a regex starting with `^`.

use super::Error;

/// Kafka's longest topic name.
const MAX_LEN: usize = 249;

/// Refuses an empty list and any name Kafka would refuse, naming the argument and the value.
pub(crate) fn check(topics: &[&str]) -> Result<(), Error> {
    if topics.is_empty() {
        return Err(Error::InvalidArgument(
            "topics: the list is empty; subscribe to at least one topic".into(),
        ));
    }
    for (i, topic) in topics.iter().enumerate() {
        if let Some(why) = problem(topic) {
            return Err(Error::InvalidArgument(format!(
                "topics[{i}] {topic:?}: {why}"
            )));
        }
    }
    Ok(())
}

/// Why Kafka would refuse `topic` (a name, or a regex starting with `^`), if it would.
pub(crate) fn problem(topic: &str) -> Option<&'static str> {
    if let Some(pattern) = topic.strip_prefix('^') {
        return pattern
            .is_empty()
            .then_some("a regex subscription needs a pattern after ^");
    }
    let legal = topic
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if topic.is_empty() || topic.len() > MAX_LEN || !legal || topic == "." || topic == ".." {
        Some(
            "a topic name is 1 to 249 characters of A-Z, a-z, 0-9, '.', '_' and '-', and not \
             \".\" or \"..\" (a regex subscription starts with ^)",
        )
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_names_and_regexes_pass() {
        let long = "a".repeat(249);
        assert!(check(&["orders", "a.b_c-D9", &long, "^orders-.*", "..."]).is_ok());
    }

    #[test]
    fn illegal_names_are_refused_by_index() {
        let long = "a".repeat(250);
        for (bad, index) in [
            (vec!["ok", "a b"], 1),
            (vec![""], 0),
            (vec!["."], 0),
            (vec![".."], 0),
            (vec![&long], 0),
            (vec!["ok", "ok", "tö"], 2),
            (vec!["^"], 0),
            (vec!["a/b"], 0),
        ] {
            match check(&bad) {
                Err(Error::InvalidArgument(m)) => {
                    assert!(m.starts_with(&format!("topics[{index}] ")), "{m}")
                }
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        assert!(matches!(check(&[]), Err(Error::InvalidArgument(m)) if m.contains("empty")));
    }
}

//! Java `.properties` syntax, as `java.util.Properties.load` reads it.
//!
//! - Lines end with `\n`, `\r` or `\r\n`. Leading whitespace (space, tab, form feed) is skipped.
//! - A line whose first non-blank character is `#` or `!` is a comment; blank lines are skipped.
//! - A line ending in an odd number of backslashes continues on the next line, whose leading
//!   whitespace is dropped; a continuation line is never a comment.
//! - The key ends at the first unescaped `=`, `:` or whitespace; then whitespace, at most one
//!   `=` or `:`, and more whitespace are skipped; the rest of the line is the value.
//! - Escapes in keys and values: `\t`, `\n`, `\r`, `\f`, `\uXXXX`; any other `\c` is `c`.

use super::SettingsError;

/// Parses properties text into pairs in file order; `path` names the source in errors.
pub(crate) fn parse(text: &str, path: &str) -> Result<Vec<(String, String)>, SettingsError> {
    let mut pairs = Vec::new();
    for line in logical_lines(text) {
        let (key, value) = split(&line.chars);
        let decode = |range: &[char], offset: usize| {
            unescape(range).map_err(|(at, reason)| SettingsError::Syntax {
                path: path.to_string(),
                line: line.line_of(offset + at),
                reason,
            })
        };
        let k = decode(&line.chars[..key], 0)?;
        let v = decode(&line.chars[value..], value)?;
        pairs.push((k, v));
    }
    Ok(pairs)
}

/// One logical line: its characters (continuations joined, the joining backslash removed) and
/// where each natural line it was built from starts, to name lines in errors.
struct LogicalLine {
    chars: Vec<char>,
    /// `(offset in chars, 1-based line number)`, in order.
    starts: Vec<(usize, usize)>,
}

impl LogicalLine {
    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .iter()
            .rev()
            .find(|(start, _)| *start <= offset)
            .map_or(1, |(_, line)| *line)
    }
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\x0c')
}

/// Splits text into natural lines (without terminators), numbered from 1.
fn natural_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = text;
    let mut number = 0;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        number += 1;
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let line = &rest[..end];
        let after = &rest[end..];
        rest = after
            .strip_prefix("\r\n")
            .or_else(|| after.get(1..))
            .unwrap_or(after);
        Some((number, line))
    })
}

/// Whether `chars` ends in an odd number of backslashes.
fn continues(chars: &[char]) -> bool {
    chars.iter().rev().take_while(|&&c| c == '\\').count() % 2 == 1
}

/// Joins natural lines into logical lines, dropping comments and blank lines.
fn logical_lines(text: &str) -> Vec<LogicalLine> {
    let mut out = Vec::new();
    let mut current: Option<LogicalLine> = None;
    for (number, raw) in natural_lines(text) {
        let trimmed: Vec<char> = raw.trim_start_matches(is_blank).chars().collect();
        let line = match current.take() {
            Some(mut open) => {
                // A blank continuation line ends the logical line (as Properties.load does).
                open.starts.push((open.chars.len(), number));
                open.chars.extend(trimmed);
                open
            }
            None => {
                if trimmed.is_empty() || matches!(trimmed[0], '#' | '!') {
                    continue;
                }
                LogicalLine {
                    chars: trimmed,
                    starts: vec![(0, number)],
                }
            }
        };
        let mut line = line;
        // After a blank continuation line the backslashes left are even, so the line ends.
        if continues(&line.chars) {
            line.chars.pop();
            current = Some(line);
        } else {
            out.push(line);
        }
    }
    // A backslash at the very end of the input continues nothing: it was dropped above.
    out.extend(current);
    out
}

/// Where the key ends and the value starts in a logical line.
fn split(chars: &[char]) -> (usize, usize) {
    let mut key_end = chars.len();
    let mut escaped = false;
    let mut has_separator = false;
    for (i, &c) in chars.iter().enumerate() {
        if !escaped && (c == '=' || c == ':' || is_blank(c)) {
            key_end = i;
            has_separator = c != ' ' && c != '\t' && c != '\x0c';
            break;
        }
        escaped = c == '\\' && !escaped;
    }
    let mut value = (key_end + 1).min(chars.len());
    while value < chars.len() {
        let c = chars[value];
        if is_blank(c) {
            value += 1;
        } else if !has_separator && (c == '=' || c == ':') {
            has_separator = true;
            value += 1;
        } else {
            break;
        }
    }
    (key_end, value)
}

/// Resolves escapes; an error gives the offset of the bad escape and why.
fn unescape(chars: &[char]) -> Result<String, (usize, String)> {
    let mut out = String::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '\\' || i == chars.len() {
            out.push(c);
            continue;
        }
        let e = chars[i];
        i += 1;
        match e {
            't' => out.push('\t'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            'f' => out.push('\x0c'),
            'u' => {
                let unit = hex4(&chars[i..]).ok_or_else(|| {
                    let digits: String = chars[i..].iter().take(4).collect();
                    let reason =
                        format!("malformed \\uXXXX escape '\\u{digits}': expected four hex digits");
                    (i - 2, reason)
                })?;
                i += 4;
                out.push(decode_utf16_unit(unit, chars, &mut i));
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// Turns a UTF-16 code unit into a char, joining a surrogate pair written as two `\u` escapes;
/// a lone surrogate becomes U+FFFD.
fn decode_utf16_unit(unit: u32, chars: &[char], i: &mut usize) -> char {
    if let Some(c) = char::from_u32(unit) {
        return c;
    }
    let low = match chars.get(*i..) {
        Some(['\\', 'u', rest @ ..]) if (0xD800..0xDC00).contains(&unit) => hex4(rest),
        _ => None,
    };
    match low.filter(|low| (0xDC00..0xE000).contains(low)) {
        Some(low) => {
            *i += 6;
            let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
        }
        None => char::REPLACEMENT_CHARACTER,
    }
}

/// The value of the first four characters as hex digits, if they are four hex digits.
fn hex4(chars: &[char]) -> Option<u32> {
    let digits = chars.get(..4)?;
    digits
        .iter()
        .try_fold(0u32, |acc, d| Some(acc * 16 + d.to_digit(16)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        parse(text, "test.properties").unwrap()
    }

    fn owned(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn separators_comments_and_blank_lines() {
        let text = "# comment\n  ! also a comment\n\n   \na=1\nb:2\nc 3\nd = 4\ne\t:\t5\nf\ng=\n  h  =  x y  \n";
        let expected = [
            ("a", "1"),
            ("b", "2"),
            ("c", "3"),
            ("d", "4"),
            ("e", "5"),
            ("f", ""),
            ("g", ""),
            ("h", "x y  "),
        ];
        assert_eq!(pairs(text), owned(&expected));
    }

    #[test]
    fn only_one_separator_is_skipped() {
        assert_eq!(
            pairs("a==b\nc :=d\ne  f"),
            owned(&[("a", "=b"), ("c", "=d"), ("e", "f")])
        );
    }

    #[test]
    fn escapes_in_keys_and_values() {
        let text = "a\\=b=c\nkey\\ with\\ spaces = v\nu=\\u0041\\u00e9\nt=1\\t2\\n3\\r4\\f5\nq=\\q\\\\\\#\nx\\:y:z";
        let expected = [
            ("a=b", "c"),
            ("key with spaces", "v"),
            ("u", "Aé"),
            ("t", "1\t2\n3\r4\x0c5"),
            ("q", "q\\#"),
            ("x:y", "z"),
        ];
        assert_eq!(pairs(text), owned(&expected));
    }

    #[test]
    fn surrogate_pairs_join_and_lone_surrogates_are_replaced() {
        assert_eq!(pairs("k=\\ud83d\\ude00"), owned(&[("k", "😀")]));
        assert_eq!(pairs("k=\\ud83dx"), owned(&[("k", "\u{fffd}x")]));
    }

    #[test]
    fn continuation_lines() {
        let text = "a=one \\\n    two\\\n\tthree\nb=x\\\\\nc=y\nd=\\\n#not a comment\ne=1\\\n\nf=2\r\ng=3\rh=4\\";
        let expected = [
            ("a", "one twothree"),
            ("b", "x\\"),
            ("c", "y"),
            ("d", "#not a comment"),
            ("e", "1"),
            ("f", "2"),
            ("g", "3"),
            ("h", "4"),
        ];
        assert_eq!(pairs(text), owned(&expected));
    }

    #[test]
    fn a_comment_line_does_not_continue() {
        assert_eq!(pairs("# a \\\nb=c"), owned(&[("b", "c")]));
    }

    #[test]
    fn bad_unicode_escape_names_path_and_line() {
        let err = parse("a=1\n\nb=x\\\n  y\\u12G4\n", "conf/app.properties").unwrap_err();
        match err {
            SettingsError::Syntax { path, line, reason } => {
                assert_eq!(path, "conf/app.properties");
                assert_eq!(line, 4);
                assert!(reason.contains("\\u12G4"), "{reason}");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(parse("k=\\u12", "p").is_err());
        assert!(parse("\\u+123=v", "p").is_err());
    }

    /// Writes `s` as a properties key or value: everything that could be read differently is
    /// escaped, and characters outside printable ASCII become `\uXXXX` (UTF-16 units).
    fn escape(s: &str, is_key: bool) -> Vec<String> {
        let mut tokens = Vec::new();
        for (i, c) in s.chars().enumerate() {
            let token = match c {
                '\\' => "\\\\".to_string(),
                '\t' => "\\t".to_string(),
                '\n' => "\\n".to_string(),
                '\r' => "\\r".to_string(),
                '\x0c' => "\\f".to_string(),
                ' ' if is_key || i == 0 => "\\ ".to_string(),
                '=' | ':' if is_key || i == 0 => format!("\\{c}"),
                '#' | '!' if is_key => format!("\\{c}"),
                ' '..='~' => c.to_string(),
                _ => {
                    let mut units = [0u16; 2];
                    c.encode_utf16(&mut units)
                        .iter()
                        .map(|u| format!("\\u{u:04x}"))
                        .collect()
                }
            };
            tokens.push(token);
        }
        tokens
    }

    /// Joins tokens, breaking the line after the tokens marked in `breaks` with a continuation
    /// whose next line is indented (a space starting the next line must then be escaped).
    fn join(tokens: &[String], breaks: &[bool]) -> String {
        let mut out = String::new();
        let mut after_break = false;
        for (i, t) in tokens.iter().enumerate() {
            out.push_str(if after_break && t == " " { "\\ " } else { t });
            after_break = breaks.get(i).copied().unwrap_or(false) && i + 1 < tokens.len();
            if after_break {
                out.push_str("\\\n   ");
            }
        }
        out
    }

    proptest! {
        #[test]
        fn written_maps_read_back(
            map in proptest::collection::btree_map(any::<String>(), any::<String>(), 0..8),
            separators in proptest::collection::vec(prop_oneof![Just("="), Just(":"), Just(" "), Just(" = "), Just("\t:  ")], 8),
            breaks in proptest::collection::vec(any::<bool>(), 64),
        ) {
            let mut text = String::from("# generated\n\n");
            for (i, (k, v)) in map.iter().enumerate() {
                text.push_str(&join(&escape(k, true), &breaks));
                // A key-less line needs a visible separator, else the value becomes the key.
                text.push_str(if k.is_empty() { "=" } else { separators[i % separators.len()] });
                text.push_str(&join(&escape(v, false), &breaks[breaks.len() / 2..]));
                text.push_str(if i % 2 == 0 { "\n" } else { "\r\n" });
                text.push_str("! comment\n");
            }
            let read = parse(&text, "p").unwrap();
            let expected: Vec<(String, String)> = map.into_iter().collect();
            prop_assert_eq!(read, expected);
        }

        #[test]
        fn never_panics(text in any::<String>()) {
            let _ = parse(&text, "p");
        }

        #[test]
        fn never_panics_on_backslash_soup(text in "[\\\\u0-9a-fA-F=: \t\r\n#!]{0,64}") {
            let _ = parse(&text, "p");
        }

        #[test]
        fn later_values_win(entries in proptest::collection::vec(("[a-c]", "[a-z0-9]{0,4}"), 1..12)) {
            let text: String = entries.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            let settings = crate::settings::Settings::parse_properties(&text).unwrap();
            for (k, _) in &entries {
                let last = entries.iter().rev().find(|(k2, _)| k2 == k).map(|(_, v)| v.as_str());
                prop_assert_eq!(settings.raw(k), last);
            }
        }
    }
}

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
        let unescape = |range: &[char], offset: usize| {
            unescape(range).map_err(|(at, reason)| SettingsError::Syntax {
                path: path.to_string(),
                line: line.line_of(offset + at),
                reason,
            })
        };
        let k = unescape(&line.chars[..key], 0)?;
        let v = unescape(&line.chars[value..], value)?;
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
            .map_or(self.starts[0].1, |(_, line)| *line)
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
        rest = if after.starts_with("\r\n") {
            &after[2..]
        } else if after.is_empty() {
            after
        } else {
            &after[1..]
        };
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

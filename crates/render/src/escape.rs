//! Quoting tracee strings and buffers as strace does.

/// How non-printable bytes are written (`-x`, `-xx`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Hex {
    /// Octal escapes (`\177`), the default.
    #[default]
    None,
    /// The whole string in `\xNN` when it holds a non-ASCII, non-space byte (`-x`).
    NonAscii,
    /// Only the unprintable bytes as `\xNN` instead of octal
    /// (`--strings-in-hex=non-ascii-chars`).
    NonAsciiChars,
    /// Every byte as `\xNN` (`-xx`).
    All,
}

fn is_print(c: u8) -> bool {
    (0x20..0x7f).contains(&c)
}

/// Quotes `bytes` between double quotes with strace's escapes.
pub fn quote(bytes: &[u8], hex: Hex) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    quote_into(&mut s, bytes, hex);
    s
}

/// [`quote`], added to `s` (a line being made needs no String of its own).
pub fn quote_into(s: &mut String, bytes: &[u8], hex: Hex) {
    let use_hex = match hex {
        Hex::All => true,
        Hex::NonAscii => bytes
            .iter()
            .any(|&c| c > 0x7e || (c < b' ' && !(9..=13).contains(&c))),
        Hex::None | Hex::NonAsciiChars => false,
    };
    s.reserve(bytes.len() + 2);
    s.push('"');
    if use_hex {
        for &c in bytes {
            push_hex_escape(s, c);
        }
        s.push('"');
        return;
    }
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            b'"' | b'\\' => {
                s.push('\\');
                s.push(c as char);
            }
            0x0c => s.push_str("\\f"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x0b => s.push_str("\\v"),
            c if is_print(c) => s.push(c as char),
            c if hex == Hex::NonAsciiChars => push_hex_escape(s, c),
            c => {
                // Three digits when an octal digit follows (else it would be read as
                // part of the escape), as few as needed otherwise.
                let next_is_octal_digit =
                    bytes.get(i + 1).is_some_and(|n| (b'0'..=b'7').contains(n));
                s.push('\\');
                let digits = [c >> 6, (c >> 3) & 7, c & 7];
                let from = if next_is_octal_digit {
                    0
                } else {
                    digits.iter().position(|&d| d != 0).unwrap_or(2)
                };
                for d in &digits[from..] {
                    s.push((b'0' + d) as char);
                }
            }
        }
    }
    s.push('"');
}

/// `\xNN`, lower case, as strace's `\x%02x`.
fn push_hex_escape(s: &mut String, c: u8) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    s.push_str("\\x");
    s.push(DIGITS[usize::from(c >> 4)] as char);
    s.push(DIGITS[usize::from(c & 15)] as char);
}

/// Quotes `bytes` in `\xNN` form regardless of content (getrandom's buffer).
pub fn quote_hex(bytes: &[u8]) -> String {
    quote(bytes, Hex::All)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The escapes as `format!` writes them (strace's `\\%o`, `\\%03o`, `\\x%02x`).
    fn escape_by_format(c: u8, next: Option<u8>, hex: Hex) -> String {
        match c {
            b'"' | b'\\' => format!("\\{}", c as char),
            0x0c => "\\f".into(),
            b'\n' => "\\n".into(),
            b'\r' => "\\r".into(),
            b'\t' => "\\t".into(),
            0x0b => "\\v".into(),
            c if is_print(c) => (c as char).to_string(),
            c if hex == Hex::NonAsciiChars => format!("\\x{c:02x}"),
            c if next.is_some_and(|n| (b'0'..=b'7').contains(&n)) => format!("\\{c:03o}"),
            c => format!("\\{c:o}"),
        }
    }

    #[test]
    fn every_byte_escapes_as_format_writes_it() {
        for hex in [Hex::None, Hex::NonAsciiChars] {
            for c in 0..=255u8 {
                for next in [None, Some(b'0'), Some(b'7'), Some(b'8'), Some(b'a')] {
                    let mut bytes = vec![c];
                    bytes.extend(next);
                    let tail = next
                        .map(|n| escape_by_format(n, None, hex))
                        .unwrap_or_default();
                    let want = format!("\"{}{tail}\"", escape_by_format(c, next, hex));
                    assert_eq!(quote(&bytes, hex), want, "byte {c:#x} before {next:?}");
                }
            }
        }
        let all: Vec<u8> = (0..=255).collect();
        let want: String = all.iter().map(|c| format!("\\x{c:02x}")).collect();
        assert_eq!(quote(&all, Hex::All), format!("\"{want}\""));
    }

    #[test]
    fn escapes_like_strace() {
        assert_eq!(
            quote(b"\x7fELF\x02\x01\x00\x00", Hex::None),
            r#""\177ELF\2\1\0\0""#
        );
        assert_eq!(quote(b"\x001", Hex::None), r#""\0001""#);
        assert_eq!(quote(b"hi\n\"\\", Hex::None), r#""hi\n\"\\""#);
        assert_eq!(quote(b"hi\n", Hex::NonAscii), r#""hi\n""#);
        assert_eq!(quote(b"a\x01", Hex::NonAscii), r#""\x61\x01""#);
        assert_eq!(quote(b"ab", Hex::All), r#""\x61\x62""#);
        assert_eq!(quote(b"a\x01\n", Hex::NonAsciiChars), r#""a\x01\n""#);
    }
}

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
    let use_hex = match hex {
        Hex::All => true,
        Hex::NonAscii => bytes
            .iter()
            .any(|&c| c > 0x7e || (c < b' ' && !(9..=13).contains(&c))),
        Hex::None | Hex::NonAsciiChars => false,
    };
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('"');
    if use_hex {
        for &c in bytes {
            s.push_str(&format!("\\x{c:02x}"));
        }
        s.push('"');
        return s;
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
            c if hex == Hex::NonAsciiChars => s.push_str(&format!("\\x{c:02x}")),
            c => {
                let next_is_octal_digit =
                    bytes.get(i + 1).is_some_and(|n| (b'0'..=b'7').contains(n));
                if next_is_octal_digit {
                    s.push_str(&format!("\\{c:03o}"));
                } else {
                    s.push_str(&format!("\\{c:o}"));
                }
            }
        }
    }
    s.push('"');
    s
}

/// Quotes `bytes` in `\xNN` form regardless of content (getrandom's buffer).
pub fn quote_hex(bytes: &[u8]) -> String {
    quote(bytes, Hex::All)
}

#[cfg(test)]
mod tests {
    use super::*;

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

//! The primitive formatters every decoder prints with: addresses, modes, signals, named
//! constants in -X's style, lists and fixed-size strings, as strace prints them.

use crate::escape::{Hex, quote};
use crate::xlat::{Style, hex};

/// A pointer as strace prints it: `NULL` or hex.
pub fn ptr(v: u64) -> String {
    if v == 0 {
        "NULL".into()
    } else {
        format!("{v:#x}")
    }
}

/// A mode as strace prints it: `%#03o` (`0644`, `000`, `022`).
pub fn format_mode(m: u64) -> String {
    let s = if m == 0 {
        "0".to_string()
    } else {
        format!("0{m:o}")
    };
    format!("{s:0>3}")
}

/// A signal number as strace prints it.
pub fn signal(n: i32) -> String {
    match syscalls::signal_name(n) {
        Some(name) => name.to_string(),
        None => n.to_string(),
    }
}

/// A value strace names in -X's style: the name (`SIGHUP`), the number (`1`) under raw,
/// both (`1 /* SIGHUP */`) under verbose; a value without a name is its number.
pub fn styled(name: String, number: &str, st: Style) -> String {
    match st {
        Style::Abbrev => name,
        Style::Raw => number.to_string(),
        Style::Verbose if name == number => name,
        Style::Verbose => format!("{number} /* {name} */"),
    }
}

/// `value` through the knowledge base's decoding table `name` (hex if there is none).
pub fn set_text(name: &str, value: u64, style: Style) -> String {
    match syscalls::xlat_set(name) {
        Some(set) => set.display(value, style).to_string(),
        None => hex(value),
    }
}

/// `[a, b, ...]`: the items shown, then `...` when the array holds more.
pub fn bracket_list(mut items: Vec<String>, more: bool) -> String {
    if more {
        items.push("...".into());
    }
    format!("[{}]", items.join(", "))
}

/// A NUL-terminated string in a fixed-size field, quoted as strace's
/// print_quoted_cstring does: at most all but the field's last byte, then `...` when
/// that byte is not the NUL.
pub fn fixed_cstring(b: &[u8], strings: Hex) -> String {
    let shown = &b[..b.len().saturating_sub(1)];
    match shown.iter().position(|&c| c == 0) {
        Some(end) => quote(&shown[..end], strings),
        None if b.last().is_none_or(|&c| c == 0) => quote(shown, strings),
        None => format!("{}...", quote(shown, strings)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_size_names_show_all_but_the_last_byte_then_dots() {
        assert_eq!(fixed_cstring(b"lo\0\0", Hex::None), r#""lo""#);
        assert_eq!(fixed_cstring(b"abc\0", Hex::None), r#""abc""#);
        assert_eq!(fixed_cstring(b"abcd", Hex::None), r#""abc"..."#);
        assert_eq!(
            fixed_cstring(b"\xe97\x01x", Hex::All),
            r#""\xe9\x37\x01"..."#
        );
        assert_eq!(fixed_cstring(b"", Hex::None), r#""""#);
    }
}

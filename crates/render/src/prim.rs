//! The primitive formatters every decoder prints with: addresses, modes, signals, named
//! constants in -X's style, lists, fixed-size strings and clock ticks, as strace prints
//! them; and what every structure is read with: little-endian fields and the [`Layout`]
//! of the tracee's C types (x86_64's, and i386's for the compat structures).

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

pub(crate) fn u16_at(b: &[u8], off: usize) -> u64 {
    b.get(off..off + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]) as u64)
}
pub(crate) fn u32_at(b: &[u8], off: usize) -> u64 {
    b.get(off..off + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as u64)
}
pub(crate) fn u64_at(b: &[u8], off: usize) -> u64 {
    b.get(off..off + 8).map_or(0, |s| {
        u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]])
    })
}

/// The widths of the tracee's C types that a structure's layout depends on, so one
/// formatter serves x86_64 and i386 (the kernel's compat structs are the native ones with
/// 32-bit longs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Bytes of `long`, `unsigned long`, pointers, `size_t` and `clock_t`.
    pub long: usize,
    /// Bytes of each field of `struct timespec` and `struct timeval`.
    pub time: usize,
}

impl Layout {
    /// x86_64: 64-bit longs and times.
    pub const LP64: Layout = Layout { long: 8, time: 8 };
    /// i386: 32-bit longs, and the 32-bit `old_timespec32` and `old_timeval32`.
    pub const I386: Layout = Layout { long: 4, time: 4 };
    /// i386's `*_time64` calls: 32-bit longs, the 64-bit `struct __kernel_timespec`.
    pub const I386_TIME64: Layout = Layout { long: 4, time: 8 };
    /// x32's compat entry points: 32-bit longs and pointers, x32's 64-bit `time_t`.
    pub const X32_COMPAT: Layout = Layout { long: 4, time: 8 };

    /// An unsigned long at `off`.
    pub fn ulong(self, b: &[u8], off: usize) -> u64 {
        word_at(b, off, self.long)
    }

    /// A signed long at `off`.
    pub fn slong(self, b: &[u8], off: usize) -> i64 {
        signed(word_at(b, off, self.long), self.long)
    }

    /// A signed time field (seconds, micro- or nanoseconds) at `off`.
    pub fn time_field(self, b: &[u8], off: usize) -> i64 {
        signed(word_at(b, off, self.time), self.time)
    }

    /// Bytes of a `struct timespec` or `struct timeval`.
    pub fn timespec_size(self) -> usize {
        2 * self.time
    }
}

/// A little-endian word of `size` bytes (4 or 8) at `off`.
pub(crate) fn word_at(b: &[u8], off: usize, size: usize) -> u64 {
    if size == 4 {
        u32_at(b, off)
    } else {
        u64_at(b, off)
    }
}

/// `v`, a `size`-byte word, sign-extended.
pub(crate) fn signed(v: u64, size: usize) -> i64 {
    if size == 4 {
        v as u32 as i32 as i64
    } else {
        v as i64
    }
}

/// Clock ticks with strace's seconds comment: `3 /* 0.03 s */` (no comment under -X raw,
/// as strace's print_clock_t).
pub fn clock_ticks(v: i64, st: Style) -> String {
    if v == 0 || st == Style::Raw {
        "0".into()
    } else {
        format!("{v} /* {:.2} s */", v as f64 / 100.0)
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

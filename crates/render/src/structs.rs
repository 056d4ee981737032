//! Formatting kernel structures captured from tracee memory (x86_64 layouts, and i386
//! ones for the common compat structures), as strace prints them.

use crate::dates::date_comment;
use crate::prim::{bracket_list, ptr, set_text, signal, styled};
use crate::xlat::{Style, hex};

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

fn makedev(dev: u64, st: Style) -> String {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    styled(
        format!("makedev({}, {})", hex(major), hex(minor)),
        &hex(dev),
        st,
    )
}

/// A 64-bit `sigset_t`: `[CHLD]`, `~[RTMIN RT_1]`, `[]`; numbers under -X raw (`[17]`),
/// both under -X verbose (`[17 /* CHLD */]`).
pub fn sigset(b: &[u8], st: Style) -> String {
    let set = u64_at(b, 0);
    let names = |want: bool| -> Vec<String> {
        (1..=64)
            .filter(|n| (set >> (n - 1)) & 1 == u64::from(want))
            .map(|n| {
                let s = signal(n);
                let name = s.strip_prefix("SIG").map(str::to_string).unwrap_or(s);
                styled(name, &n.to_string(), st)
            })
            .collect()
    };
    if set.count_ones() > 32 {
        format!("~[{}]", names(false).join(" "))
    } else {
        format!("[{}]", names(true).join(" "))
    }
}

/// One rlimit value; under -X raw the number, under -X verbose the number with strace's
/// name for it as a comment (`8388608 /* 8192*1024 */`).
fn rlim(v: u64, st: Style) -> String {
    let named = rlim_name(v);
    match st {
        Style::Abbrev => named,
        Style::Raw => v.to_string(),
        Style::Verbose if named == v.to_string() => named,
        Style::Verbose => format!("{v} /* {named} */"),
    }
}

fn rlim_name(v: u64) -> String {
    if v == u64::MAX {
        "RLIM64_INFINITY".into()
    } else if v > 0 && v.is_multiple_of(1024) {
        format!("{}*1024", v / 1024)
    } else {
        v.to_string()
    }
}

/// A NUMA node mask of `long`-byte longs as strace prints it: each long as C's `%#0*lx`
/// with twice its size as the width (`[0x00000000000003, 0000000000000000]`; i386:
/// `[0x000001, 00000000]`), `...` when more follow than were read.
pub fn nodemask(b: &[u8], more: bool, long: usize) -> String {
    let width = 2 * long;
    let parts: Vec<String> = b
        .chunks_exact(long)
        .map(|c| match word_at(c, 0, long) {
            0 => "0".repeat(width),
            v => format!("{v:#0width$x}"),
        })
        .collect();
    bracket_list(parts, more)
}

/// `struct rlimit`.
pub fn rlimit(b: &[u8], st: Style) -> String {
    format!(
        "{{rlim_cur={}, rlim_max={}}}",
        rlim(u64_at(b, 0), st),
        rlim(u64_at(b, 8), st)
    )
}

/// i386's compat `struct rlimit` (two u32s; 0xffffffff is RLIM_INFINITY).
pub fn rlimit_i386(b: &[u8], st: Style) -> String {
    let one = |off| match u32_at(b, off) {
        0xffff_ffff => match st {
            Style::Abbrev => "RLIM_INFINITY".to_string(),
            Style::Raw => "4294967295".to_string(),
            Style::Verbose => "4294967295 /* RLIM_INFINITY */".to_string(),
        },
        v => rlim(v, st),
    };
    format!("{{rlim_cur={}, rlim_max={}}}", one(0), one(4))
}

/// `int[2]`: `[3, 4]`.
pub fn int_pair(b: &[u8]) -> String {
    format!("[{}, {}]", u32_at(b, 0) as i32, u32_at(b, 4) as i32)
}

/// A wait status: `[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]`.
pub fn wait_status(b: &[u8]) -> String {
    let s = u32_at(b, 0) as i32;
    let inner = if s & 0x7f == 0 {
        format!("WIFEXITED(s) && WEXITSTATUS(s) == {}", (s >> 8) & 0xff)
    } else if s & 0xff == 0x7f {
        format!(
            "WIFSTOPPED(s) && WSTOPSIG(s) == {}",
            signal((s >> 8) & 0xff)
        )
    } else if s == 0xffff {
        "WIFCONTINUED(s)".to_string()
    } else {
        let core = if s & 0x80 != 0 {
            " && WCOREDUMP(s)"
        } else {
            ""
        };
        format!(
            "WIFSIGNALED(s) && WTERMSIG(s) == {}{core}",
            signal(s & 0x7f)
        )
    };
    format!("[{{{inner}}}]")
}

/// `struct timespec` (i386: `old_timespec32`, or `__kernel_timespec` in time64 calls).
pub fn timespec(b: &[u8], l: Layout) -> String {
    format!(
        "{{tv_sec={}, tv_nsec={}}}",
        l.time_field(b, 0),
        l.time_field(b, l.time)
    )
}

/// A `struct pollfd` array: at entry (`request` prints the k-th descriptor, with its -y
/// path) the events, or at exit (`None`) only the ready ones' revents; `...` closes it
/// when `more` descriptors follow than were read.
pub fn pollfds(
    b: &[u8],
    st: Style,
    request: Option<&dyn Fn(usize, i32) -> String>,
    more: bool,
) -> String {
    let items: Vec<String> = b
        .chunks_exact(8)
        .enumerate()
        .filter_map(|(k, p)| {
            let fd = u32_at(p, 0) as i32;
            match request {
                None => {
                    let r = u16_at(p, 6);
                    (r != 0)
                        .then(|| format!("{{fd={fd}, revents={}}}", set_text("poll_events", r, st)))
                }
                Some(fd_text) => Some(format!(
                    "{{fd={}, events={}}}",
                    fd_text(k, fd),
                    set_text("poll_events", u16_at(p, 4), st)
                )),
            }
        })
        .collect();
    bracket_list(items, more)
}

/// An `fd_set` of `nfds` descriptors: `[3 4]`.
pub fn fd_set(b: &[u8], nfds: usize) -> String {
    fd_set_with(b, nfds, &|fd| fd.to_string())
}

/// An `fd_set` of `nfds` descriptors, each printed by `fd_text` (`[3</tmp/x> 4]` with -y).
pub fn fd_set_with(b: &[u8], nfds: usize, fd_text: &dyn Fn(usize) -> String) -> String {
    let set: Vec<String> = (0..nfds.min(b.len() * 8))
        .filter(|&fd| b[fd / 8] & (1 << (fd % 8)) != 0)
        .map(fd_text)
        .collect();
    format!("[{}]", set.join(" "))
}

/// `struct timeval` at `off`.
pub fn timeval(b: &[u8], off: usize, l: Layout) -> String {
    format!(
        "{{tv_sec={}, tv_usec={}}}",
        l.time_field(b, off),
        l.time_field(b, off + l.time)
    )
}

/// utimes's `struct timeval[2]`, each with strace's date comment:
/// `[{tv_sec=1, tv_usec=2} /* 1970-01-01T00:00:01.000002+0000 */, ...]`.
pub fn timeval_pair(b: &[u8], l: Layout) -> String {
    let one = |off: usize| {
        let (sec, usec) = (l.time_field(b, off), l.time_field(b, off + l.time));
        format!("{}{}", timeval(b, off, l), date_comment(sec, usec, 6))
    };
    format!("[{}, {}]", one(0), one(2 * l.time))
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

/// `stack_t` (sigaltstack): the pointer, the int flags and the size, each in a long's
/// place (x86_64: 24 bytes; i386: 12).
pub fn stack(b: &[u8], st: Style, l: Layout) -> String {
    format!(
        "{{ss_sp={}, ss_flags={}, ss_size={}}}",
        ptr(l.ulong(b, 0)),
        set_text("sigaltstack_flags", u32_at(b, l.long), st),
        l.ulong(b, 2 * l.long)
    )
}

/// `struct clone_args` as strace prints clone3's first argument.
pub fn clone_args(b: &[u8], st: Style) -> String {
    let flags = u64_at(b, 0);
    let mut parts = vec![format!("flags={}", set_text("clone3_flags", flags, st))];
    if flags & 0x1000 != 0 {
        parts.push(format!("pidfd={}", ptr(u64_at(b, 8))));
    }
    if flags & (0x0100_0000 | 0x0020_0000) != 0 {
        parts.push(format!("child_tid={}", ptr(u64_at(b, 16))));
    }
    if flags & 0x0010_0000 != 0 {
        parts.push(format!("parent_tid={}", ptr(u64_at(b, 24))));
    }
    let exit_signal = u64_at(b, 32) as i32;
    parts.push(format!(
        "exit_signal={}",
        if exit_signal == 0 {
            "0".to_string()
        } else {
            styled(signal(exit_signal), &exit_signal.to_string(), st)
        }
    ));
    parts.push(format!("stack={}", ptr(u64_at(b, 40))));
    parts.push(format!("stack_size={}", hex(u64_at(b, 48))));
    if flags & 0x0008_0000 != 0 {
        parts.push(format!("tls={}", ptr(u64_at(b, 56))));
    }
    format!("{{{}}}", parts.join(", "))
}

/// A device number for mknod: `makedev(0x1, 0x3)`.
pub fn dev(dev: u64, st: Style) -> String {
    makedev(dev, st)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i386_rlimits_name_the_32_bit_infinity_in_every_style() {
        // strace 6.1 on trace_i386's ugetrlimit(RLIMIT_CORE) with -X abbrev/raw/verbose.
        let mut b = 0u32.to_le_bytes().to_vec();
        b.extend_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            rlimit_i386(&b, Style::Abbrev),
            "{rlim_cur=0, rlim_max=RLIM_INFINITY}"
        );
        assert_eq!(
            rlimit_i386(&b, Style::Raw),
            "{rlim_cur=0, rlim_max=4294967295}"
        );
        assert_eq!(
            rlimit_i386(&b, Style::Verbose),
            "{rlim_cur=0, rlim_max=4294967295 /* RLIM_INFINITY */}"
        );
    }

    #[test]
    fn wait_statuses_limits_and_sigsets_print_as_strace() {
        assert_eq!(
            wait_status(&0u32.to_le_bytes()),
            "[{WIFEXITED(s) && WEXITSTATUS(s) == 0}]"
        );
        assert_eq!(
            wait_status(&(3u32 << 8).to_le_bytes()),
            "[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]"
        );
        assert_eq!(
            rlimit(
                &[
                    0, 0, 0x80, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
                ],
                Style::Abbrev
            ),
            "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}"
        );
        assert_eq!(sigset(&0u64.to_le_bytes(), Style::Abbrev), "[]");
        assert_eq!(sigset(&(1u64 << 16).to_le_bytes(), Style::Raw), "[17]");
        assert_eq!(
            sigset(&(1u64 << 16).to_le_bytes(), Style::Verbose),
            "[17 /* CHLD */]"
        );
    }

    // Expected strings: strace 6.1 -xx, -x and default on trace_hex_structs's calls.
    // Expected strings: strace 6.1 on TCSETS calls with these words (a small C program on
    // a pty), in its three -X styles.
    // Expected strings: strace 6.1 on FS_IOC_FSGETXATTR on an ext4 file and -v
    // FS_IOC_FIEMAP on an 8 KiB file (a small C program).
    // Expected strings: the forms strace 6.1 printed for trace_i386's calls, on values made
    // up to tell the field widths apart.
    #[test]
    fn layouts_pick_field_widths_as_the_abi_defines_them() {
        let mask = [1u8, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(nodemask(&mask, false, 4), "[0x000001, 00000000]");
        assert_eq!(nodemask(&mask, true, 8), "[0x00000000000001, ...]");
        let times: Vec<u8> = [1u32, 2, 3, 4]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        assert_eq!(
            timeval_pair(&times, Layout::I386),
            "[{tv_sec=1, tv_usec=2} /* 1970-01-01T00:00:01.000002+0000 */, {tv_sec=3, tv_usec=4} /* 1970-01-01T00:00:03.000004+0000 */]"
        );
        assert_eq!(
            timespec(&times, Layout::I386_TIME64),
            "{tv_sec=8589934593, tv_nsec=17179869187}"
        );
        let ss: Vec<u8> = [0x1000u32, 0, 8192]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        assert_eq!(
            stack(&ss, Style::Abbrev, Layout::I386),
            "{ss_sp=0x1000, ss_flags=0, ss_size=8192}"
        );
    }
}

//! Formatting kernel structures captured from tracee memory (x86_64 layouts, and i386
//! ones for the common compat structures), as strace prints them.

use crate::dates::date_comment;
use crate::escape::{Hex, quote};
use crate::prim::{bracket_list, ptr, set_text, signal, styled};
use crate::xlat::{self, Style, hex};

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

/// A `st_mode` value: `S_IFREG|0644`, `S_IFDIR|S_ISVTX|0777`; in octal under -X raw
/// (`0100644`), both under -X verbose (`0100644 /* S_IFREG|0644 */`).
pub fn file_mode(mode: u64, st: Style) -> String {
    set_text("file_mode", mode, st)
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

fn is_device(mode: u64) -> bool {
    matches!(mode & 0o170000, 0o020000 | 0o060000)
}

/// The fields of a `struct stat` whatever its layout, as strace prints them.
struct StatFields {
    dev: u64,
    ino: u64,
    mode: u64,
    nlink: u64,
    uid: u64,
    gid: u64,
    rdev: u64,
    size: i64,
    blksize: u64,
    blocks: u64,
    /// (seconds, nanoseconds) of atime, mtime, ctime.
    times: [(i64, i64); 3],
}

/// `struct stat` (x86_64 layout, 144 bytes).
pub fn stat(b: &[u8], verbose: bool, st: Style) -> String {
    let time = |off| (u64_at(b, off) as i64, u64_at(b, off + 8) as i64);
    stat_text(
        &StatFields {
            dev: u64_at(b, 0),
            ino: u64_at(b, 8),
            mode: u32_at(b, 24),
            nlink: u64_at(b, 16),
            uid: u32_at(b, 28),
            gid: u32_at(b, 32),
            rdev: u64_at(b, 40),
            size: u64_at(b, 48) as i64,
            blksize: u64_at(b, 56),
            blocks: u64_at(b, 64),
            times: [time(72), time(88), time(104)],
        },
        verbose,
        st,
    )
}

/// i386's `struct stat` (64 bytes: 32-bit longs, 16-bit mode, nlink, uid and gid).
pub fn stat_i386(b: &[u8], verbose: bool, st: Style) -> String {
    let time = |off| (u32_at(b, off) as i64, u32_at(b, off + 4) as i64);
    stat_text(
        &StatFields {
            dev: u32_at(b, 0),
            ino: u32_at(b, 4),
            mode: u16_at(b, 8),
            nlink: u16_at(b, 10),
            uid: u16_at(b, 12),
            gid: u16_at(b, 14),
            rdev: u32_at(b, 16),
            size: u32_at(b, 20) as i64,
            blksize: u32_at(b, 24),
            blocks: u32_at(b, 28),
            times: [time(32), time(40), time(48)],
        },
        verbose,
        st,
    )
}

/// i386's `struct stat64` (96 bytes, packed: 64-bit dev, rdev, size, blocks and ino).
pub fn stat64_i386(b: &[u8], verbose: bool, st: Style) -> String {
    let time = |off| (u32_at(b, off) as i64, u32_at(b, off + 4) as i64);
    stat_text(
        &StatFields {
            dev: u64_at(b, 0),
            ino: u64_at(b, 88),
            mode: u32_at(b, 16),
            nlink: u32_at(b, 20),
            uid: u32_at(b, 24),
            gid: u32_at(b, 28),
            rdev: u64_at(b, 32),
            size: u64_at(b, 44) as i64,
            blksize: u32_at(b, 52),
            blocks: u64_at(b, 56),
            times: [time(64), time(72), time(80)],
        },
        verbose,
        st,
    )
}

fn stat_text(f: &StatFields, verbose: bool, st: Style) -> String {
    let middle = if is_device(f.mode) {
        format!("st_rdev={}", makedev(f.rdev, st))
    } else {
        format!("st_size={}", f.size)
    };
    if !verbose {
        return format!("{{st_mode={}, {middle}, ...}}", file_mode(f.mode, st));
    }
    format!(
        "{{st_dev={}, st_ino={}, st_mode={}, st_nlink={}, st_uid={}, st_gid={}, st_blksize={}, st_blocks={}, {middle}, {}, {}, {}}}",
        makedev(f.dev, st),
        f.ino,
        file_mode(f.mode, st),
        f.nlink,
        f.uid,
        f.gid,
        f.blksize,
        f.blocks,
        stat_time(f.times[0], "st_atime"),
        stat_time(f.times[1], "st_mtime"),
        stat_time(f.times[2], "st_ctime"),
    )
}

/// One of `struct stat`'s times under -v: `st_mtime=1700000000 /* 2023-11-14T22:13:20+0000 */,
/// st_mtime_nsec=0`.
fn stat_time((sec, nsec): (i64, i64), name: &str) -> String {
    format!(
        "{name}={sec}{}, {name}_nsec={nsec}",
        date_comment(sec, nsec, 9)
    )
}

/// `struct statx` (256 bytes), in strace's field order; -v adds the rest of the fields,
/// the birth time and mount id only when stx_mask says they are filled.
pub fn statx(b: &[u8], verbose: bool, st: Style) -> String {
    let mask = u32_at(b, 0);
    let attrs = u64_at(b, 8);
    let flags = |set: &str, v: u64| {
        if v == 0 {
            "0".to_string()
        } else {
            set_text(set, v, st)
        }
    };
    let mode = file_mode(u16_at(b, 28), st);
    let size = u64_at(b, 40);
    let mask_text = set_text("statx_mask", mask, st);
    if !verbose {
        return format!(
            "{{stx_mask={mask_text}, stx_attributes={}, stx_mode={mode}, stx_size={size}, ...}}",
            flags("statx_attrs", attrs)
        );
    }
    let has = |name: &str| {
        syscalls::xlat_set("statx_mask")
            .and_then(|set| set.value_of(name))
            .is_some_and(|bit| mask & bit == bit)
    };
    let time = |name: &str, off: usize| {
        let (sec, nsec) = (u64_at(b, off) as i64, u32_at(b, off + 8) as i64);
        format!(
            "{name}={{tv_sec={sec}, tv_nsec={nsec}}}{}",
            date_comment(sec, nsec, 9)
        )
    };
    let mut parts = vec![
        format!("stx_mask={mask_text}"),
        format!("stx_blksize={}", u32_at(b, 4)),
        format!("stx_attributes={}", flags("statx_attrs", attrs)),
        format!("stx_nlink={}", u32_at(b, 16)),
        format!("stx_uid={}", u32_at(b, 20)),
        format!("stx_gid={}", u32_at(b, 24)),
        format!("stx_mode={mode}"),
        format!("stx_ino={}", u64_at(b, 32)),
        format!("stx_size={size}"),
        format!("stx_blocks={}", u64_at(b, 48)),
        format!(
            "stx_attributes_mask={}",
            flags("statx_attrs", u64_at(b, 56))
        ),
    ];
    // Each time only when the kernel says it filled it.
    for (bit, name, off) in [
        ("STATX_ATIME", "stx_atime", 64),
        ("STATX_BTIME", "stx_btime", 80),
        ("STATX_CTIME", "stx_ctime", 96),
        ("STATX_MTIME", "stx_mtime", 112),
    ] {
        if has(bit) {
            parts.push(time(name, off));
        }
    }
    for (name, off) in [
        ("stx_rdev_major", 128),
        ("stx_rdev_minor", 132),
        ("stx_dev_major", 136),
        ("stx_dev_minor", 140),
    ] {
        parts.push(format!("{name}={}", u32_at(b, off)));
    }
    if has("STATX_MNT_ID") {
        parts.push(format!("stx_mnt_id={}", hex(u64_at(b, 144))));
    }
    if has("STATX_DIOALIGN") {
        parts.push(format!("stx_dio_mem_align={}", u32_at(b, 152)));
        parts.push(format!("stx_dio_offset_align={}", u32_at(b, 156)));
    }
    format!("{{{}}}", parts.join(", "))
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

/// The `linux_dirent64` records of a getdents64 buffer, as strace -v prints them:
/// `[{d_ino=2, d_off=1, d_reclen=24, d_type=DT_DIR, d_name="."}, ...]`.
pub fn dirents64(b: &[u8], st: Style, strings: Hex) -> String {
    let mut parts = Vec::new();
    let mut off = 0;
    while off + 19 <= b.len() {
        let reclen = u16_at(b, off + 16) as usize;
        if reclen == 0 {
            break;
        }
        let name_area = &b[off + 19..(off + reclen).min(b.len())];
        let name_len = name_area
            .iter()
            .position(|&c| c == 0)
            .unwrap_or(name_area.len());
        parts.push(format!(
            "{{d_ino={}, d_off={}, d_reclen={reclen}, d_type={}, d_name={}}}",
            u64_at(b, off),
            u64_at(b, off + 8),
            set_text("dirent_type", u64::from(b[off + 18]), st),
            quote(&name_area[..name_len], strings)
        ));
        off += reclen;
    }
    format!("[{}]", parts.join(", "))
}

/// The `linux_dirent` records of a getdents buffer (d_ino and d_off are longs, d_type
/// is the record's last byte), as strace -v prints them:
/// `[{d_ino=2, d_off=1, d_reclen=16, d_name=".", d_type=DT_DIR}, ...]`.
pub fn dirents(b: &[u8], st: Style, l: Layout, strings: Hex) -> String {
    let name_at = 2 * l.long + 2;
    let mut parts = Vec::new();
    let mut off = 0;
    while off + name_at < b.len() {
        let reclen = u16_at(b, off + 2 * l.long) as usize;
        if reclen <= name_at || off + reclen > b.len() {
            break;
        }
        let name_area = &b[off + name_at..off + reclen - 1];
        let name_len = name_area
            .iter()
            .position(|&c| c == 0)
            .unwrap_or(name_area.len());
        parts.push(format!(
            "{{d_ino={}, d_off={}, d_reclen={reclen}, d_name={}, d_type={}}}",
            l.ulong(b, off),
            l.ulong(b, off + l.long),
            quote(&name_area[..name_len], strings),
            set_text("dirent_type", u64::from(b[off + reclen - 1]), st)
        ));
        off += reclen;
    }
    format!("[{}]", parts.join(", "))
}

/// How many records a getdents buffer holds whose `d_reclen` is at `reclen_at` (16 in
/// `linux_dirent64` and x86_64's `linux_dirent`, 8 in i386's, after two 32-bit longs).
pub fn count_dirents(b: &[u8], reclen_at: usize) -> usize {
    let mut off = 0;
    let mut n = 0;
    while off + reclen_at + 3 <= b.len() {
        let reclen = u16_at(b, off + reclen_at) as usize;
        if reclen == 0 {
            break;
        }
        n += 1;
        off += reclen;
    }
    n
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

/// The fields of a `struct statfs` whatever its layout, as strace prints them.
struct StatfsFields {
    ty: u64,
    bsize: u64,
    /// f_blocks, f_bfree, f_bavail, f_files, f_ffree.
    counts: [u64; 5],
    fsid: [u64; 2],
    namelen: u64,
    frsize: u64,
    flags: u64,
}

fn statfs_text(f: &StatfsFields, st: Style) -> String {
    let ty_text = xlat::FS_MAGICS.format_value(f.ty, st, |v| format!("{v:#x}"));
    let [blocks, bfree, bavail, files, ffree] = f.counts;
    format!(
        "{{f_type={ty_text}, f_bsize={}, f_blocks={blocks}, f_bfree={bfree}, f_bavail={bavail}, f_files={files}, f_ffree={ffree}, f_fsid={{val=[{}, {}]}}, f_namelen={}, f_frsize={}, f_flags={}}}",
        f.bsize,
        hex(f.fsid[0]),
        hex(f.fsid[1]),
        f.namelen,
        f.frsize,
        xlat::STATFS_FLAGS.format_flags(f.flags, st)
    )
}

/// `struct statfs`: seven longs, the two-int fsid, then three longs (x86_64: 120 bytes;
/// i386's compat_statfs: 64).
pub fn statfs(b: &[u8], st: Style, l: Layout) -> String {
    let long = |k: usize| l.ulong(b, k * l.long);
    let fsid = 7 * l.long;
    statfs_text(
        &StatfsFields {
            ty: long(0),
            bsize: long(1),
            counts: [long(2), long(3), long(4), long(5), long(6)],
            fsid: [u32_at(b, fsid), u32_at(b, fsid + 4)],
            namelen: l.ulong(b, fsid + 8),
            frsize: l.ulong(b, fsid + 8 + l.long),
            flags: l.ulong(b, fsid + 8 + 2 * l.long),
        },
        st,
    )
}

/// i386's `struct statfs64` (compat_statfs64, 84 bytes packed to 4: 32-bit type and
/// sizes, 64-bit counts).
pub fn statfs64_i386(b: &[u8], st: Style) -> String {
    statfs_text(
        &StatfsFields {
            ty: u32_at(b, 0),
            bsize: u32_at(b, 4),
            counts: [
                u64_at(b, 8),
                u64_at(b, 16),
                u64_at(b, 24),
                u64_at(b, 32),
                u64_at(b, 40),
            ],
            fsid: [u32_at(b, 48), u32_at(b, 52)],
            namelen: u32_at(b, 56),
            frsize: u32_at(b, 60),
            flags: u32_at(b, 64),
        },
        st,
    )
}

/// Bytes of i386's `struct statfs64`.
pub const STATFS64_I386_SIZE: usize = 84;

/// Bytes of `struct statfs` read for its printed fields.
pub fn statfs_size(l: Layout) -> usize {
    10 * l.long + 8
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

/// `struct flock` as a lock request: `{l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0,
/// l_len=0}`; with `l_pid=N` too when `with_pid` (as F_GETLK fills it). Two shorts, then
/// longs start, len and the pid (x86_64: 32 bytes; i386: 16).
pub fn flock(b: &[u8], st: Style, l: Layout, with_pid: bool) -> String {
    flock_text(
        b,
        st,
        (l.slong(b, l.long), l.slong(b, 2 * l.long)),
        with_pid.then(|| u32_at(b, 3 * l.long) as i32),
    )
}

/// i386's `struct flock64` (24 bytes packed to 4: 64-bit start and len at 4 and 12, the
/// pid at 20), as [`flock`] prints it.
pub fn flock64_i386(b: &[u8], st: Style, with_pid: bool) -> String {
    flock_text(
        b,
        st,
        (u64_at(b, 4) as i64, u64_at(b, 12) as i64),
        with_pid.then(|| u32_at(b, 20) as i32),
    )
}

/// Bytes of i386's `struct flock64`.
pub const FLOCK64_I386_SIZE: usize = 24;

fn flock_text(b: &[u8], st: Style, (start, len): (i64, i64), pid: Option<i32>) -> String {
    let pid_text = pid.map_or(String::new(), |p| format!(", l_pid={p}"));
    format!(
        "{{l_type={}, l_whence={}, l_start={start}, l_len={len}{pid_text}}}",
        set_text("flock_type", u16_at(b, 0) as i16 as u64, st),
        set_text("lseek_whence", u16_at(b, 2) as i16 as u64, st),
    )
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

/// utimensat's `struct timespec[2]`, with UTIME_NOW and UTIME_OMIT named.
pub fn utimens(b: &[u8], l: Layout, st: Style) -> String {
    let special = |off: usize, name: &str| {
        let ts = timespec(b.get(off..).unwrap_or_default(), l);
        styled(name.to_string(), &ts, st)
    };
    let one = |off: usize| match l.time_field(b, off + l.time) {
        0x3fff_ffff => special(off, "UTIME_NOW"),
        0x3fff_fffe => special(off, "UTIME_OMIT"),
        nsec => {
            let sec = l.time_field(b, off);
            let ts = timespec(b.get(off..).unwrap_or_default(), l);
            format!("{ts}{}", date_comment(sec, nsec, 9))
        }
    };
    format!("[{}, {}]", one(0), one(l.timespec_size()))
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

/// `struct utimbuf` with strace's date comments.
pub fn utimbuf(b: &[u8]) -> String {
    let (a, m) = (u64_at(b, 0) as i64, u64_at(b, 8) as i64);
    format!(
        "{{actime={a}{}, modtime={m}{}}}",
        date_comment(a, 0, 0),
        date_comment(m, 0, 0)
    )
}

/// `struct open_how`: `{flags=O_RDONLY|O_CLOEXEC, resolve=RESOLVE_NO_SYMLINKS}`; the mode
/// where it matters or is set, the resolve flags when set.
pub fn open_how(b: &[u8], st: Style) -> String {
    let (flags, mode, resolve) = (u64_at(b, 0), u64_at(b, 8), u64_at(b, 16));
    let mut out = format!("{{flags={}", set_text("open_flags", flags, st));
    // O_CREAT, __O_TMPFILE
    if mode != 0 || flags & 0o100 != 0 || flags & 0o20000000 != 0 {
        out += &format!(", mode=0{mode:02o}");
    }
    if resolve != 0 {
        out += &format!(", resolve={}", set_text("resolve_flags", resolve, st));
    }
    out + "}"
}

/// A device number for mknod: `makedev(0x1, 0x3)`.
pub fn dev(dev: u64, st: Style) -> String {
    makedev(dev, st)
}

/// Whether a mknod mode creates a device (the only case its device number is printed).
pub fn mode_is_device(mode: u64) -> bool {
    is_device(mode)
}

/// `struct file_handle`: `{handle_bytes=8, handle_type=1, f_handle="\\x.."}`; with the size
/// the caller gave (`given`, name_to_handle_at) a changed size prints `128 => 8`.
pub fn file_handle(b: &[u8], given: Option<u32>, full: bool) -> String {
    let size = u32_at(b, 0) as u32;
    let size_text = match given {
        Some(g) if g != size => format!("{g} => {size}"),
        _ => size.to_string(),
    };
    if !full {
        return format!("{{handle_bytes={size_text}}}");
    }
    let data = b.get(8..).unwrap_or_default();
    let more = if size as usize > data.len() {
        "..."
    } else {
        ""
    };
    format!(
        "{{handle_bytes={size_text}, handle_type={}, f_handle={}{more}}}",
        u32_at(b, 4) as i32,
        crate::escape::quote_hex(data)
    )
}

/// `struct f_owner_ex`: `{type=F_OWNER_PGRP, pid=1234}`.
pub fn f_owner_ex(b: &[u8], st: Style) -> String {
    format!(
        "{{type={}, pid={}}}",
        set_text("f_owner_types", u32_at(b, 0), st),
        u32_at(b, 4) as i32
    )
}

/// `struct mount_attr` (mount_setattr): `{attr_set=MOUNT_ATTR_RDONLY, attr_clr=0,
/// propagation=MS_PRIVATE, userns_fd=0}`.
pub fn mount_attr(b: &[u8], st: Style) -> String {
    format!(
        "{{attr_set={}, attr_clr={}, propagation={}, userns_fd={}}}",
        set_text("mount_attr", u64_at(b, 0), st),
        set_text("mount_attr", u64_at(b, 8), st),
        set_text("mount_propagation", u64_at(b, 16), st),
        u64_at(b, 24)
    )
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
    fn modes_and_wait_statuses_print_as_strace() {
        assert_eq!(file_mode(0o100644, Style::Abbrev), "S_IFREG|0644");
        assert_eq!(file_mode(0o100644, Style::Raw), "0100644");
        assert_eq!(
            file_mode(0o40755, Style::Verbose),
            "040755 /* S_IFDIR|0755 */"
        );
        assert_eq!(file_mode(0o41777, Style::Abbrev), "S_IFDIR|S_ISVTX|0777");
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
        // i386's struct flock64: 64-bit start and len packed after the two shorts.
        let mut lock = vec![1, 0, 0, 0];
        lock.extend_from_slice(&20u64.to_le_bytes());
        lock.extend_from_slice(&5u64.to_le_bytes());
        lock.extend_from_slice(&7u32.to_le_bytes());
        assert_eq!(
            flock64_i386(&lock, Style::Abbrev, true),
            "{l_type=F_WRLCK, l_whence=SEEK_SET, l_start=20, l_len=5, l_pid=7}"
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

//! The argument kinds every family builds on: numbers, addresses, descriptors, paths,
//! strings, buffers and single words the kernel reads or writes; and what every family
//! formats and captures with (structures read whole, arrays abbreviated as strace does,
//! what descriptors refer to).

use super::decoder::{CallView, Decoder};
use crate::escape::{Hex, quote, quote_into};
use crate::prim::{Layout, u32_at, u64_at};
use crate::prim::{bracket_list, format_mode, ptr, set_text, signal, styled};
use crate::specs::Fmt;
use crate::xlat::{Style, hex};
use events::{Capture, Mem, MemReader, SyscallEntry, SyscallResult};
use syscalls::Arch;

/// What a family's capture plan knows of the argument it reads for.
#[derive(Debug, Clone, Copy)]
pub(super) struct ArgPlan<'a> {
    /// The call.
    pub entry: &'a SyscallEntry,
    /// The argument's place.
    pub i: usize,
    /// Its value: the address, for what reads memory.
    pub addr: u64,
    /// Whether the call is at its exit.
    pub at_exit: bool,
    /// The call's successful return value, at exit.
    pub ok: Option<i64>,
    /// The call's result, at exit.
    pub result: Option<SyscallResult>,
    /// The layout of the call's structures.
    pub l: Layout,
}

impl Decoder {
    /// Argument `i` in a basic format: a number, an address, a descriptor, a path, a
    /// string, a buffer or a word in memory.
    pub(super) fn basic_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
        Some(match fmt {
            Fmt::Int => (raw as i32).to_string(),
            Fmt::Long => (raw as i64).to_string(),
            Fmt::Uint => raw.to_string(),
            Fmt::Id => match raw as u32 {
                u32::MAX => "-1".to_string(),
                id => id.to_string(),
            },
            Fmt::Hex => hex(raw),
            Fmt::Ptr => ptr(raw),
            Fmt::Fd => self.fd_text(raw as i32 as i64, v.entry_mem(FD_KEY_BASE + i as u32)),
            Fmt::Dirfd => {
                let path = v.entry_mem(FD_KEY_BASE + i as u32);
                if raw as i32 != AT_FDCWD {
                    return Some(self.fd_text(raw as i32 as i64, path));
                }
                let name = match st {
                    Style::Raw => "-100",
                    Style::Verbose => "-100 /* AT_FDCWD */",
                    Style::Abbrev => "AT_FDCWD",
                };
                // -y: the directory it stands for, as strace's `AT_FDCWD</tmp>`.
                match path {
                    Some(Mem::Str { bytes, .. }) if self.opts.decode_fds => {
                        format!("{name}<{}>", String::from_utf8_lossy(bytes))
                    }
                    _ => name.to_string(),
                }
            }
            Fmt::Path => self.path(raw, v.entry_mem(i as u32)),
            Fmt::Str => self.cstr(raw, v.entry_mem(i as u32)),
            Fmt::WBuf(len) => self.buf(raw, v.arg(len as usize), v.entry_mem(i as u32), false),
            Fmt::RBuf(_) => match v.ok_ret() {
                Some(n) => self.buf(raw, n as u64, v.exit_mem(i as u32), false),
                None => ptr(raw),
            },
            Fmt::XattrList(size) if v.arg(size as usize) == 0 => ptr(raw),
            Fmt::XattrList(_) => match v.ok_ret() {
                Some(n) => self.buf(raw, n as u64, v.exit_mem(i as u32), false),
                None => ptr(raw),
            },
            Fmt::RBufHex(_) => match v.ok_ret() {
                Some(n) => self.buf(raw, n as u64, v.exit_mem(i as u32), true),
                None => ptr(raw),
            },
            Fmt::RStr => match v.ok_ret() {
                Some(_) => self.path(raw, v.exit_mem(i as u32)),
                None => ptr(raw),
            },
            Fmt::Set(name) => set_text(name, raw, st),
            Fmt::Mode => format_mode(raw),
            Fmt::Signal => styled(signal(raw as i32), &(raw as i32).to_string(), st),
            Fmt::LenInOut => {
                let before = v.entry_mem(i as u32).and_then(mem_u32);
                let after = if v.ok_ret().is_some() {
                    v.exit_mem(i as u32).and_then(mem_u32)
                } else {
                    None
                };
                match (before, after) {
                    (Some(a), Some(b)) if a != b => format!("[{a} => {b}]"),
                    (_, Some(b)) => format!("[{b}]"),
                    (Some(a), None) => format!("[{a}]"),
                    _ => ptr(raw),
                }
            }
            Fmt::OffsetInOut => {
                let before = v.entry_mem(i as u32).and_then(mem_u64);
                let after = v.ok_ret().and(v.exit_mem(i as u32)).and_then(mem_u64);
                match (before, after) {
                    (Some(a), Some(b)) if a != b => format!("[{a}] => [{b}]"),
                    (Some(a), _) => format!("[{a}]"),
                    _ => ptr(raw),
                }
            }
            Fmt::IntPtrIn => in_struct(raw, v.entry_mem(i as u32), |b| {
                format!("[{}]", i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            }),
            Fmt::IntOut => match (v.ok_ret(), v.exit_mem(i as u32)) {
                (Some(_), Some(m)) => mem_u32(m).map_or(ptr(raw), |x| format!("[{}]", x as i32)),
                _ => ptr(raw),
            },
            Fmt::IdOut => self.out_struct(raw, v, i, id_out),
            Fmt::LoffIn => in_struct(raw, v.entry_mem(i as u32), loff),
            Fmt::LoffOut => self.out_struct(raw, v, i, |b| format!("[{}]", u64_at(b, 0))),
            Fmt::PageOffset => hex((raw as u32 as u64) << 12),
            Fmt::OffsetHiLo => {
                (((raw as u32 as u64) << 32 | v.arg(i + 1) as u32 as u64) as i64).to_string()
            }
            Fmt::OffsetLoHi => {
                (((v.arg(i + 1) as u32 as u64) << 32 | raw as u32 as u64) as i64).to_string()
            }
            Fmt::AddrOut => self.out_struct(raw, v, i, |b| format!("[{}]", hex(le64(b, 0)))),
            Fmt::Skip => return None,
            _ => unreachable!("{fmt:?} is not a basic format"),
        })
    }

    /// What an argument in a basic format reads: the path, string or buffer, the word.
    pub(super) fn plan_basic(
        &self,
        fmt: Fmt,
        p: ArgPlan<'_>,
        mem: &mut dyn MemReader,
        _out: &mut Vec<Capture>,
    ) -> Option<Mem> {
        let ArgPlan {
            entry, addr, ok, ..
        } = p;
        let max = self.strsize();
        Some(match fmt {
            Fmt::Path => mem.read_str(addr, PATH_MAX),
            Fmt::Str => mem.read_str(addr, max + 1),
            Fmt::WBuf(len) => mem.read_bytes(addr, self.buf_read(entry.args[len as usize])),
            Fmt::XattrList(size) if entry.args[size as usize] == 0 => return None,
            Fmt::RBuf(_) | Fmt::RBufHex(_) | Fmt::XattrList(_) => {
                mem.read_bytes(addr, self.buf_read(ok.unwrap_or(0).max(0) as u64))
            }
            // strace's printpathn(buf, rval): the whole path, never cut at -s.
            Fmt::RStr => mem.read_str(addr, (ok.unwrap_or(0).max(0) as usize).min(PATH_MAX)),
            Fmt::LenInOut => mem.read_bytes(addr, 4),
            Fmt::IdOut => mem.read_bytes(addr, 4),
            Fmt::LoffIn | Fmt::LoffOut | Fmt::AddrOut => mem.read_bytes(addr, 8),
            Fmt::IntPtrIn => mem.read_bytes(addr, 4),
            Fmt::OffsetInOut | Fmt::IntOut => {
                mem.read_bytes(addr, if matches!(fmt, Fmt::IntOut) { 4 } else { 8 })
            }
            _ => return None,
        })
    }

    pub(super) fn fd_text(&self, fd: i64, path: Option<&Mem>) -> String {
        match path {
            Some(Mem::Str { bytes, .. }) if self.opts.decode_fds => {
                let path = String::from_utf8_lossy(bytes);
                // A deleted file's link ends in ` (deleted)`; strace puts that outside.
                match path.strip_suffix(" (deleted)") {
                    Some(gone) => format!("{fd}<{gone}>(deleted)"),
                    None => format!("{fd}<{path}>"),
                }
            }
            _ => fd.to_string(),
        }
    }

    pub(super) fn out_struct(
        &self,
        raw: u64,
        v: &CallView<'_>,
        i: usize,
        f: impl Fn(&[u8]) -> String,
    ) -> String {
        if v.ok_ret().is_none() {
            return ptr(raw);
        }
        in_struct(raw, v.exit_mem(i as u32), f)
    }

    pub(super) fn path(&self, raw: u64, mem: Option<&Mem>) -> String {
        match mem {
            Some(Mem::Str { bytes, terminated }) => {
                let mut s = quote(bytes, self.opts.hex);
                if !terminated {
                    s.push_str("...");
                }
                s
            }
            _ => ptr(raw),
        }
    }

    pub(super) fn cstr(&self, raw: u64, mem: Option<&Mem>) -> String {
        match mem {
            Some(Mem::Str { bytes, terminated }) => {
                let max = self.strsize();
                if bytes.len() > max || !terminated {
                    format!(
                        "{}...",
                        quote(&bytes[..bytes.len().min(max)], self.opts.hex)
                    )
                } else {
                    quote(bytes, self.opts.hex)
                }
            }
            _ => ptr(raw),
        }
    }

    /// How much of a buffer of `len` bytes a plan reads: one byte past -s, as strace's
    /// printstr does (the buffer prints as its address unless all of that is readable).
    pub(super) fn buf_read(&self, len: u64) -> usize {
        len.min(self.strsize() as u64 + 1) as usize
    }

    pub(super) fn buf(&self, raw: u64, len: u64, mem: Option<&Mem>, force_hex: bool) -> String {
        let mut s = String::new();
        self.push_buf(&mut s, raw, len, mem, force_hex);
        s
    }

    /// [`Decoder::buf`], added to `s`.
    pub(super) fn push_buf(
        &self,
        s: &mut String,
        raw: u64,
        len: u64,
        mem: Option<&Mem>,
        force_hex: bool,
    ) {
        match mem {
            // Read short (an unreadable page within what strace reads): the address.
            Some(Mem::Bytes {
                bytes,
                complete: true,
            }) => {
                let shown = &bytes[..bytes.len().min(self.strsize())];
                let hex = if force_hex { Hex::All } else { self.opts.hex };
                quote_into(s, shown, hex);
                if len as usize > shown.len() {
                    s.push_str("...");
                }
            }
            _ => s.push_str(&ptr(raw)),
        }
    }

    /// How many of an array's `nfds` elements (poll's descriptors, semop's operations) to
    /// print: -s of them, all under -v (up to a bound on the work), as strace's
    /// print_array abbreviates.
    pub(super) fn array_shown(&self, nfds: u64) -> usize {
        let limit = if self.opts.verbose {
            ARGV_MAX_ITEMS
        } else {
            self.strsize()
        };
        (nfds as usize).min(limit)
    }

    /// `[a, b, ...]`: the items shown, `...` when the array of `count` holds more.
    pub(super) fn array_text(&self, items: impl Iterator<Item = String>, count: u64) -> String {
        let items: Vec<String> = items.collect();
        let more = count as usize > items.len();
        bracket_list(items, more)
    }

    /// Whether an array goes on past what is printed (` ...` closes it).
    pub(super) fn array_more(&self, nfds: u64) -> bool {
        nfds as usize > self.array_shown(nfds)
    }

    /// How many strings of an argv or envp to print: -s of them, every one under -v
    /// (strace abbreviates arrays only without -v).
    pub(super) fn argv_items(&self) -> usize {
        if self.opts.verbose {
            ARGV_MAX_ITEMS
        } else {
            self.strsize()
        }
    }

    pub(super) fn argv(&self, raw: u64, mem: Option<&Mem>) -> String {
        match mem {
            Some(Mem::StrArray { items, count }) => {
                let mut parts: Vec<String> = items.iter().map(|m| self.cstr(0, Some(m))).collect();
                if *count > items.len() {
                    parts.push("...".to_string());
                }
                format!("[{}]", parts.join(", "))
            }
            _ => ptr(raw),
        }
    }

    /// What fd refers to: its path, or with -yy a socket's endpoints.
    pub(super) fn fd_capture(&self, fd: i32, mem: &mut dyn MemReader) -> Mem {
        let path = mem.fd_path(fd);
        if !self.opts.decode_sockets {
            return path;
        }
        let inode = match &path {
            Mem::Str { bytes, .. } => std::str::from_utf8(bytes).ok().and_then(|p| {
                p.strip_prefix("socket:[")?
                    .strip_suffix(']')?
                    .parse::<u64>()
                    .ok()
            }),
            _ => None,
        };
        if let Some(inode) = inode {
            return match mem.socket_details(fd, inode) {
                details @ Mem::Str { .. } => details,
                _ => path,
            };
        }
        // A device's numbers after its path (`/dev/null<char 1:3>`); a pidfd's process
        // instead of its anon inode (`pid:1234`).
        match (mem.fd_details(fd), path) {
            (Mem::Str { bytes, .. }, Mem::Str { bytes: p, .. }) if !bytes.starts_with(b"pid:") => {
                let mut text = p;
                text.push(b'<');
                text.extend_from_slice(&bytes);
                text.push(b'>');
                Mem::Str {
                    bytes: text,
                    terminated: true,
                }
            }
            (details @ Mem::Str { .. }, _) => details,
            (_, path) => path,
        }
    }
}

/// The bytes of a capture read in full.
pub(super) fn complete(m: Option<&Mem>) -> Option<&[u8]> {
    match m {
        Some(Mem::Bytes {
            bytes,
            complete: true,
        }) => Some(bytes),
        _ => None,
    }
}

pub(super) fn le64(b: &[u8], off: usize) -> u64 {
    b.get(off..off + 8)
        .map_or(0, |s| u64::from_le_bytes(s.try_into().unwrap_or_default()))
}

/// A little-endian word of `size` bytes (4 or 8) at `off`.
pub(super) fn le_word(b: &[u8], off: usize, size: usize) -> u64 {
    if size == 4 {
        b.get(off..off + 4)
            .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as u64)
    } else {
        le64(b, off)
    }
}

/// Whether the call is an i386 one (int 0x80 or a 32-bit program): i386 layouts.
pub(super) fn is_i386(entry: &SyscallEntry) -> bool {
    entry.arch == Arch::I386
}

/// i386's `*_time64` syscalls (clock_gettime64 .. sched_rr_get_interval_time64, Linux
/// 5.1), which take the 64-bit `struct __kernel_timespec` where their older twins take
/// `old_timespec32`.
pub(super) const I386_TIME64_NRS: std::ops::RangeInclusive<u32> = 403..=423;

/// The layout of the call's structures: i386's compat ones for i386 calls (with 64-bit
/// timespecs in the time64 calls), x32's compat ones for its compat entry points, x86_64's
/// otherwise.
pub(super) fn layout(entry: &SyscallEntry) -> Layout {
    if entry.arch == Arch::X32 && entry.arch.is_compat_call(entry.nr) {
        Layout::X32_COMPAT
    } else if !is_i386(entry) {
        Layout::LP64
    } else if I386_TIME64_NRS.contains(&entry.nr) {
        Layout::I386_TIME64
    } else {
        Layout::I386
    }
}

pub(super) fn mem_u64(m: &Mem) -> Option<u64> {
    match m {
        Mem::Bytes { bytes, .. } if bytes.len() >= 8 => Some(le64(bytes, 0)),
        _ => None,
    }
}

pub(super) fn mem_u32(m: &Mem) -> Option<u32> {
    match m {
        Mem::Bytes { bytes, .. } if bytes.len() >= 4 => {
            Some(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
        }
        _ => None,
    }
}

pub(super) fn in_struct(raw: u64, mem: Option<&Mem>, f: impl Fn(&[u8]) -> String) -> String {
    if raw == 0 {
        return "NULL".into();
    }
    match mem {
        Some(Mem::Bytes {
            bytes,
            complete: true,
        }) => f(bytes),
        _ => ptr(raw),
    }
}

/// Capture keys of `-y` fd paths: argument i at entry, the returned fd at exit.
pub(super) const FD_KEY_BASE: u32 = 200;

/// The `dirfd` value that means the current directory.
pub(super) const AT_FDCWD: i32 = -100;

/// The longest path strace prints (its printpath's buffer): paths are never cut at -s.
pub(super) const PATH_MAX: usize = 4096;

/// The most argv or envp strings read under -v: a bound on the work per execve, far above
/// what real programs pass.
pub(super) const ARGV_MAX_ITEMS: usize = 1 << 16;

/// An id written by the kernel (getresuid): `[0]`, `[-1]` for the "unset" id.
pub fn id_out(b: &[u8]) -> String {
    match u32_at(b, 0) as u32 {
        u32::MAX => "[-1]".into(),
        id => format!("[{id}]"),
    }
}

/// A `loff_t` read by the kernel: `[0]`.
pub fn loff(b: &[u8]) -> String {
    format!("[{}]", u64_at(b, 0) as i64)
}

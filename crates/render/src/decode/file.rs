//! Files and filesystems: open's mode and `struct open_how`, stat, statx and statfs,
//! getdents's entries, fcntl (commands, locks, owners, results), utimes, mknod's device,
//! file handles, fanotify's directory, mount_setattr's `struct mount_attr` and fsconfig.

use super::basic::{ArgPlan, in_struct, is_i386, layout, mem_u32};
use super::decoder::{CallView, Decoder};
use super::time::timespec;
use crate::dates::date_comment;
use crate::escape::{Hex, quote};
use crate::prim::{Layout, format_mode, ptr, set_text, signal, styled, u16_at, u32_at, u64_at};
use crate::specs::Fmt;
use crate::xlat::{self, Style, hex};
use events::{Capture, Mem, MemReader, SyscallEntry};

impl Decoder {
    /// Argument `i` in a file format: open's mode and how, stat's and statfs's buffers,
    /// directory entries, fcntl's command and argument, times, file handles, mount's
    /// attributes and fsconfig's arguments.
    pub(super) fn file_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
        let l = layout(v.entry);
        Some(match fmt {
            Fmt::StatxFlags => statx_flags(raw, st),
            Fmt::OpenMode(flags_arg) => {
                let flags = v.arg(flags_arg as usize);
                if flags & 0o100 == 0 && flags & 0o20000000 == 0 {
                    return None;
                }
                format_mode(raw)
            }
            Fmt::StatOut if is_i386(v.entry) => {
                self.out_struct(raw, v, i, |b| stat_i386(b, self.opts.verbose, st))
            }
            Fmt::StatOut => self.out_struct(raw, v, i, |b| stat(b, self.opts.verbose, st)),
            Fmt::Stat64Out => self.out_struct(raw, v, i, |b| stat64_i386(b, self.opts.verbose, st)),
            Fmt::StatxOut => self.out_struct(raw, v, i, |b| statx(b, self.opts.verbose, st)),
            Fmt::Dirents64 if self.opts.verbose => match (v.ok_ret(), v.exit_mem(i as u32)) {
                (Some(_), Some(Mem::Bytes { bytes, .. })) => dirents64(bytes, st, self.opts.hex),
                _ => ptr(raw),
            },
            Fmt::Dirents if self.opts.verbose => match (v.ok_ret(), v.exit_mem(i as u32)) {
                (Some(_), Some(Mem::Bytes { bytes, .. })) => dirents(bytes, st, l, self.opts.hex),
                _ => ptr(raw),
            },
            Fmt::OldDirent => match (v.ok_ret(), v.exit_mem(i as u32)) {
                // 0: the end of the directory, nothing written.
                (Some(n), Some(Mem::Bytes { bytes, .. })) if n != 0 => {
                    let mut whole = bytes.clone();
                    if let Some(Mem::Bytes { bytes: rest, .. }) = v.exit_mem(OLD_DIRENT_REST_KEY) {
                        whole.extend_from_slice(rest);
                    }
                    old_dirent(raw, &whole, l, self.opts.hex).unwrap_or_else(|| ptr(raw))
                }
                _ => ptr(raw),
            },
            Fmt::ReaddirCount if raw as u32 == 1 => return None,
            Fmt::ReaddirCount => (raw as u32).to_string(),
            Fmt::Dirents | Fmt::Dirents64 => match (v.ok_ret(), v.exit_mem(i as u32)) {
                (Some(_), Some(Mem::Bytes { bytes, .. })) => {
                    let n = count_dirents(bytes, reclen_at(fmt, l));
                    format!("{} /* {n} entries */", ptr(raw))
                }
                (Some(_), Some(&Mem::Count(n))) => format!("{} /* {n} entries */", ptr(raw)),
                _ => ptr(raw),
            },
            Fmt::FcntlArg if v.arg(1) == F_SETOWN_EX => {
                in_struct(raw, v.entry_mem(i as u32), |b| f_owner_ex(b, st))
            }
            Fmt::FcntlArg if v.arg(1) == F_GETOWN_EX => {
                self.out_struct(raw, v, i, |b| f_owner_ex(b, st))
            }
            Fmt::FcntlArg => match fcntl_lock(v.entry) {
                Some(lock) if lock.filled => {
                    self.out_struct(raw, v, i, |b| lock.layout.format(b, st, true))
                }
                Some(lock) => in_struct(raw, v.entry_mem(i as u32), |b| {
                    lock.layout.format(b, st, false)
                }),
                None => return self.fcntl_arg(raw, v.arg(1), st),
            },
            Fmt::FcntlCmd => fcntl_cmd_text(v.entry, raw, st),
            Fmt::TimesIn => in_struct(raw, v.entry_mem(i as u32), |b| utimens(b, l, st)),
            Fmt::StatfsOut => self.out_struct(raw, v, i, |b| statfs(b, st, l)),
            Fmt::Statfs64Out => self.out_struct(raw, v, i, |b| statfs64_i386(b, st)),
            Fmt::MknodDev(mode_arg) if mode_is_device(v.arg(mode_arg as usize)) => dev(raw, st),
            Fmt::MknodDev(_) => return None,
            Fmt::UtimbufIn => in_struct(raw, v.entry_mem(i as u32), utimbuf),
            Fmt::OpenHowIn => in_struct(raw, v.entry_mem(i as u32), |b| open_how(b, st)),
            Fmt::FileHandleIn => {
                in_struct(raw, v.entry_mem(i as u32), |b| file_handle(b, None, true))
            }
            Fmt::FileHandleOut => {
                let before = v.entry_mem(i as u32).and_then(mem_u32);
                match (before, v.ok_ret(), v.exit_mem(i as u32)) {
                    (None, ..) => ptr(raw),
                    (Some(_), Some(_), Some(Mem::Bytes { bytes, .. })) => {
                        file_handle(bytes, before, true)
                    }
                    (Some(n), ..) => format!("{{handle_bytes={n}}}"),
                }
            }
            Fmt::FanotifyDirfd if raw as i32 == -1 => styled("FAN_NOFD".into(), "-1", st),
            Fmt::FanotifyDirfd => return self.basic_arg(Fmt::Dirfd, i, v),
            Fmt::FsconfigKey if v.arg(1) <= FSCONFIG_SET_FD => {
                self.cstr(raw, v.entry_mem(i as u32))
            }
            Fmt::FsconfigKey => ptr(raw),
            Fmt::FsconfigValue => match v.arg(1) {
                FSCONFIG_SET_STRING => self.cstr(raw, v.entry_mem(i as u32)),
                FSCONFIG_SET_PATH | FSCONFIG_SET_PATH_EMPTY => {
                    self.path(raw, v.entry_mem(i as u32))
                }
                FSCONFIG_SET_BINARY if (v.arg(4) as i32) >= 0 && v.arg(4) as i32 <= 1 << 20 => {
                    self.buf(raw, v.arg(4) as u32 as u64, v.entry_mem(i as u32), true)
                }
                _ => ptr(raw),
            },
            Fmt::FsconfigAux => match v.arg(1) {
                FSCONFIG_SET_PATH | FSCONFIG_SET_PATH_EMPTY => {
                    return self.basic_arg(Fmt::Dirfd, i, v);
                }
                FSCONFIG_SET_FD => return self.basic_arg(Fmt::Fd, i, v),
                _ => (raw as i32).to_string(),
            },
            Fmt::MountAttr(size_arg) if v.arg(size_arg as usize) < 32 => ptr(raw),
            Fmt::MountAttr(_) => in_struct(raw, v.entry_mem(i as u32), |b| mount_attr(b, st)),
            _ => unreachable!("{fmt:?} is not a format of the file family"),
        })
    }

    /// What argument `i` in a file format needs read: the structure the call reads or
    /// fills, the directory entries it returned, fsconfig's key and value.
    pub(super) fn plan_file(
        &self,
        fmt: Fmt,
        p: ArgPlan<'_>,
        mem: &mut dyn MemReader,
        out: &mut Vec<Capture>,
    ) -> Option<Mem> {
        let ArgPlan {
            entry,
            addr,
            at_exit,
            ok,
            l,
            ..
        } = p;
        let max = self.strsize();
        Some(match fmt {
            Fmt::FcntlArg if entry.args[1] == F_SETOWN_EX && !at_exit => mem.read_bytes(addr, 8),
            Fmt::FcntlArg if entry.args[1] == F_GETOWN_EX && at_exit => mem.read_bytes(addr, 8),
            Fmt::FcntlArg => match fcntl_lock(entry) {
                Some(lock) if lock.filled == at_exit => mem.read_bytes(addr, lock.layout.size()),
                _ => return None,
            },
            Fmt::StatOut if is_i386(entry) => mem.read_bytes(addr, 64),
            Fmt::StatOut => mem.read_bytes(addr, 144),
            Fmt::Stat64Out => mem.read_bytes(addr, 96),
            Fmt::StatxOut => mem.read_bytes(addr, 256),
            Fmt::UtimbufIn => mem.read_bytes(addr, 16),
            Fmt::OpenHowIn => mem.read_bytes(addr, 24),
            Fmt::FsconfigKey if entry.args[1] <= FSCONFIG_SET_FD => mem.read_str(addr, max + 1),
            Fmt::FsconfigValue => match entry.args[1] {
                FSCONFIG_SET_STRING => mem.read_str(addr, max + 1),
                FSCONFIG_SET_PATH | FSCONFIG_SET_PATH_EMPTY => mem.read_str(addr, 4096),
                FSCONFIG_SET_BINARY => {
                    mem.read_bytes(addr, self.buf_read(entry.args[4] as u32 as u64))
                }
                _ => return None,
            },
            Fmt::MountAttr(_) => mem.read_bytes(addr, 32),
            Fmt::FileHandleIn | Fmt::FileHandleOut => match mem.read_bytes(addr, 8) {
                // At entry name_to_handle_at only reads the size the caller gives.
                header if !at_exit && matches!(fmt, Fmt::FileHandleOut) => header,
                Mem::Bytes { bytes, .. } if bytes.len() == 8 => {
                    let size = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
                    mem.read_bytes(addr, 8 + (size as usize).min(128))
                }
                other => other,
            },
            Fmt::OldDirent if ok == Some(0) => return None,
            Fmt::OldDirent => {
                // What a probe captures of an argument holds the header and most names
                // (a short read still holds a short name); the rest of a longer one, up to
                // the most strace prints and a byte for its NUL, is read apart.
                let first = mem.read_bytes(addr, OLD_DIRENT_FIRST);
                if let Mem::Bytes {
                    bytes,
                    complete: true,
                } = &first
                    && old_dirent_name_goes_on(bytes, l)
                {
                    let rest = old_dirent_header(l) + D_NAME_MAX + 1 - OLD_DIRENT_FIRST;
                    out.push(Capture {
                        key: OLD_DIRENT_REST_KEY,
                        data: mem.read_bytes(addr + OLD_DIRENT_FIRST as u64, rest),
                    });
                }
                first
            }
            Fmt::Dirents | Fmt::Dirents64 => {
                let len = (ok.unwrap_or(0).max(0) as usize).min(1 << 16);
                if self.opts.verbose {
                    mem.read_bytes(addr, len)
                } else {
                    mem.read_dirents(addr, len)
                }
            }
            Fmt::StatfsOut => mem.read_bytes(addr, statfs_size(l)),
            Fmt::Statfs64Out => mem.read_bytes(addr, STATFS64_I386_SIZE),
            Fmt::TimesIn => mem.read_bytes(addr, 2 * l.timespec_size()),
            _ => return None,
        })
    }

    /// fcntl's argument for the commands that take no lock: absent, flags, a number or
    /// an address.
    fn fcntl_arg(&self, raw: u64, cmd: u64, st: Style) -> Option<String> {
        Some(match cmd {
            1 | 3 | 9 | 11 | 1025 | 1032 | 1034 => return None,
            2 => set_text("fd_flags", raw, st),
            4 => set_text("open_flags", raw, st),
            0 | 1030 | 8 | 1031 => (raw as i32).to_string(),
            // F_SETSIG
            10 => styled(signal(raw as i32), &(raw as i32).to_string(), st),
            // F_SETLEASE
            1024 => set_text("flock_type", raw, st),
            // F_NOTIFY
            1026 => set_text("dnotify_flags", raw, st),
            // F_ADD_SEALS
            1033 => set_text("fcntl_seals", raw, st),
            _ => ptr(raw),
        })
    }

    /// fcntl's result as strace prints it for the command: the flags F_GETFD and F_GETFL
    /// return, F_GETSIG's signal, F_GETLEASE's lease, F_GET_SEALS's seals.
    pub(super) fn fcntl_ret(&self, v: i64, view: &CallView<'_>) -> String {
        match view.arg(1) {
            1 if v != 0 => format!(
                "{} (flags {})",
                hex(v as u64),
                set_text("fd_flags", v as u64, self.opts.style)
            ),
            3 => format!(
                "{} (flags {})",
                hex(v as u64),
                // strace names F_GETFL's flags whatever -X says.
                set_text("open_flags", v as u64, Style::Abbrev)
            ),
            // F_GETSIG
            11 if v != 0 => format!("{v} ({})", signal(v as i32)),
            // F_GETLEASE
            1025 => match syscalls::xlat_set("flock_type").and_then(|s| s.name_of(v as u64)) {
                Some(name) => format!("{} ({name})", hex(v as u64)),
                None => hex(v as u64),
            },
            // F_GET_SEALS
            1034 if v != 0 => format!(
                "{} (seals {})",
                hex(v as u64),
                set_text("fcntl_seals", v as u64, self.opts.style)
            ),
            _ => v.to_string(),
        }
    }
}

/// The `struct flock` an fcntl lock command passes: whether the kernel fills it (the
/// GETLK commands) or only reads it, and its layout.
#[derive(Debug, Clone, Copy)]
pub(super) struct FcntlLock {
    pub(super) filled: bool,
    layout: FlockLayout,
}

/// The layouts of `struct flock`.
#[derive(Debug, Clone, Copy)]
enum FlockLayout {
    /// The ABI's own struct flock (longs for start and len).
    Native(Layout),
    /// i386's packed struct flock64.
    I386Flock64,
}

impl FlockLayout {
    fn size(self) -> usize {
        match self {
            FlockLayout::Native(l) => 4 * l.long,
            FlockLayout::I386Flock64 => FLOCK64_I386_SIZE,
        }
    }

    fn format(self, b: &[u8], st: Style, with_pid: bool) -> String {
        match self {
            FlockLayout::Native(l) => flock(b, st, l, with_pid),
            FlockLayout::I386Flock64 => flock64_i386(b, st, with_pid),
        }
    }
}

/// The lock an fcntl call's command passes, if it is a lock command: F_GETLK, F_SETLK and
/// F_SETLKW take the ABI's struct flock; the open-file-description ones and i386's
/// F_*LK64 take struct flock64, which is x86_64's struct flock.
pub(super) fn fcntl_lock(entry: &SyscallEntry) -> Option<FcntlLock> {
    let cmd = entry.args[1];
    let named = |set: &str, names: &[&str]| {
        syscalls::xlat_set(set).and_then(|set| {
            names
                .iter()
                .position(|name| set.value_of(name) == Some(cmd))
        })
    };
    let l = layout(entry);
    let flock64 = if is_i386(entry) {
        FlockLayout::I386Flock64
    } else {
        FlockLayout::Native(l)
    };
    let (k, layout) = if let Some(k) = named("fcntl_cmd", &["F_GETLK", "F_SETLK", "F_SETLKW"]) {
        (k, FlockLayout::Native(l))
    } else if let Some(k) = named("fcntl_cmd", &["F_OFD_GETLK", "F_OFD_SETLK", "F_OFD_SETLKW"]) {
        (k, flock64)
    } else if is_i386(entry)
        && let Some(k) = named("fcntl_lk64_cmd", &["F_GETLK64", "F_SETLK64", "F_SETLKW64"])
    {
        (k, flock64)
    } else {
        return None;
    };
    Some(FcntlLock {
        filled: k == 0,
        layout,
    })
}

/// fcntl's command: i386 names its F_*LK64 commands too.
fn fcntl_cmd_text(entry: &SyscallEntry, cmd: u64, st: Style) -> String {
    match syscalls::xlat_set("fcntl_lk64_cmd") {
        Some(set) if is_i386(entry) && set.name_of(cmd).is_some() => {
            set.display(cmd, st).to_string()
        }
        _ => set_text("fcntl_cmd", cmd, st),
    }
}

/// fcntl's commands that pass a `struct f_owner_ex` (x86_64 and i386 alike).
const F_SETOWN_EX: u64 = 15;

/// See [`F_SETOWN_EX`]: the kernel fills this one.
pub(super) const F_GETOWN_EX: u64 = 16;

/// fsconfig's commands, whose key, value and aux arguments depend on them.
const FSCONFIG_SET_STRING: u64 = 1;

/// See [`FSCONFIG_SET_STRING`].
const FSCONFIG_SET_BINARY: u64 = 2;

/// See [`FSCONFIG_SET_STRING`].
const FSCONFIG_SET_PATH: u64 = 3;

/// See [`FSCONFIG_SET_STRING`].
const FSCONFIG_SET_PATH_EMPTY: u64 = 4;

/// See [`FSCONFIG_SET_STRING`]: the last command with a key.
const FSCONFIG_SET_FD: u64 = 5;

/// statx's flags as strace 6.1 prints them: the AT_STATX_SYNC_TYPE field's bits as flags
/// (AT_STATX_SYNC_AS_STAT is their zero), then `|` and the other flags if any, both without
/// a default: `AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW`, raw `|0x100` (the zero prints as
/// nothing), verbose `0 /* AT_STATX_SYNC_AS_STAT */|0x100 /* AT_SYMLINK_NOFOLLOW */`.
fn statx_flags(value: u64, st: Style) -> String {
    let Some(set) = syscalls::xlat_set("statx_flags") else {
        return hex(value);
    };
    let value = value & set.width_mask();
    let sync_mask = set.fields.first().map_or(0, |f| f.mask);
    let part = |field: u8, bits: u64| {
        let names = set
            .entries
            .iter()
            .filter(|e| e.field == field)
            .map(|e| (e.value, e.name));
        crate::xlat::flags_without_default(names, bits, st)
    };
    let mut text = part(1, value & sync_mask);
    let rest = value & !sync_mask;
    if rest != 0 {
        text.push('|');
        text.push_str(&part(0, rest));
    }
    text
}

/// A `st_mode` value: `S_IFREG|0644`, `S_IFDIR|S_ISVTX|0777`; in octal under -X raw
/// (`0100644`), both under -X verbose (`0100644 /* S_IFREG|0644 */`).
fn file_mode(mode: u64, st: Style) -> String {
    set_text("file_mode", mode, st)
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
fn stat(b: &[u8], verbose: bool, st: Style) -> String {
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
fn stat_i386(b: &[u8], verbose: bool, st: Style) -> String {
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
fn stat64_i386(b: &[u8], verbose: bool, st: Style) -> String {
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
        format!("st_rdev={}", dev(f.rdev, st))
    } else {
        format!("st_size={}", f.size)
    };
    if !verbose {
        return format!("{{st_mode={}, {middle}, ...}}", file_mode(f.mode, st));
    }
    format!(
        "{{st_dev={}, st_ino={}, st_mode={}, st_nlink={}, st_uid={}, st_gid={}, st_blksize={}, st_blocks={}, {middle}, {}, {}, {}}}",
        dev(f.dev, st),
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
fn statx(b: &[u8], verbose: bool, st: Style) -> String {
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

/// The `linux_dirent64` records of a getdents64 buffer, as strace -v prints them:
/// `[{d_ino=2, d_off=1, d_reclen=24, d_type=DT_DIR, d_name="."}, ...]`.
fn dirents64(b: &[u8], st: Style, strings: Hex) -> String {
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
fn dirents(b: &[u8], st: Style, l: Layout, strings: Hex) -> String {
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

/// Where `d_reclen` is in a getdents record: after two u64s in `linux_dirent64`, after
/// two longs in `linux_dirent` (16 on x86_64, 8 on i386).
fn reclen_at(fmt: Fmt, l: Layout) -> usize {
    match fmt {
        Fmt::Dirents => 2 * l.long,
        _ => 16,
    }
}

/// The longest `d_name` strace prints of readdir's entry (its D_NAME_LEN_MAX).
const D_NAME_MAX: usize = 256;

/// Bytes of readdir's entry read first: as many as a probe captures of an argument.
const OLD_DIRENT_FIRST: usize = 256;

/// Capture key of the rest of a readdir entry's name past [`OLD_DIRENT_FIRST`].
const OLD_DIRENT_REST_KEY: u32 = 540;

/// Whether readdir's entry, read to `b`'s end, holds more of its name than `b` does: no
/// NUL ends it within the d_reclen bytes strace prints of it.
fn old_dirent_name_goes_on(b: &[u8], l: Layout) -> bool {
    let header = old_dirent_header(l);
    let Some(name) = b.get(header..) else {
        return false;
    };
    let n = (u16_at(b, 2 * l.long) as usize).min(D_NAME_MAX);
    n >= name.len() && !name.contains(&0)
}

/// Bytes of `struct old_linux_dirent` before its name: `d_ino`, `d_offset` (longs) and
/// `d_namlen`.
fn old_dirent_header(l: Layout) -> usize {
    2 * l.long + 2
}

/// readdir's `struct old_linux_dirent` at `addr`, as strace's print_old_dirent: the
/// header (d_reclen is the kernel's d_namlen), then at most that much of the name,
/// `...` after it when no NUL ends it there:
/// `{d_ino=19, d_off=108735049, d_reclen=3, d_name="etc"}`. None when the header cannot
/// be read (strace reads the structure whole, its one-byte name padded to a long).
fn old_dirent(addr: u64, b: &[u8], l: Layout, strings: Hex) -> Option<String> {
    let header = old_dirent_header(l);
    if b.len() < (header + 1).next_multiple_of(l.long) {
        return None;
    }
    let reclen = u16_at(b, 2 * l.long);
    let n = (reclen as usize).min(D_NAME_MAX);
    let name = &b[header..];
    let name_text = match name.iter().take(n + 1).position(|&c| c == 0) {
        Some(nul) => quote(&name[..nul], strings),
        None if name.len() > n => format!("{}...", quote(&name[..n], strings)),
        // Unreadable before its end: strace prints the name's address.
        None => ptr(addr + header as u64),
    };
    Some(format!(
        "{{d_ino={}, d_off={}, d_reclen={reclen}, d_name={name_text}}}",
        l.ulong(b, 0),
        l.ulong(b, l.long)
    ))
}

/// How many records a getdents buffer holds whose `d_reclen` is at `reclen_at` (16 in
/// `linux_dirent64` and x86_64's `linux_dirent`, 8 in i386's, after two 32-bit longs).
fn count_dirents(b: &[u8], reclen_at: usize) -> usize {
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
fn statfs(b: &[u8], st: Style, l: Layout) -> String {
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
fn statfs64_i386(b: &[u8], st: Style) -> String {
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
const STATFS64_I386_SIZE: usize = 84;

/// Bytes of `struct statfs` read for its printed fields.
fn statfs_size(l: Layout) -> usize {
    10 * l.long + 8
}

/// `struct flock` as a lock request: `{l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0,
/// l_len=0}`; with `l_pid=N` too when `with_pid` (as F_GETLK fills it). Two shorts, then
/// longs start, len and the pid (x86_64: 32 bytes; i386: 16).
fn flock(b: &[u8], st: Style, l: Layout, with_pid: bool) -> String {
    flock_text(
        b,
        st,
        (l.slong(b, l.long), l.slong(b, 2 * l.long)),
        with_pid.then(|| u32_at(b, 3 * l.long) as i32),
    )
}

/// i386's `struct flock64` (24 bytes packed to 4: 64-bit start and len at 4 and 12, the
/// pid at 20), as [`flock`] prints it.
fn flock64_i386(b: &[u8], st: Style, with_pid: bool) -> String {
    flock_text(
        b,
        st,
        (u64_at(b, 4) as i64, u64_at(b, 12) as i64),
        with_pid.then(|| u32_at(b, 20) as i32),
    )
}

/// Bytes of i386's `struct flock64`.
const FLOCK64_I386_SIZE: usize = 24;

fn flock_text(b: &[u8], st: Style, (start, len): (i64, i64), pid: Option<i32>) -> String {
    let pid_text = pid.map_or(String::new(), |p| format!(", l_pid={p}"));
    format!(
        "{{l_type={}, l_whence={}, l_start={start}, l_len={len}{pid_text}}}",
        set_text("flock_type", u16_at(b, 0) as i16 as u64, st),
        set_text("lseek_whence", u16_at(b, 2) as i16 as u64, st),
    )
}

/// utimensat's `struct timespec[2]`, with UTIME_NOW and UTIME_OMIT named.
fn utimens(b: &[u8], l: Layout, st: Style) -> String {
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

/// `struct utimbuf` with strace's date comments.
fn utimbuf(b: &[u8]) -> String {
    let (a, m) = (u64_at(b, 0) as i64, u64_at(b, 8) as i64);
    format!(
        "{{actime={a}{}, modtime={m}{}}}",
        date_comment(a, 0, 0),
        date_comment(m, 0, 0)
    )
}

/// `struct open_how`: `{flags=O_RDONLY|O_CLOEXEC, resolve=RESOLVE_NO_SYMLINKS}`; the mode
/// where it matters or is set, the resolve flags when set.
fn open_how(b: &[u8], st: Style) -> String {
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

/// Whether a mknod mode creates a device (the only case its device number is printed).
fn mode_is_device(mode: u64) -> bool {
    is_device(mode)
}

/// `struct file_handle`: `{handle_bytes=8, handle_type=1, f_handle="\\x.."}`; with the size
/// the caller gave (`given`, name_to_handle_at) a changed size prints `128 => 8`.
fn file_handle(b: &[u8], given: Option<u32>, full: bool) -> String {
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
fn f_owner_ex(b: &[u8], st: Style) -> String {
    format!(
        "{{type={}, pid={}}}",
        set_text("f_owner_types", u32_at(b, 0), st),
        u32_at(b, 4) as i32
    )
}

/// `struct mount_attr` (mount_setattr): `{attr_set=MOUNT_ATTR_RDONLY, attr_clr=0,
/// propagation=MS_PRIVATE, userns_fd=0}`.
fn mount_attr(b: &[u8], st: Style) -> String {
    format!(
        "{{attr_set={}, attr_clr={}, propagation={}, userns_fd={}}}",
        set_text("mount_attr", u64_at(b, 0), st),
        set_text("mount_attr", u64_at(b, 8), st),
        set_text("mount_propagation", u64_at(b, 16), st),
        u64_at(b, 24)
    )
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

/// A device number for mknod: `makedev(0x1, 0x3)`.
fn dev(dev: u64, st: Style) -> String {
    makedev(dev, st)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_modes_print_as_strace() {
        assert_eq!(file_mode(0o100644, Style::Abbrev), "S_IFREG|0644");
        assert_eq!(file_mode(0o100644, Style::Raw), "0100644");
        assert_eq!(
            file_mode(0o40755, Style::Verbose),
            "040755 /* S_IFDIR|0755 */"
        );
        assert_eq!(file_mode(0o41777, Style::Abbrev), "S_IFDIR|S_ISVTX|0777");
    }

    // Expected strings: strace 6.1's readdir lines (i386), the last on a made-up name
    // longer than its d_reclen.
    #[test]
    fn old_dirents_print_their_header_and_as_much_of_the_name_as_reclen_says() {
        let mut ent: Vec<u8> = [19u32, 108_735_049]
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        ent.extend_from_slice(&3u16.to_le_bytes());
        ent.extend_from_slice(b"etc\0\0\0");
        assert_eq!(
            old_dirent(0x1000, &ent, Layout::I386, Hex::None).as_deref(),
            Some(r#"{d_ino=19, d_off=108735049, d_reclen=3, d_name="etc"}"#)
        );
        ent[8] = 2;
        assert_eq!(
            old_dirent(0x1000, &ent, Layout::I386, Hex::None).as_deref(),
            Some(r#"{d_ino=19, d_off=108735049, d_reclen=2, d_name="et"...}"#)
        );
        assert_eq!(
            old_dirent(0x1000, &ent[..11], Layout::I386, Hex::None),
            None
        );
        assert!(!old_dirent_name_goes_on(&ent, Layout::I386));
        // A name longer than a probe's capture holds: read on, printed whole.
        let mut long = ent[..8].to_vec();
        long.extend_from_slice(&250u16.to_le_bytes());
        long.extend(std::iter::repeat_n(b'x', 250));
        long.push(0);
        assert!(old_dirent_name_goes_on(
            &long[..OLD_DIRENT_FIRST],
            Layout::I386
        ));
        let text = old_dirent(0x1000, &long, Layout::I386, Hex::None).expect("an entry");
        assert!(text.ends_with(&format!("d_reclen=250, d_name=\"{}\"}}", "x".repeat(250))));
        assert_eq!(
            old_dirent(0x1000, &long[..OLD_DIRENT_FIRST], Layout::I386, Hex::None).as_deref(),
            Some("{d_ino=19, d_off=108735049, d_reclen=250, d_name=0x100a}")
        );
    }

    // Expected string: the form strace 6.1 printed for trace_i386's calls, on values made
    // up to tell the field widths apart.
    #[test]
    fn i386_flock64_packs_start_and_len_after_the_shorts() {
        let mut lock = vec![1, 0, 0, 0];
        lock.extend_from_slice(&20u64.to_le_bytes());
        lock.extend_from_slice(&5u64.to_le_bytes());
        lock.extend_from_slice(&7u32.to_le_bytes());
        assert_eq!(
            flock64_i386(&lock, Style::Abbrev, true),
            "{l_type=F_WRLCK, l_whence=SEEK_SET, l_start=20, l_len=5, l_pid=7}"
        );
    }
}

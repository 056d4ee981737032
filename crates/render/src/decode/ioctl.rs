//! ioctl: its request (`TCGETS`, `_IOC(...)`) and its third argument by the command's
//! subsystem: terminals ([`term`]), filesystems ([`fs`]), network interfaces ([`ifreq`]);
//! and the memory those point to.

mod fs;
mod ifreq;
mod request;
mod term;

use fs::{fiemap_in, fiemap_out, file_clone_range, fsxattr};
use ifreq::{ifreq_field, ifreq_name};
use term::{termio, termios, termios2, winsize};

use super::basic::{ArgPlan, in_struct, le_word, le64};
use super::decoder::{CallView, Decoder};
use crate::escape::quote;
use crate::prim::{ptr, set_text};
use crate::specs::{self, Fmt};
use crate::xlat::hex;
use events::{Capture, Mem, MemReader};

impl Decoder {
    /// Argument `i` in an ioctl format: the request, or the argument it takes.
    pub(super) fn ioctl_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
        Some(match fmt {
            Fmt::IoctlRequest => request::request_text(raw, st),
            Fmt::IoctlArg => return self.ioctl_third(raw, v, i),
            _ => unreachable!("{fmt:?} is not a format of the ioctl family"),
        })
    }

    /// What ioctl's argument needs read for its command: the structure, the array it
    /// points to or ends with, the descriptors inside it (-y).
    pub(super) fn plan_ioctl(
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
            ..
        } = p;
        Some(match fmt {
            Fmt::IoctlArg => match specs::ioctl_param(entry.args[1]) {
                // Read where it prints: at entry what the kernel reads, at exit what
                // it wrote (both for what prints `in => out`).
                Some(arg) if arg.capture_size(at_exit) > 0 => {
                    let data = mem.read_bytes(addr, arg.capture_size(at_exit));
                    self.plan_ioctl_array(arg, &data, addr, at_exit, mem, out);
                    if !at_exit && self.opts.decode_fds {
                        self.plan_ioctl_fds(arg, &data, mem, out);
                    }
                    data
                }
                _ => return None,
            },
            _ => return None,
        })
    }

    /// ioctl's third argument as strace prints it for the command (see
    /// [`specs::ioctl_param`]); unknown commands print it in hex.
    fn ioctl_third(&self, raw: u64, v: &CallView<'_>, i: usize) -> Option<String> {
        use specs::IoctlParam as A;
        let Some(arg) = specs::ioctl_param(v.arg(1)) else {
            return Some(hex(raw));
        };
        // Outside -e verbose=, what the argument points to is not fetched.
        if self.shallow && !matches!(arg, A::Nothing | A::Int | A::Uint | A::Value(_) | A::CharIn) {
            return Some(ptr(raw));
        }
        let st = self.opts.style;
        let verbose = self.opts.verbose;
        let u32_at = |b: &[u8]| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        let int = |b: &[u8]| format!("[{}]", u32_at(b) as i32);
        Some(match arg {
            A::Nothing => return None,
            A::Int => (raw as i32).to_string(),
            A::IntIn => in_struct(raw, v.entry_mem(i as u32), int),
            A::IntOut => self.out_struct(raw, v, i, int),
            A::Value(set) => set_text(set, raw as u32 as u64, st),
            A::FlagsIn(set) => in_struct(raw, v.entry_mem(i as u32), |b| {
                format!("[{}]", set_text(set, u32_at(b), st))
            }),
            A::FlagsOut(set) => {
                self.out_struct(raw, v, i, |b| format!("[{}]", set_text(set, u32_at(b), st)))
            }
            A::TermioIn => in_struct(raw, v.entry_mem(i as u32), |b| termio(b, verbose, st)),
            A::TermioOut => self.out_struct(raw, v, i, |b| termio(b, verbose, st)),
            A::TermiosIn => in_struct(raw, v.entry_mem(i as u32), |b| termios(b, verbose, st)),
            A::TermiosOut => self.out_struct(raw, v, i, |b| termios(b, verbose, st)),
            A::Termios2In => in_struct(raw, v.entry_mem(i as u32), |b| termios2(b, verbose, st)),
            A::Termios2Out => self.out_struct(raw, v, i, |b| termios2(b, verbose, st)),
            A::WinsizeIn => in_struct(raw, v.entry_mem(i as u32), winsize),
            A::WinsizeOut => self.out_struct(raw, v, i, winsize),
            A::CharIn => in_struct(raw, v.entry_mem(i as u32), |b| quote(b, self.opts.hex)),
            A::Uint => raw.to_string(),
            A::UintOut => self.out_struct(raw, v, i, |b| format!("[{}]", u32_at(b))),
            A::U16Out => self.out_struct(raw, v, i, |b| {
                format!("[{}]", u16::from_le_bytes([b[0], b[1]]))
            }),
            A::LongOut => self.out_struct(raw, v, i, |b| format!("[{}]", le64(b, 0) as i64)),
            A::U64Out => self.out_struct(raw, v, i, |b| format!("[{}]", le64(b, 0))),
            A::RangeIn => in_struct(raw, v.entry_mem(i as u32), |b| {
                format!("[{}, {}]", le64(b, 0), le64(b, 8))
            }),
            A::CloneRangeIn => in_struct(raw, v.entry_mem(i as u32), |b| {
                file_clone_range(b, &|k, fd| self.ioctl_fd(v, k, fd))
            }),
            A::DedupeRange => self.dedupe_range(raw, v, i),
            A::Fiemap => {
                let text = in_struct(raw, v.entry_mem(i as u32), |b| fiemap_in(b, st));
                match v.written(i as u32) {
                    Some(bytes) if raw != 0 => {
                        let extents = match v.exit_mem(IOCTL_ARRAY_KEY) {
                            Some(Mem::Bytes { bytes, .. }) if self.opts.verbose => Some(&bytes[..]),
                            _ => None,
                        };
                        format!("{text} => {}", fiemap_out(bytes, extents, st))
                    }
                    _ => text,
                }
            }
            A::FsxattrIn => in_struct(raw, v.entry_mem(i as u32), |b| fsxattr(b, false, st)),
            A::FsxattrOut => self.out_struct(raw, v, i, |b| fsxattr(b, true, st)),
            A::IfreqIn(field) => in_struct(raw, v.entry_mem(i as u32), |b| {
                format!(
                    "{{{}, {}}}",
                    ifreq_name(b, self.opts.hex),
                    ifreq_field(b, field, st, self.opts.hex)
                )
            }),
            A::IfreqOut(field) => self.ifreq_out(raw, v, i, field),
            A::Ifconf => self.ifconf(raw, v, i),
        })
    }

    /// Descriptor `fd`, the `k`th inside an ioctl's structure, with its path under -y.
    fn ioctl_fd(&self, v: &CallView<'_>, k: usize, fd: i64) -> String {
        self.fd_text(fd, v.entry_mem(IOCTL_FD_KEY + k as u32))
    }

    /// The array an ioctl's structure points to or ends with, read after its header
    /// `data`: FIDEDUPERANGE's destinations, SIOCGIFCONF's interfaces, FS_IOC_FIEMAP's
    /// extents (printed only under -v).
    fn plan_ioctl_array(
        &self,
        arg: specs::IoctlParam,
        data: &Mem,
        addr: u64,
        at_exit: bool,
        mem: &mut dyn MemReader,
        out: &mut Vec<Capture>,
    ) {
        let Mem::Bytes {
            bytes,
            complete: true,
        } = data
        else {
            return;
        };
        let (base, count, size) = match arg {
            specs::IoctlParam::DedupeRange => (
                addr + specs::DEDUPE_HEADER as u64,
                u64::from(u16::from_le_bytes([bytes[16], bytes[17]])),
                specs::DEDUPE_INFO,
            ),
            specs::IoctlParam::Ifconf => {
                let len = i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
                let count = len.max(0) as usize / specs::IFREQ_SIZE;
                (le64(bytes, 8), count as u64, specs::IFREQ_SIZE)
            }
            specs::IoctlParam::Fiemap if at_exit && self.opts.verbose => (
                addr + specs::FIEMAP_HEADER as u64,
                le_word(bytes, 20, 4),
                specs::FIEMAP_EXTENT,
            ),
            _ => return,
        };
        if base == 0 {
            return;
        }
        let shown = self.array_shown(count);
        out.push(Capture {
            key: IOCTL_ARRAY_KEY,
            data: mem.read_bytes(base, shown * size),
        });
    }

    /// For -y, the paths of the descriptors inside an ioctl's structure, under
    /// [`IOCTL_FD_KEY`] + their place: FICLONERANGE's source, FIDEDUPERANGE's destinations
    /// (as many as print).
    fn plan_ioctl_fds(
        &self,
        arg: specs::IoctlParam,
        data: &Mem,
        mem: &mut dyn MemReader,
        out: &mut Vec<Capture>,
    ) {
        let Mem::Bytes { bytes, .. } = data else {
            return;
        };
        let fds: Vec<u64> = match arg {
            specs::IoctlParam::CloneRangeIn => vec![le64(bytes, 0)],
            specs::IoctlParam::DedupeRange => match Capture::find(out, IOCTL_ARRAY_KEY) {
                Some(Mem::Bytes { bytes, .. }) => bytes
                    .chunks_exact(specs::DEDUPE_INFO)
                    .take(self.dedupe_shown())
                    .map(|info| le64(info, 0))
                    .collect(),
                _ => return,
            },
            _ => return,
        };
        for (k, fd) in fds.into_iter().enumerate() {
            let fd = fd as i64 as i32;
            if fd >= 0 {
                let data = self.fd_capture(fd, mem);
                out.push(Capture {
                    key: IOCTL_FD_KEY + k as u32,
                    data,
                });
            }
        }
    }
}

/// Capture keys of the paths (-y) of the descriptors inside an ioctl's structure, one per
/// place; far above every other key.
const IOCTL_FD_KEY: u32 = 1 << 20;

/// Capture key of the array an ioctl's structure points to (FIDEDUPERANGE's
/// destinations, SIOCGIFCONF's interfaces).
const IOCTL_ARRAY_KEY: u32 = 304;

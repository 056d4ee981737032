//! Asynchronous I/O: io_submit's `struct iocb`s (with their buffers and descriptors),
//! io_getevents's `struct io_event`s and io_uring_setup's `struct io_uring_params`.

use super::basic::{ArgPlan, layout};
use super::decoder::{CallView, Decoder};
use super::iovec::{IovPlan, capture_iov, iov_addrs};
use crate::prim::{Layout, u16_at, u32_at, u64_at};
use crate::prim::{bracket_list, ptr, set_text, styled};
use crate::specs::Fmt;
use crate::xlat::{Style, hex};
use events::{Capture, Mem, MemReader};

impl Decoder {
    /// Argument `i` in an asynchronous I/O format: io_submit's iocbs, io_getevents's events,
    /// io_uring_setup's parameters.
    pub(super) fn aio_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
        let l = layout(v.entry);
        Some(match fmt {
            Fmt::IocbArrayIn(n) => match v.entry_mem(i as u32) {
                Some(Mem::Bytes { bytes, .. }) if (v.arg(n as usize) as i64) >= 0 => {
                    let items = bytes
                        .chunks_exact(l.long)
                        .enumerate()
                        .map(|(k, p)| self.iocb(l.ulong(p, 0), k, v, l));
                    self.array_text(items, v.arg(n as usize))
                }
                _ => ptr(raw),
            },
            Fmt::IoEventsOut => match (v.ok_ret(), v.exit_mem(i as u32)) {
                (Some(n), Some(Mem::Bytes { bytes, .. })) => {
                    io_events(bytes, self.array_more(n.max(0) as u64))
                }
                _ => ptr(raw),
            },
            Fmt::IoUringParams => match v.entry_mem(i as u32) {
                Some(Mem::Bytes {
                    bytes,
                    complete: true,
                }) if raw != 0 => {
                    let written = match v.exit_mem(i as u32) {
                        Some(Mem::Bytes {
                            bytes,
                            complete: true,
                        }) => Some(&bytes[..]),
                        _ => None,
                    };
                    io_uring_params(bytes, written, st)
                }
                _ => ptr(raw),
            },
            _ => unreachable!("{fmt:?} is not a format of the aio family"),
        })
    }

    /// What an asynchronous I/O argument needs read: the iocbs and what they point to, the
    /// events, the io_uring parameters.
    pub(super) fn plan_aio(
        &self,
        fmt: Fmt,
        p: ArgPlan<'_>,
        mem: &mut dyn MemReader,
        out: &mut Vec<Capture>,
    ) -> Option<Mem> {
        let ArgPlan {
            entry, addr, ok, l, ..
        } = p;
        Some(match fmt {
            Fmt::IoUringParams if addr == 0 => return None,
            Fmt::IoUringParams => mem.read_bytes(addr, IO_URING_PARAMS_SIZE),
            Fmt::IoEventsOut => {
                let n = ok.unwrap_or(0).max(0) as u64;
                mem.read_bytes(addr, self.array_shown(n) * IO_EVENT_SIZE)
            }
            Fmt::IocbArrayIn(n) if (entry.args[n as usize] as i64) < 0 => return None,
            Fmt::IocbArrayIn(n) => self.plan_iocbs(addr, entry.args[n as usize], l, mem, out),
            _ => return None,
        })
    }

    /// io_submit's `k`th iocb, at `addr`: its fields, or the address when unreadable.
    fn iocb(&self, addr: u64, k: usize, v: &CallView<'_>, l: Layout) -> String {
        let Some(Mem::Bytes {
            bytes: cb,
            complete: true,
        }) = v.entry_mem(IOCB_KEY + k as u32)
        else {
            return ptr(addr);
        };
        let fd =
            |which: IocbFd, fd: i32| self.fd_text(fd.into(), v.entry_mem(iocb_fd_key(k, which)));
        iocb(cb, self.iocb_data(cb, v, k, l), &fd, self.opts.style)
    }

    /// What stands for the buffer of io_submit's `k`th iocb `cb`: a PWRITE's data, a
    /// vectored command's iovec array (PWRITEV's buffers as strings, PREADV's as addresses).
    fn iocb_data(&self, cb: &[u8], v: &CallView<'_>, k: usize, l: Layout) -> Option<String> {
        let key = IOCB_BUF_KEY + k as u32;
        if let Some((buf, len)) = iocb_write_buf(cb) {
            return Some(self.buf(buf, len, v.entry_mem(key), false));
        }
        let (buf, count, strings) = iocb_vector(cb)?;
        Some(match v.entry_mem(key) {
            Some(Mem::Bytes { bytes, .. }) if !strings => iov_addrs(bytes, l.long, count),
            _ => {
                let slot = IOCB_SLOT + k;
                self.iovec_at(buf, count, &v.entry.mem, key, slot, None, l.long)
            }
        })
    }

    /// Reads io_submit's iocb pointer array at `addr` (as many of its `count` as print),
    /// capturing each iocb and each PWRITE's data up to -s.
    fn plan_iocbs(
        &self,
        addr: u64,
        count: u64,
        l: Layout,
        mem: &mut dyn MemReader,
        out: &mut Vec<Capture>,
    ) -> Mem {
        let arr = mem.read_bytes(addr, l.long * self.array_shown(count));
        if let Mem::Bytes { bytes, .. } = &arr {
            for (k, p) in bytes.chunks_exact(l.long).enumerate() {
                let cb = mem.read_bytes(l.ulong(p, 0), IOCB_SIZE);
                if let Mem::Bytes {
                    bytes: cb,
                    complete: true,
                } = &cb
                {
                    for (which, fd) in iocb_fds(cb) {
                        if self.opts.decode_fds && fd >= 0 {
                            out.push(Capture {
                                key: iocb_fd_key(k, which),
                                data: self.fd_capture(fd, mem),
                            });
                        }
                    }
                    if let Some((buf, len)) = iocb_write_buf(cb) {
                        out.push(Capture {
                            key: IOCB_BUF_KEY + k as u32,
                            data: mem.read_bytes(buf, self.buf_read(len)),
                        });
                    }
                    if let Some((buf, count, strings)) = iocb_vector(cb) {
                        // PREADV's buffers print as addresses: none of their data is read.
                        let left = if strings { u64::MAX } else { 0 };
                        let iov = IovPlan {
                            slot: IOCB_SLOT + k,
                            max: self.strsize(),
                            items: self.iov_items(count),
                            word: l.long,
                        };
                        let arr = capture_iov(mem, buf, count, left, iov, out);
                        out.push(Capture {
                            key: IOCB_BUF_KEY + k as u32,
                            data: arr,
                        });
                    }
                }
                out.push(Capture {
                    key: IOCB_KEY + k as u32,
                    data: cb,
                });
            }
        }
        arr
    }
}

/// Capture keys of io_submit's iocbs (element k at IOCB_KEY + k) and of their PWRITE data.
const IOCB_KEY: u32 = 7_000_000;
const IOCB_BUF_KEY: u32 = 8_000_000;

/// The capture key of -y's path of a descriptor of io_submit's `k`th iocb.
fn iocb_fd_key(k: usize, which: IocbFd) -> u32 {
    8_400_000 + 2 * k as u32 + u32::from(which == IocbFd::Resfd)
}

/// The iovec slot of io_submit's `k`th vectored iocb: IOCB_SLOT + k.
const IOCB_SLOT: usize = 9_000;

/// A `struct io_event` array (four 64-bit fields each), `...` closing it when `more`
/// follow than were read: `[{data=0x2a, obj=0x1000, res=4, res2=0}]`.
fn io_events(b: &[u8], more: bool) -> String {
    let items: Vec<String> = b
        .chunks_exact(IO_EVENT_SIZE)
        .map(|e| {
            format!(
                "{{data={}, obj={}, res={}, res2={}}}",
                hex(u64_at(e, 0)),
                hex(u64_at(e, 8)),
                u64_at(e, 16) as i64,
                u64_at(e, 24) as i64
            )
        })
        .collect();
    bracket_list(items, more)
}

/// Bytes of a `struct io_event`, the same in every ABI.
const IO_EVENT_SIZE: usize = 32;

/// The size of `struct io_uring_params`.
const IO_URING_PARAMS_SIZE: usize = 120;

/// `struct io_uring_params` as strace prints it: the flags, CPU and idle time the caller
/// set (with wq_fd under IORING_SETUP_ATTACH_WQ, resv when not zero), then from what
/// the kernel `written`, the ring sizes, features and offsets.
fn io_uring_params(b: &[u8], written: Option<&[u8]>, st: Style) -> String {
    let flags = u32_at(b, 8);
    let mut out = format!(
        "{{flags={}, sq_thread_cpu={}, sq_thread_idle={}",
        set_text("io_uring_setup_flags", flags, st),
        hex(u32_at(b, 12)),
        u32_at(b, 16)
    );
    let attach_wq = syscalls::xlat_set("io_uring_setup_flags")
        .and_then(|s| s.value_of("IORING_SETUP_ATTACH_WQ"))
        .unwrap_or(0);
    if flags & attach_wq != 0 {
        out += &format!(", wq_fd={}", u32_at(b, 24) as i32);
    }
    let resv = [u32_at(b, 28), u32_at(b, 32), u32_at(b, 36)];
    if resv.iter().any(|&r| r != 0) {
        let r: Vec<String> = resv.iter().map(|&v| hex(v)).collect();
        out += &format!(", resv=[{}]", r.join(", "));
    }
    if let Some(w) = written {
        let ring = |off: usize, names: [&str; 7]| {
            let mut f: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(k, n)| format!("{n}={}", u32_at(w, off + 4 * k)))
                .collect();
            if u32_at(w, off + 28) != 0 {
                f.push(format!("resv1={}", hex(u32_at(w, off + 28))));
            }
            if u64_at(w, off + 32) != 0 {
                f.push(format!("resv2={}", hex(u64_at(w, off + 32))));
            }
            format!("{{{}}}", f.join(", "))
        };
        out += &format!(
            ", sq_entries={}, cq_entries={}, features={}, sq_off={}, cq_off={}",
            u32_at(w, 0),
            u32_at(w, 4),
            set_text("io_uring_features", u32_at(w, 20), st),
            ring(
                40,
                [
                    "head",
                    "tail",
                    "ring_mask",
                    "ring_entries",
                    "flags",
                    "dropped",
                    "array"
                ]
            ),
            ring(
                80,
                [
                    "head",
                    "tail",
                    "ring_mask",
                    "ring_entries",
                    "overflow",
                    "cqes",
                    "flags"
                ]
            )
        );
    }
    out + "}"
}

/// Bytes of a `struct iocb` (the same in every ABI).
const IOCB_SIZE: usize = 64;

/// The buffer of an iocb whose data strace prints as a string: an IOCB_CMD_PWRITE's
/// `(aio_buf, aio_nbytes)`, when the length is a valid one.
fn iocb_write_buf(b: &[u8]) -> Option<(u64, u64)> {
    let (buf, nbytes) = (u64_at(b, 24), u64_at(b, 32));
    (u16_at(b, 16) == IOCB_CMD_PWRITE && (nbytes as i64) >= 0).then_some((buf, nbytes))
}

/// The iovec array of a valid vectored iocb (IOCB_CMD_PREADV, IOCB_CMD_PWRITEV):
/// `(aio_buf, aio_nbytes, whether its buffers print as strings)` (PWRITEV's do).
fn iocb_vector(b: &[u8]) -> Option<(u64, u64, bool)> {
    let (opcode, buf, nbytes) = (u16_at(b, 16), u64_at(b, 24), u64_at(b, 32));
    let vector = opcode == IOCB_CMD_PREADV || opcode == IOCB_CMD_PWRITEV;
    (vector && (nbytes as i64) >= 0).then_some((buf, nbytes, opcode == IOCB_CMD_PWRITEV))
}

const IOCB_CMD_PWRITE: u64 = 1;
const IOCB_CMD_PREADV: u64 = 7;
const IOCB_CMD_PWRITEV: u64 = 8;
const IOCB_FLAG_RESFD: u64 = 1;
const IOCB_FLAG_IOPRIO: u64 = 2;

/// The descriptors of a `struct iocb`: the one it works on, and the eventfd it signals
/// (IOCB_FLAG_RESFD).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IocbFd {
    /// aio_fildes.
    Fildes,
    /// aio_resfd, under IOCB_FLAG_RESFD.
    Resfd,
}

/// The descriptors of iocb `b` that print as descriptors (with -y's paths).
fn iocb_fds(b: &[u8]) -> Vec<(IocbFd, i32)> {
    let mut fds = vec![(IocbFd::Fildes, u32_at(b, 20) as i32)];
    if u32_at(b, 56) & IOCB_FLAG_RESFD != 0 {
        fds.push((IocbFd::Resfd, u32_at(b, 60) as i32));
    }
    fds
}

/// `struct iocb` as strace's print_iocb: the header, then what the command uses, `data`
/// standing for its buffer when the caller decoded it (a PWRITE's data, already quoted; a
/// vectored command's iovec array) and `fd` printing its descriptors; the fields zero by
/// default only when set.
fn iocb(b: &[u8], data: Option<String>, fd: &dyn Fn(IocbFd, i32) -> String, st: Style) -> String {
    let (key, rw_flags) = (u32_at(b, 8), u32_at(b, 12));
    let (opcode, reqprio) = (u16_at(b, 16), u16_at(b, 18) as u16 as i16);
    let (aio_buf, nbytes, offset) = (u64_at(b, 24), u64_at(b, 32), u64_at(b, 40) as i64);
    let (flags, resfd) = (u32_at(b, 56), u32_at(b, 60));
    let mut f = vec![format!("aio_data={}", hex(u64_at(b, 0)))];
    if key != 0 {
        f.push(format!("aio_key={key}"));
    }
    if rw_flags != 0 {
        f.push(format!(
            "aio_rw_flags={}",
            set_text("rwf_flags", rw_flags, st)
        ));
    }
    // An unknown command is `%u /* IOCB_CMD_??? */`, as strace's XLAT_STYLE_FMT_U.
    let cmds = syscalls::xlat_set("aio_cmds");
    let opcode_text = match cmds.and_then(|set| set.name_of(opcode)) {
        Some(_) => set_text("aio_cmds", opcode, st),
        None if st == Style::Raw => opcode.to_string(),
        None => format!("{opcode} /* IOCB_CMD_??? */"),
    };
    f.push(format!("aio_lio_opcode={opcode_text}"));
    if flags & IOCB_FLAG_IOPRIO != 0 {
        // strace's print_ioprio: the class in the top three bits, the level below.
        let (class, level) = ((reqprio as u16) >> 13, (reqprio as u16) & 0x1fff);
        let class = set_text("ioprio_class", class.into(), st);
        let value = format!("IOPRIO_PRIO_VALUE({class}, {level})");
        f.push(format!(
            "aio_reqprio={}",
            styled(value, &hex((reqprio as u16).into()), st)
        ));
    } else if reqprio != 0 {
        f.push(format!("aio_reqprio={reqprio}"));
    }
    f.push(format!(
        "aio_fildes={}",
        fd(IocbFd::Fildes, u32_at(b, 20) as i32)
    ));
    let vector = opcode == IOCB_CMD_PREADV || opcode == IOCB_CMD_PWRITEV;
    let (common, poll) = (opcode <= IOCB_CMD_PWRITE, opcode == 5);
    match data {
        Some(iov) if vector => f.push(format!("aio_buf={iov}, aio_offset={offset}")),
        _ if common || vector => {
            let buf = data.unwrap_or_else(|| hex(aio_buf));
            f.push(format!(
                "aio_buf={buf}, aio_nbytes={nbytes}, aio_offset={offset}"
            ));
        }
        _ => {}
    }
    if poll {
        f.push(format!("aio_buf={}", set_text("poll_events", aio_buf, st)));
    }
    if common || vector || poll {
        if flags != 0 {
            f.push(format!(
                "aio_flags={}",
                set_text("aio_iocb_flags", flags, st)
            ));
        }
        if flags & IOCB_FLAG_RESFD != 0 {
            f.push(format!("aio_resfd={}", fd(IocbFd::Resfd, resfd as i32)));
        } else if resfd != 0 {
            f.push(format!("aio_resfd={}", hex(resfd)));
        }
    }
    format!("{{{}}}", f.join(", "))
}

//! Descriptors in sets and arrays: pipe's pair, poll's pollfds, select's fd_sets (old
//! select's `struct sel_arg_struct` too), epoll's events; and how select ends.

use super::basic::{ArgPlan, complete, in_struct, layout, le_word};
use super::decoder::{CallView, Decoder, Shape};
use super::time::{timespec, timeval};
use crate::prim::{Layout, bracket_list, ptr, set_text, u16_at, u32_at, u64_at};
use crate::specs::Fmt;
use crate::xlat::Style;
use events::{Capture, Mem, MemReader, SyscallEntry};

impl Decoder {
    /// Argument `i` in a descriptor-set format: a pipe's pair, pollfds, an fd_set, old
    /// select's arguments, epoll events.
    pub(super) fn desc_arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
        let l = layout(v.entry);
        Some(match fmt {
            Fmt::PipeOut => self.out_struct(raw, v, i, |b| {
                let fd = |k: usize| {
                    let fd = u32_at(b, 4 * k) as i32;
                    self.fd_text(fd.into(), v.exit_mem(PIPE_FD_KEY + k as u32))
                };
                format!("[{}, {}]", fd(0), fd(1))
            }),
            // EPOLL_CTL_DEL ignores the event: strace prints its address.
            Fmt::EpollEventIn if Some(v.arg(1)) == epoll_ctl_del() => ptr(raw),
            Fmt::EpollEventIn => in_struct(raw, v.entry_mem(i as u32), |b| epoll_event(b, st)),
            Fmt::EpollEventsOut => match (v.ok_ret(), v.exit_mem(i as u32)) {
                (Some(n), Some(Mem::Bytes { bytes, .. })) => {
                    let items: Vec<String> =
                        bytes.chunks_exact(12).map(|b| epoll_event(b, st)).collect();
                    let more = n.max(0) as usize > items.len();
                    bracket_list(items, more)
                }
                _ => ptr(raw),
            },
            Fmt::PollFds(n) => match v.entry_mem(i as u32) {
                Some(Mem::Bytes { bytes, .. }) => {
                    let fd = |k: usize, fd: i32| {
                        self.fd_text(fd.into(), v.entry_mem(POLL_FD_KEY + k as u32))
                    };
                    let more = self.array_more(v.arg(n as usize));
                    pollfds(bytes, st, Some(&fd), more)
                }
                _ => ptr(raw),
            },
            Fmt::OldSelectArgs => return Some(self.old_select_args(raw, v, l)),
            Fmt::FdSetIn => match v.entry_mem(i as u32) {
                Some(Mem::Bytes { bytes, .. }) => {
                    let fd = |fd: usize| self.fd_text(fd as i64, v.entry_mem(fd_set_fd_key(i, fd)));
                    fd_set_with(bytes, v.arg(0) as usize, &fd)
                }
                _ => ptr(raw),
            },
            _ => unreachable!("{fmt:?} is not a format of the desc family"),
        })
    }

    /// What a descriptor-set argument needs read: the array or set, again at exit as the
    /// kernel left it, and under -y what each descriptor refers to.
    pub(super) fn plan_desc(
        &self,
        fmt: Fmt,
        p: ArgPlan<'_>,
        mem: &mut dyn MemReader,
        out: &mut Vec<Capture>,
    ) -> Option<Mem> {
        let ArgPlan {
            entry,
            i,
            addr,
            at_exit,
            ok,
            l,
            ..
        } = p;
        Some(match fmt {
            Fmt::OldSelectArgs => {
                self.plan_old_select(entry, at_exit, mem, out);
                return None;
            }
            Fmt::PipeOut => mem.read_bytes(addr, 8),
            Fmt::EpollEventIn => mem.read_bytes(addr, 12),
            Fmt::EpollEventsOut => {
                mem.read_bytes(addr, self.array_shown(ok.unwrap_or(0).max(0) as u64) * 12)
            }
            Fmt::PollFds(n) => {
                let len = self.array_shown(entry.args[n as usize]) * 8;
                if at_exit {
                    out.push(Capture {
                        key: POLL_REVENTS_KEY,
                        data: mem.read_bytes(addr, len),
                    });
                    return None;
                }
                let fds = mem.read_bytes(addr, len);
                if let Mem::Bytes { bytes, .. } = &fds
                    && self.opts.decode_fds
                {
                    // -y: what each descriptor of the request refers to.
                    for (k, p) in bytes.chunks_exact(8).enumerate() {
                        let fd = i32::from_le_bytes([p[0], p[1], p[2], p[3]]);
                        if fd >= 0 {
                            out.push(Capture {
                                key: POLL_FD_KEY + k as u32,
                                data: self.fd_capture(fd, mem),
                            });
                        }
                    }
                }
                fds
            }
            Fmt::FdSetIn => {
                let set = mem.read_bytes(addr, fd_set_size(entry.args[0], l));
                if at_exit {
                    // The sets as select left them: the ready descriptors.
                    out.push(Capture {
                        key: SELECT_READY_KEY + i as u32,
                        data: set,
                    });
                    return None;
                }
                if let Mem::Bytes { bytes, .. } = &set
                    && self.opts.decode_fds
                {
                    // -y: what each descriptor of the set refers to.
                    let nfds = (entry.args[0] as usize).min(bytes.len() * 8);
                    for fd in (0..nfds).filter(|&fd| bytes[fd / 8] & (1 << (fd % 8)) != 0) {
                        out.push(Capture {
                            key: fd_set_fd_key(i, fd),
                            data: self.fd_capture(fd as i32, mem),
                        });
                    }
                }
                set
            }
            _ => return None,
        })
    }

    /// `N (in [4], out [5], left {...})` or `0 (Timeout)`, as strace ends select calls.
    pub(super) fn select_ret(&self, n: i64, shape: &Shape, view: &CallView<'_>) -> String {
        if n == 0 {
            return "0 (Timeout)".into();
        }
        let nfds = match shape.fmts.first() {
            Some(Fmt::OldSelectArgs) => match view.entry_mem(0) {
                Some(Mem::Bytes { bytes, .. }) => le_word(bytes, 0, 4) as usize,
                _ => 0,
            },
            _ => view.arg(0) as usize,
        };
        let l = layout(view.entry);
        let mut parts = Vec::new();
        for (i, label) in [(1, "in"), (2, "out"), (3, "except")] {
            if let Some(Mem::Bytes { bytes, .. }) = view.exit_mem(SELECT_READY_KEY + i)
                && bytes.iter().any(|&b| b != 0)
            {
                parts.push(format!("{label} {}", fd_set(bytes, nfds)));
            }
        }
        let left = time_left(view, l);
        if let Some(left) = left {
            parts.push(format!("left {left}"));
        }
        if parts.is_empty() {
            n.to_string()
        } else {
            format!("{n} ({})", parts.join(", "))
        }
    }

    /// i386's old select: its one `struct sel_arg_struct` pointer printed as the five
    /// arguments it holds, `4, [3], NULL, NULL, {tv_sec=0, tv_usec=0}`.
    fn old_select_args(&self, raw: u64, v: &CallView<'_>, l: Layout) -> String {
        let Some(Mem::Bytes {
            bytes: args,
            complete: true,
        }) = v.entry_mem(0)
        else {
            return ptr(raw);
        };
        let word = |k: usize| le_word(args, 4 * k, 4);
        let nfds = word(0);
        let mut parts = vec![(nfds as u32 as i32).to_string()];
        for k in 1..=3 {
            parts.push(match v.entry_mem(OLD_SELECT_KEY + k as u32) {
                Some(Mem::Bytes { bytes, .. }) if word(k) != 0 => fd_set(bytes, nfds as usize),
                _ => ptr(word(k)),
            });
        }
        parts.push(in_struct(word(4), v.entry_mem(OLD_SELECT_KEY + 4), |b| {
            timeval(b, 0, l)
        }));
        parts.join(", ")
    }

    /// Captures old select's `struct sel_arg_struct` and what it points to: the sets and
    /// timeout at entry, the ready sets and the time left at exit (where select's own
    /// result printing looks for them).
    fn plan_old_select(
        &self,
        entry: &SyscallEntry,
        at_exit: bool,
        mem: &mut dyn MemReader,
        out: &mut Vec<Capture>,
    ) {
        let args = if at_exit {
            match Capture::find(&entry.mem, 0) {
                Some(m) => m.clone(),
                None => return,
            }
        } else {
            mem.read_bytes(entry.args[0], 20)
        };
        let Mem::Bytes {
            bytes,
            complete: true,
        } = &args
        else {
            return;
        };
        let l = layout(entry);
        let word = |k: usize| le_word(bytes, 4 * k, 4);
        for k in 1..=3 {
            if word(k) != 0 {
                let key = if at_exit {
                    SELECT_READY_KEY
                } else {
                    OLD_SELECT_KEY
                };
                out.push(Capture {
                    key: key + k as u32,
                    data: mem.read_bytes(word(k), fd_set_size(word(0), l)),
                });
            }
        }
        if word(4) != 0 {
            out.push(Capture {
                key: if at_exit {
                    SELECT_LEFT_KEY
                } else {
                    OLD_SELECT_KEY + 4
                },
                data: mem.read_bytes(word(4), l.timespec_size()),
            });
        }
        if !at_exit {
            out.push(Capture { key: 0, data: args });
        }
    }
}

/// Capture key of poll's pollfd array re-read at exit (revents).
pub(super) const POLL_REVENTS_KEY: u32 = 301;

/// The bytes of an `fd_set` of `nfds` descriptors: whole longs, up to 1024 descriptors.
fn fd_set_size(nfds: u64, l: Layout) -> usize {
    let bits = 8 * l.long;
    ((nfds as usize).div_ceil(bits) * l.long).min(1024 / 8)
}

/// The time a select or ppoll call had left, as the kernel wrote it back: a timeval
/// (select) or a timespec (pselect6, ppoll), if one was captured at exit.
pub(super) fn time_left(view: &CallView<'_>, l: Layout) -> Option<String> {
    if let Some(b) = complete(view.exit_mem(SELECT_LEFT_KEY)) {
        return Some(timeval(b, 0, l));
    }
    complete(view.exit_mem(SELECT_LEFT_KEY + 1)).map(|b| timespec(b, l))
}

/// epoll_ctl's delete operation, whose event argument is not read.
fn epoll_ctl_del() -> Option<u64> {
    syscalls::xlat_set("epoll_ctl_op").and_then(|set| set.value_of("EPOLL_CTL_DEL"))
}

/// Capture keys of what poll's descriptors refer to (`+ k` for the k-th), for -y.
const POLL_FD_KEY: u32 = 6_000_000;

/// Capture key of what descriptor `fd` of select's set in argument `arg` refers to (-y).
fn fd_set_fd_key(arg: usize, fd: usize) -> u32 {
    7_000_000 + (arg as u32) * 100_000 + fd as u32
}

/// Capture keys of what pipe's (and socketpair's) two new descriptors refer to (-y).
pub(super) const PIPE_FD_KEY: u32 = 6_500_000;

/// Capture keys of select's sets and timeout as the kernel left them.
const SELECT_READY_KEY: u32 = 470;
pub(super) const SELECT_LEFT_KEY: u32 = 480;

/// Capture keys of what old select's `struct sel_arg_struct` points to at entry: its
/// sets (+1 to +3) and its timeout (+4).
const OLD_SELECT_KEY: u32 = 490;

/// One packed x86_64 `struct epoll_event` (12 bytes).
fn epoll_event(b: &[u8], st: Style) -> String {
    let data = u64_at(b, 4);
    format!(
        "{{events={}, data={{u32={}, u64={data}}}}}",
        set_text("epoll_events", u32_at(b, 0), st),
        data as u32
    )
}

/// A `struct pollfd` array: at entry (`request` prints the k-th descriptor, with its -y
/// path) the events, or at exit (`None`) only the ready ones' revents; `...` closes it
/// when `more` descriptors follow than were read.
pub(super) fn pollfds(
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
pub(super) fn fd_set(b: &[u8], nfds: usize) -> String {
    fd_set_with(b, nfds, &|fd| fd.to_string())
}

/// An `fd_set` of `nfds` descriptors, each printed by `fd_text` (`[3</tmp/x> 4]` with -y).
fn fd_set_with(b: &[u8], nfds: usize, fd_text: &dyn Fn(usize) -> String) -> String {
    let set: Vec<String> = (0..nfds.min(b.len() * 8))
        .filter(|&fd| b[fd / 8] & (1 << (fd % 8)) != 0)
        .map(fd_text)
        .collect();
    format!("[{}]", set.join(" "))
}

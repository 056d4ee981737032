//! Argument decoders: how each syscall's arguments and return value print, and which
//! tracee memory that needs (the capture plan). Syscalls strace decodes specially are
//! described in [`crate::specs`]; every other one prints by the argument kinds of the
//! knowledge base.
//!
//! This module is the dispatcher: each format belongs to a family (see [`Family`]), whose
//! module prints it and plans its captures; [`decoder`] holds the decoder's state and
//! [`basic`] what every family builds on.

mod aio;
mod basic;
mod bpf;
mod decoder;
mod desc;
mod ioctl;
mod iovec;
mod ipc;
mod memory;
mod process;
mod quota;
mod security;
mod signal;
mod system;
mod time;

use basic::{AT_FDCWD, ArgPlan, FD_KEY_BASE, in_struct, is_i386, layout, le_word, le64, mem_u32};
use decoder::in_phase;
pub use decoder::{CallView, DecodeOptions, Decoder, PerCall, Shape};
use desc::{PIPE_FD_KEY, POLL_REVENTS_KEY, time_left};
use iovec::{IOV_MAX_ITEMS, IovPlan, capture_iov};
use process::{FUTEX_TIMEOUT_KEY, P_PIDFD, futex_waits};
use quota::quota_data;
use signal::SIGRETURN_KEY;

use crate::prim::{bracket_list, format_mode, ptr, set_text, signal, styled};
use crate::specs::{self, Fmt, Ret};
use crate::structs::{self, Layout};
use crate::xlat::{Style, hex};
use events::{Capture, CapturePlan, Mem, MemReader, SyscallEntry, SyscallResult};
use syscalls::Arch;

/// The families of the formats: each prints its formats and plans their captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// Numbers, addresses, descriptors, paths, strings, buffers, words ([`basic`]).
    Basic,
    /// quotactl's command and what it points to ([`quota`]).
    Quota,
    /// System V and POSIX IPC: keys, flags, semaphores, message queues ([`ipc`]).
    Ipc,
    /// Memory mappings, NUMA policies and page moves ([`memory`]).
    Memory,
    /// Times, timers and clocks: timespecs, timevals, itimers, timezones, timex ([`time`]).
    Time,
    /// Signal sets, actions, siginfo, alternate stacks, sigevents ([`signal`]).
    Signal,
    /// Asynchronous I/O: iocbs, io_events, io_uring parameters ([`aio`]).
    Aio,
    /// bpf's attributes ([`bpf`]).
    Bpf,
    /// Capabilities and landlock ([`security`]).
    Security,
    /// Processes: exec, clone, wait, limits, usage, prctl, futex ([`process`]).
    Process,
    /// The system: uname, sysinfo, kexec_load, perf_event_open ([`system`]).
    System,
    /// Descriptors in sets and arrays: pipes, poll, select, epoll ([`desc`]).
    Desc,
    /// I/O vectors: readv's and writev's, process_vm_readv's ([`iovec`]).
    Iov,
    /// ioctl: its request and its argument by the command's subsystem ([`ioctl`]).
    Ioctl,
    /// The formats not yet in a family of their own.
    Rest,
}

/// The family that prints `fmt`.
fn family(fmt: Fmt) -> Family {
    match fmt {
        Fmt::Int
        | Fmt::Long
        | Fmt::Uint
        | Fmt::Id
        | Fmt::Hex
        | Fmt::Ptr
        | Fmt::Fd
        | Fmt::Dirfd
        | Fmt::Path
        | Fmt::Str
        | Fmt::WBuf(_)
        | Fmt::RBuf(_)
        | Fmt::RBufHex(_)
        | Fmt::XattrList(_)
        | Fmt::RStr
        | Fmt::Set(_)
        | Fmt::Mode
        | Fmt::Signal
        | Fmt::IntOut
        | Fmt::IntPtrIn
        | Fmt::AddrOut
        | Fmt::LoffIn
        | Fmt::OffsetInOut
        | Fmt::LenInOut
        | Fmt::IdOut
        | Fmt::RemainOut
        | Fmt::Skip => Family::Basic,
        Fmt::QuotaCmd | Fmt::QuotaRest(_) => Family::Quota,
        Fmt::IpcKey
        | Fmt::ShmgetFlags
        | Fmt::SembufsIn(_)
        | Fmt::MqAttrIn
        | Fmt::MqAttrOut
        | Fmt::MqOpenAttr(_) => Family::Ipc,
        Fmt::MmapFlags
        | Fmt::MemfdFlags
        | Fmt::MremapNewAddr
        | Fmt::MincoreOut
        | Fmt::NodemaskIn(_)
        | Fmt::NodemaskOut(_)
        | Fmt::MempolicyOut
        | Fmt::PageStatusOut(_)
        | Fmt::PtrArrayIn(_)
        | Fmt::IntArrayIn(_) => Family::Memory,
        Fmt::TimespecIn
        | Fmt::TimespecOut
        | Fmt::ItimerspecIn
        | Fmt::ItimerspecOut
        | Fmt::ItimervalIn
        | Fmt::ItimervalOut
        | Fmt::TimevalIn
        | Fmt::TimevalOut
        | Fmt::TimevalPairIn
        | Fmt::TimezoneIn
        | Fmt::TimezoneOut
        | Fmt::TimexOut => Family::Time,
        Fmt::SigsetIn
        | Fmt::SigsetOut
        | Fmt::SigactionIn
        | Fmt::SigactionOut
        | Fmt::SiginfoIn
        | Fmt::SiginfoOut
        | Fmt::SigsetAddrSizeIn
        | Fmt::SigreturnMask
        | Fmt::StackIn
        | Fmt::StackOut
        | Fmt::SigeventIn => Family::Signal,
        Fmt::IocbArrayIn(_) | Fmt::IoEventsOut | Fmt::IoUringParams => Family::Aio,
        Fmt::BpfAttr => Family::Bpf,
        Fmt::LandlockRulesetAttr(_) | Fmt::CapHeader | Fmt::CapDataIn | Fmt::CapDataOut => {
            Family::Security
        }
        Fmt::Argv
        | Fmt::Envp
        | Fmt::Clone
        | Fmt::CloneArgs
        | Fmt::WaitStatusOut
        | Fmt::WaitidId
        | Fmt::RlimitIn
        | Fmt::RlimitOut
        | Fmt::RusageOut
        | Fmt::TmsOut
        | Fmt::PrctlRest
        | Fmt::FutexRest
        | Fmt::GidsOut
        | Fmt::CpuSetOut => Family::Process,
        Fmt::Utsname | Fmt::SysinfoOut | Fmt::KexecSegmentsIn(_) | Fmt::PerfEventAttr => {
            Family::System
        }
        Fmt::PipeOut
        | Fmt::EpollEventIn
        | Fmt::EpollEventsOut
        | Fmt::PollFds(_)
        | Fmt::OldSelectArgs
        | Fmt::FdSetIn => Family::Desc,
        Fmt::IovIn(_) | Fmt::IovOut(_) | Fmt::IovAddrs(_) => Family::Iov,
        Fmt::IoctlRequest | Fmt::IoctlArg => Family::Ioctl,
        _ => Family::Rest,
    }
}

impl Decoder {
    /// How many of the call's arguments print at entry: the shape's split, except that
    /// ioctl prints an argument the kernel only reads (TCSETS's termios) at entry too, and
    /// fcntl its argument for every command but F_GETLK's.
    pub fn entry_split(&self, shape: &Shape, entry: &SyscallEntry) -> usize {
        // clone's CLONE_PARENT_SETTID tid is known only at exit.
        if matches!(shape.fmts.first(), Some(Fmt::Clone)) && entry.args[0] & 0x0010_0000 != 0 {
            return 0;
        }
        let split = shape.split();
        match shape.fmts.get(split) {
            Some(Fmt::IoctlArg)
                if specs::ioctl_param(entry.args[1]).is_none_or(specs::IoctlParam::at_entry) =>
            {
                split + 1
            }
            Some(Fmt::FcntlArg)
                if !fcntl_lock(entry).is_some_and(|lock| lock.filled)
                    && entry.args[1] != F_GETOWN_EX =>
            {
                split + 1
            }
            // Commands that only read print whole at entry (with the Skip after them).
            Some(Fmt::QuotaRest(c))
                if !quota_data((entry.args[*c as usize] as u32) >> 8).at_exit() =>
            {
                shape.fmts.len()
            }
            _ => split,
        }
    }

    /// Renders arguments `range` of a call; `None` entries are omitted arguments.
    pub fn args(
        &self,
        shape: &Shape,
        view: &CallView<'_>,
        range: std::ops::Range<usize>,
    ) -> Vec<String> {
        let dec = self.for_call(view.entry.arch, view.entry.nr);
        range
            .filter_map(|i| dec.arg(shape.fmts[i], i, view))
            .collect()
    }

    /// The return value as strace prints it after `= `.
    pub fn ret(&self, shape: &Shape, view: &CallView<'_>) -> String {
        self.for_call(view.entry.arch, view.entry.nr)
            .ret_here(shape, view)
    }

    fn ret_here(&self, shape: &Shape, view: &CallView<'_>) -> String {
        let Some(res) = view.result else {
            return "?".to_string();
        };
        if res.is_error && shape.ret == Ret::Raw {
            return raw_error((-res.rval) as i32);
        }
        if res.is_error {
            let code = (-res.rval) as i32;
            return match code {
                512 => "? ERESTARTSYS (To be restarted if SA_RESTART is set)".into(),
                513 => "? ERESTARTNOINTR (To be restarted)".into(),
                514 => "? ERESTARTNOHAND (To be restarted if no handler)".into(),
                516 => "? ERESTART_RESTARTBLOCK (Interrupted by signal)".into(),
                _ => match syscalls::errno_by_code(code) {
                    Some(e) => format!("-1 {} ({})", e.name, e.message),
                    None => format!("-1 E{code} (Unknown error {code})"),
                },
            };
        }
        let v = res.rval;
        if returns_fd(shape, view.entry) {
            return self.fd_text(v, view.exit_mem(RET_FD_KEY));
        }
        match shape.ret {
            Ret::Dec | Ret::Fd => v.to_string(),
            Ret::Signal => format!("{v} ({})", signal(v as i32)),
            Ret::Select => self.select_ret(v, shape, view),
            Ret::Poll => match (v, view.exit_mem(POLL_REVENTS_KEY)) {
                (0, _) => "0 (Timeout)".to_string(),
                (n, _) if self.shallow => n.to_string(),
                (n, Some(Mem::Bytes { bytes, .. })) => {
                    let more = self.array_more(view.arg(1));
                    let ready = structs::pollfds(bytes, self.opts.style, None, more);
                    match time_left(view, layout(view.entry)) {
                        Some(left) => format!("{n} ({ready}, left {left})"),
                        None => format!("{n} ({ready})"),
                    }
                }
                (n, _) => n.to_string(),
            },
            Ret::SchedPolicy => {
                match syscalls::xlat_set("sched_policy").and_then(|s| s.name_of(v as u64)) {
                    Some(name) => format!("{v} ({name})"),
                    None => v.to_string(),
                }
            }
            Ret::Mmsg => match (v, time_left(view, layout(view.entry))) {
                (0, _) => "0 (Timeout)".to_string(),
                (n, Some(left)) => format!("{n} (left {left})"),
                (n, None) => n.to_string(),
            },
            Ret::ClockState => {
                match syscalls::xlat_set("adjtimex_state").and_then(|s| s.name_of(v as u64)) {
                    Some(name) => format!("{v} ({name})"),
                    None => v.to_string(),
                }
            }
            Ret::Hex | Ret::Raw => hex(v as u64),
            Ret::Oct => format_mode(v as u64),
            Ret::NoReturn => "?".to_string(),
            Ret::Fcntl => match view.arg(1) {
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
            },
        }
    }

    /// Argument `i` of the call, in format `fmt`, as the family of the format prints it
    /// (`None`: the argument is left out).
    fn arg(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        if self.shallow && fmt.dereferences() {
            return Some(ptr(v.arg(i)));
        }
        match family(fmt) {
            Family::Basic => self.basic_arg(fmt, i, v),
            Family::Quota => self.quota_arg(fmt, i, v),
            Family::Ipc => self.ipc_arg(fmt, i, v),
            Family::Memory => self.memory_arg(fmt, i, v),
            Family::Time => self.time_arg(fmt, i, v),
            Family::Signal => self.signal_arg(fmt, i, v),
            Family::Aio => self.aio_arg(fmt, i, v),
            Family::Bpf => self.bpf_arg(fmt, i, v),
            Family::Security => self.security_arg(fmt, i, v),
            Family::Process => self.process_arg(fmt, i, v),
            Family::System => self.system_arg(fmt, i, v),
            Family::Desc => self.desc_arg(fmt, i, v),
            Family::Iov => self.iov_arg(fmt, i, v),
            Family::Ioctl => self.ioctl_arg(fmt, i, v),
            Family::Rest => self.arg_rest(fmt, i, v),
        }
    }

    fn arg_rest(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
        let raw = v.arg(i);
        let st = self.opts.style;
        let l = layout(v.entry);
        Some(match fmt {
            Fmt::StatxFlags => statx_flags(raw, st),
            Fmt::SockoptName => {
                // SOL_SOCKET's option 26 is SO_ATTACH_FILTER to setsockopt, SO_GET_FILTER
                // to getsockopt.
                let own = match self.name(v.entry.arch, v.entry.nr).as_str() {
                    "getsockopt" => "sockopt_socket_get",
                    _ => "sockopt_socket_set",
                };
                let own_name = syscalls::xlat_set(own).and_then(|s| s.name_of(raw));
                match (syscalls::xlat_subset("socket_level", v.arg(1)), own_name) {
                    (Some(set), Some(name))
                        if set.name == "sockopt_socket" && set.name_of(raw).is_none() =>
                    {
                        styled(name.to_string(), &hex(raw), st)
                    }
                    (Some(set), _) => set.display(raw, st).to_string(),
                    (None, _) => (raw as i32).to_string(),
                }
            }
            Fmt::OpenMode(flags_arg) => {
                let flags = v.arg(flags_arg as usize);
                if flags & 0o100 == 0 && flags & 0o20000000 == 0 {
                    return None;
                }
                format_mode(raw)
            }
            Fmt::SocketProto if v.arg(0) == structs::AF_PACKET => {
                structs::htons_protocol(raw as u16, st)
            }
            Fmt::SocketProto => match syscalls::xlat_subset("address_family", v.arg(0)) {
                Some(protocols) => set_text(protocols.name, raw, st),
                None => (raw as i32).to_string(),
            },
            Fmt::StatOut if is_i386(v.entry) => {
                self.out_struct(raw, v, i, |b| structs::stat_i386(b, self.opts.verbose, st))
            }
            Fmt::StatOut => self.out_struct(raw, v, i, |b| structs::stat(b, self.opts.verbose, st)),
            Fmt::Stat64Out => self.out_struct(raw, v, i, |b| {
                structs::stat64_i386(b, self.opts.verbose, st)
            }),
            Fmt::StatxOut => {
                self.out_struct(raw, v, i, |b| structs::statx(b, self.opts.verbose, st))
            }
            Fmt::SockaddrIn(_) => in_struct(raw, v.entry_mem(i as u32), |b| {
                structs::sockaddr(b, st, self.opts.hex)
            }),
            Fmt::SockaddrOut(_) => match v.exit_mem(i as u32) {
                // Nothing written (an unnamed peer): the address.
                Some(Mem::Bytes { bytes, .. }) if bytes.is_empty() => ptr(raw),
                _ => self.out_struct(raw, v, i, |b| structs::sockaddr(b, st, self.opts.hex)),
            },
            Fmt::Dirents64 if self.opts.verbose => match (v.ok_ret(), v.exit_mem(i as u32)) {
                (Some(_), Some(Mem::Bytes { bytes, .. })) => {
                    structs::dirents64(bytes, st, self.opts.hex)
                }
                _ => ptr(raw),
            },
            Fmt::Dirents if self.opts.verbose => match (v.ok_ret(), v.exit_mem(i as u32)) {
                (Some(_), Some(Mem::Bytes { bytes, .. })) => {
                    structs::dirents(bytes, st, l, self.opts.hex)
                }
                _ => ptr(raw),
            },
            Fmt::Dirents | Fmt::Dirents64 => match (v.ok_ret(), v.exit_mem(i as u32)) {
                (Some(_), Some(Mem::Bytes { bytes, .. })) => {
                    // linux_dirent64's d_reclen follows two u64s, linux_dirent's two longs.
                    let reclen_at = match fmt {
                        Fmt::Dirents => 2 * l.long,
                        _ => 16,
                    };
                    let n = structs::count_dirents(bytes, reclen_at);
                    format!("{} /* {n} entries */", ptr(raw))
                }
                _ => ptr(raw),
            },
            Fmt::FcntlArg if v.arg(1) == F_SETOWN_EX => {
                in_struct(raw, v.entry_mem(i as u32), |b| structs::f_owner_ex(b, st))
            }
            Fmt::FcntlArg if v.arg(1) == F_GETOWN_EX => {
                self.out_struct(raw, v, i, |b| structs::f_owner_ex(b, st))
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
            Fmt::MsghdrIn => self.msghdr(raw, v, i, false, st),
            Fmt::SockoptOut
                if is_sockopt(
                    v.arg(1),
                    v.arg(2),
                    "SOL_SOCKET",
                    "sockopt_socket",
                    &["SO_PEERCRED"],
                ) =>
            {
                self.out_struct(raw, v, i, structs::ucred)
            }
            Fmt::SockoptOut if is_so_linger(v.arg(1), v.arg(2)) => {
                self.out_struct(raw, v, i, structs::linger)
            }
            Fmt::SockoptOut => {
                // The length the kernel wrote back: an int prints as one, anything else as
                // the bytes it is.
                let len = v.exit_mem(4).and_then(mem_u32);
                match (v.ok_ret(), len, v.exit_mem(i as u32)) {
                    (Some(_), Some(4), Some(m)) => {
                        mem_u32(m).map_or(ptr(raw), |x| format!("[{}]", x as i32))
                    }
                    (Some(_), Some(n), mem @ Some(Mem::Bytes { .. })) => {
                        self.buf(raw, u64::from(n), mem, false)
                    }
                    _ => ptr(raw),
                }
            }
            Fmt::TimesIn => in_struct(raw, v.entry_mem(i as u32), |b| structs::utimens(b, l, st)),
            Fmt::MmsgvecSent(vlen) => self.mmsgvec(raw, v, i, Some(v.arg(vlen as usize)), st),
            Fmt::MmsgvecReceived(_) => self.mmsgvec(raw, v, i, None, st),
            Fmt::MsghdrOut => match (v.ok_ret(), v.entry_mem(MSG_IN_KEY + i as u32)) {
                (Some(_), _) => self.msghdr(raw, v, i, true, st),
                // After an error, strace shows the name length that went in.
                (
                    None,
                    Some(Mem::Bytes {
                        bytes,
                        complete: true,
                    }),
                ) if v.result.is_some() => {
                    format!("{{msg_namelen={}}}", msghdr_field(bytes, 1, l) as u32)
                }
                _ => ptr(raw),
            },
            Fmt::IntIn(len) => match (v.arg(len as usize), v.entry_mem(i as u32)) {
                (
                    4,
                    Some(Mem::Bytes {
                        bytes,
                        complete: true,
                    }),
                ) => {
                    format!(
                        "[{}]",
                        i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
                    )
                }
                (
                    8,
                    Some(Mem::Bytes {
                        bytes,
                        complete: true,
                    }),
                ) if is_so_linger(v.arg(1), v.arg(2)) => structs::linger(bytes),
                (
                    8..,
                    Some(Mem::Bytes {
                        bytes,
                        complete: true,
                    }),
                ) if is_sockopt(v.arg(1), v.arg(2), "SOL_IP", "sockopt_ip", IP_MREQ_OPTS) => {
                    structs::ip_mreq(bytes, st, self.opts.hex)
                }
                (
                    16..,
                    Some(Mem::Bytes {
                        bytes,
                        complete: true,
                    }),
                ) if is_socket_filter(v.arg(1), v.arg(2)) => {
                    let len = u16::from_le_bytes([bytes[0], bytes[1]]);
                    // The instructions themselves under -v, as strace prints them.
                    let filter = match v.entry_mem(FPROG_KEY) {
                        Some(Mem::Bytes { bytes: insns, .. }) if self.opts.verbose => {
                            let items = insns.chunks_exact(8).map(structs::bpf_insn);
                            self.array_text(items, u64::from(len))
                        }
                        _ => ptr(le64(bytes, 8)),
                    };
                    format!("{{len={len}, filter={filter}}}")
                }
                // Other sizes print as the bytes they are, as strace's printstr does.
                (n, mem @ Some(Mem::Bytes { .. })) => self.buf(raw, n, mem, false),
                _ => ptr(raw),
            },
            Fmt::StatfsOut => self.out_struct(raw, v, i, |b| structs::statfs(b, st, l)),
            Fmt::Statfs64Out => self.out_struct(raw, v, i, |b| structs::statfs64_i386(b, st)),
            Fmt::MknodDev(mode_arg) if structs::mode_is_device(v.arg(mode_arg as usize)) => {
                structs::dev(raw, st)
            }
            Fmt::MknodDev(_) => return None,
            Fmt::UtimbufIn => in_struct(raw, v.entry_mem(i as u32), structs::utimbuf),
            Fmt::OpenHowIn => in_struct(raw, v.entry_mem(i as u32), |b| structs::open_how(b, st)),
            Fmt::FileHandleIn => in_struct(raw, v.entry_mem(i as u32), |b| {
                structs::file_handle(b, None, true)
            }),
            Fmt::FileHandleOut => {
                let before = v.entry_mem(i as u32).and_then(mem_u32);
                match (before, v.ok_ret(), v.exit_mem(i as u32)) {
                    (None, ..) => ptr(raw),
                    (Some(_), Some(_), Some(Mem::Bytes { bytes, .. })) => {
                        structs::file_handle(bytes, before, true)
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
            Fmt::MountAttr(_) => {
                in_struct(raw, v.entry_mem(i as u32), |b| structs::mount_attr(b, st))
            }
            _ => unreachable!("{fmt:?} is not a format of the rest"),
        })
    }

    /// Whether the call names one of the `-P` paths in a path argument or through a
    /// file descriptor argument (always true without -P).
    pub fn touches_paths(&self, entry: &SyscallEntry) -> bool {
        if self.opts.trace_paths.is_empty() {
            return true;
        }
        // mq_open's name prints as a path (strace's printpath), but strace's -P matches
        // no message queue.
        if self.name(entry.arch, entry.nr) == "mq_open" {
            return false;
        }
        let shape = self.shape(entry.arch, entry.nr);
        shape.fmts.iter().enumerate().any(|(i, fmt)| {
            let key = match fmt {
                Fmt::Path => i as u32,
                // AT_FDCWD names no file of its own (its -y capture is the cwd).
                Fmt::Dirfd if entry.args[i] as i32 == AT_FDCWD => return false,
                Fmt::Fd | Fmt::Dirfd => FD_KEY_BASE + i as u32,
                _ => return false,
            };
            matches!(
                Capture::find(&entry.mem, key),
                Some(Mem::Str { bytes, .. }) if self.opts.trace_paths.iter().any(|p| p == bytes)
            )
        })
    }

    /// A `struct msghdr`: sendmsg's at entry, recvmsg's at exit (with the name length
    /// as it went in and came out).
    fn msghdr(&self, raw: u64, v: &CallView<'_>, i: usize, out: bool, st: Style) -> String {
        let mem: &[Capture] = if out { v.exit_mem } else { &v.entry.mem };
        let Some(Mem::Bytes {
            bytes: h,
            complete: true,
        }) = Capture::find(mem, i as u32)
        else {
            return ptr(raw);
        };
        let l = layout(v.entry);
        let namelen_in = match v.entry_mem(MSG_IN_KEY + i as u32) {
            Some(Mem::Bytes { bytes, .. }) if out => Some(msghdr_field(bytes, 1, l) as u32),
            _ => None,
        };
        let total = out.then(|| v.ok_ret().unwrap_or(0).max(0) as u64);
        let parts = MsgParts {
            mem,
            keys: MsgKeys::of_arg(i),
            namelen_in,
            total,
        };
        self.msghdr_fields(h, parts, l, st)
    }

    /// The braces of a `struct msghdr` whose parts were captured as `parts` says.
    fn msghdr_fields(&self, h: &[u8], parts: MsgParts<'_>, l: Layout, st: Style) -> String {
        let field = |k: usize| msghdr_field(h, k, l);
        let name = field(0);
        let namelen = field(1) as u32;
        let name_text = match Capture::find(parts.mem, parts.keys.name) {
            Some(Mem::Bytes { bytes, .. }) if name != 0 && namelen > 0 => {
                structs::sockaddr(bytes, st, self.opts.hex)
            }
            _ => ptr(name),
        };
        let namelen_text = match parts.namelen_in {
            Some(before) if before != namelen => format!("{before} => {namelen}"),
            _ => namelen.to_string(),
        };
        let iovlen = field(3);
        let iov = self.iovec_at(
            field(2),
            iovlen,
            parts.mem,
            parts.keys.iov,
            parts.keys.slot,
            parts.total,
            l.long,
        );
        let control = field(4);
        let controllen = field(5);
        let control_text = match Capture::find(parts.mem, parts.keys.control) {
            _ if controllen == 0 => String::new(),
            Some(Mem::Bytes { bytes, .. }) if control != 0 => {
                let more = controllen as usize > bytes.len();
                let fd = |n: i64| {
                    let path = u32::try_from(n)
                        .ok()
                        .and_then(|n| Capture::find(parts.mem, CMSG_FD_KEY.checked_add(n)?));
                    self.fd_text(n, path)
                };
                format!(
                    "msg_control={}, ",
                    structs::cmsgs(bytes, more, control, l, st, &fd)
                )
            }
            _ => format!("msg_control={}, ", ptr(control)),
        };
        format!(
            "{{msg_name={name_text}, msg_namelen={namelen_text}, msg_iov={iov}, msg_iovlen={iovlen}, {control_text}msg_controllen={controllen}, msg_flags={}}}",
            set_text("msg_flags", field(6) as u32 as u64, st)
        )
    }

    /// How many `struct mmsghdr`s of an array of `n` to print: as print_array
    /// abbreviates, and never more than the kernel's UIO_MAXIOV, as strace.
    fn mmsg_shown(&self, n: u64) -> usize {
        self.array_shown(n).min(IOV_MAX_ITEMS)
    }

    /// sendmmsg's or recvmmsg's `struct mmsghdr` array at exit: the `sent_vlen` messages
    /// sent (each with the msg_len the kernel wrote for the ones it sent), or when that is
    /// `None` the ones received (their data up to msg_len, their name length as it went
    /// in and came out).
    fn mmsgvec(
        &self,
        raw: u64,
        v: &CallView<'_>,
        i: usize,
        sent_vlen: Option<u64>,
        st: Style,
    ) -> String {
        // A failed sendmmsg still prints its messages, none of them sent, as strace's.
        let (Some(done), Some(Mem::Bytes { bytes, .. })) =
            (v.ok_ret().or(sent_vlen.map(|_| 0)), v.exit_mem(i as u32))
        else {
            return ptr(raw);
        };
        let sent = sent_vlen.is_some();
        let l = layout(v.entry);
        let size = mmsghdr_size(l);
        let entry_headers = match v.entry_mem(MMSG_IN_KEY) {
            Some(Mem::Bytes { bytes, .. }) if !sent => Some(bytes.as_slice()),
            _ => None,
        };
        let items: Vec<String> = bytes
            .chunks_exact(size)
            .enumerate()
            .map(|(e, m)| {
                let len = mmsg_len(m, l);
                let namelen_in = entry_headers
                    .and_then(|h| h.get(e * size..(e + 1) * size))
                    .map(|h| msghdr_field(h, 1, l) as u32);
                let parts = MsgParts {
                    mem: v.exit_mem,
                    keys: MsgKeys::of_element(e),
                    namelen_in,
                    total: (!sent).then_some(u64::from(len)),
                };
                let hdr = self.msghdr_fields(m, parts, l, st);
                if (e as i64) < done {
                    format!("{{msg_hdr={hdr}, msg_len={len}}}")
                } else {
                    format!("{{msg_hdr={hdr}}}")
                }
            })
            .collect();
        let n = sent_vlen.unwrap_or(done as u64);
        let more = n as usize > items.len();
        bracket_list(items, more)
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

    /// Captures a msghdr's name and its iov array with up to `left` bytes of the buffers
    /// (each cut at -s), under `keys`.
    fn capture_msghdr_parts(
        &self,
        mem: &mut dyn MemReader,
        h: &[u8],
        keys: MsgKeys,
        left: u64,
        l: Layout,
        out: &mut Vec<Capture>,
    ) {
        let field = |k: usize| msghdr_field(h, k, l);
        let (name, namelen) = (field(0), field(1) as u32 as usize);
        if name != 0 && namelen > 0 {
            out.push(Capture {
                key: keys.name,
                data: mem.read_bytes(name, namelen.min(128)),
            });
        }
        let plan = IovPlan {
            slot: keys.slot,
            max: self.strsize(),
            items: self.iov_items(field(3)),
            word: l.long,
        };
        let arr = capture_iov(mem, field(2), field(3), left, plan, out);
        out.push(Capture {
            key: keys.iov,
            data: arr,
        });
        let (control, controllen) = (field(4), field(5) as usize);
        if control != 0 && controllen >= structs::cmsghdr_size(l) {
            let data = mem.read_bytes(control, controllen.min(CONTROL_MAX));
            if let Mem::Bytes { bytes, .. } = &data
                && self.opts.decode_fds
            {
                // -y: what the descriptors passed in SCM_RIGHTS refer to (the sender's at
                // entry, the receiver's new ones at exit).
                for fd in structs::scm_rights_fds(bytes, l) {
                    let data = self.fd_capture(fd, mem);
                    out.push(Capture {
                        key: CMSG_FD_KEY + fd as u32,
                        data,
                    });
                }
            }
            out.push(Capture {
                key: keys.control,
                data,
            });
        }
    }

    fn plan(
        &self,
        entry: &SyscallEntry,
        result: Option<SyscallResult>,
        mem: &mut dyn MemReader,
    ) -> Vec<Capture> {
        if !self.captures_fds() && !self.reads(entry.arch, entry.nr, result.is_some()) {
            // Most stops (mmap, close, brk...): settled by one byte of a small table, not
            // by walking the call's shape.
            return Vec::new();
        }
        let shape = self.shape(entry.arch, entry.nr);
        self.for_call(entry.arch, entry.nr)
            .plan_shape(&shape, entry, result, mem)
    }

    /// [`Decoder::plan`] by the call's shape, argument by argument.
    fn plan_shape(
        &self,
        shape: &Shape,
        entry: &SyscallEntry,
        result: Option<SyscallResult>,
        mem: &mut dyn MemReader,
    ) -> Vec<Capture> {
        let at_exit = result.is_some();
        let ok = result.filter(|r| !r.is_error).map(|r| r.rval);
        let l = layout(entry);
        let mut out = Vec::new();
        for (i, fmt) in shape.fmts.iter().enumerate() {
            let addr = entry.args[i];
            if self.shallow && fmt.dereferences() {
                continue;
            }
            let own_checks = matches!(fmt, Fmt::QuotaRest(_));
            if !own_checks && (addr == 0 || !in_phase(*fmt, shape.ret, at_exit)) {
                continue;
            }
            // A failed readv's iovec still prints (its bases as addresses), and a failed
            // sendmmsg's messages.
            let on_error = own_checks || matches!(fmt, Fmt::IovOut(_) | Fmt::MmsgvecSent(_));
            if at_exit && ok.is_none() && !on_error {
                continue;
            }
            let p = ArgPlan {
                entry,
                i,
                addr,
                at_exit,
                ok,
                l,
            };
            let data = match family(*fmt) {
                Family::Basic => self.plan_basic(*fmt, p, mem, &mut out),
                Family::Quota => self.plan_quota(*fmt, p, mem),
                Family::Ipc => self.plan_ipc(*fmt, p, mem),
                Family::Memory => self.plan_memory(*fmt, p, mem),
                Family::Time => self.plan_time(*fmt, p, mem, &mut out),
                Family::Signal => self.plan_signal(*fmt, p, mem, &mut out),
                Family::Aio => self.plan_aio(*fmt, p, mem, &mut out),
                Family::Bpf => self.plan_bpf(*fmt, p, mem, &mut out),
                Family::Security => self.plan_security(*fmt, p, mem),
                Family::Process => self.plan_process(*fmt, p, mem, &mut out),
                Family::System => self.plan_system(*fmt, p, mem),
                Family::Desc => self.plan_desc(*fmt, p, mem, &mut out),
                Family::Iov => self.plan_iov(*fmt, p, mem, &mut out),
                Family::Ioctl => self.plan_ioctl(*fmt, p, mem, &mut out),
                Family::Rest => self.plan_rest(*fmt, p, mem, &mut out),
            };
            if let Some(data) = data {
                out.push(Capture {
                    key: i as u32,
                    data,
                });
            }
        }
        if !at_exit
            && entry.arch == Arch::X86_64
            && shape.fmts.iter().any(|f| matches!(f, Fmt::SigreturnMask))
        {
            // The restored mask is uc_sigmask of the rt_sigframe at the stack pointer.
            out.push(Capture {
                key: SIGRETURN_KEY,
                data: mem.read_bytes(entry.sp.wrapping_add(296), 8),
            });
        }
        if !at_exit
            && entry.args[3] != 0
            && shape.fmts.iter().any(|f| matches!(f, Fmt::FutexRest))
            && futex_waits(entry.args[1])
        {
            out.push(Capture {
                key: FUTEX_TIMEOUT_KEY,
                data: mem.read_bytes(entry.args[3], l.timespec_size()),
            });
        }
        if self.captures_fds() {
            self.plan_fds(entry, shape, result, mem, &mut out);
        }
        out
    }

    fn plan_rest(
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
            Fmt::SockaddrIn(len) => {
                mem.read_bytes(addr, (entry.args[len as usize] as usize).min(128))
            }
            Fmt::SockaddrOut(lenp) => {
                let len = match mem.read_bytes(entry.args[lenp as usize], 4) {
                    Mem::Bytes { bytes, .. } if bytes.len() == 4 => {
                        u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize
                    }
                    _ => 0,
                };
                // The kernel writes at most the caller's buffer: strace decodes the
                // smaller of the length going in and the one coming out.
                let given = Capture::find(&entry.mem, u32::from(lenp))
                    .and_then(mem_u32)
                    .map_or(len, |n| n as usize);
                mem.read_bytes(addr, len.min(given).min(128))
            }
            Fmt::UtimbufIn => mem.read_bytes(addr, 16),
            Fmt::OpenHowIn => mem.read_bytes(addr, 24),
            Fmt::FsconfigKey if entry.args[1] <= FSCONFIG_SET_FD => mem.read_str(addr, max + 1),
            Fmt::FsconfigValue => match entry.args[1] {
                FSCONFIG_SET_STRING => mem.read_str(addr, max + 1),
                FSCONFIG_SET_PATH | FSCONFIG_SET_PATH_EMPTY => mem.read_str(addr, 4096),
                FSCONFIG_SET_BINARY => {
                    mem.read_bytes(addr, (entry.args[4] as u32 as usize).min(max))
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
            Fmt::Dirents | Fmt::Dirents64 => {
                mem.read_bytes(addr, (ok.unwrap_or(0).max(0) as usize).min(1 << 16))
            }
            Fmt::IntIn(len) => {
                let value =
                    mem.read_bytes(addr, (entry.args[len as usize] as usize).min(max.max(16)));
                // A socket filter's instructions, printed under -v.
                if let Mem::Bytes { bytes, .. } = &value
                    && self.opts.verbose
                    && bytes.len() >= 16
                    && is_socket_filter(entry.args[1], entry.args[2])
                {
                    let count = u64::from(u16::from_le_bytes([bytes[0], bytes[1]]));
                    out.push(Capture {
                        key: FPROG_KEY,
                        data: mem.read_bytes(le64(bytes, 8), 8 * self.array_shown(count)),
                    });
                }
                value
            }
            Fmt::StatfsOut => mem.read_bytes(addr, structs::statfs_size(l)),
            Fmt::Statfs64Out => mem.read_bytes(addr, structs::STATFS64_I386_SIZE),
            Fmt::SockoptOut
                if is_sockopt(
                    entry.args[1],
                    entry.args[2],
                    "SOL_SOCKET",
                    "sockopt_socket",
                    &["SO_PEERCRED"],
                ) =>
            {
                mem.read_bytes(addr, 12)
            }
            Fmt::SockoptOut if is_so_linger(entry.args[1], entry.args[2]) => {
                mem.read_bytes(addr, 8)
            }
            Fmt::SockoptOut => {
                let len = match mem.read_bytes(entry.args[4], 4) {
                    Mem::Bytes { bytes, .. } if bytes.len() == 4 => {
                        u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize
                    }
                    _ => 0,
                };
                mem.read_bytes(addr, len.min(max.max(4)))
            }
            Fmt::TimesIn => mem.read_bytes(addr, 2 * l.timespec_size()),
            Fmt::MsghdrIn | Fmt::MsghdrOut => {
                let hdr = mem.read_bytes(addr, 7 * l.long);
                if fmt.at_exit() != at_exit {
                    // recvmsg's header as it went in (for `msg_namelen=110 => 16`).
                    out.push(Capture {
                        key: MSG_IN_KEY + i as u32,
                        data: hdr,
                    });
                    return None;
                }
                if let Mem::Bytes {
                    bytes,
                    complete: true,
                } = &hdr
                {
                    let left = if at_exit {
                        ok.unwrap_or(0).max(0) as u64
                    } else {
                        u64::MAX
                    };
                    let keys = MsgKeys::of_arg(i);
                    self.capture_msghdr_parts(mem, bytes, keys, left, l, out);
                }
                hdr
            }
            Fmt::MmsgvecSent(vlen) | Fmt::MmsgvecReceived(vlen) => {
                let sent = matches!(fmt, Fmt::MmsgvecSent(_));
                let n = if sent || !at_exit {
                    entry.args[vlen as usize]
                } else {
                    ok.unwrap_or(0).max(0) as u64
                };
                let arr = mem.read_bytes(addr, self.mmsg_shown(n) * mmsghdr_size(l));
                if !at_exit {
                    // recvmmsg's headers as they went in (for the name lengths).
                    out.push(Capture {
                        key: MMSG_IN_KEY,
                        data: arr,
                    });
                    return None;
                }
                if let Mem::Bytes { bytes, .. } = &arr {
                    for (e, m) in bytes.chunks_exact(mmsghdr_size(l)).enumerate() {
                        let left = if sent {
                            u64::MAX
                        } else {
                            u64::from(mmsg_len(m, l))
                        };
                        let keys = MsgKeys::of_element(e);
                        self.capture_msghdr_parts(mem, m, keys, left, l, out);
                    }
                }
                arr
            }
            _ => return None,
        })
    }
}

const RET_FD_KEY: u32 = 300;
/// Whether a socket option is SOL_SOCKET's SO_LINGER, whose value is a `struct linger`.
/// A socket filter's instructions (setsockopt SO_ATTACH_FILTER), read under -v.
const FPROG_KEY: u32 = 520;

/// Whether a setsockopt option takes a `struct sock_fprog` (a classic BPF program).
fn is_socket_filter(level: u64, name: u64) -> bool {
    is_sockopt(
        level,
        name,
        "SOL_SOCKET",
        "sockopt_socket_set",
        &["SO_ATTACH_FILTER"],
    ) || is_sockopt(
        level,
        name,
        "SOL_SOCKET",
        "sockopt_socket",
        &["SO_ATTACH_REUSEPORT_CBPF"],
    )
}

/// The IP options whose value is a `struct ip_mreq`.
const IP_MREQ_OPTS: &[&str] = &["IP_ADD_MEMBERSHIP", "IP_DROP_MEMBERSHIP"];

/// Whether a socket option is one of `names` (of set `names_set`) at level `level_name`.
fn is_sockopt(level: u64, name: u64, level_name: &str, names_set: &str, names: &[&str]) -> bool {
    let named = |set: &str, n: &str| syscalls::xlat_set(set).and_then(|s| s.value_of(n));
    named("socket_level", level_name) == Some(level)
        && names.iter().any(|n| named(names_set, n) == Some(name))
}

fn is_so_linger(level: u64, name: u64) -> bool {
    let named = |set: &str, name: &str| syscalls::xlat_set(set).and_then(|s| s.value_of(name));
    named("socket_level", "SOL_SOCKET") == Some(level)
        && named("sockopt_socket", "SO_LINGER") == Some(name)
}

/// The `struct flock` an fcntl lock command passes: whether the kernel fills it (the
/// GETLK commands) or only reads it, and its layout.
#[derive(Debug, Clone, Copy)]
struct FcntlLock {
    filled: bool,
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
            FlockLayout::I386Flock64 => structs::FLOCK64_I386_SIZE,
        }
    }

    fn format(self, b: &[u8], st: Style, with_pid: bool) -> String {
        match self {
            FlockLayout::Native(l) => structs::flock(b, st, l, with_pid),
            FlockLayout::I386Flock64 => structs::flock64_i386(b, st, with_pid),
        }
    }
}

/// The lock an fcntl call's command passes, if it is a lock command: F_GETLK, F_SETLK and
/// F_SETLKW take the ABI's struct flock; the open-file-description ones and i386's
/// F_*LK64 take struct flock64, which is x86_64's struct flock.
fn fcntl_lock(entry: &SyscallEntry) -> Option<FcntlLock> {
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
impl Decoder {
    fn plan_fds(
        &self,
        entry: &SyscallEntry,
        shape: &Shape,
        result: Option<SyscallResult>,
        mem: &mut dyn MemReader,
        out: &mut Vec<Capture>,
    ) {
        match result {
            None => {
                for (i, fmt) in shape.fmts.iter().enumerate() {
                    let fd = entry.args[i] as i32;
                    let dirfd = matches!(fmt, Fmt::Dirfd | Fmt::FanotifyDirfd);
                    let cwd = dirfd && fd == AT_FDCWD && self.opts.decode_fds;
                    let pidfd = matches!(fmt, Fmt::WaitidId) && entry.args[0] == P_PIDFD;
                    if ((matches!(fmt, Fmt::Fd) || dirfd || pidfd) && fd >= 0) || cwd {
                        out.push(Capture {
                            key: FD_KEY_BASE + i as u32,
                            data: self.fd_capture(fd, mem),
                        });
                    }
                }
            }
            Some(r) if returns_fd(shape, entry) && !r.is_error && r.rval >= 0 => {
                out.push(Capture {
                    key: RET_FD_KEY,
                    data: self.fd_capture(r.rval as i32, mem),
                });
            }
            Some(r) if !r.is_error && self.opts.decode_fds => {
                // pipe's, pipe2's and socketpair's two new descriptors.
                let pair = shape.fmts.iter().position(|f| matches!(f, Fmt::PipeOut));
                if let Some(i) = pair
                    && let Some(Mem::Bytes { bytes, .. }) = Capture::find(out, i as u32)
                    && bytes.len() >= 8
                {
                    let fds = [0, 4].map(|o| structs::u32_at(bytes, o) as i32);
                    for (k, fd) in fds.into_iter().enumerate() {
                        let data = self.fd_capture(fd, mem);
                        out.push(Capture {
                            key: PIPE_FD_KEY + k as u32,
                            data,
                        });
                    }
                }
            }
            Some(_) => {}
        }
    }
}

/// Where a msghdr's parts were captured: its name, its iov array, and the slot of the
/// iov's buffers.
#[derive(Debug, Clone, Copy)]
struct MsgKeys {
    name: u32,
    iov: u32,
    control: u32,
    slot: usize,
}

impl MsgKeys {
    /// The msghdr argument `i` points to.
    fn of_arg(i: usize) -> MsgKeys {
        MsgKeys {
            name: MSG_NAME_KEY + i as u32,
            iov: MSG_IOV_KEY + i as u32,
            control: MSG_CONTROL_KEY + i as u32,
            slot: MSG_SLOT + i,
        }
    }

    /// Element `e` of a `struct mmsghdr` array.
    fn of_element(e: usize) -> MsgKeys {
        MsgKeys {
            name: MMSG_NAME_KEY + e as u32,
            iov: MMSG_IOV_KEY + e as u32,
            control: MMSG_CONTROL_KEY + e as u32,
            slot: MMSG_SLOT + e,
        }
    }
}

/// What a msghdr prints from: the captures holding its parts, the name length it went in
/// with (recvmsg), and how many bytes its buffers hold (received ones: the byte count).
struct MsgParts<'a> {
    mem: &'a [Capture],
    keys: MsgKeys,
    namelen_in: Option<u32>,
    total: Option<u64>,
}

/// Field `k` of a `struct msghdr`: seven fields, each in a long's place (x86_64 pads
/// namelen and flags).
fn msghdr_field(h: &[u8], k: usize, l: Layout) -> u64 {
    l.ulong(h, k * l.long)
}

/// Bytes of a `struct mmsghdr`: a msghdr and the u32 msg_len, padded to a long.
fn mmsghdr_size(l: Layout) -> usize {
    8 * l.long
}

/// msg_len of a `struct mmsghdr`.
fn mmsg_len(m: &[u8], l: Layout) -> u32 {
    le_word(m, 7 * l.long, 4) as u32
}

/// Whether the call returns a new descriptor: by its shape, or by its command for fcntl
/// (F_DUPFD, F_DUPFD_CLOEXEC), bpf (the commands that create or get an object) and
/// landlock_create_ruleset (not its version query), as strace's RVAL_FD.
fn returns_fd(shape: &Shape, entry: &SyscallEntry) -> bool {
    let cmd = entry.args[0];
    match (shape.ret, shape.name.as_str()) {
        (Ret::Fd, _) => true,
        (Ret::Fcntl, _) => matches!(entry.args[1], 0 | 1030),
        (_, "bpf") => {
            // BPF_MAP_CREATE, PROG_LOAD, OBJ_GET, PROG/MAP_GET_FD_BY_ID,
            // RAW_TRACEPOINT_OPEN, BTF_LOAD, BTF_GET_FD_BY_ID, LINK_CREATE,
            // LINK_GET_FD_BY_ID, ITER_CREATE, TOKEN_CREATE.
            matches!(cmd, 0 | 5 | 7 | 13 | 14 | 17 | 18 | 19 | 28 | 30 | 33 | 36)
        }
        (_, "landlock_create_ruleset") => entry.args[2] & 1 == 0,
        _ => false,
    }
}

/// Capture keys of what a descriptor passed in SCM_RIGHTS refers to (`+ fd`), for -y.
const CMSG_FD_KEY: u32 = 8_000_000;

/// Capture keys of msghdr parts: the name, the iov array, the header at entry, and the
/// slot its iov buffers use.
const MSG_NAME_KEY: u32 = 400;
const MSG_IOV_KEY: u32 = 420;
/// The control messages of a msghdr argument (plus its index).
const MSG_CONTROL_KEY: u32 = 510;
/// At most this many bytes of control messages are read (strace: the optmem_max sysctl).
const CONTROL_MAX: usize = 4096;
const MSG_IN_KEY: u32 = 440;
const MSG_SLOT: usize = 50;
/// Capture keys of a `struct mmsghdr` array's elements (`+ e`): their names, their iov
/// arrays, and at entry the whole array; and the first slot of their iov buffers.
const MMSG_NAME_KEY: u32 = 2_000_000;
const MMSG_IOV_KEY: u32 = 3_000_000;
/// The control messages of element N of a `struct mmsghdr` array (plus N).
const MMSG_CONTROL_KEY: u32 = 5_000_000;
const MMSG_IN_KEY: u32 = 4_000_000;
const MMSG_SLOT: usize = 5_000;

impl CapturePlan for Decoder {
    fn at_entry(&self, entry: &SyscallEntry, mem: &mut dyn MemReader) -> Vec<Capture> {
        self.plan(entry, None, mem)
    }
    fn at_exit(
        &self,
        entry: &SyscallEntry,
        result: SyscallResult,
        mem: &mut dyn MemReader,
    ) -> Vec<Capture> {
        self.plan(entry, Some(result), mem)
    }
}

/// fcntl's commands that pass a `struct f_owner_ex` (x86_64 and i386 alike).
const F_SETOWN_EX: u64 = 15;
/// See [`F_SETOWN_EX`]: the kernel fills this one.
const F_GETOWN_EX: u64 = 16;

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

/// A failed undecoded call's result, as strace's print_err_ret: the errno's name and
/// strerror's text (`Unknown error 512` for the kernel's restart codes), or the number.
fn raw_error(code: i32) -> String {
    let restart = match code {
        512 => Some("ERESTARTSYS"),
        513 => Some("ERESTARTNOINTR"),
        514 => Some("ERESTARTNOHAND"),
        515 => Some("ENOIOCTLCMD"),
        516 => Some("ERESTART_RESTARTBLOCK"),
        _ => None,
    };
    match (restart, syscalls::errno_by_code(code)) {
        (Some(name), _) => format!("-1 {name} (Unknown error {code})"),
        (None, Some(e)) => format!("-1 {} ({})", e.name, e.message),
        (None, None) => format!("-1 (errno {code})"),
    }
}

#[cfg(test)]
mod phase_tests {
    use super::*;

    /// Counts reads, answering each with plausible data so that plans go on to read what
    /// the first read points to.
    #[derive(Default)]
    struct CountingReader {
        reads: usize,
    }

    impl MemReader for CountingReader {
        fn read_bytes(&mut self, _addr: u64, len: usize) -> Mem {
            self.reads += 1;
            // Small numbers everywhere: lengths, counts and pointers that are not NULL
            // (at most a page of them: whether a call reads is the question, not what).
            let bytes = (0..len.min(4096))
                .map(|i| if i % 4 == 0 { 8 } else { 0 })
                .collect();
            Mem::Bytes {
                bytes,
                complete: len <= 4096,
            }
        }
        fn read_str(&mut self, _addr: u64, _max: usize) -> Mem {
            self.reads += 1;
            Mem::Str {
                bytes: b"x".to_vec(),
                terminated: true,
            }
        }
        fn read_str_array(&mut self, _addr: u64, _p: usize, _items: usize, _len: usize) -> Mem {
            self.reads += 1;
            Mem::Fault
        }
    }

    /// The per-call table that lets the tracer skip planning must never skip a call that
    /// reads: every call of every ABI, with every argument a non-NULL pointer and with
    /// several commands in the first two arguments, at entry and at a successful exit.
    #[test]
    fn no_call_that_reads_memory_is_skipped() {
        for verbose in [false, true] {
            let decoder = Decoder::new(DecodeOptions {
                verbose,
                ..DecodeOptions::default()
            });
            for arch in Arch::ALL {
                for sc in arch.table().entries() {
                    for first in [0u64, 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 0x5401, 0x40] {
                        let entry = SyscallEntry {
                            arch,
                            nr: sc.nr,
                            args: [first, first, 3, 3, 3, 3],
                            ip: 0,
                            sp: 0x7000,
                            mem: Vec::new(),
                            ts: Default::default(),
                        };
                        for result in [
                            None,
                            Some(SyscallResult {
                                rval: 8,
                                is_error: false,
                            }),
                        ] {
                            let mut reader = CountingReader::default();
                            let shape = decoder.shape(arch, sc.nr);
                            decoder.plan_shape(&shape, &entry, result, &mut reader);
                            if reader.reads > 0 {
                                assert!(
                                    decoder.reads(arch, sc.nr, result.is_some()),
                                    "{arch:?} {} (args {:?}) reads at {} but is skipped",
                                    sc.name,
                                    entry.args,
                                    if result.is_some() { "exit" } else { "entry" }
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

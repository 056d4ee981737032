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
mod net;
mod process;
mod quota;
mod security;
mod signal;
mod sockaddr;
mod system;
mod time;

use basic::{AT_FDCWD, ArgPlan, FD_KEY_BASE, in_struct, is_i386, layout, mem_u32};
use decoder::in_phase;
pub use decoder::{CallView, DecodeOptions, Decoder, PerCall, Shape};
use desc::{PIPE_FD_KEY, POLL_REVENTS_KEY, time_left};
use process::{FUTEX_TIMEOUT_KEY, P_PIDFD, futex_waits};
use quota::quota_data;
use signal::SIGRETURN_KEY;

use crate::prim::{format_mode, ptr, set_text, signal, styled};
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
    /// Sockets: protocols, addresses, options, messages ([`net`], [`sockaddr`]).
    Net,
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
        Fmt::SockoptName
        | Fmt::SocketProto
        | Fmt::SockaddrIn(_)
        | Fmt::SockaddrOut(_)
        | Fmt::MsghdrIn
        | Fmt::MsghdrOut
        | Fmt::MmsgvecSent(_)
        | Fmt::MmsgvecReceived(_)
        | Fmt::SockoptOut
        | Fmt::IntIn(_) => Family::Net,
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
            Family::Net => self.net_arg(fmt, i, v),
            Family::Rest => self.arg_rest(fmt, i, v),
        }
    }

    fn arg_rest(&self, fmt: Fmt, i: usize, v: &CallView<'_>) -> Option<String> {
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
                self.out_struct(raw, v, i, |b| structs::stat_i386(b, self.opts.verbose, st))
            }
            Fmt::StatOut => self.out_struct(raw, v, i, |b| structs::stat(b, self.opts.verbose, st)),
            Fmt::Stat64Out => self.out_struct(raw, v, i, |b| {
                structs::stat64_i386(b, self.opts.verbose, st)
            }),
            Fmt::StatxOut => {
                self.out_struct(raw, v, i, |b| structs::statx(b, self.opts.verbose, st))
            }
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
            Fmt::TimesIn => in_struct(raw, v.entry_mem(i as u32), |b| structs::utimens(b, l, st)),
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
                Family::Net => self.plan_net(*fmt, p, mem, &mut out),
                Family::Rest => self.plan_rest(*fmt, p, mem),
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

    fn plan_rest(&self, fmt: Fmt, p: ArgPlan<'_>, mem: &mut dyn MemReader) -> Option<Mem> {
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
            Fmt::StatfsOut => mem.read_bytes(addr, structs::statfs_size(l)),
            Fmt::Statfs64Out => mem.read_bytes(addr, structs::STATFS64_I386_SIZE),
            Fmt::TimesIn => mem.read_bytes(addr, 2 * l.timespec_size()),
            _ => return None,
        })
    }
}

const RET_FD_KEY: u32 = 300;
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

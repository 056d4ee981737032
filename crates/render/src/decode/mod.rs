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
mod file;
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
mod table;
mod time;

use basic::{AT_FDCWD, ArgPlan, FD_KEY_BASE, complete, layout};
use decoder::in_phase;
pub use decoder::{Call, CallView, DecodeOptions, Decoder, PerCall, Shape};
use desc::{PIPE_FD_KEY, POLL_REVENTS_KEY, pollfds, time_left};
use file::{F_GETOWN_EX, fcntl_lock};
use ipc::IPC_SHMAT_KEY;
use process::{FUTEX_TIMEOUT_KEY, P_PIDFD, futex_waits};
use quota::quota_data;
use signal::{SIGRETURN_KEY, sa_handler_name, sigmask};
pub use table::AskedMemory;
use time::{date_of, is_erestart};

use crate::prim::{format_mode, ptr, signal, u32_at};
use crate::specs::{self, Fmt, Ret};
use crate::xlat::hex;
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
    /// Files and filesystems: stat, statfs, getdents, fcntl, file handles, mounts
    /// ([`file`]).
    File,
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
        | Fmt::LoffOut
        | Fmt::PageOffset
        | Fmt::OffsetHiLo
        | Fmt::OffsetLoHi
        | Fmt::OffsetInOut
        | Fmt::LenInOut
        | Fmt::IdOut
        | Fmt::Skip => Family::Basic,
        Fmt::IpcCall
        | Fmt::IpcFlags
        | Fmt::IpcCtlCmd(_)
        | Fmt::SemunPtr
        | Fmt::SemctlArg
        | Fmt::MsgctlBuf
        | Fmt::ShmctlBuf
        | Fmt::MsgbufIn(_)
        | Fmt::MsgbufOut(_)
        | Fmt::MsgKludgeBuf(_)
        | Fmt::MsgKludgeType(_) => Family::Ipc,
        Fmt::UserDescIn | Fmt::UserDescInOut => Family::Memory,
        Fmt::TimeOut => Family::Time,
        Fmt::OldSigmask | Fmt::SigHandler => Family::Signal,
        Fmt::SocketcallCall => Family::Net,
        Fmt::OldDirent | Fmt::ReaddirCount => Family::File,
        Fmt::QuotaCmd | Fmt::QuotaRest(_) => Family::Quota,
        Fmt::IpcKey
        | Fmt::ShmgetFlags
        | Fmt::SembufsIn(_)
        | Fmt::MqAttrIn
        | Fmt::MqAttrOut
        | Fmt::MqOpenAttr(_) => Family::Ipc,
        Fmt::OldMmapArgs
        | Fmt::MmapFlags
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
        | Fmt::TimexOut
        | Fmt::RemainOut => Family::Time,
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
        | Fmt::GidsIn(_)
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
        Fmt::StatxFlags
        | Fmt::OpenMode(_)
        | Fmt::StatOut
        | Fmt::Stat64Out
        | Fmt::StatxOut
        | Fmt::Dirents
        | Fmt::Dirents64
        | Fmt::FcntlArg
        | Fmt::FcntlCmd
        | Fmt::TimesIn
        | Fmt::StatfsOut
        | Fmt::Statfs64Out
        | Fmt::MknodDev(_)
        | Fmt::UtimbufIn
        | Fmt::OpenHowIn
        | Fmt::FileHandleIn
        | Fmt::FileHandleOut
        | Fmt::FanotifyDirfd
        | Fmt::FsconfigKey
        | Fmt::FsconfigValue
        | Fmt::FsconfigAux
        | Fmt::MountAttr(_) => Family::File,
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

    /// [`Decoder::args`] joined by `, ` and added to `s`; how many printed. The
    /// commonest formats (numbers, descriptors, buffers) are written in place, with no
    /// String of their own: a busy trace's printer makes millions of them a second.
    pub fn push_args(
        &self,
        s: &mut String,
        shape: &Shape,
        view: &CallView<'_>,
        range: std::ops::Range<usize>,
    ) -> usize {
        let dec = self.for_call(view.entry.arch, view.entry.nr);
        let mut printed = 0;
        for i in range {
            let sep = if printed > 0 { ", " } else { "" };
            if dec.push_arg(s, sep, shape.fmts[i], i, view) {
                printed += 1;
            }
        }
        printed
    }

    /// Argument `i` after `sep`, added to `s` as [`Decoder::arg`] prints it; false when
    /// it is left out.
    fn push_arg(&self, s: &mut String, sep: &str, fmt: Fmt, i: usize, v: &CallView<'_>) -> bool {
        let raw = v.arg(i);
        let mut num = itoa::Buffer::new();
        let plain_fd =
            |key: u32| !self.opts.decode_fds || !matches!(v.entry_mem(key), Some(Mem::Str { .. }));
        let fast = !(self.shallow && fmt.dereferences());
        match fmt {
            Fmt::Int if fast => s.extend([sep, num.format(raw as i32)]),
            Fmt::Long if fast => s.extend([sep, num.format(raw as i64)]),
            Fmt::Uint if fast => s.extend([sep, num.format(raw)]),
            Fmt::Fd if fast && plain_fd(FD_KEY_BASE + i as u32) => {
                s.extend([sep, num.format(raw as i32)])
            }
            Fmt::WBuf(len) if fast => {
                s.push_str(sep);
                self.push_buf(s, raw, v.arg(len as usize), v.entry_mem(i as u32), false);
            }
            Fmt::RBuf(_) if fast && v.ok_ret().is_some() => {
                let n = v.ok_ret().unwrap_or(0);
                s.push_str(sep);
                self.push_buf(s, raw, n as u64, v.exit_mem(i as u32), false);
            }
            _ => match self.arg(fmt, i, v) {
                Some(text) => s.extend([sep, text.as_str()]),
                None => return false,
            },
        }
        true
    }

    /// [`Decoder::ret`], added to `s`.
    pub fn push_ret(&self, s: &mut String, shape: &Shape, view: &CallView<'_>) {
        let dec = self.for_call(view.entry.arch, view.entry.nr);
        match view.result {
            Some(r)
                if !r.is_error
                    && matches!(shape.ret, Ret::Dec | Ret::Fd)
                    && !returns_fd(shape, view.entry) =>
            {
                s.push_str(itoa::Buffer::new().format(r.rval))
            }
            _ => s.push_str(&dec.ret_here(shape, view)),
        }
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
                    let ready = pollfds(bytes, self.opts.style, None, more);
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
            Ret::Fcntl => self.fcntl_ret(v, view),
            Ret::EntryNumber => match complete(view.exit_mem(0)) {
                Some(desc) if desc.len() >= 4 => format!("{v} (entry_number={})", u32_at(desc, 0)),
                _ => v.to_string(),
            },
            Ret::Sigmask | Ret::OldSigmask => {
                let prefix = if shape.ret == Ret::Sigmask {
                    "mask"
                } else {
                    "old mask"
                };
                let bits = 8 * layout(view.entry).long as u32;
                let mask = sigmask(v as u64, bits, self.opts.style);
                format!("{} ({prefix} {mask})", ret_hex(v, view.entry))
            }
            Ret::SigHandler => match sa_handler_name(v as u64, view.entry) {
                Some(name) => format!("{} ({name})", ret_hex(v, view.entry)),
                None => ret_hex(v, view.entry),
            },
            Ret::Time => match date_of(v, view.entry) {
                Some(date) => format!("{v} ({date})"),
                None => v.to_string(),
            },
            Ret::IpcShmat => match complete(view.exit_mem(IPC_SHMAT_KEY)) {
                Some(b) => hex(layout(view.entry).ulong(b, 0)),
                // strace's RVAL_NONE.
                None => "?".to_string(),
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
            Family::File => self.file_arg(fmt, i, v),
        }
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
        let call = self.call(entry);
        self.for_call(entry.arch, entry.nr)
            .plan_shape(&call.shape, &call.entry, result, mem)
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
            // sendmmsg's messages; an interrupted sleep's time left.
            let on_error = own_checks
                || matches!(fmt, Fmt::IovOut(_) | Fmt::MmsgvecSent(_))
                || (matches!(fmt, Fmt::RemainOut) && is_erestart(result));
            if at_exit && ok.is_none() && !on_error {
                continue;
            }
            let p = ArgPlan {
                entry,
                i,
                addr,
                at_exit,
                ok,
                result,
                l,
            };
            let data = match family(*fmt) {
                Family::Basic => self.plan_basic(*fmt, p, mem, &mut out),
                Family::Quota => self.plan_quota(*fmt, p, mem),
                Family::Ipc => self.plan_ipc(*fmt, p, mem, &mut out),
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
                Family::File => self.plan_file(*fmt, p, mem, &mut out),
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
        if at_exit && ok.is_some() && shape.ret == Ret::IpcShmat {
            // The address shmat through ipc attached at, which the kernel wrote where
            // `third` points.
            out.push(Capture {
                key: IPC_SHMAT_KEY,
                data: mem.read_bytes(entry.args[3], l.long),
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
}

const RET_FD_KEY: u32 = 300;
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
                    let fds = [0, 4].map(|o| u32_at(bytes, o) as i32);
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

/// A result strace prints in hex (RVAL_HEX): of 32 bits for an i386 call.
fn ret_hex(v: i64, entry: &SyscallEntry) -> String {
    if layout(entry).long == 4 {
        hex(u64::from(v as u32))
    } else {
        hex(v as u64)
    }
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

    /// Answers reads from a few blocks of made-up tracee memory.
    struct BlockReader(Vec<(u64, Vec<u8>)>);

    impl MemReader for BlockReader {
        fn read_bytes(&mut self, addr: u64, len: usize) -> Mem {
            let Some((at, block)) = self
                .0
                .iter()
                .find(|(at, b)| (*at..*at + b.len() as u64).contains(&addr))
            else {
                return Mem::Fault;
            };
            let bytes: Vec<u8> = block[(addr - at) as usize..]
                .iter()
                .take(len)
                .copied()
                .collect();
            Mem::Bytes {
                complete: bytes.len() == len,
                bytes,
            }
        }
        fn read_str(&mut self, _addr: u64, _max: usize) -> Mem {
            Mem::Fault
        }
        fn read_str_array(&mut self, _addr: u64, _p: usize, _items: usize, _len: usize) -> Mem {
            Mem::Fault
        }
    }

    /// `ipc(ARGS)` of i386 made and returning `rval`, printed as its arguments and result.
    fn ipc_line(args: [u64; 6], rval: i64, memory: Vec<(u64, Vec<u8>)>) -> String {
        let decoder = Decoder::new(DecodeOptions::default());
        let mut reader = BlockReader(memory);
        let mut entry = SyscallEntry {
            arch: Arch::I386,
            nr: syscalls::multiplex::IPC,
            args,
            ip: 0,
            sp: 0,
            mem: Vec::new(),
            ts: Default::default(),
        };
        assert!(
            decoder.reads(Arch::I386, entry.nr, false) && decoder.reads(Arch::I386, entry.nr, true)
        );
        entry.mem = decoder.at_entry(&entry, &mut reader);
        let result = SyscallResult {
            rval,
            is_error: rval < 0,
        };
        let exit_mem = decoder.at_exit(&entry, result, &mut reader);
        let call = decoder.call(&entry);
        let view = CallView {
            entry: &call.entry,
            result: Some(result),
            exit_mem: &exit_mem,
        };
        let args = decoder.args(&call.shape, &view, 0..call.shape.fmts.len());
        format!(
            "{}({}) = {}",
            call.shape.name,
            args.join(", "),
            decoder.ret(&call.shape, &view)
        )
    }

    fn words(w: &[u32]) -> Vec<u8> {
        w.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    // Expected strings: strace 6.1's lines for glibc's i386 semop, msgrcv and shmat, which
    // go through ipc (version 0), on made-up ids and addresses.
    #[test]
    fn ipc_prints_as_the_call_it_makes_with_that_calls_arguments() {
        let sops = vec![0, 0, 1, 0, 0x00, 0x10];
        assert_eq!(
            ipc_line([1, 5, 1, 0, 0x1000, 0], 0, vec![(0x1000, sops)]),
            "semop(5, [{sem_num=0, sem_op=1, sem_flg=SEM_UNDO}], 1) = 0"
        );
        let mut msg = words(&[0x3000, 7]);
        msg.extend(words(&[5]));
        msg.extend(b"hi\0\0");
        let memory = vec![(0x2000, msg[..8].to_vec()), (0x3000, msg[8..].to_vec())];
        assert_eq!(
            ipc_line([12, 4, 3, 0x1000, 0x2000, 0], 3, memory.clone()),
            r#"msgrcv(4, {mtype=5, mtext="hi\0"}, 3, 7, MSG_NOERROR) = 3"#
        );
        assert_eq!(
            ipc_line([12, 4, 3, 0x800, 0x2000, 0], -42, memory),
            "msgrcv(4, 0x2000, 3, IPC_NOWAIT) = -1 ENOMSG (No message of desired type)"
        );
        assert_eq!(
            ipc_line(
                [21, 9, 0x1000, 0x4000, 0, 0],
                0,
                vec![(0x4000, words(&[0xf7f2_8000]))]
            ),
            "shmat(9, NULL, SHM_RDONLY) = 0xf7f28000"
        );
        assert_eq!(
            ipc_line([99, 0, 5, 0, 0, 0], -22, Vec::new()),
            "ipc(99, 0, 0x5, 0, 0, 0) = -1 EINVAL (Invalid argument)"
        );
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
                            let mut reader = table::AskedMemory::default();
                            let shape = decoder.shape(arch, sc.nr);
                            decoder.plan_shape(&shape, &entry, result, &mut reader);
                            if !reader.reads.is_empty() {
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

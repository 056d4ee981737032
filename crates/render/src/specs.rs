//! The syscalls strace decodes specially, as data: per name, one format per printed
//! argument and the return format (strace's `syscallent` decoder column). Syscalls not
//! listed print by the knowledge base's argument kinds.

/// How one argument prints.
#[derive(Debug, Clone, Copy)]
pub enum Fmt {
    /// Signed 32-bit decimal.
    Int,
    /// Signed 64-bit decimal.
    Long,
    /// Unsigned decimal.
    Uint,
    /// A user or group id: unsigned decimal, but `-1` ("leave unchanged") as `-1`.
    Id,
    /// Hex (`0` for zero).
    Hex,
    /// A pointer: `NULL` or hex.
    Ptr,
    /// A file descriptor.
    Fd,
    /// A directory fd: `AT_FDCWD` or a number.
    Dirfd,
    /// A path, never truncated by -s.
    Path,
    /// A NUL-terminated string, truncated by -s.
    Str,
    /// An input buffer; the length is argument N.
    WBuf(u8),
    /// An output buffer; the return value is the length.
    RBuf(u8),
    /// An output buffer printed in hex (getrandom).
    RBufHex(u8),
    /// listxattr's list: the names the kernel wrote (the return value's length), or the
    /// address when the size (argument N) is 0 or the call failed, as strace's
    /// print_xattr_list.
    XattrList(u8),
    /// An output path of the return value's length, NUL included (getcwd), printed whole.
    RStr,
    /// A constant or flags of the knowledge base's decoding table of that name, printed
    /// as strace prints it in the -X style in force.
    Set(&'static str),
    /// ioctl's request: the `ioctl_cmd` table's names, after what strace reads out of the
    /// number of requests whose length or index is part of it (`EVIOCGNAME(256)`).
    IoctlRequest,
    /// statx's flags, as strace prints them: the AT_STATX_SYNC_TYPE bits, then the other
    /// AT_* flags, each as flags without a default (see [`crate::xlat::flags_without_default`]).
    StatxFlags,
    /// open(2) mode, printed only with O_CREAT or O_TMPFILE in argument N.
    OpenMode(u8),
    /// A file mode in octal.
    Mode,
    /// A signal number.
    Signal,
    /// A string array (argv).
    Argv,
    /// An environment (`0x... /* N vars */` unless -v).
    Envp,
    /// A socket protocol: IPPROTO_* for inet families (family in argument 0).
    SocketProto,
    /// The whole x86_64 clone argument list.
    Clone,
    /// `struct stat` written by the kernel.
    StatOut,
    /// i386's `struct stat64` written by the kernel.
    Stat64Out,
    /// `struct statx` written by the kernel.
    StatxOut,
    /// A signal set read by the kernel.
    SigsetIn,
    /// A signal set written by the kernel.
    SigsetOut,
    /// A `struct sigaction` read by the kernel.
    SigactionIn,
    /// A `struct sigaction` written by the kernel.
    SigactionOut,
    /// A `struct rlimit` read by the kernel.
    RlimitIn,
    /// A `struct rlimit` written by the kernel.
    RlimitOut,
    /// `int[2]` written by the kernel (pipe, socketpair).
    PipeOut,
    /// A wait status written by the kernel.
    WaitStatusOut,
    /// A `struct timespec` read by the kernel.
    TimespecIn,
    /// A `struct timeval` read by the kernel (select's timeout).
    TimevalIn,
    /// A `struct timeval` written by the kernel (gettimeofday).
    TimevalOut,
    /// utimes's two `struct timeval`s, read by the kernel.
    TimevalPairIn,
    /// i386's old select: one pointer to `struct sel_arg_struct`, printed as the five
    /// arguments it holds.
    OldSelectArgs,
    /// A `struct timespec` written by the kernel.
    TimespecOut,
    /// A `struct itimerspec` read by the kernel (timer_settime, timerfd_settime).
    ItimerspecIn,
    /// A `struct itimerspec` written by the kernel.
    ItimerspecOut,
    /// A `struct itimerval` read by the kernel (setitimer).
    ItimervalIn,
    /// A `struct itimerval` written by the kernel.
    ItimervalOut,
    /// A sockaddr read by the kernel; the length is argument N.
    SockaddrIn(u8),
    /// A sockaddr written by the kernel; argument N points to its length.
    SockaddrOut(u8),
    /// A `socklen_t *` read and written (`[16]`, `[128 => 16]`).
    LenInOut,
    /// A getdents buffer: `0x... /* N entries */`, the `linux_dirent` records under -v.
    Dirents,
    /// A getdents64 buffer: `0x... /* N entries */`, the records themselves under -v.
    Dirents64,
    /// `struct utsname` written by the kernel.
    Utsname,
    /// An iovec array read by the kernel; the count is argument N.
    IovIn(u8),
    /// An iovec array filled by the kernel; the count is argument N.
    IovOut(u8),
    /// fcntl's third argument, by command.
    FcntlArg,
    /// fcntl's command (i386 has F_GETLK64 and friends besides x86_64's).
    FcntlCmd,
    /// ioctl's third argument, as [`ioctl_param`] says for the command (absent for commands
    /// that take none). Printed at entry when the kernel reads it, at exit when it writes.
    IoctlArg,
    /// One `struct epoll_event` read by the kernel.
    EpollEventIn,
    /// The `struct epoll_event` array filled by epoll_wait (the return value counts them).
    EpollEventsOut,
    /// A `struct pollfd` array; the count is argument N.
    PollFds(u8),
    /// An `fd_set` read by the kernel; the number of fds is argument 0.
    FdSetIn,
    /// A CPU set filled by the kernel (sched_getaffinity; the return value is its size).
    CpuSetOut,
    /// An `int` read by the kernel when argument N (its length) is 4 (setsockopt).
    IntIn(u8),
    /// A NUMA node mask read by the kernel (set_mempolicy, mbind); argument N is its
    /// maxnode, so it holds `ceil((maxnode - 1) / 64)` longs.
    NodemaskIn(u8),
    /// A NUMA node mask written by the kernel (get_mempolicy); argument N is its maxnode.
    NodemaskOut(u8),
    /// get_mempolicy's policy, written by the kernel: `[MPOL_BIND]`, or a node number
    /// under MPOL_F_NODE (flags in argument 4).
    MempolicyOut,
    /// `struct statfs` written by the kernel.
    StatfsOut,
    /// i386's `struct statfs64` written by the kernel.
    Statfs64Out,
    /// `struct sysinfo` written by the kernel.
    SysinfoOut,
    /// rt_sigreturn's restored signal mask, read from the signal frame on the stack.
    SigreturnMask,
    /// futex's op and the arguments that op uses.
    FutexRest,
    /// A sleep's remaining-time pointer, printed at exit: the time left when a signal
    /// interrupted the call (an ERESTART* error; not for clock_nanosleep's TIMER_ABSTIME),
    /// else its address, as strace prints it.
    RemainOut,
    /// A `loff_t *` read and written (sendfile's offset: `[0] => [3]`).
    OffsetInOut,
    /// An `int` written by the kernel (getsockopt's value).
    IntOut,
    /// mremap's new address: printed only when the flags (argument 3) hold both
    /// MREMAP_MAYMOVE and MREMAP_FIXED, the only case the kernel reads it.
    MremapNewAddr,
    /// An `int` read by the kernel through a pointer (`struct sched_param`): `[0]`.
    IntPtrIn,
    /// A `siginfo_t` written by the kernel (waitid, rt_sigtimedwait).
    SiginfoOut,
    /// A `siginfo_t` read by the kernel (rt_sigqueueinfo).
    SiginfoIn,
    /// `struct rusage` written by the kernel.
    RusageOut,
    /// `struct tms` written by the kernel.
    TmsOut,
    /// `struct clone_args` read by the kernel (clone3), with the parent tid it wrote.
    CloneArgs,
    /// A `stack_t` read by the kernel (sigaltstack).
    StackIn,
    /// A `stack_t` written by the kernel.
    StackOut,
    /// utimensat's two timespecs (`UTIME_NOW`, `UTIME_OMIT` named).
    TimesIn,
    /// A `struct msghdr` read by the kernel (sendmsg).
    MsghdrIn,
    /// A `struct msghdr` filled by the kernel (recvmsg).
    MsghdrOut,
    /// sendmmsg's `struct mmsghdr` array, printed at exit with the msg_len the kernel
    /// wrote; argument N is its length.
    MmsgvecSent(u8),
    /// recvmmsg's `struct mmsghdr` array, the received messages printed at exit;
    /// argument N is its length.
    MmsgvecReceived(u8),
    /// kexec_load's array of `struct kexec_segment` (four pointer-sized fields), printed
    /// when it has at most KEXEC_SEGMENT_MAX (16); the count is argument N.
    KexecSegmentsIn(u8),
    /// io_submit's array of `struct iocb` pointers (pointer-sized, 32-bit in compat calls),
    /// each iocb read by the kernel; the count is argument N.
    IocbArrayIn(u8),
    /// A socket option name, from the table of the level in argument 1.
    SockoptName,
    /// prctl's arguments after the option, as that option uses them.
    PrctlRest,
    /// A gid array filled by the kernel (getgroups; the return value counts them).
    GidsOut,
    /// A gid array read by the kernel (setgroups); the count is argument N.
    GidsIn(u8),
    /// A `struct sembuf` array read by the kernel (semop); the count is argument N.
    SembufsIn(u8),
    /// A `struct timex` as the kernel left it (adjtimex, clock_adjtime).
    TimexOut,
    /// The `struct io_event` array filled by io_getevents (the return value counts them).
    IoEventsOut,
    /// A `{sigset_t *sigmask; size_t sigsetsize}` pair read by the kernel (pselect6's and
    /// io_pgetevents' signal mask).
    SigsetAddrSizeIn,
    /// A `struct timezone` read by the kernel (settimeofday).
    TimezoneIn,
    /// A `struct timezone` written by the kernel (gettimeofday).
    TimezoneOut,
    /// A user or group id written by the kernel (getresuid): `[0]`.
    IdOut,
    /// A `loff_t` read by the kernel (splice's offsets): `[0]`.
    LoffIn,
    /// A `loff_t` written by the kernel (i386 _llseek's result): `[4100]`.
    LoffOut,
    /// i386's old mmap (90): one pointer to its six arguments, printed as mmap's.
    OldMmapArgs,
    /// mmap2's offset in pages, printed in bytes, in hex as mmap's (`0x2000`).
    PageOffset,
    /// A 64-bit offset in this argument (the high half) and the next (the low half):
    /// i386 _llseek's, in decimal.
    OffsetHiLo,
    /// A 64-bit length in this argument (the low half) and the next (the high half):
    /// i386 truncate64's and ftruncate64's, in decimal.
    OffsetLoHi,
    /// A pointer-sized value written by the kernel, in hex (io_setup's context): `[0x...]`.
    AddrOut,
    /// mincore's vector, one byte per page of the length in argument 1.
    MincoreOut,
    /// An iovec array whose buffers are not the tracee's to read (process_madvise's, in
    /// another process): bases as addresses; the count is argument N.
    IovAddrs(u8),
    /// mknod's device number, printed only when the mode (argument N) makes a device.
    MknodDev(u8),
    /// A `struct utimbuf` read by the kernel (utime).
    UtimbufIn,
    /// A `struct mq_attr` read by the kernel (mq_open, mq_getsetattr).
    MqAttrIn,
    /// A `struct mq_attr` written by the kernel (mq_getsetattr).
    MqAttrOut,
    /// A `struct __user_cap_header_struct` (capget, capset).
    CapHeader,
    /// capset's capability sets, read by the kernel (the header is argument 0).
    CapDataIn,
    /// capget's capability sets, written by the kernel (the header is argument 0).
    CapDataOut,
    /// A `struct open_how` read by the kernel (openat2).
    OpenHowIn,
    /// A `struct file_handle` read by the kernel (open_by_handle_at).
    FileHandleIn,
    /// name_to_handle_at's `struct file_handle`: the size going in, the handle the kernel
    /// wrote.
    FileHandleOut,
    /// An array of pointers read by the kernel (move_pages' pages); the count is argument N.
    PtrArrayIn(u8),
    /// An array of ints read by the kernel (move_pages' nodes); the count is argument N.
    IntArrayIn(u8),
    /// move_pages' status array written by the kernel: node numbers or `-EFAULT`; the
    /// count is argument N.
    PageStatusOut(u8),
    /// mmap's flags: the MAP_HUGE_* page size field as `N<<MAP_HUGE_SHIFT` after them.
    MmapFlags,
    /// fanotify_mark's directory fd: `FAN_NOFD`, `AT_FDCWD` or a number.
    FanotifyDirfd,
    /// waitid's id: a descriptor when the id type (argument 0) is P_PIDFD, else a number.
    WaitidId,
    /// A quotactl command: `QCMD(Q_GETQUOTA, USRQUOTA)`.
    QuotaCmd,
    /// quotactl's id and address, as the command in argument N uses them (nothing for
    /// Q_SYNC, a format and a path for Q_QUOTAON, a uid and a `struct if_dqblk` for
    /// Q_GETQUOTA and Q_SETQUOTA, ...).
    QuotaRest(u8),
    /// shmget's key: `IPC_PRIVATE` or hex.
    IpcKey,
    /// shmget's flags: `IPC_CREAT|0600`.
    ShmgetFlags,
    /// A `struct landlock_ruleset_attr` read by the kernel; its size is argument N.
    LandlockRulesetAttr(u8),
    /// A `struct io_uring_params`: the settings the kernel reads, then (at exit) the sizes,
    /// features and ring offsets it wrote.
    IoUringParams,
    /// bpf's `union bpf_attr` for the command in argument 0, its size in argument 2
    /// (BPF_MAP_CREATE decoded; the other commands print its address).
    BpfAttr,
    /// A `struct perf_event_attr` read by the kernel (perf_event_open), abbreviated as
    /// strace abbreviates it.
    PerfEventAttr,
    /// memfd_create's flags, the MFD_HUGE_* field as `N<<MFD_HUGE_SHIFT`.
    MemfdFlags,
    /// A `struct sigevent` read by the kernel (mq_notify, timer_create).
    SigeventIn,
    /// getsockopt's value, written by the kernel: an int, the structure of the few
    /// options strace decodes (SO_LINGER, SO_PEERCRED), else the bytes.
    SockoptOut,
    /// fsconfig's key: a string for the commands that set one, else an address.
    FsconfigKey,
    /// fsconfig's value, as the command (argument 1) reads it.
    FsconfigValue,
    /// fsconfig's aux: a directory fd, an fd or a number, by command.
    FsconfigAux,
    /// A `struct mount_attr` read by the kernel; its size is argument N.
    MountAttr(u8),
    /// mq_open's `struct mq_attr`, printed only with O_CREAT in argument N (as the mode).
    MqOpenAttr(u8),
    /// Not printed.
    Skip,
    // The i386 calls strace 6.1 decodes its own way (and x86_64's time and thread areas).
    /// set_thread_area's `struct user_desc`, read whole by the kernel, which writes the
    /// entry number it chose back (printed after the result: [`Ret::EntryNumber`]).
    UserDescIn,
    /// get_thread_area's `struct user_desc`: the entry number the kernel reads, then the
    /// descriptor it wrote (`{entry_number=13, base_addr=..., ...}`).
    UserDescInOut,
    /// An old one-word signal mask (ssetmask's): `[USR1]`.
    OldSigmask,
    /// A signal handler (signal's): `SIG_DFL`, `SIG_IGN`, `SIG_ERR` or an address.
    SigHandler,
    /// time's `time_t *`, written by the kernel: `[1796607800 /* 2026-12-07T01:43:20+0000 */]`.
    TimeOut,
    /// readdir's `struct old_linux_dirent`, written by the kernel when it returns 1.
    OldDirent,
    /// readdir's count, printed only when it is not 1 (it always is).
    ReaddirCount,
    /// socketcall's call when the tracer could not tell the call it makes (its argument
    /// array unreadable, the number unknown): `SYS_SOCKET`, or the number in decimal.
    SocketcallCall,
    /// ipc's call when it makes no call strace knows (the others print as that call):
    /// its name or number in decimal, the version in the upper half first (`1<<16|99`).
    IpcCall,
    /// semget's and msgget's flags: the IPC_* flags, then the mode: `IPC_CREAT|0600`.
    IpcFlags,
    /// A semctl, msgctl or shmctl command of the named table, `IPC_64|` first when that
    /// bit (the layout of the structures) is set: `IPC_64|IPC_STAT`.
    IpcCtlCmd(&'static str),
    /// semctl's `union semun` through ipc, which passes a pointer to it: the union as
    /// [`Fmt::SemctlArg`] prints it, its value in brackets (`[0x3]`).
    SemunPtr,
    /// semctl's `union semun` by the command in argument 2: the `struct semid_ds` it
    /// points to (read by IPC_SET, written by IPC_STAT, SEM_STAT, SEM_STAT_ANY), the
    /// `struct seminfo` (IPC_INFO, SEM_INFO), else the value as an address.
    SemctlArg,
    /// msgctl's buffer by the command in argument 1: the `struct msqid_ds` (IPC_SET,
    /// IPC_STAT, MSG_STAT, MSG_STAT_ANY) or `struct msginfo` (IPC_INFO, MSG_INFO), else
    /// its address.
    MsgctlBuf,
    /// shmctl's buffer by the command in argument 1: the `struct shmid_ds` (IPC_SET,
    /// IPC_STAT, SHM_STAT, SHM_STAT_ANY), `struct shminfo` (IPC_INFO) or `struct
    /// shm_info` (SHM_INFO), else its address.
    ShmctlBuf,
    /// msgsnd's `struct msgbuf`, read by the kernel; argument N is the text's length.
    MsgbufIn(u8),
    /// msgrcv's `struct msgbuf`, written by the kernel; argument N is the text's size.
    MsgbufOut(u8),
    /// msgrcv's buffer through ipc (version 0), which passes a pointer to a `struct
    /// ipc_kludge { msgp, msgtyp }`: the buffer it names, printed as [`Fmt::MsgbufOut`];
    /// argument N is the text's size. The kludge's address when it cannot be read.
    MsgKludgeBuf(u8),
    /// The message type in the `struct ipc_kludge` that argument N points to (a
    /// [`Fmt::MsgKludgeBuf`]); left out when the kludge cannot be read.
    MsgKludgeType(u8),
}

impl Fmt {
    /// Whether strace prints the argument as its address when the call is outside
    /// `-e verbose=`: a structure or array it fetches (strings and buffers still print;
    /// arguments that decode by command keep their decoding).
    pub fn dereferences(self) -> bool {
        !self.value_only()
            && !matches!(
                self,
                Fmt::Path
                    | Fmt::Str
                    | Fmt::WBuf(_)
                    | Fmt::RBuf(_)
                    | Fmt::RBufHex(_)
                    | Fmt::XattrList(_)
                    | Fmt::RStr
                    | Fmt::FutexRest
                    | Fmt::PrctlRest
                    | Fmt::IoctlArg
                    | Fmt::FcntlArg
                    | Fmt::QuotaRest(_)
                    | Fmt::Clone
                    | Fmt::MqOpenAttr(_)
                    | Fmt::FsconfigKey
                    | Fmt::FsconfigValue
                    | Fmt::OldSelectArgs
                    | Fmt::SigreturnMask
                    // Printed from its buffer's capture, left out with it.
                    | Fmt::MsgKludgeType(_)
            )
    }

    /// Whether the argument prints from its register alone, never reading tracee memory
    /// (-y's descriptor paths aside).
    pub fn value_only(self) -> bool {
        matches!(
            self,
            Fmt::Int
                | Fmt::Long
                | Fmt::Uint
                | Fmt::Id
                | Fmt::Hex
                | Fmt::Ptr
                | Fmt::Fd
                | Fmt::Dirfd
                | Fmt::Set(_)
                | Fmt::IoctlRequest
                | Fmt::StatxFlags
                | Fmt::OpenMode(_)
                | Fmt::Mode
                | Fmt::Signal
                | Fmt::SocketProto
                | Fmt::FcntlCmd
                | Fmt::PageOffset
                | Fmt::OffsetHiLo
                | Fmt::OffsetLoHi
                | Fmt::MremapNewAddr
                | Fmt::SockoptName
                | Fmt::MknodDev(_)
                | Fmt::MmapFlags
                | Fmt::FanotifyDirfd
                | Fmt::WaitidId
                | Fmt::QuotaCmd
                | Fmt::IpcKey
                | Fmt::ShmgetFlags
                | Fmt::MemfdFlags
                | Fmt::FsconfigAux
                | Fmt::Skip
                | Fmt::OldSigmask
                | Fmt::SigHandler
                | Fmt::ReaddirCount
                | Fmt::SocketcallCall
                | Fmt::IpcCall
                | Fmt::IpcFlags
                | Fmt::IpcCtlCmd(_)
        )
    }

    /// Whether the value can only be printed at syscall exit.
    pub fn at_exit(self) -> bool {
        matches!(
            self,
            Fmt::RBuf(_)
                | Fmt::RBufHex(_)
                | Fmt::XattrList(_)
                | Fmt::RStr
                | Fmt::StatOut
                | Fmt::Stat64Out
                | Fmt::StatxOut
                | Fmt::SigsetOut
                | Fmt::SigactionOut
                | Fmt::RlimitOut
                | Fmt::PipeOut
                | Fmt::WaitStatusOut
                | Fmt::TimespecOut
                | Fmt::ItimerspecOut
                | Fmt::ItimervalOut
                | Fmt::SockaddrOut(_)
                | Fmt::LenInOut
                | Fmt::Dirents
                | Fmt::Dirents64
                | Fmt::Utsname
                | Fmt::IovOut(_)
                | Fmt::EpollEventsOut
                | Fmt::CpuSetOut
                | Fmt::NodemaskOut(_)
                | Fmt::MempolicyOut
                | Fmt::StatfsOut
                | Fmt::Statfs64Out
                | Fmt::TimevalOut
                | Fmt::TimexOut
                | Fmt::IoEventsOut
                | Fmt::SysinfoOut
                | Fmt::GidsOut
                | Fmt::RemainOut
                | Fmt::MsghdrOut
                | Fmt::MmsgvecSent(_)
                | Fmt::MmsgvecReceived(_)
                | Fmt::OffsetInOut
                | Fmt::IntOut
                | Fmt::SiginfoOut
                | Fmt::RusageOut
                | Fmt::TmsOut
                | Fmt::StackOut
                | Fmt::TimezoneOut
                | Fmt::IdOut
                | Fmt::LoffOut
                | Fmt::AddrOut
                | Fmt::MincoreOut
                | Fmt::MqAttrOut
                | Fmt::CapDataOut
                | Fmt::SockoptOut
                | Fmt::IoUringParams
                | Fmt::QuotaRest(_)
                | Fmt::FileHandleOut
                | Fmt::PageStatusOut(_)
                // clone3 appends ` => {parent_tid=[N]}` once the kernel wrote it.
                | Fmt::CloneArgs
                // PR_GET_NAME and friends fill their argument; print prctl's rest at exit.
                | Fmt::PrctlRest
                // TCGETS and friends fill theirs (input ones move the split back: see
                // `Decoder::entry_split`).
                | Fmt::IoctlArg
                // F_GETLK fills its struct flock (the other commands move the split back:
                // see `Decoder::entry_split`).
                | Fmt::FcntlArg
                | Fmt::UserDescInOut
                | Fmt::TimeOut
                | Fmt::OldDirent
                | Fmt::MsgbufOut(_)
                | Fmt::MsgKludgeBuf(_)
                | Fmt::MsgKludgeType(_)
                // IPC_STAT and friends fill them (IPC_SET's, read at entry, prints with
                // them).
                | Fmt::SemunPtr
                | Fmt::SemctlArg
                | Fmt::MsgctlBuf
                | Fmt::ShmctlBuf
        )
    }
}

/// How the return value prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ret {
    /// Decimal.
    Dec,
    /// Hex (mmap, brk).
    Hex,
    /// Octal mode (umask).
    Oct,
    /// The call does not return (`= ?`).
    NoReturn,
    /// fcntl: flags decoded after F_GETFD/F_GETFL results.
    Fcntl,
    /// A new file descriptor (its path follows with -y).
    Fd,
    /// poll's count, then `(Timeout)` or the ready descriptors.
    Poll,
    /// A signal number (rt_sigtimedwait): `10 (SIGUSR1)`.
    Signal,
    /// select's count, then the ready sets and the time left: `1 (in [4], left {...})`.
    Select,
    /// A scheduling policy (sched_getscheduler): `3 (SCHED_BATCH)`, named even under -X.
    SchedPolicy,
    /// A clock state (adjtimex): `5 (TIME_ERROR)`.
    ClockState,
    /// recvmmsg's count, then `(Timeout)` or the time left: `2 (left {...})`.
    Mmsg,
    /// An undecoded call's (`-e raw=`): hex, errors without strace's restart notes.
    Raw,
    /// set_thread_area's: the result, then the entry number the kernel wrote into the
    /// descriptor: `0 (entry_number=12)`.
    EntryNumber,
    /// sgetmask's: hex, then the mask: `0 (mask [])`.
    Sigmask,
    /// ssetmask's: hex, then the old mask: `0 (old mask [])`.
    OldSigmask,
    /// signal's: the old handler in hex, named when it is one of the special ones:
    /// `0 (SIG_DFL)`.
    SigHandler,
    /// time's: the seconds, then their date: `1796607800 (2026-12-07T01:43:20+0000)`.
    Time,
    /// shmat's through ipc: the address the kernel wrote where argument 3 points, in hex
    /// (the call itself returns 0).
    IpcShmat,
}

/// One special decoder.
#[derive(Debug)]
pub struct Spec {
    /// Argument formats, one per printed argument.
    pub args: &'static [Fmt],
    /// Return format.
    pub ret: Ret,
}

use Fmt::*;
use syscalls::Arch;

macro_rules! specs {
    ($($name:literal => [$($f:expr),*] $ret:ident;)*) => {
        static SPECS: &[(&str, Spec)] = &[$(($name, Spec { args: &[$($f),*], ret: Ret::$ret })),*];
    };
}

specs! {
    "read" => [Fd, RBuf(2), Uint] Dec;
    "write" => [Fd, WBuf(2), Uint] Dec;
    "pread64" => [Fd, RBuf(2), Uint, Long] Dec;
    "pwrite64" => [Fd, WBuf(2), Uint, Long] Dec;
    "readv" => [Fd, IovOut(2), Int] Dec;
    "writev" => [Fd, IovIn(2), Int] Dec;
    "open" => [Path, Set("open_flags"), OpenMode(1)] Fd;
    "openat" => [Dirfd, Path, Set("open_flags"), OpenMode(2)] Fd;
    "creat" => [Path, Mode] Fd;
    "close" => [Fd] Dec;
    "stat" => [Path, StatOut] Dec;
    "lstat" => [Path, StatOut] Dec;
    "fstat" => [Fd, StatOut] Dec;
    "newfstatat" => [Dirfd, Path, StatOut, Set("at_flags")] Dec;
    "stat64" => [Path, Stat64Out] Dec;
    "lstat64" => [Path, Stat64Out] Dec;
    "fstat64" => [Fd, Stat64Out] Dec;
    "fstatat64" => [Dirfd, Path, Stat64Out, Set("at_flags")] Dec;
    "statx" => [Dirfd, Path, StatxFlags, Set("statx_mask"), StatxOut] Dec;
    "access" => [Path, Set("access_mode")] Dec;
    "faccessat" => [Dirfd, Path, Set("access_mode")] Dec;
    "faccessat2" => [Dirfd, Path, Set("access_mode"), Set("faccessat_flags")] Dec;
    "mmap" => [Ptr, Uint, Set("mmap_prot"), MmapFlags, Fd, Hex] Hex;
    "mmap2" => [Ptr, Uint, Set("mmap_prot"), MmapFlags, Fd, PageOffset] Hex;
    "_llseek" => [Fd, OffsetHiLo, Skip, LoffOut, Set("lseek_whence")] Dec;
    "truncate64" => [Path, OffsetLoHi, Skip] Dec;
    "ftruncate64" => [Fd, OffsetLoHi, Skip] Dec;
    "mprotect" => [Ptr, Uint, Set("mmap_prot")] Dec;
    "munmap" => [Ptr, Uint] Dec;
    "brk" => [Ptr] Hex;
    "chown" => [Path, Id, Id] Dec;
    "lchown" => [Path, Id, Id] Dec;
    "fchown" => [Fd, Id, Id] Dec;
    "fchownat" => [Dirfd, Path, Id, Id, Set("at_flags")] Dec;
    "setuid" => [Id] Dec;
    "setgid" => [Id] Dec;
    "setfsuid" => [Id] Dec;
    "setfsgid" => [Id] Dec;
    "setreuid" => [Id, Id] Dec;
    "setregid" => [Id, Id] Dec;
    "setresuid" => [Id, Id, Id] Dec;
    "setresgid" => [Id, Id, Id] Dec;
    "mremap" => [Ptr, Uint, Uint, Set("mremap_flags"), MremapNewAddr] Hex;
    "madvise" => [Ptr, Uint, Set("madvise_advice")] Dec;
    "execve" => [Path, Argv, Envp] Dec;
    "execveat" => [Dirfd, Path, Argv, Envp, Set("at_flags")] Dec;
    "exit" => [Int] NoReturn;
    "exit_group" => [Int] NoReturn;
    "arch_prctl" => [Set("arch_prctl_code"), Hex] Dec;
    "set_tid_address" => [Ptr] Dec;
    "set_robust_list" => [Ptr, Uint] Dec;
    "rseq" => [Ptr, Hex, Hex, Hex] Dec;
    "prlimit64" => [Int, Set("rlimit_resource"), RlimitIn, RlimitOut] Dec;
    "getrlimit" => [Set("rlimit_resource"), RlimitOut] Dec;
    "ugetrlimit" => [Set("rlimit_resource"), RlimitOut] Dec;
    "setrlimit" => [Set("rlimit_resource"), RlimitIn] Dec;
    "rt_sigaction" => [Signal, SigactionIn, SigactionOut, Uint] Dec;
    "rt_sigprocmask" => [Set("sigprocmask_how"), SigsetIn, SigsetOut, Uint] Dec;
    "listxattr" => [Path, XattrList(2), Uint] Dec;
    "llistxattr" => [Path, XattrList(2), Uint] Dec;
    "flistxattr" => [Fd, XattrList(2), Uint] Dec;
    "getrandom" => [RBufHex(1), Uint, Set("getrandom_flags")] Dec;
    "pipe" => [PipeOut] Dec;
    "pipe2" => [PipeOut, Set("open_mode_flags")] Dec;
    "socketpair" => [Set("address_family"), Set("socket_type"), Int, PipeOut] Dec;
    "clone" => [Clone] Dec;
    "wait4" => [Int, WaitStatusOut, Set("wait4_options"), RusageOut] Dec;
    "kill" => [Int, Signal] Dec;
    "tkill" => [Int, Signal] Dec;
    "tgkill" => [Int, Int, Signal] Dec;
    "fcntl" => [Fd, FcntlCmd, FcntlArg] Fcntl;
    "fcntl64" => [Fd, FcntlCmd, FcntlArg] Fcntl;
    "ioctl" => [Fd, IoctlRequest, IoctlArg] Dec;
    "prctl" => [Set("prctl_option"), PrctlRest] Dec;
    "getgroups" => [Int, GidsOut] Dec;
    "setgroups" => [Int, GidsIn(0)] Dec;
    "lseek" => [Fd, Long, Set("lseek_whence")] Dec;
    "dup" => [Fd] Fd;
    "dup2" => [Fd, Fd] Fd;
    "dup3" => [Fd, Fd, Set("open_mode_flags")] Fd;
    "socket" => [Set("address_family"), Set("socket_type"), SocketProto] Fd;
    "connect" => [Fd, SockaddrIn(2), Uint] Dec;
    "bind" => [Fd, SockaddrIn(2), Uint] Dec;
    "listen" => [Fd, Int] Dec;
    "accept" => [Fd, SockaddrOut(2), LenInOut] Fd;
    "accept4" => [Fd, SockaddrOut(2), LenInOut, Set("socket_flags")] Fd;
    "getsockname" => [Fd, SockaddrOut(2), LenInOut] Dec;
    "getpeername" => [Fd, SockaddrOut(2), LenInOut] Dec;
    "sendto" => [Fd, WBuf(2), Uint, Set("msg_flags"), SockaddrIn(5), Uint] Dec;
    "recvfrom" => [Fd, RBuf(2), Uint, Set("msg_flags"), SockaddrOut(5), LenInOut] Dec;
    "setsockopt" => [Fd, Set("socket_level"), SockoptName, IntIn(4), Uint] Dec;
    "getsockopt" => [Fd, Set("socket_level"), SockoptName, SockoptOut, LenInOut] Dec;
    "sendfile" => [Fd, Fd, OffsetInOut, Uint] Dec;
    "utimensat" => [Dirfd, Path, TimesIn, Set("at_flags")] Dec;
    "utimensat_time64" => [Dirfd, Path, TimesIn, Set("at_flags")] Dec;
    "rt_sigtimedwait" => [SigsetIn, SiginfoOut, TimespecIn, Uint] Signal;
    "rt_sigtimedwait_time64" => [SigsetIn, SiginfoOut, TimespecIn, Uint] Signal;
    "rt_sigqueueinfo" => [Int, Signal, SiginfoIn] Dec;
    "rt_tgsigqueueinfo" => [Int, Int, Signal, SiginfoIn] Dec;
    "getrusage" => [Set("rusage_who"), RusageOut] Dec;
    "times" => [TmsOut] Dec;
    "clone3" => [CloneArgs, Uint] Dec;
    "waitid" => [Set("waitid_which"), WaitidId, SiginfoOut, Set("wait4_options"), RusageOut] Dec;
    "sigaltstack" => [StackIn, StackOut] Dec;
    "rt_sigsuspend" => [SigsetIn, Uint] Dec;
    "sendmsg" => [Fd, MsghdrIn, Set("msg_flags")] Dec;
    "recvmsg" => [Fd, MsghdrOut, Set("msg_flags")] Dec;
    "sendmmsg" => [Fd, MmsgvecSent(2), Uint, Set("msg_flags")] Dec;
    "recvmmsg" => [Fd, MmsgvecReceived(2), Uint, Set("msg_flags"), TimespecIn] Mmsg;
    "recvmmsg_time64" => [Fd, MmsgvecReceived(2), Uint, Set("msg_flags"), TimespecIn] Mmsg;
    "shutdown" => [Fd, Set("shutdown_how")] Dec;
    "getdents64" => [Fd, Dirents64, Uint] Dec;
    "getdents" => [Fd, Dirents, Uint] Dec;
    "futex" => [Ptr, FutexRest] Dec;
    "futex_time64" => [Ptr, FutexRest] Dec;
    "nanosleep" => [TimespecIn, RemainOut] Dec;
    "clock_nanosleep" => [Set("clockid"), Set("timer_flags"), TimespecIn, RemainOut] Dec;
    "clock_nanosleep_time64" => [Set("clockid"), Set("timer_flags"), TimespecIn, RemainOut] Dec;
    "clock_gettime" => [Set("clockid"), TimespecOut] Dec;
    "clock_gettime64" => [Set("clockid"), TimespecOut] Dec;
    "clock_settime" => [Set("clockid"), TimespecIn] Dec;
    "clock_settime64" => [Set("clockid"), TimespecIn] Dec;
    "clock_getres" => [Set("clockid"), TimespecOut] Dec;
    "adjtimex" => [TimexOut] ClockState;
    "clock_adjtime" => [Set("clockid"), TimexOut] ClockState;
    "clock_adjtime64" => [Set("clockid"), TimexOut] ClockState;
    "clock_getres_time64" => [Set("clockid"), TimespecOut] Dec;
    "sched_rr_get_interval" => [Int, TimespecOut] Dec;
    "sched_rr_get_interval_time64" => [Int, TimespecOut] Dec;
    "gettimeofday" => [TimevalOut, TimezoneOut] Dec;
    "settimeofday" => [TimevalIn, TimezoneIn] Dec;
    "utimes" => [Path, TimevalPairIn] Dec;
    "futimesat" => [Dirfd, Path, TimevalPairIn] Dec;
    "chdir" => [Path] Dec;
    "mkdir" => [Path, Mode] Dec;
    "mkdirat" => [Dirfd, Path, Mode] Dec;
    "rmdir" => [Path] Dec;
    "unlink" => [Path] Dec;
    "unlinkat" => [Dirfd, Path, Set("at_flags")] Dec;
    "rename" => [Path, Path] Dec;
    "renameat" => [Dirfd, Path, Dirfd, Path] Dec;
    "readlink" => [Path, RBuf(2), Uint] Dec;
    "readlinkat" => [Dirfd, Path, RBuf(3), Uint] Dec;
    "getcwd" => [RStr, Uint] Dec;
    "umask" => [Mode] Oct;
    "chmod" => [Path, Mode] Dec;
    "fchmod" => [Fd, Mode] Dec;
    "fchmodat" => [Dirfd, Path, Mode] Dec;
    "uname" => [Utsname] Dec;
    "statfs" => [Path, StatfsOut] Dec;
    "fstatfs" => [Fd, StatfsOut] Dec;
    "statfs64" => [Path, Uint, Statfs64Out] Dec;
    "fstatfs64" => [Fd, Uint, Statfs64Out] Dec;
    "sysinfo" => [SysinfoOut] Dec;
    "epoll_create1" => [Set("epoll_create_flags")] Fd;
    "epoll_ctl" => [Fd, Set("epoll_ctl_op"), Fd, EpollEventIn] Dec;
    "epoll_wait" => [Fd, EpollEventsOut, Int, Int] Dec;
    "epoll_pwait" => [Fd, EpollEventsOut, Int, Int, SigsetIn, Uint] Dec;
    "poll" => [PollFds(1), Uint, Int] Poll;
    "ppoll" => [PollFds(1), Uint, TimespecIn, SigsetIn, Uint] Poll;
    "ppoll_time64" => [PollFds(1), Uint, TimespecIn, SigsetIn, Uint] Poll;
    "select" => [Int, FdSetIn, FdSetIn, FdSetIn, TimevalIn] Select;
    "_newselect" => [Int, FdSetIn, FdSetIn, FdSetIn, TimevalIn] Select;
    "pselect6" => [Int, FdSetIn, FdSetIn, FdSetIn, TimespecIn, SigsetAddrSizeIn] Select;
    "pselect6_time64" => [Int, FdSetIn, FdSetIn, FdSetIn, TimespecIn, SigsetAddrSizeIn] Select;
    "io_getevents" => [Ptr, Long, Long, IoEventsOut, TimespecIn] Dec;
    "io_pgetevents" => [Ptr, Long, Long, IoEventsOut, TimespecIn, SigsetAddrSizeIn] Dec;
    "io_pgetevents_time64" => [Ptr, Long, Long, IoEventsOut, TimespecIn, SigsetAddrSizeIn] Dec;
    "sched_getaffinity" => [Int, Uint, CpuSetOut] Dec;
    "sched_getscheduler" => [Int] SchedPolicy;
    "sched_setscheduler" => [Int, Set("sched_policy"), IntPtrIn] Dec;
    "sched_getparam" => [Int, IntOut] Dec;
    "sched_setparam" => [Int, IntPtrIn] Dec;
    "sched_get_priority_max" => [Set("sched_policy")] Dec;
    "sched_get_priority_min" => [Set("sched_policy")] Dec;
    "setitimer" => [Set("itimer_which"), ItimervalIn, ItimervalOut] Dec;
    "getitimer" => [Set("itimer_which"), ItimervalOut] Dec;
    "timer_settime" => [Int, Set("timer_flags"), ItimerspecIn, ItimerspecOut] Dec;
    "timer_settime64" => [Int, Set("timer_flags"), ItimerspecIn, ItimerspecOut] Dec;
    "timer_gettime" => [Int, ItimerspecOut] Dec;
    "timer_gettime64" => [Int, ItimerspecOut] Dec;
    "timerfd_settime" => [Fd, Set("timerfd_flags"), ItimerspecIn, ItimerspecOut] Dec;
    "timerfd_settime64" => [Fd, Set("timerfd_flags"), ItimerspecIn, ItimerspecOut] Dec;
    "timerfd_gettime" => [Fd, ItimerspecOut] Dec;
    "timerfd_gettime64" => [Fd, ItimerspecOut] Dec;
    "set_mempolicy" => [Set("mempolicy_mode"), NodemaskIn(2), Uint] Dec;
    "get_mempolicy" => [MempolicyOut, NodemaskOut(2), Uint, Ptr, Set("get_mempolicy_flags")] Dec;
    "mbind" => [Ptr, Uint, Set("mempolicy_mode"), NodemaskIn(4), Uint, Set("mbind_flags")] Dec;
    "migrate_pages" => [Int, Uint, NodemaskIn(1), NodemaskIn(1)] Dec;
    "memfd_create" => [Str, MemfdFlags] Fd;
    "mq_timedsend" => [Fd, WBuf(2), Uint, Uint, TimespecIn] Dec;
    "mq_timedsend_time64" => [Fd, WBuf(2), Uint, Uint, TimespecIn] Dec;
    "mq_timedreceive" => [Fd, RBuf(2), Uint, IntOut, TimespecIn] Dec;
    "mq_timedreceive_time64" => [Fd, RBuf(2), Uint, IntOut, TimespecIn] Dec;
    "semop" => [Int, SembufsIn(2), Uint] Dec;
    "semtimedop" => [Int, SembufsIn(2), Uint, TimespecIn] Dec;
    "semtimedop_time64" => [Int, SembufsIn(2), Uint, TimespecIn] Dec;
    "rt_sigreturn" => [SigreturnMask] Dec;
    "rt_sigpending" => [SigsetOut, Uint] Dec;
    "signalfd" => [Fd, SigsetIn, Uint] Fd;
    "signalfd4" => [Fd, SigsetIn, Uint, Set("signalfd_flags")] Fd;
    "epoll_pwait2" => [Fd, EpollEventsOut, Int, TimespecIn, SigsetIn, Uint] Dec;
    "getresuid" => [IdOut, IdOut, IdOut] Dec;
    "getresgid" => [IdOut, IdOut, IdOut] Dec;
    "capget" => [CapHeader, CapDataOut] Dec;
    "capset" => [CapHeader, CapDataIn] Dec;
    "preadv" => [Fd, IovOut(2), Uint, Long, Skip] Dec;
    "pwritev" => [Fd, IovIn(2), Uint, Long, Skip] Dec;
    "preadv2" => [Fd, IovOut(2), Uint, Long, Skip, Set("rwf_flags")] Dec;
    "pwritev2" => [Fd, IovIn(2), Uint, Long, Skip, Set("rwf_flags")] Dec;
    "vmsplice" => [Fd, IovIn(2), Uint, Set("splice_flags")] Dec;
    "splice" => [Fd, LoffIn, Fd, LoffIn, Uint, Set("splice_flags")] Dec;
    "copy_file_range" => [Fd, LoffIn, Fd, LoffIn, Uint, Uint] Dec;
    "mincore" => [Ptr, Uint, MincoreOut] Dec;
    "process_madvise" => [Fd, IovAddrs(2), Uint, Set("madvise_advice"), Uint] Dec;
    "io_submit" => [Ptr, Long, IocbArrayIn(1)] Dec;
    "kexec_load" => [Ptr, Uint, KexecSegmentsIn(1), Set("kexec_load_flags")] Dec;
    "process_vm_readv" => [Int, IovOut(2), Uint, IovAddrs(4), Uint, Uint] Dec;
    "process_vm_writev" => [Int, IovIn(2), Uint, IovAddrs(4), Uint, Uint] Dec;
    "io_setup" => [Uint, AddrOut] Dec;
    "io_destroy" => [Hex] Dec;
    "shmat" => [Int, Ptr, Set("shmat_flags")] Hex;
    "mknod" => [Path, Set("file_mode"), MknodDev(1)] Dec;
    "mknodat" => [Dirfd, Path, Set("file_mode"), MknodDev(2)] Dec;
    "utime" => [Path, UtimbufIn] Dec;
    "mq_open" => [Path, Set("open_flags"), OpenMode(1), MqOpenAttr(1)] Fd;
    "mq_getsetattr" => [Fd, MqAttrIn, MqAttrOut] Dec;
    "openat2" => [Dirfd, Path, OpenHowIn, Uint] Fd;
    "fanotify_init" => [Set("fanotify_init_flags"), Set("open_flags")] Fd;
    "io_uring_register" => [Fd, Set("io_uring_register_op"), Ptr, Uint] Dec;
    "mount" => [Path, Path, Str, Set("mount_flags"), Str] Dec;
    "fsconfig" => [Fd, Set("fsconfig_cmd"), FsconfigKey, FsconfigValue, FsconfigAux] Dec;
    "mount_setattr" => [Dirfd, Path, Set("mount_setattr_flags"), MountAttr(4), Uint] Dec;
    "mq_notify" => [Fd, SigeventIn] Dec;
    "timer_create" => [Set("clockid"), SigeventIn, IntOut] Dec;
    "pidfd_send_signal" => [Fd, Signal, SiginfoIn, Set("pidfd_send_signal_flags")] Dec;
    "perf_event_open" => [PerfEventAttr, Int, Int, Fd, Set("perf_event_open_flags")] Fd;
    "bpf" => [Set("bpf_cmd"), BpfAttr, Uint] Dec;
    "io_uring_setup" => [Uint, IoUringParams] Fd;
    "landlock_create_ruleset" => [LandlockRulesetAttr(1), Uint, Set("landlock_create_ruleset_flags")] Dec;
    "quotactl" => [QuotaCmd, Path, QuotaRest(0), Skip] Dec;
    "quotactl_fd" => [Fd, QuotaCmd, QuotaRest(1), Skip] Dec;
    "shmget" => [IpcKey, Uint, ShmgetFlags] Dec;
    // i386's calls strace 6.1 decodes its own way (the SysV IPC ones are also those its
    // ipc makes: see IPC_SUBCALLS), and x86_64's time and thread areas.
    "set_thread_area" => [UserDescIn] EntryNumber;
    "get_thread_area" => [UserDescInOut] Dec;
    "fadvise64" => [Fd, Long, Long, Set("fadvise_advice")] Dec;
    "fadvise64_64" => [Fd, OffsetLoHi, Skip, OffsetLoHi, Skip, Set("fadvise_advice")] Dec;
    "sgetmask" => [] Sigmask;
    "ssetmask" => [OldSigmask] OldSigmask;
    "signal" => [Signal, SigHandler] SigHandler;
    "time" => [TimeOut] Time;
    "readdir" => [Fd, OldDirent, ReaddirCount] Dec;
    "socketcall" => [SocketcallCall, Ptr] Dec;
    "ipc" => [IpcCall, Hex, Hex, Hex, Hex, Hex] Dec;
    "semget" => [IpcKey, Int, IpcFlags] Dec;
    "msgget" => [IpcKey, IpcFlags] Dec;
    "semctl" => [Int, Int, IpcCtlCmd("semctl_cmd"), SemctlArg] Dec;
    "msgctl" => [Int, IpcCtlCmd("msgctl_cmd"), MsgctlBuf] Dec;
    "shmctl" => [Int, IpcCtlCmd("shmctl_cmd"), ShmctlBuf] Dec;
    "shmdt" => [Ptr] Dec;
    "msgsnd" => [Int, MsgbufIn(2), Uint, Set("ipc_msg_flags")] Dec;
    "msgrcv" => [Int, MsgbufOut(2), Uint, Long, Set("ipc_msg_flags")] Dec;
    "fanotify_mark" => [Fd, Set("fanotify_mark_flags"), Set("fanotify_mask"), FanotifyDirfd, Path] Dec;
    "name_to_handle_at" => [Dirfd, Path, FileHandleOut, IntOut, Set("name_to_handle_at_flags")] Dec;
    "open_by_handle_at" => [Fd, FileHandleIn, Set("open_flags")] Dec;
    "close_range" => [Uint, Uint, Set("close_range_flags")] Dec;
    "move_pages" => [Int, Uint, PtrArrayIn(1), IntArrayIn(1), PageStatusOut(1), Set("move_pages_flags")] Dec;
}

/// Decoders of syscalls that share their name with another ABI's differently shaped one:
/// i386's old select (82) takes one pointer to its five arguments, its old mmap (90) one
/// to its six.
static ARCH_SPECS: &[(Arch, u32, Spec)] = &[
    (
        Arch::I386,
        82,
        Spec {
            args: &[OldSelectArgs],
            ret: Ret::Select,
        },
    ),
    (
        Arch::I386,
        90,
        Spec {
            args: &[OldMmapArgs],
            ret: Ret::Hex,
        },
    ),
    // i386's fadvise64 takes its offset in two words, its length in one.
    (
        Arch::I386,
        250,
        Spec {
            args: &[Fd, OffsetLoHi, Skip, Long, Set("fadvise_advice")],
            ret: Ret::Dec,
        },
    ),
    // i386's msgrcv: its message type is a 32-bit long.
    (
        Arch::I386,
        401,
        Spec {
            args: &[Int, MsgbufOut(2), Uint, Int, Set("ipc_msg_flags")],
            ret: Ret::Dec,
        },
    ),
];

/// One call i386's `ipc(call, first, second, third, ptr, fifth)` makes, as strace's
/// decode_ipc_subcall prints it: under its own name, with the arguments the kernel's
/// ksys_ipc passes it, in its own order.
#[derive(Debug)]
pub struct IpcSubcall {
    /// Its name (with its number in [`syscalls::multiplex::IPC_CALLS`]).
    pub name: &'static str,
    /// Which of ipc's arguments (1 for `first` ... 5 for `fifth`) each of its own is.
    pub from: &'static [u8],
    /// How it prints.
    pub spec: Spec,
}

macro_rules! ipc_subcalls {
    ($($name:literal from [$($from:literal),*] => [$($f:expr),*] $ret:ident;)*) => {
        &[$(IpcSubcall {
            name: $name,
            from: &[$($from),*],
            spec: Spec { args: &[$($f),*], ret: Ret::$ret },
        }),*]
    };
}

/// The calls ipc makes. They print as the calls of their names do but where ipc passes
/// something else: semctl's union through a pointer, msgrcv's buffer and type in a
/// `struct ipc_kludge`, shmat's address written where `third` points.
static IPC_SUBCALLS: &[IpcSubcall] = ipc_subcalls! {
    "semop" from [1, 4, 2] => [Int, SembufsIn(2), Uint] Dec;
    "semget" from [1, 2, 3] => [IpcKey, Int, IpcFlags] Dec;
    "semctl" from [1, 2, 3, 4] => [Int, Int, IpcCtlCmd("semctl_cmd"), SemunPtr] Dec;
    // Its timeout is i386's old 32-bit timespec.
    "semtimedop" from [1, 4, 2, 5] => [Int, SembufsIn(2), Uint, TimespecIn] Dec;
    "msgsnd" from [1, 4, 2, 3] => [Int, MsgbufIn(2), Uint, Set("ipc_msg_flags")] Dec;
    "msgrcv" from [1, 4, 2, 4, 3] => [Int, MsgKludgeBuf(2), Uint, MsgKludgeType(1), Set("ipc_msg_flags")] Dec;
    "msgget" from [1, 2] => [IpcKey, IpcFlags] Dec;
    "msgctl" from [1, 2, 4] => [Int, IpcCtlCmd("msgctl_cmd"), MsgctlBuf] Dec;
    "shmat" from [1, 4, 2, 3] => [Int, Ptr, Set("shmat_flags"), Skip] IpcShmat;
    "shmdt" from [4] => [Ptr] Dec;
    "shmget" from [1, 2, 3] => [IpcKey, Uint, ShmgetFlags] Dec;
    "shmctl" from [1, 2, 4] => [Int, IpcCtlCmd("shmctl_cmd"), ShmctlBuf] Dec;
};

/// msgrcv through ipc with a version in the call's upper half (iBCS2's): its buffer and
/// type are ipc's `ptr` and `fifth` themselves.
static IPC_MSGRCV_VERSIONED: &[IpcSubcall] = ipc_subcalls! {
    "msgrcv" from [1, 4, 2, 5, 3] => [Int, MsgbufOut(2), Uint, Int, Set("ipc_msg_flags")] Dec;
};

/// The call `ipc(call, ...)` makes: the low half of `call` tells which, the upper half is
/// a version, which only msgrcv heeds (as the kernel's ksys_ipc); None for a number that
/// is no call.
pub fn ipc_subcall(call: u64) -> Option<&'static IpcSubcall> {
    let (nr, version) = (call as u32 & 0xffff, call as u32 >> 16);
    let (name, _) = syscalls::multiplex::IPC_CALLS
        .iter()
        .find(|&&(_, n)| n == nr)?;
    let table = if *name == "msgrcv" && version != 0 {
        IPC_MSGRCV_VERSIONED
    } else {
        IPC_SUBCALLS
    };
    table.iter().find(|s| s.name == *name)
}

/// The special decoder for `name`, if strace has one we reproduce.
pub fn lookup(name: &str) -> Option<&'static Spec> {
    // Sorted once: a decoder resolves hundreds of names per ABI.
    static BY_NAME: std::sync::OnceLock<Vec<(&str, &Spec)>> = std::sync::OnceLock::new();
    let by_name = BY_NAME.get_or_init(|| {
        let mut v: Vec<(&str, &Spec)> = SPECS.iter().map(|(n, s)| (*n, s)).collect();
        v.sort_by_key(|(n, _)| *n);
        v
    });
    by_name
        .binary_search_by_key(&name, |(n, _)| n)
        .ok()
        .map(|i| by_name[i].1)
}

/// The special decoder for syscall `nr` of `arch`: its own when the ABI's differs from
/// the name's ([`ARCH_SPECS`]), else the name's.
pub fn lookup_for(arch: Arch, nr: u32, name: &str) -> Option<&'static Spec> {
    ARCH_SPECS
        .iter()
        .find(|(a, n, _)| *a == arch && *n == nr)
        .map(|(_, _, s)| s)
        .or_else(|| lookup(name))
        // i386's calls of 32-bit ids (chown32, setresuid32, getgroups32...) print as
        // their twins: no other call's name ends in 32.
        .or_else(|| name.strip_suffix("32").and_then(lookup))
}

/// How values of the knowledge base's flag set `set` print: through its decoding table.
pub fn for_set(set: &'static str) -> Fmt {
    Fmt::Set(set)
}

/// How ioctl's third argument prints for one command (strace's term_ioctl and friends).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoctlParam {
    /// No argument is printed (FIOCLEX, TIOCNOTTY).
    Nothing,
    /// The argument itself, in signed decimal (TIOCSCTTY, TCSBRK; FICLONE's source
    /// descriptor too: strace 6.1 prints it without -y's path).
    Int,
    /// The argument itself, as a value of the named decoding table (TCXONC's TCOON).
    Value(&'static str),
    /// An int the kernel reads: `[1]`.
    IntIn,
    /// An int the kernel writes: `[5]`.
    IntOut,
    /// An int of flags of the named table the kernel reads: `[TIOCM_DTR|TIOCM_RTS]`.
    FlagsIn(&'static str),
    /// An int of flags of the named table the kernel writes.
    FlagsOut(&'static str),
    /// A `struct termio` (the old, 16-bit one) the kernel reads.
    TermioIn,
    /// A `struct termio` the kernel writes.
    TermioOut,
    /// A `struct termios` the kernel reads.
    TermiosIn,
    /// A `struct termios` the kernel writes.
    TermiosOut,
    /// A `struct termios2` the kernel reads.
    Termios2In,
    /// A `struct termios2` the kernel writes.
    Termios2Out,
    /// A `struct winsize` the kernel reads.
    WinsizeIn,
    /// A `struct winsize` the kernel writes.
    WinsizeOut,
    /// One byte the kernel reads, as a string: `"x"` (TIOCSTI).
    CharIn,
    /// The argument itself, in unsigned decimal (BLKRASET's readahead).
    Uint,
    /// An unsigned int the kernel writes: `[4096]` (BLKIOMIN).
    UintOut,
    /// An unsigned short the kernel writes (BLKROTATIONAL).
    U16Out,
    /// A long the kernel writes, in signed decimal (BLKRAGET).
    LongOut,
    /// An unsigned long or a u64 the kernel writes (BLKGETSIZE, BLKGETSIZE64).
    U64Out,
    /// Two u64s the kernel reads, a byte range: `[0, 4096]` (BLKDISCARD).
    RangeIn,
    /// A `struct file_clone_range` the kernel reads (FICLONERANGE).
    CloneRangeIn,
    /// A `struct file_dedupe_range` with its info array, read and, on success, written
    /// back with the results (FIDEDUPERANGE).
    DedupeRange,
    /// A `struct fiemap` read, then its header as the kernel wrote it (FS_IOC_FIEMAP).
    Fiemap,
    /// A `struct fsxattr` the kernel reads (FS_IOC_FSSETXATTR).
    FsxattrIn,
    /// A `struct fsxattr` the kernel writes (FS_IOC_FSGETXATTR).
    FsxattrOut,
    /// A `struct ifreq` the kernel reads (SIOCSIF*): the name and the field.
    IfreqIn(IfreqField),
    /// A `struct ifreq` whose name (SIOCGIFNAME: index) the kernel reads and whose field
    /// it writes (SIOCGIF*).
    IfreqOut(IfreqField),
    /// A `struct ifconf`: the buffer's length going in, the interfaces coming out.
    Ifconf,
}

/// Which member of `struct ifreq`'s union an ioctl uses, and how it prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfreqField {
    /// A socket address (ifr_addr, ifr_netmask, ...), named so.
    Addr(&'static str),
    /// `ifr_hwaddr`: a hardware type and address.
    Hwaddr,
    /// `ifr_flags`: IFF_* flags.
    Flags,
    /// An int member (ifr_mtu, ifr_ifindex, ...), named so.
    Int(&'static str),
    /// A string member (ifr_newname, ifr_slave), named so.
    Str(&'static str),
    /// `ifr_name`, filled by SIOCGIFNAME from the index.
    Name,
    /// `ifr_map`: the device's memory and I/O settings.
    Map,
}

impl IoctlParam {
    /// Whether the argument prints at syscall entry (the kernel only reads it).
    pub fn at_entry(self) -> bool {
        !matches!(
            self,
            IoctlParam::IntOut
                | IoctlParam::FlagsOut(_)
                | IoctlParam::TermioOut
                | IoctlParam::TermiosOut
                | IoctlParam::Termios2Out
                | IoctlParam::WinsizeOut
                | IoctlParam::UintOut
                | IoctlParam::U16Out
                | IoctlParam::LongOut
                | IoctlParam::U64Out
                | IoctlParam::FsxattrOut
                | IoctlParam::IfreqOut(_)
                | IoctlParam::Ifconf
                // Printed `in => out`: whole at exit, from what was read at both ends.
                | IoctlParam::DedupeRange
                | IoctlParam::Fiemap
        )
    }

    /// The bytes of tracee memory the argument points to, to read at entry (`at_exit`
    /// false) or exit: where it prints, and for the structures printed `in => out`, at
    /// both ends. Arrays after a header are read by the decoder.
    pub fn capture_size(self, at_exit: bool) -> usize {
        match self {
            IoctlParam::DedupeRange => DEDUPE_HEADER,
            IoctlParam::Fiemap => 32,
            IoctlParam::IfreqOut(_) => IFREQ_SIZE,
            IoctlParam::Ifconf => 16,
            _ if self.at_entry() != at_exit => self.size(),
            _ => 0,
        }
    }

    /// The bytes of tracee memory the argument points to (0: it is a plain value).
    pub fn size(self) -> usize {
        match self {
            IoctlParam::Nothing | IoctlParam::Int | IoctlParam::Value(_) => 0,
            IoctlParam::IntIn
            | IoctlParam::IntOut
            | IoctlParam::FlagsIn(_)
            | IoctlParam::FlagsOut(_) => 4,
            // The kernel's struct termio: four 16-bit flag words, c_line, c_cc[8].
            IoctlParam::TermioIn | IoctlParam::TermioOut => 18,
            // The kernel's struct termios: four flag words, c_line, c_cc[19].
            IoctlParam::TermiosIn | IoctlParam::TermiosOut => 36,
            // struct termios2 adds c_ispeed and c_ospeed.
            IoctlParam::Termios2In | IoctlParam::Termios2Out => 44,
            IoctlParam::WinsizeIn | IoctlParam::WinsizeOut => 8,
            IoctlParam::Uint => 0,
            IoctlParam::CharIn => 1,
            IoctlParam::UintOut => 4,
            IoctlParam::U16Out => 2,
            IoctlParam::LongOut | IoctlParam::U64Out => 8,
            IoctlParam::RangeIn => 16,
            IoctlParam::CloneRangeIn | IoctlParam::Fiemap => 32,
            IoctlParam::DedupeRange => DEDUPE_HEADER,
            // fsx_xflags, fsx_extsize, fsx_nextents, fsx_projid, fsx_cowextsize, padding.
            IoctlParam::FsxattrIn | IoctlParam::FsxattrOut => 28,
            IoctlParam::IfreqIn(_) | IoctlParam::IfreqOut(_) => IFREQ_SIZE,
            IoctlParam::Ifconf => 16,
        }
    }
}

/// x86_64's `struct ifreq`: a 16-byte name, then a 24-byte union.
pub const IFREQ_SIZE: usize = 40;
/// `struct file_dedupe_range` before its info array.
pub const DEDUPE_HEADER: usize = 24;
/// One `struct file_dedupe_range_info`.
pub const DEDUPE_INFO: usize = 32;
/// `struct fiemap` before its extents.
pub const FIEMAP_HEADER: usize = 32;
/// One `struct fiemap_extent`.
pub const FIEMAP_EXTENT: usize = 56;

/// The ioctl commands whose argument strace decodes, by name in the knowledge base's
/// `ioctl_cmd` set (strace 6.1's src/term.c and the file ioctls). Unlisted commands print
/// their argument in hex.
static IOCTL_ARGS: &[(&str, IoctlParam)] = {
    use IoctlParam as P;
    &[
        ("TCGETS", P::TermiosOut),
        ("TIOCGLCKTRMIOS", P::TermiosOut),
        ("TCSETS", P::TermiosIn),
        ("TCSETSW", P::TermiosIn),
        ("TCSETSF", P::TermiosIn),
        ("TIOCSLCKTRMIOS", P::TermiosIn),
        ("TCGETS2", P::Termios2Out),
        ("TCSETS2", P::Termios2In),
        ("TCSETSW2", P::Termios2In),
        ("TCSETSF2", P::Termios2In),
        ("TCGETA", P::TermioOut),
        ("TCSETA", P::TermioIn),
        ("TCSETAW", P::TermioIn),
        ("TCSETAF", P::TermioIn),
        ("TIOCGWINSZ", P::WinsizeOut),
        ("TIOCSWINSZ", P::WinsizeIn),
        ("TCXONC", P::Value("tcxonc_options")),
        ("TCFLSH", P::Value("tcflsh_options")),
        ("TIOCMGET", P::FlagsOut("modem_flags")),
        ("TIOCMBIS", P::FlagsIn("modem_flags")),
        ("TIOCMBIC", P::FlagsIn("modem_flags")),
        ("TIOCMSET", P::FlagsIn("modem_flags")),
        ("TCSBRK", P::Int),
        ("TCSBRKP", P::Int),
        ("TIOCSCTTY", P::Int),
        ("TIOCGPGRP", P::IntOut),
        ("TIOCGSID", P::IntOut),
        ("TIOCGETD", P::IntOut),
        ("TIOCGSOFTCAR", P::IntOut),
        ("TIOCGPTN", P::IntOut),
        ("FIONREAD", P::IntOut),
        ("TIOCOUTQ", P::IntOut),
        ("TIOCGEXCL", P::IntOut),
        ("TIOCGDEV", P::IntOut),
        ("TIOCSPGRP", P::IntIn),
        ("TIOCSETD", P::IntIn),
        ("FIONBIO", P::IntIn),
        ("FIOASYNC", P::IntIn),
        ("TIOCPKT", P::IntIn),
        ("TIOCSSOFTCAR", P::IntIn),
        ("TIOCSPTLCK", P::IntIn),
        ("TIOCSBRK", P::Nothing),
        ("TIOCCBRK", P::Nothing),
        ("TIOCCONS", P::Nothing),
        ("TIOCNOTTY", P::Nothing),
        ("TIOCEXCL", P::Nothing),
        ("TIOCNXCL", P::Nothing),
        ("FIOCLEX", P::Nothing),
        ("FIONCLEX", P::Nothing),
        ("TIOCVHANGUP", P::Nothing),
        ("TIOCSSERIAL", P::Nothing),
        ("FICLONE", P::Int),
        ("TIOCSTI", P::CharIn),
        ("FICLONERANGE", P::CloneRangeIn),
        ("FIDEDUPERANGE", P::DedupeRange),
        ("FS_IOC_GETFLAGS", P::FlagsOut("fs_ioc_flags")),
        ("FS_IOC32_GETFLAGS", P::FlagsOut("fs_ioc_flags")),
        ("FS_IOC_SETFLAGS", P::FlagsIn("fs_ioc_flags")),
        ("FS_IOC32_SETFLAGS", P::FlagsIn("fs_ioc_flags")),
        ("FS_IOC_FIEMAP", P::Fiemap),
        ("FS_IOC_FSGETXATTR", P::FsxattrOut),
        ("FS_IOC_FSSETXATTR", P::FsxattrIn),
        ("FIFREEZE", P::Nothing),
        ("FITHAW", P::Nothing),
        // strace 6.1's block.c.
        ("BLKRASET", P::Uint),
        ("BLKFRASET", P::Uint),
        ("BLKSECTGET", P::U16Out),
        ("BLKROTATIONAL", P::U16Out),
        ("BLKROGET", P::IntOut),
        ("BLKBSZGET", P::IntOut),
        ("BLKSSZGET", P::IntOut),
        ("BLKALIGNOFF", P::IntOut),
        ("BLKROSET", P::IntIn),
        ("BLKBSZSET", P::IntIn),
        ("BLKPBSZGET", P::UintOut),
        ("BLKIOMIN", P::UintOut),
        ("BLKIOOPT", P::UintOut),
        ("BLKDISCARDZEROES", P::UintOut),
        ("BLKRAGET", P::LongOut),
        ("BLKFRAGET", P::LongOut),
        ("BLKGETSIZE", P::U64Out),
        ("BLKGETSIZE64", P::U64Out),
        ("BLKGETDISKSEQ", P::U64Out),
        ("BLKDISCARD", P::RangeIn),
        ("BLKSECDISCARD", P::RangeIn),
        ("BLKZEROOUT", P::RangeIn),
        ("BLKRRPART", P::Nothing),
        ("BLKFLSBUF", P::Nothing),
        ("BLKTRACESTART", P::Nothing),
        ("BLKTRACESTOP", P::Nothing),
        ("BLKTRACETEARDOWN", P::Nothing),
        // strace 6.1's sock.c.
        ("FIOSETOWN", P::IntIn),
        ("SIOCSPGRP", P::IntIn),
        ("FIOGETOWN", P::IntOut),
        ("SIOCGPGRP", P::IntOut),
        ("SIOCATMARK", P::IntOut),
        ("SIOCOUTQNSD", P::IntOut),
        ("SIOCGIFCONF", P::Ifconf),
        ("SIOCGIFNAME", P::IfreqOut(IfreqField::Name)),
        ("SIOCGIFINDEX", P::IfreqOut(IfreqField::Int("ifr_ifindex"))),
        ("SIOCGIFFLAGS", P::IfreqOut(IfreqField::Flags)),
        ("SIOCSIFFLAGS", P::IfreqIn(IfreqField::Flags)),
        ("SIOCGIFADDR", P::IfreqOut(IfreqField::Addr("ifr_addr"))),
        ("SIOCSIFADDR", P::IfreqIn(IfreqField::Addr("ifr_addr"))),
        (
            "SIOCGIFDSTADDR",
            P::IfreqOut(IfreqField::Addr("ifr_dstaddr")),
        ),
        (
            "SIOCSIFDSTADDR",
            P::IfreqIn(IfreqField::Addr("ifr_dstaddr")),
        ),
        (
            "SIOCGIFBRDADDR",
            P::IfreqOut(IfreqField::Addr("ifr_broadaddr")),
        ),
        (
            "SIOCSIFBRDADDR",
            P::IfreqIn(IfreqField::Addr("ifr_broadaddr")),
        ),
        (
            "SIOCGIFNETMASK",
            P::IfreqOut(IfreqField::Addr("ifr_netmask")),
        ),
        (
            "SIOCSIFNETMASK",
            P::IfreqIn(IfreqField::Addr("ifr_netmask")),
        ),
        ("SIOCGIFHWADDR", P::IfreqOut(IfreqField::Hwaddr)),
        ("SIOCSIFHWADDR", P::IfreqIn(IfreqField::Hwaddr)),
        ("SIOCSIFHWBROADCAST", P::IfreqIn(IfreqField::Hwaddr)),
        ("SIOCADDMULTI", P::IfreqIn(IfreqField::Hwaddr)),
        ("SIOCDELMULTI", P::IfreqIn(IfreqField::Hwaddr)),
        ("SIOCGIFMETRIC", P::IfreqOut(IfreqField::Int("ifr_metric"))),
        ("SIOCSIFMETRIC", P::IfreqIn(IfreqField::Int("ifr_metric"))),
        ("SIOCGIFMTU", P::IfreqOut(IfreqField::Int("ifr_mtu"))),
        ("SIOCSIFMTU", P::IfreqIn(IfreqField::Int("ifr_mtu"))),
        ("SIOCGIFTXQLEN", P::IfreqOut(IfreqField::Int("ifr_qlen"))),
        ("SIOCSIFTXQLEN", P::IfreqIn(IfreqField::Int("ifr_qlen"))),
        ("SIOCGIFSLAVE", P::IfreqOut(IfreqField::Str("ifr_slave"))),
        ("SIOCSIFSLAVE", P::IfreqIn(IfreqField::Str("ifr_slave"))),
        ("SIOCSIFNAME", P::IfreqIn(IfreqField::Str("ifr_newname"))),
        ("SIOCGIFMAP", P::IfreqOut(IfreqField::Map)),
        ("SIOCSIFMAP", P::IfreqIn(IfreqField::Map)),
    ]
};

/// How ioctl command `cmd`'s argument prints, if strace decodes it.
pub fn ioctl_param(cmd: u64) -> Option<IoctlParam> {
    static BY_CMD: std::sync::OnceLock<Vec<(u32, IoctlParam)>> = std::sync::OnceLock::new();
    let table = BY_CMD.get_or_init(|| {
        let Some(set) = syscalls::xlat_set("ioctl_cmd") else {
            return Vec::new();
        };
        IOCTL_ARGS
            .iter()
            .filter_map(|&(name, arg)| Some((set.value_of(name)? as u32, arg)))
            .collect()
    });
    table
        .iter()
        .find(|(c, _)| *c == cmd as u32)
        .map(|&(_, arg)| arg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_ipc_makes_has_its_arguments_and_a_format_for_each() {
        for &(name, nr) in &syscalls::multiplex::IPC_CALLS {
            let sub = ipc_subcall(u64::from(nr)).expect("a call ipc makes");
            assert_eq!(sub.name, name);
            assert_eq!(sub.from.len(), sub.spec.args.len(), "{name}");
            assert!(sub.from.iter().all(|&i| (1..=5).contains(&i)), "{name}");
        }
        assert!(ipc_subcall(99).is_none());
        assert_eq!(ipc_subcall(0x1_0002).map(|s| s.name), Some("semget"));
        let versioned = ipc_subcall(0x1_000c).expect("msgrcv");
        assert_eq!(versioned.from, &[1, 4, 2, 5, 3]);
        assert_eq!(ipc_subcall(12).expect("msgrcv").from, &[1, 4, 2, 4, 3]);
    }

    #[test]
    fn every_decoded_ioctl_command_is_named_in_the_knowledge_base() {
        let set = syscalls::xlat_set("ioctl_cmd").expect("ioctl_cmd set");
        for (name, _) in IOCTL_ARGS {
            assert!(
                set.value_of(name).is_some(),
                "{name} is not in ioctl_cmd.in"
            );
        }
        assert_eq!(ioctl_param(0x5401), Some(IoctlParam::TermiosOut));
        assert_eq!(ioctl_param(0x5402), Some(IoctlParam::TermiosIn));
        assert_eq!(ioctl_param(0x4004_9409), Some(IoctlParam::Int));
        assert_eq!(ioctl_param(0x1234_5678), None);
    }
}

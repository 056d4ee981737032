//! Constant and flag tables (strace's `xlat` files, as data): one entry per name, in
//! strace's print order. Values are x86_64/generic Linux values. Text and JSON printers
//! both format through these tables.

/// A named set of constants or flags.
#[derive(Debug)]
pub struct Xlat {
    /// The set's name (matches the knowledge base's `Flags { set }` where they overlap).
    pub name: &'static str,
    /// `(value, NAME)` pairs in print order; composite flags come before their parts.
    pub values: &'static [(u64, &'static str)],
}

/// How numbers without a name print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Names only (`-X abbrev`, the default).
    Abbrev,
    /// Raw numbers only (`-X raw`).
    Raw,
    /// Numbers followed by names in a comment (`-X verbose`).
    Verbose,
}

impl Xlat {
    /// The name of exactly `value`.
    pub fn name_of(&self, value: u64) -> Option<&'static str> {
        self.values.iter().find(|(v, _)| *v == value).map(|e| e.1)
    }

    /// `value` as one constant: its name, or `dflt` (hex or decimal text) when unknown.
    pub fn format_value(
        &self,
        value: u64,
        style: Style,
        unknown: impl Fn(u64) -> String,
    ) -> String {
        match (self.name_of(value), style) {
            (Some(n), Style::Abbrev) => n.to_string(),
            (Some(n), Style::Verbose) => format!("{} /* {n} */", unknown(value)),
            _ => unknown(value),
        }
    }

    /// `value` as flags joined with `|`; leftover bits print in hex; zero prints
    /// `zero_name` or `0`.
    pub fn format_flags(&self, value: u64, style: Style) -> String {
        if style == Style::Raw {
            return hex(value);
        }
        let mut left = value;
        let mut parts: Vec<String> = Vec::new();
        for &(bits, name) in self.values {
            if bits != 0 && left & bits == bits {
                parts.push(name.to_string());
                left &= !bits;
            }
        }
        if left != 0 || parts.is_empty() {
            if parts.is_empty() && value == 0 {
                if let Some(zero) = self.name_of(0) {
                    parts.push(zero.to_string());
                } else {
                    parts.push("0".to_string());
                }
            } else {
                parts.push(hex(left));
            }
        }
        let text = parts.join("|");
        if style == Style::Verbose {
            format!("{} /* {text} */", hex(value))
        } else {
            text
        }
    }
}

/// `0x`-prefixed lower-case hex, `0` for zero (as strace prints).
pub fn hex(v: u64) -> String {
    if v == 0 {
        "0".to_string()
    } else {
        format!("{v:#x}")
    }
}

macro_rules! xlat {
    ($id:ident, $name:literal, [$(($v:expr, $n:literal)),* $(,)?]) => {
        #[doc = concat!("The `", $name, "` constants.")]
        pub static $id: Xlat = Xlat { name: $name, values: &[$(($v as u64, $n)),*] };
    };
}

xlat!(
    OPEN_ACCESS,
    "open_access_modes",
    [
        (0, "O_RDONLY"),
        (1, "O_WRONLY"),
        (2, "O_RDWR"),
        (3, "O_ACCMODE")
    ]
);
xlat!(
    OPEN_FLAGS,
    "open_mode_flags",
    [
        (0o100, "O_CREAT"),
        (0o200, "O_EXCL"),
        (0o400, "O_NOCTTY"),
        (0o1000, "O_TRUNC"),
        (0o2000, "O_APPEND"),
        (0o4000, "O_NONBLOCK"),
        (0o4010000, "O_SYNC"),
        (0o4000000, "__O_SYNC"),
        (0o10000, "O_DSYNC"),
        (0o40000, "O_DIRECT"),
        (0o100000, "O_LARGEFILE"),
        (0o400000, "O_NOFOLLOW"),
        (0o1000000, "O_NOATIME"),
        (0o2000000, "O_CLOEXEC"),
        (0o10000000, "O_PATH"),
        (0o20200000, "O_TMPFILE"),
        (0o20000000, "__O_TMPFILE"),
        (0o200000, "O_DIRECTORY"),
        (0o20000, "FASYNC"),
    ]
);
xlat!(
    AT_FLAGS,
    "at_flags",
    [
        (0x100, "AT_SYMLINK_NOFOLLOW"),
        (0x200, "AT_REMOVEDIR"),
        (0x400, "AT_SYMLINK_FOLLOW"),
        (0x800, "AT_NO_AUTOMOUNT"),
        (0x1000, "AT_EMPTY_PATH"),
        (0x8000, "AT_RECURSIVE"),
    ]
);
xlat!(
    STATX_SYNC,
    "statx_sync",
    [
        (0, "AT_STATX_SYNC_AS_STAT"),
        (0x2000, "AT_STATX_FORCE_SYNC"),
        (0x4000, "AT_STATX_DONT_SYNC")
    ]
);
xlat!(
    STATX_MASK,
    "statx_masks",
    [
        (0xfff, "STATX_ALL"),
        (0x7ff, "STATX_BASIC_STATS"),
        (0x1, "STATX_TYPE"),
        (0x2, "STATX_MODE"),
        (0x4, "STATX_NLINK"),
        (0x8, "STATX_UID"),
        (0x10, "STATX_GID"),
        (0x20, "STATX_ATIME"),
        (0x40, "STATX_MTIME"),
        (0x80, "STATX_CTIME"),
        (0x100, "STATX_INO"),
        (0x200, "STATX_SIZE"),
        (0x400, "STATX_BLOCKS"),
        (0x800, "STATX_BTIME"),
        (0x1000, "STATX_MNT_ID"),
        (0x2000, "STATX_DIOALIGN"),
        (0x4000, "STATX_MNT_ID_UNIQUE"),
        (0x8000, "STATX_SUBVOL"),
        (0x10000, "STATX_WRITE_ATOMIC"),
    ]
);
xlat!(
    STATX_ATTRS,
    "statx_attrs",
    [
        (0x4, "STATX_ATTR_COMPRESSED"),
        (0x10, "STATX_ATTR_IMMUTABLE"),
        (0x20, "STATX_ATTR_APPEND"),
        (0x800, "STATX_ATTR_NODUMP"),
        (0x1000, "STATX_ATTR_ENCRYPTED"),
        (0x200, "STATX_ATTR_AUTOMOUNT"),
        (0x2000, "STATX_ATTR_MOUNT_ROOT"),
        (0x100000, "STATX_ATTR_VERITY"),
        (0x200000, "STATX_ATTR_DAX"),
        (0x400000, "STATX_ATTR_WRITE_ATOMIC"),
    ]
);
xlat!(
    ACCESS_MODES,
    "access_modes",
    [(4, "R_OK"), (2, "W_OK"), (1, "X_OK"), (0, "F_OK")]
);
xlat!(
    MMAP_PROT,
    "mmap_prot",
    [
        (0x1, "PROT_READ"),
        (0x2, "PROT_WRITE"),
        (0x4, "PROT_EXEC"),
        (0x8, "PROT_SEM"),
        (0x01000000, "PROT_GROWSDOWN"),
        (0x02000000, "PROT_GROWSUP"),
        (0, "PROT_NONE"),
    ]
);
xlat!(
    MMAP_TYPE,
    "mmap_type",
    [
        (1, "MAP_SHARED"),
        (2, "MAP_PRIVATE"),
        (3, "MAP_SHARED_VALIDATE"),
        (8, "MAP_DROPPABLE")
    ]
);
xlat!(
    MMAP_FLAGS,
    "mmap_flags",
    [
        (0x10, "MAP_FIXED"),
        (0x20, "MAP_ANONYMOUS"),
        (0x40, "MAP_32BIT"),
        (0x4000, "MAP_NORESERVE"),
        (0x8000, "MAP_POPULATE"),
        (0x10000, "MAP_NONBLOCK"),
        (0x100, "MAP_GROWSDOWN"),
        (0x800, "MAP_DENYWRITE"),
        (0x1000, "MAP_EXECUTABLE"),
        (0x2000, "MAP_LOCKED"),
        (0x20000, "MAP_STACK"),
        (0x40000, "MAP_HUGETLB"),
        (0x80000, "MAP_SYNC"),
        (0x4000000, "MAP_UNINITIALIZED"),
        (0x100000, "MAP_FIXED_NOREPLACE"),
    ]
);
xlat!(
    CLONE_FLAGS,
    "clone_flags",
    [
        (0x100, "CLONE_VM"),
        (0x200, "CLONE_FS"),
        (0x400, "CLONE_FILES"),
        (0x800, "CLONE_SIGHAND"),
        (0x1000, "CLONE_PIDFD"),
        (0x2000, "CLONE_PTRACE"),
        (0x4000, "CLONE_VFORK"),
        (0x8000, "CLONE_PARENT"),
        (0x10000, "CLONE_THREAD"),
        (0x20000, "CLONE_NEWNS"),
        (0x40000, "CLONE_SYSVSEM"),
        (0x80000, "CLONE_SETTLS"),
        (0x100000, "CLONE_PARENT_SETTID"),
        (0x200000, "CLONE_CHILD_CLEARTID"),
        (0x800000, "CLONE_UNTRACED"),
        (0x1000000, "CLONE_CHILD_SETTID"),
        (0x2000000, "CLONE_NEWCGROUP"),
        (0x4000000, "CLONE_NEWUTS"),
        (0x8000000, "CLONE_NEWIPC"),
        (0x10000000, "CLONE_NEWUSER"),
        (0x20000000, "CLONE_NEWPID"),
        (0x40000000, "CLONE_NEWNET"),
        (0x80000000u32, "CLONE_IO"),
    ]
);
xlat!(
    SIGPROCMASK_HOW,
    "sigprocmaskcmds",
    [(0, "SIG_BLOCK"), (1, "SIG_UNBLOCK"), (2, "SIG_SETMASK")]
);
xlat!(
    SA_FLAGS,
    "sigact_flags",
    [
        (0x04000000, "SA_RESTORER"),
        (0x08000000, "SA_ONSTACK"),
        (0x10000000, "SA_RESTART"),
        (0x40000000, "SA_NODEFER"),
        (0x80000000u32, "SA_RESETHAND"),
        (0x00000004, "SA_SIGINFO"),
        (0x00000001, "SA_NOCLDSTOP"),
        (0x00000002, "SA_NOCLDWAIT"),
        (0x400, "SA_EXPOSE_TAGBITS"),
        (0x800, "SA_UNSUPPORTED"),
    ]
);
xlat!(
    FCNTL_CMDS,
    "fcntlcmds",
    [
        (0, "F_DUPFD"),
        (1, "F_GETFD"),
        (2, "F_SETFD"),
        (3, "F_GETFL"),
        (4, "F_SETFL"),
        (5, "F_GETLK"),
        (6, "F_SETLK"),
        (7, "F_SETLKW"),
        (8, "F_SETOWN"),
        (9, "F_GETOWN"),
        (10, "F_SETSIG"),
        (11, "F_GETSIG"),
        (15, "F_SETOWN_EX"),
        (16, "F_GETOWN_EX"),
        (17, "F_GETOWNER_UIDS"),
        (36, "F_OFD_GETLK"),
        (37, "F_OFD_SETLK"),
        (38, "F_OFD_SETLKW"),
        (1024, "F_SETLEASE"),
        (1025, "F_GETLEASE"),
        (1026, "F_NOTIFY"),
        (1027, "F_DUPFD_QUERY"),
        (1028, "F_CREATED_QUERY"),
        (1029, "F_CANCELLK"),
        (1030, "F_DUPFD_CLOEXEC"),
        (1031, "F_SETPIPE_SZ"),
        (1032, "F_GETPIPE_SZ"),
        (1033, "F_ADD_SEALS"),
        (1034, "F_GET_SEALS"),
    ]
);
xlat!(FD_FLAGS, "fdflags", [(1, "FD_CLOEXEC")]);
xlat!(
    IOCTL_CMDS,
    "ioctl_cmds",
    [
        (0x5401, "TCGETS"),
        (0x5402, "TCSETS"),
        (0x5403, "TCSETSW"),
        (0x5404, "TCSETSF"),
        (0x540b, "TCFLSH"),
        (0x540e, "TIOCSCTTY"),
        (0x540f, "TIOCGPGRP"),
        (0x5410, "TIOCSPGRP"),
        (0x5413, "TIOCGWINSZ"),
        (0x5414, "TIOCSWINSZ"),
        (0x541b, "FIONREAD"),
        (0x5421, "FIONBIO"),
        (0x5422, "TIOCNOTTY"),
        (0x5451, "FIOCLEX"),
        (0x5450, "FIONCLEX"),
        (0x5452, "FIOASYNC"),
        (0x80045430, "TIOCGPTN"),
        (0x40045431, "TIOCSPTLCK"),
        (0x5429, "TIOCGSID"),
        (0x8912, "SIOCGIFCONF"),
        (0x8927, "SIOCGIFHWADDR"),
        (0x8933, "SIOCGIFINDEX"),
    ]
);
xlat!(
    PRCTL_OPTIONS,
    "prctl_options",
    [
        (1, "PR_SET_PDEATHSIG"),
        (2, "PR_GET_PDEATHSIG"),
        (3, "PR_GET_DUMPABLE"),
        (4, "PR_SET_DUMPABLE"),
        (8, "PR_SET_KEEPCAPS"),
        (15, "PR_SET_NAME"),
        (16, "PR_GET_NAME"),
        (22, "PR_SET_SECCOMP"),
        (21, "PR_GET_SECCOMP"),
        (23, "PR_CAPBSET_READ"),
        (24, "PR_CAPBSET_DROP"),
        (36, "PR_SET_CHILD_SUBREAPER"),
        (37, "PR_GET_CHILD_SUBREAPER"),
        (38, "PR_SET_NO_NEW_PRIVS"),
        (39, "PR_GET_NO_NEW_PRIVS"),
        (47, "PR_CAP_AMBIENT"),
        (0x59616d61, "PR_SET_PTRACER"),
        (0x53564d41, "PR_SET_VMA"),
    ]
);
xlat!(
    ARCH_PRCTL,
    "archvals",
    [
        (0x1001, "ARCH_SET_GS"),
        (0x1002, "ARCH_SET_FS"),
        (0x1003, "ARCH_GET_FS"),
        (0x1004, "ARCH_GET_GS"),
        (0x1011, "ARCH_GET_CPUID"),
        (0x1012, "ARCH_SET_CPUID"),
        (0x3001, "ARCH_CET_STATUS"),
    ]
);
xlat!(
    RLIMITS,
    "resources",
    [
        (0, "RLIMIT_CPU"),
        (1, "RLIMIT_FSIZE"),
        (2, "RLIMIT_DATA"),
        (3, "RLIMIT_STACK"),
        (4, "RLIMIT_CORE"),
        (5, "RLIMIT_RSS"),
        (6, "RLIMIT_NPROC"),
        (7, "RLIMIT_NOFILE"),
        (8, "RLIMIT_MEMLOCK"),
        (9, "RLIMIT_AS"),
        (10, "RLIMIT_LOCKS"),
        (11, "RLIMIT_SIGPENDING"),
        (12, "RLIMIT_MSGQUEUE"),
        (13, "RLIMIT_NICE"),
        (14, "RLIMIT_RTPRIO"),
        (15, "RLIMIT_RTTIME"),
    ]
);
xlat!(
    ADDRESS_FAMILIES,
    "addrfams",
    [
        (0, "AF_UNSPEC"),
        (1, "AF_UNIX"),
        (2, "AF_INET"),
        (10, "AF_INET6"),
        (16, "AF_NETLINK"),
        (17, "AF_PACKET"),
        (4, "AF_IPX"),
        (5, "AF_APPLETALK"),
        (9, "AF_X25"),
        (15, "AF_KEY"),
        (38, "AF_ALG"),
        (40, "AF_VSOCK"),
        (44, "AF_XDP"),
    ]
);
xlat!(
    SOCK_TYPES,
    "socktypes",
    [
        (1, "SOCK_STREAM"),
        (2, "SOCK_DGRAM"),
        (3, "SOCK_RAW"),
        (4, "SOCK_RDM"),
        (5, "SOCK_SEQPACKET"),
        (6, "SOCK_DCCP"),
        (10, "SOCK_PACKET"),
    ]
);
xlat!(
    SOCK_FLAGS,
    "sock_type_flags",
    [(0o2000000, "SOCK_CLOEXEC"), (0o4000, "SOCK_NONBLOCK")]
);
xlat!(
    SEEK_WHENCE,
    "whence_codes",
    [
        (0, "SEEK_SET"),
        (1, "SEEK_CUR"),
        (2, "SEEK_END"),
        (3, "SEEK_DATA"),
        (4, "SEEK_HOLE")
    ]
);
xlat!(
    WAIT_OPTIONS,
    "wait4_options",
    [
        (1, "WNOHANG"),
        (2, "WUNTRACED"),
        (4, "WEXITED"),
        (8, "WCONTINUED"),
        (0x01000000, "WNOWAIT"),
        (0x20000000, "__WNOTHREAD"),
        (0x40000000, "__WALL"),
        (0x80000000u32, "__WCLONE"),
    ]
);
xlat!(
    GETRANDOM_FLAGS,
    "getrandom_flags",
    [
        (1, "GRND_NONBLOCK"),
        (2, "GRND_RANDOM"),
        (4, "GRND_INSECURE")
    ]
);
xlat!(
    PIPE_FLAGS,
    "pipe_flags",
    [
        (0o2000000, "O_CLOEXEC"),
        (0o4000, "O_NONBLOCK"),
        (0o40000, "O_DIRECT"),
        (0o200000, "O_NOTIFICATION_PIPE")
    ]
);
xlat!(
    FUTEX_OPS,
    "futexops",
    [
        (0, "FUTEX_WAIT"),
        (1, "FUTEX_WAKE"),
        (2, "FUTEX_FD"),
        (3, "FUTEX_REQUEUE"),
        (4, "FUTEX_CMP_REQUEUE"),
        (5, "FUTEX_WAKE_OP"),
        (6, "FUTEX_LOCK_PI"),
        (7, "FUTEX_UNLOCK_PI"),
        (8, "FUTEX_TRYLOCK_PI"),
        (9, "FUTEX_WAIT_BITSET"),
        (10, "FUTEX_WAKE_BITSET"),
        (128, "FUTEX_WAIT_PRIVATE"),
        (129, "FUTEX_WAKE_PRIVATE"),
        (131, "FUTEX_REQUEUE_PRIVATE"),
        (132, "FUTEX_CMP_REQUEUE_PRIVATE"),
        (133, "FUTEX_WAKE_OP_PRIVATE"),
        (134, "FUTEX_LOCK_PI_PRIVATE"),
        (135, "FUTEX_UNLOCK_PI_PRIVATE"),
        (137, "FUTEX_WAIT_BITSET_PRIVATE"),
        (138, "FUTEX_WAKE_BITSET_PRIVATE"),
        (393, "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"),
    ]
);
xlat!(
    MADVISE,
    "madvise_cmds",
    [
        (0, "MADV_NORMAL"),
        (1, "MADV_RANDOM"),
        (2, "MADV_SEQUENTIAL"),
        (3, "MADV_WILLNEED"),
        (4, "MADV_DONTNEED"),
        (8, "MADV_FREE"),
        (9, "MADV_REMOVE"),
        (10, "MADV_DONTFORK"),
        (11, "MADV_DOFORK"),
        (14, "MADV_HUGEPAGE"),
        (15, "MADV_NOHUGEPAGE"),
        (16, "MADV_DONTDUMP"),
        (18, "MADV_WIPEONFORK"),
        (20, "MADV_COLD"),
        (21, "MADV_PAGEOUT"),
        (101, "MADV_HWPOISON"),
    ]
);
xlat!(
    FILE_TYPES,
    "modetypes",
    [
        (0o140000, "S_IFSOCK"),
        (0o120000, "S_IFLNK"),
        (0o100000, "S_IFREG"),
        (0o060000, "S_IFBLK"),
        (0o040000, "S_IFDIR"),
        (0o020000, "S_IFCHR"),
        (0o010000, "S_IFIFO"),
    ]
);
xlat!(
    MODE_BITS,
    "modeflags",
    [
        (0o4000, "S_ISUID"),
        (0o2000, "S_ISGID"),
        (0o1000, "S_ISVTX")
    ]
);
xlat!(
    SI_CODES,
    "siginfo_codes",
    [
        (0x80, "SI_KERNEL"),
        (0, "SI_USER"),
        (-1i64, "SI_QUEUE"),
        (-2i64, "SI_TIMER"),
        (-3i64, "SI_MESGQ"),
        (-4i64, "SI_ASYNCIO"),
        (-5i64, "SI_SIGIO"),
        (-6i64, "SI_TKILL"),
        (-7i64, "SI_DETHREAD"),
        (-60i64, "SI_ASYNCNL"),
    ]
);
xlat!(
    CLD_CODES,
    "sigchld_codes",
    [
        (1, "CLD_EXITED"),
        (2, "CLD_KILLED"),
        (3, "CLD_DUMPED"),
        (4, "CLD_TRAPPED"),
        (5, "CLD_STOPPED"),
        (6, "CLD_CONTINUED"),
    ]
);
xlat!(
    SEGV_CODES,
    "sigsegv_codes",
    [
        (1, "SEGV_MAPERR"),
        (2, "SEGV_ACCERR"),
        (3, "SEGV_BNDERR"),
        (4, "SEGV_PKUERR"),
        (5, "SEGV_ACCADI"),
        (6, "SEGV_ADIDERR"),
        (7, "SEGV_ADIPERR"),
        (8, "SEGV_MTEAERR"),
        (9, "SEGV_MTESERR"),
        (10, "SEGV_CPERR"),
    ]
);
xlat!(
    BUS_CODES,
    "sigbus_codes",
    [
        (1, "BUS_ADRALN"),
        (2, "BUS_ADRERR"),
        (3, "BUS_OBJERR"),
        (4, "BUS_MCEERR_AR"),
        (5, "BUS_MCEERR_AO")
    ]
);
xlat!(
    FPE_CODES,
    "sigfpe_codes",
    [
        (1, "FPE_INTDIV"),
        (2, "FPE_INTOVF"),
        (3, "FPE_FLTDIV"),
        (4, "FPE_FLTOVF"),
        (5, "FPE_FLTUND"),
        (6, "FPE_FLTRES"),
        (7, "FPE_FLTINV"),
        (8, "FPE_FLTSUB"),
    ]
);
xlat!(
    ILL_CODES,
    "sigill_codes",
    [
        (1, "ILL_ILLOPC"),
        (2, "ILL_ILLOPN"),
        (3, "ILL_ILLADR"),
        (4, "ILL_ILLTRP"),
        (5, "ILL_PRVOPC"),
        (6, "ILL_PRVREG"),
        (7, "ILL_COPROC"),
        (8, "ILL_BADSTK"),
    ]
);
xlat!(
    TRAP_CODES,
    "sigtrap_codes",
    [
        (1, "TRAP_BRKPT"),
        (2, "TRAP_TRACE"),
        (3, "TRAP_BRANCH"),
        (4, "TRAP_HWBKPT")
    ]
);
xlat!(
    SYS_CODES,
    "sigsys_codes",
    [(1, "SYS_SECCOMP"), (2, "SYS_USER_DISPATCH")]
);
xlat!(
    POLL_CODES,
    "sigpoll_codes",
    [
        (1, "POLL_IN"),
        (2, "POLL_OUT"),
        (3, "POLL_MSG"),
        (4, "POLL_ERR"),
        (5, "POLL_PRI"),
        (6, "POLL_HUP")
    ]
);
xlat!(
    AUDIT_ARCHES,
    "audit_arch",
    [
        (0xc000003e, "AUDIT_ARCH_X86_64"),
        (0x40000003, "AUDIT_ARCH_I386"),
        (0xc00000b7, "AUDIT_ARCH_AARCH64")
    ]
);
xlat!(
    SOCKOPT_LEVELS,
    "socketlayers",
    [
        (1, "SOL_SOCKET"),
        (0, "SOL_IP"),
        (6, "SOL_TCP"),
        (17, "SOL_UDP"),
        (41, "SOL_IPV6"),
        (270, "SOL_NETLINK")
    ]
);
xlat!(
    SOCKOPT_NAMES,
    "sockoptions",
    [
        (1, "SO_DEBUG"),
        (2, "SO_REUSEADDR"),
        (3, "SO_TYPE"),
        (4, "SO_ERROR"),
        (5, "SO_DONTROUTE"),
        (6, "SO_BROADCAST"),
        (7, "SO_SNDBUF"),
        (8, "SO_RCVBUF"),
        (9, "SO_KEEPALIVE"),
        (10, "SO_OOBINLINE"),
        (13, "SO_LINGER"),
        (15, "SO_REUSEPORT"),
        (16, "SO_PASSCRED"),
        (17, "SO_PEERCRED"),
        (20, "SO_RCVTIMEO_OLD"),
        (21, "SO_SNDTIMEO_OLD"),
        (32, "SO_SNDBUFFORCE"),
        (33, "SO_RCVBUFFORCE"),
    ]
);
xlat!(
    SHUTDOWN_HOW,
    "shutdown_modes",
    [(0, "SHUT_RD"), (1, "SHUT_WR"), (2, "SHUT_RDWR")]
);
xlat!(
    MSG_FLAGS,
    "msg_flags",
    [
        (0x1, "MSG_OOB"),
        (0x2, "MSG_PEEK"),
        (0x4, "MSG_DONTROUTE"),
        (0x8, "MSG_CTRUNC"),
        (0x20, "MSG_TRUNC"),
        (0x40, "MSG_DONTWAIT"),
        (0x80, "MSG_EOR"),
        (0x100, "MSG_WAITALL"),
        (0x4000, "MSG_NOSIGNAL"),
        (0x8000, "MSG_MORE"),
        (0x40000000, "MSG_CMSG_CLOEXEC"),
    ]
);
xlat!(
    EPOLL_CTL_OPS,
    "epollctls",
    [
        (1, "EPOLL_CTL_ADD"),
        (2, "EPOLL_CTL_DEL"),
        (3, "EPOLL_CTL_MOD")
    ]
);
xlat!(
    CLOCK_IDS,
    "clocknames",
    [
        (0, "CLOCK_REALTIME"),
        (1, "CLOCK_MONOTONIC"),
        (2, "CLOCK_PROCESS_CPUTIME_ID"),
        (3, "CLOCK_THREAD_CPUTIME_ID"),
        (4, "CLOCK_MONOTONIC_RAW"),
        (5, "CLOCK_REALTIME_COARSE"),
        (6, "CLOCK_MONOTONIC_COARSE"),
        (7, "CLOCK_BOOTTIME"),
        (8, "CLOCK_REALTIME_ALARM"),
        (9, "CLOCK_BOOTTIME_ALARM"),
        (11, "CLOCK_TAI"),
    ]
);

xlat!(
    FADVISE,
    "fadvise_advice",
    [
        (0, "POSIX_FADV_NORMAL"),
        (1, "POSIX_FADV_RANDOM"),
        (2, "POSIX_FADV_SEQUENTIAL"),
        (3, "POSIX_FADV_WILLNEED"),
        (4, "POSIX_FADV_DONTNEED"),
        (5, "POSIX_FADV_NOREUSE"),
    ]
);

xlat!(
    IP_PROTOCOLS,
    "inet_protocols",
    [
        (0, "IPPROTO_IP"),
        (1, "IPPROTO_ICMP"),
        (6, "IPPROTO_TCP"),
        (17, "IPPROTO_UDP"),
        (41, "IPPROTO_IPV6"),
        (58, "IPPROTO_ICMPV6"),
        (132, "IPPROTO_SCTP"),
        (255, "IPPROTO_RAW"),
    ]
);

xlat!(
    EPOLL_EVENTS,
    "epollevents",
    [
        (0x1, "EPOLLIN"),
        (0x2, "EPOLLPRI"),
        (0x4, "EPOLLOUT"),
        (0x8, "EPOLLERR"),
        (0x10, "EPOLLHUP"),
        (0x20, "EPOLLNVAL"),
        (0x40, "EPOLLRDNORM"),
        (0x80, "EPOLLRDBAND"),
        (0x100, "EPOLLWRNORM"),
        (0x200, "EPOLLWRBAND"),
        (0x400, "EPOLLMSG"),
        (0x2000, "EPOLLRDHUP"),
        (0x1000_0000, "EPOLLEXCLUSIVE"),
        (0x2000_0000, "EPOLLWAKEUP"),
        (0x4000_0000, "EPOLLONESHOT"),
        (0x8000_0000u32, "EPOLLET"),
    ]
);
xlat!(EPOLL_FLAGS, "epollflags", [(0o2000000, "EPOLL_CLOEXEC")]);
xlat!(
    POLL_EVENTS,
    "pollflags",
    [
        (0x1, "POLLIN"),
        (0x2, "POLLPRI"),
        (0x4, "POLLOUT"),
        (0x8, "POLLERR"),
        (0x10, "POLLHUP"),
        (0x20, "POLLNVAL"),
        (0x40, "POLLRDNORM"),
        (0x80, "POLLRDBAND"),
        (0x100, "POLLWRNORM"),
        (0x200, "POLLWRBAND"),
        (0x400, "POLLMSG"),
        (0x2000, "POLLRDHUP"),
    ]
);
xlat!(
    MFD_FLAGS,
    "memfd_create_flags",
    [
        (1, "MFD_CLOEXEC"),
        (2, "MFD_ALLOW_SEALING"),
        (4, "MFD_HUGETLB"),
        (8, "MFD_NOEXEC_SEAL"),
        (0x10, "MFD_EXEC"),
    ]
);
xlat!(
    STATFS_FLAGS,
    "statfs_flags",
    [
        (0x20, "ST_VALID"),
        (0x1, "ST_RDONLY"),
        (0x2, "ST_NOSUID"),
        (0x4, "ST_NODEV"),
        (0x8, "ST_NOEXEC"),
        (0x10, "ST_SYNCHRONOUS"),
        (0x40, "ST_MANDLOCK"),
        (0x80, "ST_WRITE"),
        (0x100, "ST_APPEND"),
        (0x200, "ST_IMMUTABLE"),
        (0x400, "ST_NOATIME"),
        (0x800, "ST_NODIRATIME"),
        (0x1000, "ST_RELATIME"),
        (0x2000, "ST_NOSYMFOLLOW"),
    ]
);
xlat!(
    FS_MAGICS,
    "fsmagic",
    [
        (0xef53, "EXT2_SUPER_MAGIC"),
        (0x0102_1994, "TMPFS_MAGIC"),
        (0x9fa0, "PROC_SUPER_MAGIC"),
        (0x6265_6572, "SYSFS_MAGIC"),
        (0x794c_7630, "OVERLAYFS_SUPER_MAGIC"),
        (0x9123_683e, "BTRFS_SUPER_MAGIC"),
        (0x5846_5342, "XFS_SUPER_MAGIC"),
        (0x6367_7270, "CGROUP2_SUPER_MAGIC"),
        (0x27e0eb, "CGROUP_SUPER_MAGIC"),
        (0x1cd1, "DEVPTS_SUPER_MAGIC"),
        (0x6969, "NFS_SUPER_MAGIC"),
        (0x6573_5546, "FUSE_SUPER_MAGIC"),
        (0x6462_6720, "DEBUGFS_MAGIC"),
        (0x7472_6163, "TRACEFS_MAGIC"),
        (0x4d44, "MSDOS_SUPER_MAGIC"),
        (0x5346_544e, "NTFS_SB_MAGIC"),
        (0x7363_6673, "SECURITYFS_MAGIC"),
        (0xcafe_4a11, "BPF_FS_MAGIC"),
        (0x0102_1997, "V9FS_MAGIC"),
        (0x9660, "ISOFS_SUPER_MAGIC"),
        (0x7371_7368, "SQUASHFS_MAGIC"),
        (0x1373, "DEVFS_SUPER_MAGIC"),
        (0x6e73_6673, "NSFS_MAGIC"),
        (0x5345_4c46, "SELINUX_MAGIC"),
    ]
);

xlat!(
    CAPABILITIES,
    "cap",
    [
        (0, "CAP_CHOWN"),
        (1, "CAP_DAC_OVERRIDE"),
        (2, "CAP_DAC_READ_SEARCH"),
        (3, "CAP_FOWNER"),
        (4, "CAP_FSETID"),
        (5, "CAP_KILL"),
        (6, "CAP_SETGID"),
        (7, "CAP_SETUID"),
        (8, "CAP_SETPCAP"),
        (9, "CAP_LINUX_IMMUTABLE"),
        (10, "CAP_NET_BIND_SERVICE"),
        (11, "CAP_NET_BROADCAST"),
        (12, "CAP_NET_ADMIN"),
        (13, "CAP_NET_RAW"),
        (14, "CAP_IPC_LOCK"),
        (15, "CAP_IPC_OWNER"),
        (16, "CAP_SYS_MODULE"),
        (17, "CAP_SYS_RAWIO"),
        (18, "CAP_SYS_CHROOT"),
        (19, "CAP_SYS_PTRACE"),
        (20, "CAP_SYS_PACCT"),
        (21, "CAP_SYS_ADMIN"),
        (22, "CAP_SYS_BOOT"),
        (23, "CAP_SYS_NICE"),
        (24, "CAP_SYS_RESOURCE"),
        (25, "CAP_SYS_TIME"),
        (26, "CAP_SYS_TTY_CONFIG"),
        (27, "CAP_MKNOD"),
        (28, "CAP_LEASE"),
        (29, "CAP_AUDIT_WRITE"),
        (30, "CAP_AUDIT_CONTROL"),
        (31, "CAP_SETFCAP"),
        (32, "CAP_MAC_OVERRIDE"),
        (33, "CAP_MAC_ADMIN"),
        (34, "CAP_SYSLOG"),
        (35, "CAP_WAKE_ALARM"),
        (36, "CAP_BLOCK_SUSPEND"),
        (37, "CAP_AUDIT_READ"),
        (38, "CAP_PERFMON"),
        (39, "CAP_BPF"),
        (40, "CAP_CHECKPOINT_RESTORE")
    ]
);
xlat!(TIMER_FLAGS, "clock_nanosleep_flags", [(1, "TIMER_ABSTIME")]);

/// Every table, for lookups by the knowledge base's flag-set names.
pub static ALL: &[&Xlat] = &[
    &OPEN_ACCESS,
    &OPEN_FLAGS,
    &AT_FLAGS,
    &STATX_SYNC,
    &STATX_MASK,
    &STATX_ATTRS,
    &ACCESS_MODES,
    &MMAP_PROT,
    &MMAP_TYPE,
    &MMAP_FLAGS,
    &CLONE_FLAGS,
    &SIGPROCMASK_HOW,
    &SA_FLAGS,
    &FCNTL_CMDS,
    &FD_FLAGS,
    &IOCTL_CMDS,
    &PRCTL_OPTIONS,
    &ARCH_PRCTL,
    &RLIMITS,
    &ADDRESS_FAMILIES,
    &SOCK_TYPES,
    &SOCK_FLAGS,
    &SEEK_WHENCE,
    &WAIT_OPTIONS,
    &GETRANDOM_FLAGS,
    &PIPE_FLAGS,
    &FUTEX_OPS,
    &MADVISE,
    &FILE_TYPES,
    &MODE_BITS,
    &SOCKOPT_LEVELS,
    &SOCKOPT_NAMES,
    &SHUTDOWN_HOW,
    &MSG_FLAGS,
    &EPOLL_CTL_OPS,
    &CLOCK_IDS,
    &FADVISE,
    &IP_PROTOCOLS,
    &EPOLL_EVENTS,
    &EPOLL_FLAGS,
    &POLL_EVENTS,
    &MFD_FLAGS,
    &STATFS_FLAGS,
    &FS_MAGICS,
    &CAPABILITIES,
    &TIMER_FLAGS,
];

/// Finds a table by name.
pub fn by_name(name: &str) -> Option<&'static Xlat> {
    ALL.iter().copied().find(|x| x.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_print_composites_first_and_leftover_bits_in_hex() {
        assert_eq!(
            OPEN_FLAGS.format_flags(0o2000000, Style::Abbrev),
            "O_CLOEXEC"
        );
        assert_eq!(OPEN_FLAGS.format_flags(0o4010000, Style::Abbrev), "O_SYNC");
        assert_eq!(MMAP_PROT.format_flags(0, Style::Abbrev), "PROT_NONE");
        assert_eq!(
            MMAP_PROT.format_flags(0x3, Style::Abbrev),
            "PROT_READ|PROT_WRITE"
        );
        assert_eq!(
            MMAP_PROT.format_flags(0x10003, Style::Abbrev),
            "PROT_READ|PROT_WRITE|0x10000"
        );
        assert_eq!(MMAP_PROT.format_flags(0x3, Style::Raw), "0x3");
        assert_eq!(
            MMAP_PROT.format_flags(0x3, Style::Verbose),
            "0x3 /* PROT_READ|PROT_WRITE */"
        );
    }
}

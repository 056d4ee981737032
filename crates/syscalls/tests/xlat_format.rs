//! Formatting of the decoding tables in strace's three `-X` styles. Every expected string
//! was printed by strace 6.1 (`strace -X abbrev|raw|verbose`) for the same value, from a
//! small C program calling each syscall with these arguments.

use syscalls::{Arch, XlatKind, XlatStyle, xlat_set, xlat_subset};

/// (set, value, abbrev, raw, verbose)
const STRACE_6_1: &[(&str, u64, &str, &str, &str)] = &[
    (
        "open_flags",
        0x80000,
        "O_RDONLY|O_CLOEXEC",
        "0x80000",
        "0x80000 /* O_RDONLY|O_CLOEXEC */",
    ),
    (
        "open_flags",
        0x4000_0000,
        "O_RDONLY|0x40000000",
        "0x40000000",
        "0x40000000 /* O_RDONLY|0x40000000 */",
    ),
    (
        "open_flags",
        0x4000_0041,
        "O_WRONLY|O_CREAT|0x40000000",
        "0x40000041",
        "0x40000041 /* O_WRONLY|O_CREAT|0x40000000 */",
    ),
    ("open_flags", 0, "O_RDONLY", "0", "0 /* O_RDONLY */"),
    (
        "dirfd",
        -100i64 as u64,
        "AT_FDCWD",
        "-100",
        "-100 /* AT_FDCWD */",
    ),
    (
        "dirfd",
        0xffff_ff9c,
        "AT_FDCWD",
        "-100",
        "-100 /* AT_FDCWD */",
    ),
    ("dirfd", 77, "77", "77", "77"),
    ("lseek_whence", 1, "SEEK_CUR", "0x1", "0x1 /* SEEK_CUR */"),
    (
        "lseek_whence",
        0x4d,
        "0x4d /* SEEK_??? */",
        "0x4d",
        "0x4d /* SEEK_??? */",
    ),
    (
        "mmap_prot",
        3,
        "PROT_READ|PROT_WRITE",
        "0x3",
        "0x3 /* PROT_READ|PROT_WRITE */",
    ),
    ("mmap_prot", 0, "PROT_NONE", "0", "0 /* PROT_NONE */"),
    (
        "mmap_prot",
        0x100,
        "0x100 /* PROT_??? */",
        "0x100",
        "0x100 /* PROT_??? */",
    ),
    (
        "mmap_flags",
        0x22,
        "MAP_PRIVATE|MAP_ANONYMOUS",
        "0x22",
        "0x22 /* MAP_PRIVATE|MAP_ANONYMOUS */",
    ),
    (
        "mmap_flags",
        0x20,
        "MAP_FILE|MAP_ANONYMOUS",
        "0x20",
        "0x20 /* MAP_FILE|MAP_ANONYMOUS */",
    ),
    (
        "mmap_flags",
        0x2f,
        "0xf /* MAP_??? */|MAP_ANONYMOUS",
        "0x2f",
        "0x2f /* 0xf /* MAP_??? */|MAP_ANONYMOUS */",
    ),
    ("mmap_flags", 0, "MAP_FILE", "0", "0 /* MAP_FILE */"),
    ("address_family", 2, "AF_INET", "0x2", "0x2 /* AF_INET */"),
    ("address_family", 1, "AF_UNIX", "0x1", "0x1 /* AF_UNIX */"),
    (
        "address_family",
        99,
        "0x63 /* AF_??? */",
        "0x63",
        "0x63 /* AF_??? */",
    ),
    (
        "socket_type",
        0x80001,
        "SOCK_STREAM|SOCK_CLOEXEC",
        "0x1|0x80000",
        "0x1 /* SOCK_STREAM */|0x80000 /* SOCK_CLOEXEC */",
    ),
    (
        "socket_type",
        99,
        "SOCK_RAW|0x60 /* SOCK_??? */",
        "0x3|0x60",
        "0x3 /* SOCK_RAW */|0x60 /* SOCK_??? */",
    ),
    (
        "socket_type",
        0x82,
        "SOCK_DGRAM|0x80 /* SOCK_??? */",
        "0x2|0x80",
        "0x2 /* SOCK_DGRAM */|0x80 /* SOCK_??? */",
    ),
    ("ip_protocol", 0, "IPPROTO_IP", "0", "0 /* IPPROTO_IP */"),
    ("fcntl_cmd", 1, "F_GETFD", "0x1", "0x1 /* F_GETFD */"),
    ("fcntl_cmd", 2, "F_SETFD", "0x2", "0x2 /* F_SETFD */"),
    (
        "fcntl_cmd",
        999,
        "0x3e7 /* F_??? */",
        "0x3e7",
        "0x3e7 /* F_??? */",
    ),
    ("fd_flags", 1, "FD_CLOEXEC", "0x1", "0x1 /* FD_CLOEXEC */"),
    (
        "sigprocmask_how",
        99,
        "0x63 /* SIG_??? */",
        "0x63",
        "0x63 /* SIG_??? */",
    ),
    ("sigprocmask_how", 0, "SIG_BLOCK", "0", "0 /* SIG_BLOCK */"),
    (
        "prctl_option",
        15,
        "PR_SET_NAME",
        "0xf",
        "0xf /* PR_SET_NAME */",
    ),
    (
        "prctl_option",
        9999,
        "0x270f /* PR_??? */",
        "0x270f",
        "0x270f /* PR_??? */",
    ),
    (
        "arch_prctl_code",
        0x1001,
        "ARCH_SET_GS",
        "0x1001",
        "0x1001 /* ARCH_SET_GS */",
    ),
    (
        "arch_prctl_code",
        0x9999,
        "0x9999 /* ARCH_??? */",
        "0x9999",
        "0x9999 /* ARCH_??? */",
    ),
    (
        "futex_op",
        0x81,
        "FUTEX_WAKE_PRIVATE",
        "0x81",
        "0x81 /* FUTEX_WAKE_PRIVATE */",
    ),
    (
        "futex_op",
        0x189,
        "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME",
        "0x189",
        "0x189 /* FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME */",
    ),
    (
        "futex_op",
        0x63,
        "0x63 /* FUTEX_??? */",
        "0x63",
        "0x63 /* FUTEX_??? */",
    ),
    (
        "rlimit_resource",
        7,
        "RLIMIT_NOFILE",
        "0x7",
        "0x7 /* RLIMIT_NOFILE */",
    ),
    (
        "rlimit_resource",
        99,
        "0x63 /* RLIMIT_??? */",
        "0x63",
        "0x63 /* RLIMIT_??? */",
    ),
    (
        "clockid",
        1,
        "CLOCK_MONOTONIC",
        "0x1",
        "0x1 /* CLOCK_MONOTONIC */",
    ),
    (
        "clockid",
        99,
        "0x63 /* CLOCK_??? */",
        "0x63",
        "0x63 /* CLOCK_??? */",
    ),
    (
        "wait4_options",
        0x4010_0001,
        "WNOHANG|__WALL|0x100000",
        "0x40100001",
        "0x40100001 /* WNOHANG|__WALL|0x100000 */",
    ),
    ("wait4_options", 0, "0", "0", "0"),
    ("access_mode", 6, "R_OK|W_OK", "0x6", "0x6 /* R_OK|W_OK */"),
    ("access_mode", 0, "F_OK", "0", "0 /* F_OK */"),
    (
        "access_mode",
        0x20,
        "0x20 /* ?_OK */",
        "0x20",
        "0x20 /* ?_OK */",
    ),
    (
        "at_flags",
        0x1000_0100,
        "AT_SYMLINK_NOFOLLOW|0x10000000",
        "0x10000100",
        "0x10000100 /* AT_SYMLINK_NOFOLLOW|0x10000000 */",
    ),
    ("at_flags", 0, "0", "0", "0"),
    (
        "madvise_advice",
        4,
        "MADV_DONTNEED",
        "0x4",
        "0x4 /* MADV_DONTNEED */",
    ),
    (
        "madvise_advice",
        999,
        "0x3e7 /* MADV_??? */",
        "0x3e7",
        "0x3e7 /* MADV_??? */",
    ),
    (
        "clone_flags",
        0x7fff_0111,
        "CLONE_VM|CLONE_THREAD|CLONE_NEWNS|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID|CLONE_UNTRACED|CLONE_CHILD_SETTID|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET|0x400000|SIGCHLD",
        "0x7fff0100|17",
        "0x7fff0100 /* CLONE_VM|CLONE_THREAD|CLONE_NEWNS|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID|CLONE_UNTRACED|CLONE_CHILD_SETTID|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET|0x400000 */|17 /* SIGCHLD */",
    ),
    (
        "clone_flags",
        0x100,
        "CLONE_VM",
        "0x100",
        "0x100 /* CLONE_VM */",
    ),
    ("clone_flags", 0x55, "85", "85", "85"),
    (
        "ioctl_cmd",
        0x5401,
        "TCGETS",
        "0x5401",
        "0x5401 /* TCGETS */",
    ),
    (
        "ioctl_cmd",
        0x5421,
        "FIONBIO",
        "0x5421",
        "0x5421 /* FIONBIO */",
    ),
    // Every name a command has, joined with " or " (strace's ioctlent order).
    (
        "ioctl_cmd",
        0x5402,
        "SNDCTL_TMR_START or TCSETS",
        "0x5402",
        "0x5402 /* SNDCTL_TMR_START or TCSETS */",
    ),
    (
        "ioctl_cmd",
        0x4004_9409,
        "BTRFS_IOC_CLONE or FICLONE",
        "0x40049409",
        "0x40049409 /* BTRFS_IOC_CLONE or FICLONE */",
    ),
    // struct termios' words (`strace -X ... -e trace=ioctl` on a pty).
    (
        "term_iflags",
        0x500,
        "ICRNL|IXON",
        "0x500",
        "0x500 /* ICRNL|IXON */",
    ),
    ("baud_options", 0xf, "B38400", "0xf", "0xf /* B38400 */"),
    ("term_oflags_nldly", 0, "NL0", "0", "0 /* NL0 */"),
    (
        "ioctl_cmd",
        0x1234_5678,
        "_IOC(_IOC_NONE, 0x56, 0x78, 0x1234)",
        "0x12345678",
        "0x12345678 /* _IOC(_IOC_NONE, 0x56, 0x78, 0x1234) */",
    ),
    (
        "ioctl_cmd",
        0xc008_9901,
        "_IOC(_IOC_READ|_IOC_WRITE, 0x99, 0x1, 0x8)",
        "0xc0089901",
        "0xc0089901 /* _IOC(_IOC_READ|_IOC_WRITE, 0x99, 0x1, 0x8) */",
    ),
    (
        "ioctl_cmd",
        0x9900,
        "_IOC(_IOC_NONE, 0x99, 0, 0)",
        "0x9900",
        "0x9900 /* _IOC(_IOC_NONE, 0x99, 0, 0) */",
    ),
    (
        "ioctl_cmd",
        0x8004_9910,
        "_IOC(_IOC_READ, 0x99, 0x10, 0x4)",
        "0x80049910",
        "0x80049910 /* _IOC(_IOC_READ, 0x99, 0x10, 0x4) */",
    ),
    (
        "ioctl_cmd",
        0x4004_9910,
        "_IOC(_IOC_WRITE, 0x99, 0x10, 0x4)",
        "0x40049910",
        "0x40049910 /* _IOC(_IOC_WRITE, 0x99, 0x10, 0x4) */",
    ),
    ("getrandom_flags", 0, "0", "0", "0"),
    (
        "getrandom_flags",
        0x41,
        "GRND_NONBLOCK|0x40",
        "0x41",
        "0x41 /* GRND_NONBLOCK|0x40 */",
    ),
    (
        "socket_level",
        1,
        "SOL_SOCKET",
        "0x1",
        "0x1 /* SOL_SOCKET */",
    ),
    ("socket_level", 6, "SOL_TCP", "0x6", "0x6 /* SOL_TCP */"),
    (
        "socket_level",
        999,
        "0x3e7 /* SOL_?? */",
        "0x3e7",
        "0x3e7 /* SOL_?? */",
    ),
    (
        "sockopt_socket",
        2,
        "SO_REUSEADDR",
        "0x2",
        "0x2 /* SO_REUSEADDR */",
    ),
    (
        "sockopt_tcp",
        1,
        "TCP_NODELAY",
        "0x1",
        "0x1 /* TCP_NODELAY */",
    ),
    (
        "msg_flags",
        0x4000_4000,
        "MSG_NOSIGNAL|MSG_CMSG_CLOEXEC",
        "0x40004000",
        "0x40004000 /* MSG_NOSIGNAL|MSG_CMSG_CLOEXEC */",
    ),
    ("shutdown_how", 2, "SHUT_RDWR", "0x2", "0x2 /* SHUT_RDWR */"),
    (
        "mount_flags",
        0xc0ed_0003,
        "MS_MGC_VAL|MS_RDONLY|MS_NOSUID",
        "0xc0ed0000|0x3",
        "0xc0ed0000 /* MS_MGC_VAL */|0x3 /* MS_RDONLY|MS_NOSUID */",
    ),
    (
        "umount_flags",
        2,
        "MNT_DETACH",
        "0x2",
        "0x2 /* MNT_DETACH */",
    ),
    (
        "flock_cmd",
        6,
        "LOCK_EX|LOCK_NB",
        "0x6",
        "0x6 /* LOCK_EX|LOCK_NB */",
    ),
    (
        "epoll_ctl_op",
        1,
        "EPOLL_CTL_ADD",
        "0x1",
        "0x1 /* EPOLL_CTL_ADD */",
    ),
    (
        "epoll_ctl_op",
        77,
        "0x4d /* EPOLL_CTL_??? */",
        "0x4d",
        "0x4d /* EPOLL_CTL_??? */",
    ),
    ("personality", 0, "PER_LINUX", "0", "0 /* PER_LINUX */"),
    (
        "rename_flags",
        1,
        "RENAME_NOREPLACE",
        "0x1",
        "0x1 /* RENAME_NOREPLACE */",
    ),
];

/// More of the same, from a second and third run (file flags, sockets, signals, modes).
const STRACE_6_1_MORE: &[(&str, u64, &str, &str, &str)] = &[
    (
        "open_mode_flags",
        0x80800,
        "O_NONBLOCK|O_CLOEXEC",
        "0x80800",
        "0x80800 /* O_NONBLOCK|O_CLOEXEC */",
    ),
    (
        "open_mode_flags",
        0x80000,
        "O_CLOEXEC",
        "0x80000",
        "0x80000 /* O_CLOEXEC */",
    ),
    (
        "eventfd_flags",
        0x80800,
        "EFD_CLOEXEC|EFD_NONBLOCK",
        "0x80800",
        "0x80800 /* EFD_CLOEXEC|EFD_NONBLOCK */",
    ),
    (
        "epoll_create_flags",
        0x80000,
        "EPOLL_CLOEXEC",
        "0x80000",
        "0x80000 /* EPOLL_CLOEXEC */",
    ),
    (
        "inotify_init_flags",
        0x80800,
        "IN_NONBLOCK|IN_CLOEXEC",
        "0x80800",
        "0x80800 /* IN_NONBLOCK|IN_CLOEXEC */",
    ),
    (
        "memfd_flags",
        3,
        "MFD_CLOEXEC|MFD_ALLOW_SEALING",
        "0x3",
        "0x3 /* MFD_CLOEXEC|MFD_ALLOW_SEALING */",
    ),
    (
        "socket_flags",
        0x80000,
        "SOCK_CLOEXEC",
        "0x80000",
        "0x80000 /* SOCK_CLOEXEC */",
    ),
    ("fcntl_cmd", 4, "F_SETFL", "0x4", "0x4 /* F_SETFL */"),
    (
        "open_flags",
        0x800,
        "O_RDONLY|O_NONBLOCK",
        "0x800",
        "0x800 /* O_RDONLY|O_NONBLOCK */",
    ),
    (
        "open_flags",
        0x1110c2,
        "O_RDWR|O_CREAT|O_EXCL|O_SYNC|O_DIRECTORY",
        "0x1110c2",
        "0x1110c2 /* O_RDWR|O_CREAT|O_EXCL|O_SYNC|O_DIRECTORY */",
    ),
    (
        "open_flags",
        0x410001,
        "O_WRONLY|O_TMPFILE",
        "0x410001",
        "0x410001 /* O_WRONLY|O_TMPFILE */",
    ),
    (
        "rwf_flags",
        9,
        "RWF_HIPRI|RWF_NOWAIT",
        "0x9",
        "0x9 /* RWF_HIPRI|RWF_NOWAIT */",
    ),
    (
        "fallocate_mode",
        3,
        "FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE",
        "0x3",
        "0x3 /* FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE */",
    ),
    (
        "mremap_flags",
        3,
        "MREMAP_MAYMOVE|MREMAP_FIXED",
        "0x3",
        "0x3 /* MREMAP_MAYMOVE|MREMAP_FIXED */",
    ),
    (
        "madvise_advice",
        3,
        "MADV_WILLNEED",
        "0x3",
        "0x3 /* MADV_WILLNEED */",
    ),
    (
        "at_flags",
        0x400,
        "AT_SYMLINK_FOLLOW",
        "0x400",
        "0x400 /* AT_SYMLINK_FOLLOW */",
    ),
    (
        "unlinkat_flags",
        0x200,
        "AT_REMOVEDIR",
        "0x200",
        "0x200 /* AT_REMOVEDIR */",
    ),
    (
        "faccessat_flags",
        0x300,
        "AT_SYMLINK_NOFOLLOW|AT_EACCESS",
        "0x300",
        "0x300 /* AT_SYMLINK_NOFOLLOW|AT_EACCESS */",
    ),
    ("access_mode", 1, "X_OK", "0x1", "0x1 /* X_OK */"),
    (
        "access_mode",
        7,
        "R_OK|W_OK|X_OK",
        "0x7",
        "0x7 /* R_OK|W_OK|X_OK */",
    ),
    (
        "execveat_flags",
        0x1000,
        "AT_EMPTY_PATH",
        "0x1000",
        "0x1000 /* AT_EMPTY_PATH */",
    ),
    (
        "setns_flags",
        0x4000_0000,
        "CLONE_NEWNET",
        "0x40000000",
        "0x40000000 /* CLONE_NEWNET */",
    ),
    (
        "unshare_flags",
        0x600,
        "CLONE_FS|CLONE_FILES",
        "0x600",
        "0x600 /* CLONE_FS|CLONE_FILES */",
    ),
    (
        "mount_flags",
        0x5000,
        "MS_BIND|MS_REC",
        "0x5000",
        "0x5000 /* MS_BIND|MS_REC */",
    ),
    // High bits that are not MS_MGC_VAL stay flags.
    (
        "mount_flags",
        0x1234_0001,
        "MS_RDONLY|MS_PRIVATE|MS_SHARED|MS_RELATIME|MS_LAZYTIME|MS_NOSEC",
        "0x12340001",
        "0x12340001 /* MS_RDONLY|MS_PRIVATE|MS_SHARED|MS_RELATIME|MS_LAZYTIME|MS_NOSEC */",
    ),
    (
        "umount_flags",
        9,
        "MNT_FORCE|UMOUNT_NOFOLLOW",
        "0x9",
        "0x9 /* MNT_FORCE|UMOUNT_NOFOLLOW */",
    ),
    (
        "seccomp_op",
        1,
        "SECCOMP_SET_MODE_FILTER",
        "0x1",
        "0x1 /* SECCOMP_SET_MODE_FILTER */",
    ),
    (
        "seccomp_filter_flags",
        3,
        "SECCOMP_FILTER_FLAG_TSYNC|SECCOMP_FILTER_FLAG_LOG",
        "0x3",
        "0x3 /* SECCOMP_FILTER_FLAG_TSYNC|SECCOMP_FILTER_FLAG_LOG */",
    ),
    (
        "bpf_cmd",
        0,
        "BPF_MAP_CREATE",
        "0",
        "0 /* BPF_MAP_CREATE */",
    ),
    (
        "ptrace_request",
        2,
        "PTRACE_PEEKDATA",
        "0x2",
        "0x2 /* PTRACE_PEEKDATA */",
    ),
    (
        "ptrace_request",
        0x4206,
        "PTRACE_SEIZE",
        "0x4206",
        "0x4206 /* PTRACE_SEIZE */",
    ),
    (
        "rlimit_resource",
        3,
        "RLIMIT_STACK",
        "0x3",
        "0x3 /* RLIMIT_STACK */",
    ),
    (
        "clockid",
        7,
        "CLOCK_BOOTTIME",
        "0x7",
        "0x7 /* CLOCK_BOOTTIME */",
    ),
    (
        "mlock_flags",
        1,
        "MLOCK_ONFAULT",
        "0x1",
        "0x1 /* MLOCK_ONFAULT */",
    ),
    (
        "getrandom_flags",
        3,
        "GRND_NONBLOCK|GRND_RANDOM",
        "0x3",
        "0x3 /* GRND_NONBLOCK|GRND_RANDOM */",
    ),
    (
        "sync_file_range_flags",
        3,
        "SYNC_FILE_RANGE_WAIT_BEFORE|SYNC_FILE_RANGE_WRITE",
        "0x3",
        "0x3 /* SYNC_FILE_RANGE_WAIT_BEFORE|SYNC_FILE_RANGE_WRITE */",
    ),
    ("flock_cmd", 8, "LOCK_UN", "0x8", "0x8 /* LOCK_UN */"),
    ("kcmp_type", 0, "KCMP_FILE", "0", "0 /* KCMP_FILE */"),
    (
        "membarrier_cmd",
        0,
        "MEMBARRIER_CMD_QUERY",
        "0",
        "0 /* MEMBARRIER_CMD_QUERY */",
    ),
    (
        "sched_policy",
        1,
        "SCHED_FIFO",
        "0x1",
        "0x1 /* SCHED_FIFO */",
    ),
    ("sched_policy", 0, "SCHED_OTHER", "0", "0 /* SCHED_OTHER */"),
    (
        "priority_which",
        0,
        "PRIO_PROCESS",
        "0",
        "0 /* PRIO_PROCESS */",
    ),
    (
        "ioprio_which",
        1,
        "IOPRIO_WHO_PROCESS",
        "0x1",
        "0x1 /* IOPRIO_WHO_PROCESS */",
    ),
    (
        "msync_flags",
        6,
        "MS_SYNC|MS_INVALIDATE",
        "0x6",
        "0x6 /* MS_SYNC|MS_INVALIDATE */",
    ),
    (
        "splice_flags",
        3,
        "SPLICE_F_MOVE|SPLICE_F_NONBLOCK",
        "0x3",
        "0x3 /* SPLICE_F_MOVE|SPLICE_F_NONBLOCK */",
    ),
    (
        "fanotify_init_flags",
        7,
        "FAN_CLASS_CONTENT|FAN_CLOEXEC|FAN_NONBLOCK",
        "0x4|0x3",
        "0x4 /* FAN_CLASS_CONTENT */|0x3 /* FAN_CLOEXEC|FAN_NONBLOCK */",
    ),
    (
        "inotify_mask",
        0x100_0102,
        "IN_MODIFY|IN_CREATE|IN_ONLYDIR",
        "0x1000102",
        "0x1000102 /* IN_MODIFY|IN_CREATE|IN_ONLYDIR */",
    ),
    (
        "personality",
        0x40000,
        "PER_LINUX|ADDR_NO_RANDOMIZE",
        "0|0x40000",
        "0 /* PER_LINUX */|0x40000 /* ADDR_NO_RANDOMIZE */",
    ),
    ("waitid_which", 1, "P_PID", "0x1", "0x1 /* P_PID */"),
    (
        "wait4_options",
        5,
        "WNOHANG|WEXITED",
        "0x5",
        "0x5 /* WNOHANG|WEXITED */",
    ),
    (
        "ip_protocol",
        0x11,
        "IPPROTO_UDP",
        "0x11",
        "0x11 /* IPPROTO_UDP */",
    ),
    (
        "ip_protocol",
        6,
        "IPPROTO_TCP",
        "0x6",
        "0x6 /* IPPROTO_TCP */",
    ),
    (
        "netlink_protocol",
        0,
        "NETLINK_ROUTE",
        "0",
        "0 /* NETLINK_ROUTE */",
    ),
    (
        "address_family",
        0xa,
        "AF_INET6",
        "0xa",
        "0xa /* AF_INET6 */",
    ),
    (
        "address_family",
        0x10,
        "AF_NETLINK",
        "0x10",
        "0x10 /* AF_NETLINK */",
    ),
    ("socket_type", 3, "SOCK_RAW", "0x3", "0x3 /* SOCK_RAW */"),
    (
        "socket_type",
        0x805,
        "SOCK_SEQPACKET|SOCK_NONBLOCK",
        "0x5|0x800",
        "0x5 /* SOCK_SEQPACKET */|0x800 /* SOCK_NONBLOCK */",
    ),
    ("socket_level", 0, "SOL_IP", "0", "0 /* SOL_IP */"),
    (
        "socket_level",
        0x29,
        "SOL_IPV6",
        "0x29",
        "0x29 /* SOL_IPV6 */",
    ),
    ("sockopt_ip", 1, "IP_TOS", "0x1", "0x1 /* IP_TOS */"),
    (
        "sockopt_ipv6",
        0x1a,
        "IPV6_V6ONLY",
        "0x1a",
        "0x1a /* IPV6_V6ONLY */",
    ),
    (
        "sockopt_socket",
        999,
        "0x3e7 /* SO_??? */",
        "0x3e7",
        "0x3e7 /* SO_??? */",
    ),
    (
        "timerfd_flags",
        0x80800,
        "TFD_CLOEXEC|TFD_NONBLOCK",
        "0x80800",
        "0x80800 /* TFD_CLOEXEC|TFD_NONBLOCK */",
    ),
    (
        "timer_flags",
        1,
        "TIMER_ABSTIME",
        "0x1",
        "0x1 /* TIMER_ABSTIME */",
    ),
    (
        "statx_flags",
        0x4000,
        "AT_STATX_DONT_SYNC",
        "0x4000",
        "0x4000 /* AT_STATX_DONT_SYNC */",
    ),
    (
        "statx_mask",
        0xfff,
        "STATX_ALL",
        "0xfff",
        "0xfff /* STATX_ALL */",
    ),
    (
        "statx_mask",
        3,
        "STATX_TYPE|STATX_MODE",
        "0x3",
        "0x3 /* STATX_TYPE|STATX_MODE */",
    ),
    (
        "poll_events",
        3,
        "POLLIN|POLLPRI",
        "0x3",
        "0x3 /* POLLIN|POLLPRI */",
    ),
    ("poll_events", 1, "POLLIN", "0x1", "0x1 /* POLLIN */"),
    (
        "sigaction_flags",
        0x1400_0004,
        "SA_RESTORER|SA_RESTART|SA_SIGINFO",
        "0x14000004",
        "0x14000004 /* SA_RESTORER|SA_RESTART|SA_SIGINFO */",
    ),
    ("si_code", 0, "SI_USER", "0", "0 /* SI_USER */"),
    (
        "si_code_sigchld",
        1,
        "CLD_EXITED",
        "0x1",
        "0x1 /* CLD_EXITED */",
    ),
    (
        "sigprocmask_how",
        2,
        "SIG_SETMASK",
        "0x2",
        "0x2 /* SIG_SETMASK */",
    ),
    (
        "mlockall_flags",
        3,
        "MCL_CURRENT|MCL_FUTURE",
        "0x3",
        "0x3 /* MCL_CURRENT|MCL_FUTURE */",
    ),
    (
        "prctl_option",
        4,
        "PR_SET_DUMPABLE",
        "0x4",
        "0x4 /* PR_SET_DUMPABLE */",
    ),
    (
        "pr_dumpable",
        1,
        "SUID_DUMP_USER",
        "0x1",
        "0x1 /* SUID_DUMP_USER */",
    ),
    (
        "fadvise_advice",
        4,
        "POSIX_FADV_DONTNEED",
        "0x4",
        "0x4 /* POSIX_FADV_DONTNEED */",
    ),
    ("msg_flags", 0, "0", "0", "0"),
    (
        "msg_flags",
        0x62,
        "MSG_PEEK|MSG_TRUNC|MSG_DONTWAIT",
        "0x62",
        "0x62 /* MSG_PEEK|MSG_TRUNC|MSG_DONTWAIT */",
    ),
    ("lseek_whence", 4, "SEEK_HOLE", "0x4", "0x4 /* SEEK_HOLE */"),
    (
        "itimer_which",
        2,
        "ITIMER_PROF",
        "0x2",
        "0x2 /* ITIMER_PROF */",
    ),
    ("sa_handler", 1, "SIG_IGN", "0x1", "0x1 /* SIG_IGN */"),
    ("sa_handler", 0, "SIG_DFL", "0", "0 /* SIG_DFL */"),
    (
        "sigaction_flags",
        0x400_0000,
        "SA_RESTORER",
        "0x4000000",
        "0x4000000 /* SA_RESTORER */",
    ),
    ("rusage_who", 0, "RUSAGE_SELF", "0", "0 /* RUSAGE_SELF */"),
    (
        "rusage_who",
        -1i64 as u64,
        "RUSAGE_CHILDREN",
        "0xffffffff",
        "0xffffffff /* RUSAGE_CHILDREN */",
    ),
    (
        "rusage_who",
        1,
        "RUSAGE_THREAD",
        "0x1",
        "0x1 /* RUSAGE_THREAD */",
    ),
    (
        "cap_version",
        0x2008_0522,
        "_LINUX_CAPABILITY_VERSION_3",
        "0x20080522",
        "0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */",
    ),
    (
        "shmat_flags",
        0x3000,
        "SHM_RDONLY|SHM_RND",
        "0x3000",
        "0x3000 /* SHM_RDONLY|SHM_RND */",
    ),
    (
        "ipc_msg_flags",
        0x1800,
        "MSG_NOERROR|IPC_NOWAIT",
        "0x1800",
        "0x1800 /* MSG_NOERROR|IPC_NOWAIT */",
    ),
    (
        "key_spec",
        -3i64 as u64,
        "KEY_SPEC_SESSION_KEYRING",
        "-3",
        "-3 /* KEY_SPEC_SESSION_KEYRING */",
    ),
    ("key_spec", 12345, "12345", "12345", "12345"),
    (
        "prctl_option",
        0x15,
        "PR_GET_SECCOMP",
        "0x15",
        "0x15 /* PR_GET_SECCOMP */",
    ),
    (
        "resolve_flags",
        0xc,
        "RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH",
        "0xc",
        "0xc /* RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH */",
    ),
    ("flock_type", 2, "F_UNLCK", "0x2", "0x2 /* F_UNLCK */"),
    ("fcntl_cmd", 5, "F_GETLK", "0x5", "0x5 /* F_GETLK */"),
    (
        "open_flags",
        0x10000,
        "O_RDONLY|O_DIRECTORY",
        "0x10000",
        "0x10000 /* O_RDONLY|O_DIRECTORY */",
    ),
    (
        "file_mode",
        0o10644,
        "S_IFIFO|0644",
        "010644",
        "010644 /* S_IFIFO|0644 */",
    ),
    (
        "file_mode",
        0o105755,
        "S_IFREG|S_ISUID|S_ISVTX|0755",
        "0105755",
        "0105755 /* S_IFREG|S_ISUID|S_ISVTX|0755 */",
    ),
    ("file_mode", 0, "000", "000", "000 /* 000 */"),
    ("file_mode", 0o170007, "0170007", "0170007", "0170007"),
    (
        "file_mode",
        0o2001,
        "S_ISGID|001",
        "02001",
        "02001 /* S_ISGID|001 */",
    ),
    (
        "file_mode",
        0o40755,
        "S_IFDIR|0755",
        "040755",
        "040755 /* S_IFDIR|0755 */",
    ),
];

fn render(set: &str, value: u64, style: XlatStyle) -> String {
    let set = xlat_set(set).unwrap_or_else(|| panic!("no set {set}"));
    let mut out = String::new();
    set.format(value, style, &mut out).unwrap();
    out
}

#[test]
fn every_style_prints_what_strace_prints() {
    let mut failures = Vec::new();
    let cases = STRACE_6_1.iter().chain(STRACE_6_1_MORE);
    for &(set, value, abbrev, raw, verbose) in cases {
        for (style, want) in [
            (XlatStyle::Abbrev, abbrev),
            (XlatStyle::Raw, raw),
            (XlatStyle::Verbose, verbose),
        ] {
            let got = render(set, value, style);
            if got != want {
                failures.push(format!(
                    "{set} {value:#x} {style:?}: got {got:?}, strace {want:?}"
                ));
            }
        }
    }
    assert!(STRACE_6_1.len() + STRACE_6_1_MORE.len() > 150);
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn statx_sync_type_prints_as_a_separate_value() {
    // strace 6.1 prints `0 /* AT_STATX_SYNC_AS_STAT */|0x100 /* AT_SYMLINK_NOFOLLOW */` in
    // verbose style and `AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW` in abbrev style; its raw
    // style loses the zero (`|0x100`). The set's own raw style keeps it (JSON and other
    // consumers see a number for each part); the text printer prints statx's flags as
    // strace does, zero lost included (render's `statx_flags`).
    assert_eq!(
        render("statx_flags", 0x100, XlatStyle::Abbrev),
        "AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW"
    );
    assert_eq!(
        render("statx_flags", 0x100, XlatStyle::Verbose),
        "0 /* AT_STATX_SYNC_AS_STAT */|0x100 /* AT_SYMLINK_NOFOLLOW */"
    );
    assert_eq!(render("statx_flags", 0x100, XlatStyle::Raw), "0|0x100");
}

#[test]
fn display_matches_format_and_appends_to_existing_text() {
    let set = xlat_set("open_flags").unwrap();
    let mut out = String::from("openat(AT_FDCWD, \"/dev/null\", ");
    set.format(0x80000, XlatStyle::Abbrev, &mut out).unwrap();
    assert_eq!(out, "openat(AT_FDCWD, \"/dev/null\", O_RDONLY|O_CLOEXEC");
    assert_eq!(
        set.display(0x80000, XlatStyle::Verbose).to_string(),
        "0x80000 /* O_RDONLY|O_CLOEXEC */"
    );
}

#[test]
fn values_are_compared_in_the_arguments_width() {
    // A 32-bit flags argument sign-extended by the register read keeps its meaning.
    assert_eq!(
        render("open_flags", 0xffff_ffff_0008_0000, XlatStyle::Abbrev),
        "O_RDONLY|O_CLOEXEC"
    );
    // clone's flags are 64-bit: bit 32 is an unknown flag, not dropped.
    assert_eq!(
        render("clone_flags", 0x1_0000_0111, XlatStyle::Abbrev),
        "CLONE_VM|0x100000000|SIGCHLD"
    );
    assert_eq!(
        render("clone_flags", 0x1_0000_0111, XlatStyle::Raw),
        "0x100000100|17"
    );
}

#[test]
fn aarch64_open_flags_use_arm64_values() {
    let set = xlat_set("open_flags").unwrap();
    // arm64: O_DIRECTORY 040000, O_NOFOLLOW 0100000, O_DIRECT 0200000, O_LARGEFILE 0400000.
    let arm = |v| {
        set.display_on(Arch::Aarch64, v, XlatStyle::Abbrev)
            .to_string()
    };
    // strace's order: `O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY` (ls opening a directory).
    assert_eq!(
        arm(0o40000 | 0o2000000 | 0o4000),
        "O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY"
    );
    assert_eq!(arm(0o100000), "O_RDONLY|O_NOFOLLOW");
    assert_eq!(arm(0o200000), "O_RDONLY|O_DIRECT");
    assert_eq!(arm(0o400000), "O_RDONLY|O_LARGEFILE");
    // The same numbers mean other flags on x86_64.
    let x86 = |v| set.display(v, XlatStyle::Abbrev).to_string();
    assert_eq!(x86(0o40000), "O_RDONLY|O_DIRECT");
    assert_eq!(x86(0o200000), "O_RDONLY|O_DIRECTORY");
    assert_eq!(x86(0o100000), "O_RDONLY|O_LARGEFILE");
    assert_eq!(x86(0o400000), "O_RDONLY|O_NOFOLLOW");
    // O_TMPFILE (__O_TMPFILE|O_DIRECTORY) wins over its parts on both.
    assert_eq!(arm(0o20040000 | 2), "O_RDWR|O_TMPFILE");
    assert_eq!(x86(0o20200000 | 2), "O_RDWR|O_TMPFILE");
}

#[test]
fn constants_arm64_lacks_are_unknown_there() {
    let mmap = xlat_set("mmap_flags").unwrap();
    assert_eq!(
        mmap.display(0x62, XlatStyle::Abbrev).to_string(),
        "MAP_PRIVATE|MAP_ANONYMOUS|MAP_32BIT"
    );
    assert_eq!(
        mmap.display_on(Arch::Aarch64, 0x62, XlatStyle::Abbrev)
            .to_string(),
        "MAP_PRIVATE|MAP_ANONYMOUS|0x40"
    );
    // 33 is x86's PTRACE_SINGLEBLOCK; arm64 uses it for PTRACE_PEEKMTETAGS.
    let ptrace = xlat_set("ptrace_request").unwrap();
    assert_eq!(ptrace.name_of(33), Some("PTRACE_SINGLEBLOCK"));
    assert_eq!(ptrace.name_of_on(Arch::Aarch64, 33), None);
    assert_eq!(
        ptrace.name_of_on(Arch::Aarch64, 0x4206),
        Some("PTRACE_SEIZE")
    );
}

#[test]
fn dependent_sets_are_found_by_their_parent_value() {
    assert_eq!(
        xlat_subset("socket_level", 1).unwrap().name,
        "sockopt_socket"
    );
    assert_eq!(xlat_subset("socket_level", 6).unwrap().name, "sockopt_tcp");
    assert_eq!(xlat_subset("signal", 17).unwrap().name, "si_code_sigchld");
    assert_eq!(
        xlat_subset("address_family", 2).unwrap().name,
        "ip_protocol"
    );
    assert!(xlat_subset("socket_level", 999).is_none());
}

#[test]
fn decompose_lists_names_and_returns_unknown_bits() {
    let set = xlat_set("open_flags").unwrap();
    let mut names = Vec::new();
    let rest = set.decompose_on(Arch::X86_64, 0x4008_0041, |n| names.push(n));
    assert_eq!(names, ["O_WRONLY", "O_CREAT", "O_CLOEXEC"]);
    assert_eq!(rest, 0x4000_0000);
    let clone = xlat_set("clone_flags").unwrap();
    let mut names = Vec::new();
    assert_eq!(
        clone.decompose_on(Arch::X86_64, 0x111, |n| names.push(n)),
        0
    );
    assert_eq!(names, ["CLONE_VM", "SIGCHLD"]);
    let whence = xlat_set("lseek_whence").unwrap();
    assert_eq!(
        whence.decompose_on(Arch::X86_64, 77, |_| panic!("no name")),
        77
    );
}

#[test]
fn value_sets_and_flag_sets_are_marked() {
    assert_eq!(xlat_set("open_flags").unwrap().kind, XlatKind::Flags);
    assert_eq!(xlat_set("lseek_whence").unwrap().kind, XlatKind::Value);
    assert_eq!(xlat_set("fcntl_cmd").unwrap().kind, XlatKind::Value);
    assert_eq!(xlat_set("address_family").unwrap().kind, XlatKind::Value);
    assert!(xlat_set("no_such_set").is_none());
}

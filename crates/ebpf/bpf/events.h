/* The records the probes send to user space and the configuration user space gives them.
 * Mirrored field for field by #[repr(C)] structs in crates/ebpf/src/layout.rs, whose test
 * checks sizes and offsets against this header's numbers. */
#ifndef SYSFENCE_EVENTS_H
#define SYSFENCE_EVENTS_H

#define SF_COMM_LEN 16
/* Bytes of one captured argument (a string, a structure, a buffer's head). */
#define SF_CAP_MAX 256
/* Syscall numbers per ABI in the selection maps (x32's are taken without bit 30). */
#define SF_NR_SLOTS 1024
#define SF_ABIS 3

enum sf_abi { SF_ABI_X86_64 = 0, SF_ABI_I386 = 1, SF_ABI_X32 = 2 };

/* Every record starts with struct sf_header; its kind says which record follows. */
enum sf_kind {
	SF_EV_SYSCALL = 1, /* struct sf_syscall_event */
	SF_EV_FORK = 2,    /* struct sf_proc_event: a new process or thread */
	SF_EV_EXEC = 3,    /* struct sf_exec_event: a new program image */
	SF_EV_EXIT = 4,    /* struct sf_proc_event: a thread exits */
	SF_EV_SIGNAL = 5,  /* struct sf_proc_event: a signal is delivered */
	SF_EV_IO_URING = 6,/* struct sf_io_uring_event: an io_uring request completed */
	SF_EV_CGROUP = 7,  /* struct sf_cgroup_event: a cgroup was made (container scopes) */
};
/* Bits of sf_config.lifecycle: which kinds of sf_proc_event are sent. */
#define SF_LIFE(kind) (1u << (kind))
#define SF_ARGV_MAX 1024
#define SF_SIGINFO 48
#define SF_ENV_MAX 8192

/* What the probes capture of a call (map `captures`, a struct sf_capture_plan per (ABI,
 * nr)), each capture one __u32: bits 0-7 the kind, 8-15 the argument, 16-23 the argument
 * holding its length, bit 24 read at entry (exec: the old image is gone at exit;
 * otherwise at exit, where the kernel has faulted the memory in). */
enum sf_cap_kind {
	SF_CAP_NONE = 0,
	SF_CAP_STR = 1,     /* a NUL-terminated string */
	SF_CAP_LEN_ARG = 2, /* bytes, as many as the length argument says */
	SF_CAP_LEN_RET = 3, /* bytes, as many as the call returned */
	SF_CAP_FIXED = 4,   /* bytes, 8 times the len_arg field (a structure's size) */
	SF_CAP_IOV = 5,     /* an iovec array (len_arg: its count) and its buffers' starts */
	SF_CAP_IOV32 = 6,   /* the same, in the compat layout (32-bit base and length) */
	SF_CAP_DIRENTS = 7, /* a getdents buffer's record count, a __u32 (len_arg: the
			     * offset of d_reclen in a record), counted at exit in the bytes
			     * the call returned (SF_DIRENTS_BYTES at most), not the bytes */
	SF_CAP_CLONE3_OUT = 8, /* what clone3 stored through its struct clone_args, read at
				* exit: pidfd's (CLONE_PIDFD), then parent_tid's
				* (CLONE_PARENT_SETTID), each when its flag and pointer are
				* set and it could be read, as SF_STORED_SIZE bytes: the
				* __u64 address, the __u32 stored there, 4 zero bytes */
	SF_CAP_MSGHDR = 9,  /* a struct msghdr with its name and control, read at exit, as
			     * struct sf_msghdr_cap lays them out (len_arg 1: the call
			     * writes the header back, so msg_namelen as it went in is
			     * kept at entry too) */
	SF_CAP_MSGHDR32 = 10, /* the same, in the compat layout (seven 32-bit fields) */
	SF_CAP_MSG_IOV = 11,  /* the iovec array a struct msghdr (the argument) points to,
			       * as SF_CAP_IOV lays it out, read at exit */
	SF_CAP_MSG_IOV32 = 12, /* the same, in the compat layout */
};
/* A getdents count reads as much as the decoders do (64 KiB) and walks this many
 * records at most (64 KiB of i386's smallest, 12 bytes, are fewer). */
#define SF_DIRENTS_BYTES 65536
#define SF_DIRENTS_MAX 8192

#define SF_STORED_SIZE 16
/* An iovec capture: the array's first SF_IOV_MAX entries as the program laid them out
 * at offset 0, and each entry's first SF_IOV_DATA bytes at SF_IOV_MAX * 16 + k *
 * SF_IOV_DATA; cap_len holds the entries read, bit 8 + k set when entry k's bytes
 * could not be read, and bit 16 + k when they were read in part (up to a page that could
 * not be read, or all SF_IOV_DATA of a longer buffer whose next byte could not be). */
#define SF_IOV_MAX 4
#define SF_IOV_DATA 48
#define SF_CAP_AT_ENTRY (1u << 24)

/* A message header capture (SF_CAP_MSGHDR*, in sf_syscall_event.cap): the header as the
 * program laid it out (cap_len: its bytes, 56 or the compat 28), the first name_len bytes
 * of msg_name (msg_namelen's, up to SF_MSG_NAME_MAX), and msg_control's msg_controllen
 * bytes when they are SF_MSG_CONTROL_MAX at most (control_len; else 0, unread). A part
 * that could not be read has length 0. The iovec array is the second capture's
 * (SF_CAP_MSG_IOV*). */
#define SF_MSG_HDR 56
#define SF_MSG_NAME_MAX 128
#define SF_MSG_CONTROL_MAX 64
/* sf_msghdr_cap.flags: the call writes the header back (recvmsg), so its msg_namelen
 * at entry was kept; namelen_in holds it (it could be read). */
#define SF_MSG_WRITTEN 1
#define SF_MSG_NAMELEN_IN 2

struct sf_msghdr_cap {
	__u8 hdr[SF_MSG_HDR];
	__u8 name[SF_MSG_NAME_MAX];
	__u8 control[SF_MSG_CONTROL_MAX];
	__u32 namelen_in;
	__u8 name_len;
	__u8 control_len;
	__u16 flags; /* SF_MSG_* */
};

/* A call's captures, looked up together: a call pays one map lookup for all of them. */
struct sf_capture_plan {
	__u32 how;  /* the first capture (sf_syscall_event.cap): at entry or at exit */
	__u32 how2; /* the second (cap2), at exit: any kind */
	__u32 how3; /* the third (cap3), at exit: SF_CAP_STR, LEN_ARG, LEN_RET or FIXED */
	__u32 pad;
};

/* How the capture went (sf_syscall_event.cap_state). */
enum sf_cap_state {
	SF_CAP_STATE_NONE = 0,  /* nothing captured */
	SF_CAP_STATE_OK = 1,    /* read: cap_len bytes (a string's NUL included) */
	SF_CAP_STATE_FAULT = 2, /* the read failed: not resident, or not mapped */
	SF_CAP_STATE_PART = 3,  /* read in part: cap_len bytes, up to a page that could not be */
};

/* Counters, one slot each in the per-CPU array `counters`. */
enum sf_counter {
	SF_CNT_SENT = 0,      /* events written to the ring buffer */
	SF_CNT_LOST = 1,      /* events lost: the ring buffer was full */
	SF_CNT_FILTERED = 2,  /* syscalls of tasks outside the scope, dropped in the kernel */
	SF_CNT_UNSELECTED = 3,/* syscalls in scope but not among the events asked for */
	SF_CNT_CAP_FAULT = 4, /* argument reads that failed */
	SF_CNT_INFLIGHT_FULL = 5, /* entries that found no room to wait for their exit */
	SF_COUNTERS = 8,
};

/* Scope bits (sf_config.scope): each one set is a condition the task must meet (AND). */
#define SF_SCOPE_COMM (1u << 0) /* comm in map scope_comms */
#define SF_SCOPE_PID (1u << 1)  /* tgid in map scope_pids */
#define SF_SCOPE_UID (1u << 2)  /* uid meets one of uid_cmp (OR) */
#define SF_SCOPE_NOT_COMM (1u << 3) /* comm not in map scope_not_comms */
#define SF_SCOPE_NOT_PID (1u << 4)  /* tgid not in map scope_not_pids */
#define SF_SCOPE_TREE (1u << 5) /* tgid in map scope_tree, which follows forks */
#define SF_SCOPE_CGROUP (1u << 6) /* cgroup id in map scope_cgroups (containers) */
#define SF_SCOPE_NEW_PID (1u << 7) /* tgid in map new_pids: forked after the start */
#define SF_SCOPE_MNTNS (1u << 8)     /* mount namespace in map scope_mntns */
#define SF_SCOPE_NOT_MNTNS (1u << 9) /* mount namespace not in map scope_not_mntns */
#define SF_SCOPE_PIDNS (1u << 10)    /* pid namespace in map scope_pidns */
#define SF_SCOPE_NOT_PIDNS (1u << 11)/* pid namespace not in map scope_not_pidns */
#define SF_SCOPE_NOT_TREE (1u << 12) /* tgid not in map scope_not_tree */
#define SF_SCOPE_NOT_CGROUP (1u << 13) /* cgroup id not in map scope_not_cgroups */
#define SF_SCOPE_EXE (1u << 14)      /* exe_class of the tgid has SF_EXE_IN */
#define SF_SCOPE_NOT_EXE (1u << 15)  /* exe_class of the tgid lacks SF_EXE_OUT */
#define SF_SCOPE_TID (1u << 16)      /* the thread's id in map scope_tids */
#define SF_SCOPE_NOT_TID (1u << 17)  /* the thread's id not in map scope_not_tids */
/* SF_SCOPE_COMM / SF_SCOPE_NOT_COMM also take the comm patterns: the task's comm_class
 * has SF_COMM_IN (or an exact comm in scope_comms) / lacks SF_COMM_OUT. */

/* Bits of map exe_class (per tgid): its executable matched a pattern of this kind. */
#define SF_EXE_IN 1   /* one of the `executable=` patterns */
#define SF_EXE_OUT 2  /* one of the `executable!=` patterns */

/* A pattern of `--scope executable`: sf_pattern.how bits (none: the file by its inode). */
#define SF_PAT_PREFIX 1 /* `DIR/NAME*`: a file of directory (dev, ino) whose name starts with s */
#define SF_PAT_SUFFIX 2 /* `*NAME`: a file whose name ends with s */
#define SF_PAT_NOT 4    /* a `!=` pattern */
#define SF_MAX_PATTERNS 8
/* The comm patterns of `--scope comm=py*` (SF_PAT_PREFIX), `comm=*d` (SF_PAT_SUFFIX) and
 * their `!=` (SF_PAT_NOT), in sf_config. */
#define SF_MAX_COMM_PATTERNS 8
#define SF_COMM_IN 1  /* the comm matched a `comm=` pattern */
#define SF_COMM_OUT 2 /* it matched a `comm!=` pattern */

struct sf_comm_pattern {
	__u32 how; /* SF_PAT_PREFIX or SF_PAT_SUFFIX, with SF_PAT_NOT */
	__u32 len; /* bytes of s, below SF_COMM_LEN */
	char s[SF_COMM_LEN];
};
#define SF_PATTERN_MAX 256

struct sf_pattern {
	__u64 ino;  /* exact: the file's inode; SF_PAT_PREFIX: the directory's */
	__u32 dev;  /* their device (the kernel's encoding: major << 20 | minor) */
	__u32 how;  /* SF_PAT_* bits */
	__u32 len;  /* bytes of s, no NUL */
	__u32 pad;
	char s[SF_PATTERN_MAX];
};

enum sf_cmp_op { SF_CMP_EQ = 0, SF_CMP_NE = 1, SF_CMP_LT = 2, SF_CMP_GT = 3, SF_CMP_LE = 4, SF_CMP_GE = 5 };

#define SF_MAX_CMPS 4

struct sf_cmp {
	__u32 op;
	__u32 value;
};

struct sf_config {
	__u32 scope;
	__u32 self_tgid;   /* sysfence itself: never watched */
	__u32 all_syscalls; /* 1: every syscall is selected */
	__u32 n_uid_cmp;
	struct sf_cmp uid_cmp[SF_MAX_CMPS];
	__u32 lifecycle; /* SF_LIFE() bits */
	__u32 has_watchers; /* 1: map `watchers` holds other sysfence watches, never watched */
	__u32 new_cgroups; /* 1: every cgroup made from now on goes into scope_cgroups */
	__u32 follow;      /* 1: the descendants of tasks in scope are in scope too */
	__u32 new_pids;    /* 1: every process forked from now on goes into new_pids */
	__u32 exe_patterns;  /* how many slots of map patterns hold executable patterns */
	__u32 exec_env;    /* 1: exec records carry the environment */
	__u32 comm_patterns; /* how many of comm_pat hold */
	struct sf_comm_pattern comm_pat[SF_MAX_COMM_PATTERNS];
};

/* sf_count_mode (watch.bpf.c), set when the object is loaded */
#define SF_COUNT_TIMED 1    /* at exit, with the time from entry (trace -c) */
#define SF_COUNT_AT_ENTRY 2 /* at entry, which calls are made (record) */

/* Per ABI slot and CPU, the calls counted with sf_count_mode. */
struct sf_stat {
	__u64 calls;
	__u64 errors;
	__u64 ns;    /* entry to exit */
	__u64 unfinished; /* calls that never returned (exit_group, a kill inside) */
};

/* What every record carries about the task it happened to. */
struct sf_header {
	__u64 ts_ns;       /* bpf_ktime_get_boot_ns */
	__u64 cgroup_id;
	__u32 kind;        /* enum sf_kind */
	__u32 pid;         /* thread group id */
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 mntns;
	__u32 pidns;
	char comm[SF_COMM_LEN];
};

struct sf_proc_event {
	struct sf_header h;
	__u32 other_pid;   /* fork: the child's tgid */
	__u32 other_tid;   /* fork: the child's tid; exit: the thread whose exec ended
			    * this leader (0: none) */
	__s32 code;        /* exit: the wait status code; signal: the signal */
	__s32 detail;      /* exit: 1 when the whole group is gone; signal: si_code */
	/* signal: the kernel's siginfo, the prefix of siginfo_t's x86_64 layout that holds
	 * every field (zeroes otherwise) */
	__u8 siginfo[SF_SIGINFO];
};

/* A new program image, read from it at sched_process_exec. */
struct sf_exec_event {
	struct sf_header h;
	__u32 old_pid;     /* the pid before exec (a thread's that ran it) */
	__u32 argc;
	__u32 envc;
	__u32 filename_len;/* bytes in filename, NUL included */
	__u32 argv_len;    /* bytes of argv (NUL-separated) read */
	__u32 argv_state;  /* enum sf_cap_state */
	__u32 env_len;     /* bytes of env (NUL-separated) read */
	__u32 env_state;   /* enum sf_cap_state */
	__u32 interp;      /* 1: the image is an interpreter's (a script's, binfmt_misc's),
			    * its argv the kernel's, not the one execve was given */
	__u32 pad;
	char filename[SF_CAP_MAX]; /* as given to execve (may be relative) */
	char argv[SF_ARGV_MAX];
	char env[SF_ENV_MAX];
};


struct sf_syscall_event {
	struct sf_header h; /* ts_ns: at exit */
	__u64 duration_ns;
	__u64 args[6];
	__s64 ret;
	__u32 nr;          /* as the kernel saw it (x32 with bit 30) */
	__u32 abi;
	__u32 cap_kind;    /* enum sf_cap_kind */
	__u32 cap_arg;     /* which argument cap holds */
	__u32 cap_state;   /* enum sf_cap_state */
	__u32 cap_len;
	__u32 flags;       /* SF_SYSCALL_* */
	__u32 pad;
	char cap[SF_CAP_MAX];
	/* A second argument (the plan's how2), read at exit: a string, a structure or an array. */
	__u32 cap2_kind;
	__u32 cap2_arg;
	__u32 cap2_state;
	__u32 cap2_len;
	char cap2[SF_CAP_MAX];
	/* A third argument (how3), read at exit: a string or a structure (mount's target). */
	__u32 cap3_kind;
	__u32 cap3_arg;
	__u32 cap3_state;
	__u32 cap3_len;
	char cap3[SF_CAP_MAX];
};

/* The size of a syscall record sent without its captures (cap_kind SF_CAP_NONE). */
#define SF_SYSCALL_HEAD __builtin_offsetof(struct sf_syscall_event, cap)
/* The size of one sent with its first capture only. */
#define SF_SYSCALL_ONE __builtin_offsetof(struct sf_syscall_event, cap2_kind)
/* The size of one sent with its first two captures. */
#define SF_SYSCALL_TWO __builtin_offsetof(struct sf_syscall_event, cap3_kind)

/* One io_uring request, sent at its completion, attributed to the task that submitted
 * it (its process's, when an SQPOLL thread did). */
struct sf_io_uring_event {
	struct sf_header h;   /* the submitter; ts_ns: at completion */
	__u64 user_data;
	__u64 duration_ns;    /* submission to completion */
	__s32 res;            /* the completion's result (-errno on failure) */
	__s32 fd;             /* the request's fd (openat: the directory fd) */
	__u32 opcode;         /* IORING_OP_* */
	__u32 open_flags;     /* openat, openat2: the open flags */
	__u32 path_len;       /* openat, openat2: bytes in path, NUL included */
	__u32 path_state;     /* enum sf_cap_state */
	__u32 sq_thread;      /* 1: submitted by the ring's SQPOLL thread */
	__u32 pad;
	char path[SF_CAP_MAX];
};

/* A cgroup made while a container scope is on: its id and path, sent as it is made, so
 * that user space can tell whether it is a container's before it may be gone. */
struct sf_cgroup_event {
	struct sf_header h; /* the task that made it (the runtime) */
	__u64 id;
	__u32 path_len;     /* bytes in path, NUL included */
	__u32 pad;
	char path[SF_CAP_MAX]; /* from the hierarchy's root: /ID */
};

/* sf_syscall_event.flags: the call never returned (exit, exit_group, or its task was
 * killed inside it); sent when the thread exits, ret is then meaningless. */
#define SF_SYSCALL_NO_RETURN (1u << 0)
/* The call was i386's socketcall, told as the sub-call it made (map socketcalls): its
 * number and arguments are the sub-call's, as strace prints them. */
#define SF_SYSCALL_SOCKETCALL (1u << 1)
/* i386's socketcall, and its sub-calls' numbers (SYS_SOCKET=1 .. SYS_SENDMMSG=20). */
#define SF_I386_SOCKETCALL 102
#define SF_SOCKETCALLS 21

/* What i386's socketcall sub-call N is as a syscall of its own (map socketcalls). */
struct sf_socketcall {
	__u32 nr;    /* the i386 syscall of the same meaning; 0: none */
	__u32 nargs; /* how many arguments the sub-call reads from the array */
};

#endif

// SPDX-License-Identifier: GPL-2.0
/* sysfence watch: every syscall of every ABI, entry and exit paired in the kernel, the
 * tasks outside the scope and the calls not asked for dropped here (and counted), one
 * record per finished call into a ring buffer whose overflows are counted, never silent.
 * Attached as tp_btf programs (these kernels have no kprobes). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"

char LICENSE[] SEC("license") = "GPL";

/* Keep the records' types in the object's BTF, where the layout test reads them. */
const volatile struct sf_syscall_event *sf_event_layout __attribute__((unused));
const volatile struct sf_proc_event *sf_proc_layout __attribute__((unused));
const volatile struct sf_io_uring_event *sf_io_uring_layout __attribute__((unused));
const volatile struct sf_cgroup_event *sf_cgroup_layout __attribute__((unused));
const volatile struct sf_exec_event *sf_exec_layout __attribute__((unused));
const volatile struct sf_pattern *sf_pattern_layout __attribute__((unused));
const volatile struct sf_comm_pattern *sf_comm_pattern_layout __attribute__((unused));
const volatile struct sf_stat *sf_stat_layout __attribute__((unused));
const volatile struct sf_socketcall *sf_socketcall_layout __attribute__((unused));
const volatile struct sf_msghdr_cap *sf_msghdr_layout __attribute__((unused));
const volatile struct sf_capture_plan *sf_capture_plan_layout __attribute__((unused));

#define PF_IO_WORKER 0x00000010

#define TS_COMPAT 0x0002
#define X32_SYSCALL_BIT 0x40000000

/* SF_COUNT_*: calls are counted in map stats, not sent (0: sent). A constant the loader
 * sets before the verifier runs, so that it walks only the paths of one mode: a count
 * (record, trace -c) verifies a few hundred instructions, not the captures. */
const volatile __u32 sf_count_mode = 0;

/* Whether a record's header says who sent it by pid, tid and time only (a trace's
 * sinks read no more): the parent, ids, namespaces, cgroup and comm a watch's rules read
 * cost a traced call about a tenth of its time. A constant set at load, as above. */
const volatile __u32 sf_lean_header = 0;

/* Whether records go without times (ts_ns and durations 0): a trace that prints none,
 * as strace reads no clock unless -c, -r, -t or -T ask. Two clock reads are a tenth of
 * a traced call's cost. A constant set at load. */
const volatile __u32 sf_untimed = 0;

/* The time now, for a record (0 when untimed). */
static __always_inline __u64 record_time(void)
{
	return sf_untimed ? 0 : bpf_ktime_get_boot_ns();
}

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SF_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sf_config);
} sf_config_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SF_ABIS * SF_NR_SLOTS);
	__type(key, __u32);
	__type(value, __u8);
} selected SEC(".maps");

/* Per ABI slot, the call's captures: one value, so that the exit finds them all in one
 * lookup (a map for each was a lookup for each, every call). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SF_ABIS * SF_NR_SLOTS);
	__type(key, __u32);
	__type(value, struct sf_capture_plan);
} captures SEC(".maps");

/* `trace -c` with the eBPF backend: calls counted here, per CPU, never sent. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SF_ABIS * SF_NR_SLOTS);
	__type(key, __u32);
	__type(value, struct sf_stat);
} stats SEC(".maps");

/* i386's socketcall sub-calls as syscalls of their own, from the knowledge base. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SF_SOCKETCALLS);
	__type(key, __u32);
	__type(value, struct sf_socketcall);
} socketcalls SEC(".maps");

struct comm_key {
	char comm[SF_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct comm_key);
	__type(value, __u8);
} scope_comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct comm_key);
	__type(value, __u8);
} scope_not_comms SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} scope_pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} scope_not_pids SEC(".maps");

/* `--scope tid=`: threads by their own id. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} scope_tids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} scope_not_tids SEC(".maps");

/* Other sysfence watches, kept out as sysfence itself is: each would see the other's
 * output writes, and they would feed each other. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u8);
} watchers SEC(".maps");

/* The processes of `--scope tree=PID`: seeded by user space, followed in the kernel as
 * they fork, forgotten as they exit. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} scope_tree SEC(".maps");

/* The cgroups of the containers in scope (`--scope container...`): those found at the
 * start, and with sf_config.new_cgroups every cgroup made after it (user space then
 * keeps the events of those that turn out to be containers). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} scope_cgroups SEC(".maps");

/* `--scope mntns=`, `pidns=` and their `!=`: namespace inode numbers. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u8);
} scope_mntns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u8);
} scope_not_mntns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u8);
} scope_pidns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u8);
} scope_not_pidns SEC(".maps");

/* `--scope pid=new`: the processes forked after the start. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} new_pids SEC(".maps");

/* `--scope follow`: descendants of tasks in scope, forked after the start. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} followed SEC(".maps");

/* `--scope tree!=PID`: as scope_tree, the processes to leave out. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} scope_not_tree SEC(".maps");

/* `--scope not-container` and `container!=`: the cgroups to leave out. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} scope_not_cgroups SEC(".maps");

/* The patterns of `--scope executable`. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SF_MAX_PATTERNS);
	__type(key, __u32);
	__type(value, struct sf_pattern);
} patterns SEC(".maps");

/* Per process, which executable patterns its program matched (SF_EXE_* bits): decided
 * at exec (exe_class_of, from the program file's inode and name), inherited at fork, seeded by user space for
 * the processes there at the start. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} exe_class SEC(".maps");

/* Per thread, which comm patterns its comm matches (SF_COMM_* bits): decided when the
 * comm is set (task_rename: exec, prctl(PR_SET_NAME), a write to /proc/.../comm),
 * inherited at fork and clone, seeded by user space for the threads there at the start.
 * The patterns are compared only then, never per call. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} comm_class SEC(".maps");

/* The basename of the program an exec runs, for the executable patterns. */
struct exe_name {
	char s[SF_PATTERN_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exe_name);
} exe_scratch SEC(".maps");

/* A call between its entry and its exit, in its thread's own storage. */
struct inflight {
	__u64 ts_ns;
	__u64 args[6];
	__u32 nr;
	__u32 abi;
	__u32 cap_state;
	__u32 cap_len;
	__u32 flags;       /* SF_SYSCALL_SOCKETCALL */
	__u32 active;      /* between an entry and its exit */
	char cap[SF_CAP_MAX];
};

/* Task storage, not a hash keyed by tid: the entry is the thread's own, found from the
 * task in a few loads and written in place (a hash's update copied the whole record
 * from a scratch map and its delete took a lock: trace -c of a dd bs=1 took 0.78x the
 * time with this), made at the thread's first selected call and freed with the task
 * (no table to fill, nothing to clear at the start). An execve by a thread that is not
 * its leader keeps it too: the thread takes the leader's id, not a new task. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight);
} inflight SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &which);
	if (v)
		(*v)++;
}

static __always_inline bool cmp(__u32 op, __u32 a, __u32 b)
{
	switch (op) {
	case SF_CMP_EQ: return a == b;
	case SF_CMP_NE: return a != b;
	case SF_CMP_LT: return a < b;
	case SF_CMP_GT: return a > b;
	case SF_CMP_LE: return a <= b;
	case SF_CMP_GE: return a >= b;
	}
	return false;
}

/* The current task's comm; an io_uring worker or SQPOLL thread (a thread of the process
 * that owns the ring) goes by its process's, so that scopes see its work as the
 * process's. */
static __always_inline void task_comm(char *comm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	/* The leader is read, not walked: the verifier looks each walk of a trusted
	 * pointer up by name in the kernel's BTF, four linear searches per walk and path,
	 * the most of the time a watch takes to load. */
	if (task->flags & PF_IO_WORKER)
		bpf_probe_read_kernel_str(comm, SF_COMM_LEN, BPF_CORE_READ(task, group_leader)->comm);
	else
		bpf_get_current_comm(comm, SF_COMM_LEN);
}

/* The thread whose comm task_comm() reads: the process's leader for an io_uring worker. */
static __always_inline __u32 comm_owner(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	return (task->flags & PF_IO_WORKER) ? task->tgid : task->pid;
}

/* The SF_COMM_* bits the comm patterns give `comm` (NUL-terminated within SF_COMM_LEN). */
static __always_inline __u8 comm_class_of(const struct sf_config *cfg, const char *comm)
{
	__u32 len = 0;
	for (int j = 0; j < SF_COMM_LEN; j++) {
		if (!comm[j])
			break;
		len++;
	}
	__u8 class = 0;
	for (int i = 0; i < SF_MAX_COMM_PATTERNS; i++) {
		if (i >= cfg->comm_patterns)
			break;
		const struct sf_comm_pattern *p = &cfg->comm_pat[i];
		__u32 n = p->len;
		if (n > len || n >= SF_COMM_LEN)
			continue;
		__u32 off = (p->how & SF_PAT_SUFFIX) ? len - n : 0;
		bool hit = true;
		for (int j = 0; j < SF_COMM_LEN - 1; j++) {
			if (j >= n)
				break;
			if (comm[(off + j) & (SF_COMM_LEN - 1)] != p->s[j]) {
				hit = false;
				break;
			}
		}
		if (hit)
			class |= (p->how & SF_PAT_NOT) ? SF_COMM_OUT : SF_COMM_IN;
	}
	return class;
}

/* Comparing a basename with one pattern's text, byte by byte in a bpf_loop callback
 * (verified once, not per iteration). */
struct match_ctx {
	__u32 slot; /* the pattern's slot in map patterns */
	__u32 off;  /* where in the basename the pattern's text starts */
	__u32 equal;
};

static long match_byte(__u32 i, void *data)
{
	struct match_ctx *m = data;
	__u32 zero = 0, slot = m->slot;
	struct sf_pattern *p = bpf_map_lookup_elem(&patterns, &slot);
	struct exe_name *name = bpf_map_lookup_elem(&exe_scratch, &zero);
	if (!p || !name ||
	    name->s[(m->off + i) & (SF_PATTERN_MAX - 1)] != p->s[i & (SF_PATTERN_MAX - 1)]) {
		m->equal = 0;
		return 1;
	}
	return 0;
}

/* The SF_EXE_* bits (IN for `=` patterns, OUT for `!=`) the executable patterns give
 * the program file of an exec: an exact pattern by its inode (so links and symlinks to
 * it match too), a `DIR/NAME*` one by its directory's inode and its name's start, a
 * `*NAME` one by its name's end. */
static __always_inline __u32 exe_class_of(__u32 count, struct file *file)
{
	__u32 zero = 0;
	struct exe_name *name = bpf_map_lookup_elem(&exe_scratch, &zero);
	if (!name)
		return 0;
	struct dentry *dentry = BPF_CORE_READ(file, f_path.dentry);
	__u64 ino = BPF_CORE_READ(file, f_inode, i_ino);
	__u32 dev = BPF_CORE_READ(file, f_inode, i_sb, s_dev);
	__u64 dir_ino = BPF_CORE_READ(dentry, d_parent, d_inode, i_ino);
	__u32 len = BPF_CORE_READ(dentry, d_name.len);
	bpf_probe_read_kernel_str(name->s, SF_PATTERN_MAX, BPF_CORE_READ(dentry, d_name.name));
	__u32 class = 0;
	for (__u32 i = 0; i < SF_MAX_PATTERNS; i++) {
		if (i >= count)
			break;
		__u32 slot = i;
		struct sf_pattern *p = bpf_map_lookup_elem(&patterns, &slot);
		if (!p)
			break;
		bool hit;
		if (!(p->how & (SF_PAT_PREFIX | SF_PAT_SUFFIX))) {
			hit = p->ino == ino && p->dev == dev;
		} else {
			__u32 n = p->len;
			hit = n <= len && n < SF_PATTERN_MAX;
			if (hit && (p->how & SF_PAT_PREFIX))
				hit = p->ino == dir_ino && p->dev == dev;
			if (hit && n) {
				struct match_ctx m = {
					.slot = slot,
					.off = (p->how & SF_PAT_SUFFIX) ? len - n : 0,
					.equal = 1,
				};
				bpf_loop(n, match_byte, &m, 0);
				hit = m.equal;
			}
		}
		if (hit)
			class |= (p->how & SF_PAT_NOT) ? SF_EXE_OUT : SF_EXE_IN;
	}
	return class;
}

/* in_scope but for other watches: the scope the user asked for. */
static __always_inline bool in_asked_scope(const struct sf_config *cfg, __u32 tgid)
{
	if (cfg->follow && bpf_map_lookup_elem(&followed, &tgid))
		return true;
	__u32 scope = cfg->scope;
	if (!scope)
		return true;
	if ((scope & SF_SCOPE_PID) && !bpf_map_lookup_elem(&scope_pids, &tgid))
		return false;
	if ((scope & SF_SCOPE_NOT_PID) && bpf_map_lookup_elem(&scope_not_pids, &tgid))
		return false;
	if (scope & (SF_SCOPE_TID | SF_SCOPE_NOT_TID)) {
		__u32 tid = (__u32)bpf_get_current_pid_tgid();
		if ((scope & SF_SCOPE_TID) && !bpf_map_lookup_elem(&scope_tids, &tid))
			return false;
		if ((scope & SF_SCOPE_NOT_TID) && bpf_map_lookup_elem(&scope_not_tids, &tid))
			return false;
	}
	if ((scope & SF_SCOPE_TREE) && !bpf_map_lookup_elem(&scope_tree, &tgid))
		return false;
	if ((scope & SF_SCOPE_NOT_TREE) && bpf_map_lookup_elem(&scope_not_tree, &tgid))
		return false;
	if (scope & (SF_SCOPE_EXE | SF_SCOPE_NOT_EXE)) {
		__u8 *class = bpf_map_lookup_elem(&exe_class, &tgid);
		__u8 c = class ? *class : 0;
		if ((scope & SF_SCOPE_EXE) && !(c & SF_EXE_IN))
			return false;
		if ((scope & SF_SCOPE_NOT_EXE) && (c & SF_EXE_OUT))
			return false;
	}
	if ((scope & SF_SCOPE_NEW_PID) && !bpf_map_lookup_elem(&new_pids, &tgid))
		return false;
	if (scope & (SF_SCOPE_MNTNS | SF_SCOPE_NOT_MNTNS | SF_SCOPE_PIDNS | SF_SCOPE_NOT_PIDNS)) {
		struct task_struct *task = bpf_get_current_task_btf();
		__u32 mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
		__u32 pidns = BPF_CORE_READ(task, nsproxy, pid_ns_for_children, ns.inum);
		if ((scope & SF_SCOPE_MNTNS) && !bpf_map_lookup_elem(&scope_mntns, &mntns))
			return false;
		if ((scope & SF_SCOPE_NOT_MNTNS) && bpf_map_lookup_elem(&scope_not_mntns, &mntns))
			return false;
		if ((scope & SF_SCOPE_PIDNS) && !bpf_map_lookup_elem(&scope_pidns, &pidns))
			return false;
		if ((scope & SF_SCOPE_NOT_PIDNS) && bpf_map_lookup_elem(&scope_not_pidns, &pidns))
			return false;
	}
	if (scope & (SF_SCOPE_CGROUP | SF_SCOPE_NOT_CGROUP)) {
		__u64 cgroup = bpf_get_current_cgroup_id();
		if ((scope & SF_SCOPE_CGROUP) && !bpf_map_lookup_elem(&scope_cgroups, &cgroup))
			return false;
		if ((scope & SF_SCOPE_NOT_CGROUP) && bpf_map_lookup_elem(&scope_not_cgroups, &cgroup))
			return false;
	}
	if (scope & (SF_SCOPE_COMM | SF_SCOPE_NOT_COMM)) {
		struct comm_key key = {};
		task_comm(key.comm);
		__u8 c = 0;
		if (cfg->comm_patterns) {
			__u32 owner = comm_owner();
			__u8 *class = bpf_map_lookup_elem(&comm_class, &owner);
			c = class ? *class : 0;
		}
		if ((scope & SF_SCOPE_COMM) && !(c & SF_COMM_IN) &&
		    !bpf_map_lookup_elem(&scope_comms, &key))
			return false;
		if ((scope & SF_SCOPE_NOT_COMM) &&
		    ((c & SF_COMM_OUT) || bpf_map_lookup_elem(&scope_not_comms, &key)))
			return false;
	}
	if (scope & SF_SCOPE_UID) {
		__u32 uid = (__u32)bpf_get_current_uid_gid();
		bool any = false;
		for (int i = 0; i < SF_MAX_CMPS; i++) {
			if (i >= cfg->n_uid_cmp)
				break;
			if (cmp(cfg->uid_cmp[i].op, uid, cfg->uid_cmp[i].value)) {
				any = true;
				break;
			}
		}
		if (!any)
			return false;
	}
	return true;
}

/* Whether the current task is one the user asked to watch (never another watch). */
static __always_inline bool in_scope(const struct sf_config *cfg, __u32 tgid)
{
	if (cfg->has_watchers && bpf_map_lookup_elem(&watchers, &tgid))
		return false;
	return in_asked_scope(cfg, tgid);
}

/* The scope parts a thread's verdict can change under while it runs (its comm, uid,
 * cgroup, namespaces, executable): judged at every call. The others (pid, tid, tree, new
 * pid, follow) change only when a process is forked, which makes new ids, or exits, which
 * frees ids for reuse. */
#define SF_SCOPE_UNMEMOISED                                                              \
	(SF_SCOPE_COMM | SF_SCOPE_NOT_COMM | SF_SCOPE_UID | SF_SCOPE_CGROUP |           \
	 SF_SCOPE_NOT_CGROUP | SF_SCOPE_MNTNS | SF_SCOPE_NOT_MNTNS | SF_SCOPE_PIDNS |    \
	 SF_SCOPE_NOT_PIDNS | SF_SCOPE_EXE | SF_SCOPE_NOT_EXE)

/* Task exits on the machine so far (sched_process_exit): a verdict kept from before
 * one may be of a thread whose ids are another's now. */
__u64 sf_exits;

/* The last thread each CPU judged, and its verdict: a flood of calls is one thread's on
 * one CPU, and its scope lookups (a hash lookup per call for a tree) are done once. */
struct scope_memo {
	__u64 pid_tgid;
	__u64 exits; /* sf_exits when it was judged */
	__u32 in;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scope_memo);
} scope_memos SEC(".maps");

/* in_scope for the current thread (`pid_tgid` its ids), from the CPU's memo when the
 * thread is the one judged last and no task has exited since. */
static __always_inline bool in_scope_now(const struct sf_config *cfg, __u64 pid_tgid)
{
	__u32 tgid = pid_tgid >> 32;
	if (!cfg->scope || (cfg->scope & SF_SCOPE_UNMEMOISED))
		return in_scope(cfg, tgid);
	/* Other watches are added by user space at any time: looked up each call. */
	if (cfg->has_watchers && bpf_map_lookup_elem(&watchers, &tgid))
		return false;
	__u32 zero = 0;
	struct scope_memo *m = bpf_map_lookup_elem(&scope_memos, &zero);
	if (!m)
		return in_asked_scope(cfg, tgid);
	/* Read before judging: an exit meanwhile leaves the memo stale, not wrong. */
	__u64 exits = sf_exits;
	if (m->pid_tgid == pid_tgid && m->exits == exits)
		return m->in;
	bool in = in_asked_scope(cfg, tgid);
	m->pid_tgid = pid_tgid;
	m->exits = exits;
	m->in = in;
	return in;
}

static __always_inline __u32 current_abi(long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	if (task->thread_info.status & TS_COMPAT)
		return SF_ABI_I386;
	if (id & X32_SYSCALL_BIT)
		return SF_ABI_X32;
	return SF_ABI_X86_64;
}

static __always_inline bool is_exec(__u32 abi, __u32 nr)
{
	switch (abi) {
	case SF_ABI_X86_64: return nr == 59 || nr == 322;
	case SF_ABI_I386: return nr == 11 || nr == 358;
	default: return nr == (X32_SYSCALL_BIT | 520) || nr == (X32_SYSCALL_BIT | 545);
	}
}

static __always_inline __u32 slot_of(__u32 abi, __u32 nr)
{
	return abi * SF_NR_SLOTS + (nr & (SF_NR_SLOTS - 1));
}

/* Captures what `how` (a `captures` value) asks of a call with these arguments and
 * return value into dst; sets state and length. */
/* An iovec array and the start of each of its buffers (the layout events.h gives). */
static __always_inline void capture_iov(char *dst, __u32 kind, __u64 addr, __u64 entries,
					__u32 *state, __u32 *len)
{
	__u32 size = kind == SF_CAP_IOV32 ? 8 : 16;
	__u32 n = entries > SF_IOV_MAX ? SF_IOV_MAX : (__u32)entries;
	__u32 bytes = n * size;
	if (bytes > SF_IOV_MAX * 16)
		bytes = SF_IOV_MAX * 16;
	if (bytes && bpf_probe_read_user(dst, bytes, (const void *)addr) < 0) {
		*state = SF_CAP_STATE_FAULT;
		*len = 0;
		count(SF_CNT_CAP_FAULT);
		return;
	}
	__u32 failed = 0, parts = 0;
	for (__u32 k = 0; k < SF_IOV_MAX; k++) {
		if (k >= n)
			break;
		__u64 base, blen;
		if (size == 8) {
			base = *(__u32 *)(dst + 8 * k);
			blen = *(__u32 *)(dst + 8 * k + 4);
		} else {
			base = *(__u64 *)(dst + 16 * k);
			blen = *(__u64 *)(dst + 16 * k + 8);
		}
		bool longer = blen > SF_IOV_DATA;
		if (longer)
			blen = SF_IOV_DATA;
		char *slot = dst + SF_IOV_MAX * 16 + k * SF_IOV_DATA;
		if (blen && bpf_probe_read_user(slot, blen, (const void *)base) < 0) {
			/* Bytes running into a page that cannot be read: those before it, as
			 * a part (their count follows from the base), as capture() keeps. */
			__u64 room = 4096 - (base & 4095);
			if (room < blen && room <= SF_IOV_DATA &&
			    bpf_probe_read_user(slot, room, (const void *)base) == 0) {
				parts |= 1u << (16 + k);
			} else {
				failed |= 1u << (8 + k);
				count(SF_CNT_CAP_FAULT);
			}
		} else if (longer) {
			/* The byte past the capture, which strace reads at -s 48 to see there
			 * is more: a part when it cannot be read. */
			char past;
			if (bpf_probe_read_user(&past, 1, (const void *)(base + SF_IOV_DATA)) < 0)
				parts |= 1u << (16 + k);
		}
	}
	*state = SF_CAP_STATE_OK;
	*len = n | failed | parts;
}

static __always_inline void capture(char *dst, __u32 how, const __u64 *args, long ret,
				    __u32 *state, __u32 *len)
{
	__u32 kind = how & 0xff, arg = (how >> 8) & 0xff, len_arg = (how >> 16) & 0xff;
	if (arg > 5)
		return;
	__u64 addr = args[arg];
	long n;
	bool part = false;
	if (kind == SF_CAP_IOV || kind == SF_CAP_IOV32) {
		if (len_arg <= 5)
			capture_iov(dst, kind, addr, args[len_arg], state, len);
		return;
	}
	if (kind == SF_CAP_STR) {
		n = bpf_probe_read_user_str(dst, SF_CAP_MAX, (const void *)addr);
		/* A string that fills the buffer was cut there or ended there: the byte the
		 * helper put its NUL over tells. Cut, the NUL is not the string's and is not
		 * counted. */
		if (n == SF_CAP_MAX) {
			char last = 1;
			bpf_probe_read_user(&last, 1, (const void *)(addr + SF_CAP_MAX - 1));
			if (last)
				n = SF_CAP_MAX - 1;
		}
	} else {
		__u64 want;
		if (kind == SF_CAP_LEN_ARG) {
			if (len_arg > 5)
				return;
			want = args[len_arg];
		} else if (kind == SF_CAP_FIXED) {
			want = (__u64)len_arg * 8;
		} else {
			want = (__u64)ret;
		}
		if (kind == SF_CAP_LEN_RET && ret < 0)
			return;
		bool longer = want > SF_CAP_MAX;
		if (longer)
			want = SF_CAP_MAX;
		n = want;
		if (want && bpf_probe_read_user(dst, want, (const void *)addr) < 0) {
			/* Bytes running into a page that cannot be read: those before it, as a
			 * part (a decoder that needs no more prints them, as strace does). */
			__u64 room = 4096 - (addr & 4095);
			n = -1;
			if (room < want && room <= SF_CAP_MAX &&
			    bpf_probe_read_user(dst, room, (const void *)addr) == 0) {
				n = room;
				part = true;
			}
		} else if (longer) {
			/* The byte past a full capture, which strace reads at -s 256 to see there
			 * is more: a part when it cannot be read. */
			char past;
			if (bpf_probe_read_user(&past, 1, (const void *)(addr + SF_CAP_MAX)) < 0)
				part = true;
		}
	}
	if (n < 0) {
		*state = SF_CAP_STATE_FAULT;
		*len = 0;
		count(SF_CNT_CAP_FAULT);
	} else {
		*state = part ? SF_CAP_STATE_PART : SF_CAP_STATE_OK;
		*len = n;
	}
}

/* A walk over a getdents buffer's records, one record a bpf_loop step. */
struct dirent_walk {
	__u64 addr;      /* the buffer */
	__u64 len;       /* the bytes the call returned, SF_DIRENTS_BYTES at most */
	__u32 reclen_at; /* d_reclen's offset in a record */
	__u32 off;       /* the record at hand */
	__u32 n;         /* records counted */
	__u32 fault;     /* 1: a d_reclen could not be read */
};

/* One record: counted when its d_reclen lies within the bytes returned and is not 0,
 * as the decoders count a buffer ptrace read. */
static long dirent_step(__u64 i, void *ctx)
{
	struct dirent_walk *w = ctx;
	__u16 reclen;
	if ((__u64)w->off + w->reclen_at + 3 > w->len)
		return 1;
	if (bpf_probe_read_user(&reclen, sizeof(reclen),
				(const void *)(w->addr + w->off + w->reclen_at)) < 0) {
		w->fault = 1;
		return 1;
	}
	if (!reclen)
		return 1;
	w->n++;
	w->off += reclen;
	return 0;
}

/* SF_CAP_DIRENTS: how many records the getdents buffer at addr holds in the ret bytes
 * the call returned, counted where they are (the buffer is far larger than a capture). */
static __always_inline void capture_dirents(char *dst, __u64 addr, long ret, __u32 reclen_at,
					    __u32 *state, __u32 *len)
{
	if (ret < 0)
		return;
	struct dirent_walk w = {
		.addr = addr,
		.len = ret > SF_DIRENTS_BYTES ? SF_DIRENTS_BYTES : ret,
		.reclen_at = reclen_at,
	};
	bpf_loop(SF_DIRENTS_MAX, dirent_step, &w, 0);
	if (w.fault) {
		*state = SF_CAP_STATE_FAULT;
		*len = 0;
		count(SF_CNT_CAP_FAULT);
		return;
	}
	__builtin_memcpy(dst, &w.n, sizeof(w.n));
	*state = SF_CAP_STATE_OK;
	*len = sizeof(w.n);
}

/* SF_CAP_CLONE3_OUT: the pidfd and the parent tid clone3 stored where its struct
 * clone_args (at addr) points, each when asked for (its flag and pointer set). */
static __always_inline void capture_clone3_out(char *dst, __u64 addr, __u32 *state, __u32 *len)
{
	/* flags, pidfd, child_tid, parent_tid */
	__u64 head[4];
	if (bpf_probe_read_user(head, sizeof(head), (const void *)addr) < 0) {
		*state = SF_CAP_STATE_FAULT;
		*len = 0;
		count(SF_CNT_CAP_FAULT);
		return;
	}
	__u32 k = 0;
#pragma unroll
	for (int j = 0; j < 2; j++) {
		__u64 flag = j ? 0x00100000 /* CLONE_PARENT_SETTID */ : 0x1000 /* CLONE_PIDFD */;
		/* the address, the value stored there, zeroes (SF_STORED_SIZE bytes) */
		__u64 stored[2] = { head[j ? 3 : 1], 0 };
		if (!(head[0] & flag) || !stored[0])
			continue;
		if (bpf_probe_read_user(&stored[1], sizeof(__u32), (const void *)stored[0]) < 0) {
			count(SF_CNT_CAP_FAULT);
			continue;
		}
		__builtin_memcpy(dst + (k ? SF_STORED_SIZE : 0), stored, SF_STORED_SIZE);
		k++;
	}
	*state = SF_CAP_STATE_OK;
	*len = k * SF_STORED_SIZE;
}

/* Whether a `captures` value asks for a message header (SF_CAP_MSGHDR*). */
static __always_inline bool is_msghdr(__u32 how)
{
	__u32 kind = how & 0xff;
	return kind == SF_CAP_MSGHDR || kind == SF_CAP_MSGHDR32;
}

/* Field k of a struct msghdr as the program laid it out: seven longs (compat: seven
 * u32s); msg_namelen (1) and msg_flags (6) are ints, their padding not theirs. */
static __always_inline __u64 msg_field(const __u8 *hdr, bool compat, __u32 k)
{
	if (compat)
		return *(const __u32 *)(hdr + 4 * k);
	if (k == 1 || k == 6)
		return *(const __u32 *)(hdr + 8 * k);
	return *(const __u64 *)(hdr + 8 * k);
}

/* What an exit capture needs of the memory as it went in, the kernel writing over it:
 * recvmsg's msg_namelen (SF_CAP_MSGHDR*, len_arg 1), kept in the entry's capture
 * buffer, which a capture read at exit leaves unused. */
static __always_inline void keep_at_entry(struct inflight *f, __u32 how)
{
	__u32 arg = (how >> 8) & 0xff;
	if (!is_msghdr(how) || ((how >> 16) & 0xff) != 1 || arg > 5)
		return;
	__u64 at = f->args[arg] + ((how & 0xff) == SF_CAP_MSGHDR32 ? 4 : 8);
	if (bpf_probe_read_user(f->cap, sizeof(__u32), (const void *)at) < 0) {
		f->cap_state = SF_CAP_STATE_FAULT;
		count(SF_CNT_CAP_FAULT);
		return;
	}
	f->cap_state = SF_CAP_STATE_OK;
	f->cap_len = sizeof(__u32);
}

/* SF_CAP_MSGHDR*: a struct msghdr (argument `arg` of f) with the start of its name and
 * its control messages when they fit, as struct sf_msghdr_cap lays them out; msg_namelen
 * as it went in from what keep_at_entry kept. */
static __always_inline void capture_msghdr(char *dst, __u32 how, const struct inflight *f,
					   __u32 *state, __u32 *len)
{
	struct sf_msghdr_cap *m = (void *)dst;
	__u32 arg = (how >> 8) & 0xff;
	bool compat = (how & 0xff) == SF_CAP_MSGHDR32;
	__u32 size = compat ? 7 * 4 : SF_MSG_HDR;
	if (arg > 5)
		return;
	m->name_len = 0;
	m->control_len = 0;
	m->flags = 0;
	m->namelen_in = 0;
	if (((how >> 16) & 0xff) == 1) {
		m->flags = SF_MSG_WRITTEN;
		if (f->cap_state == SF_CAP_STATE_OK) {
			m->namelen_in = *(const __u32 *)f->cap;
			m->flags |= SF_MSG_NAMELEN_IN;
		}
	}
	if (bpf_probe_read_user(m->hdr, size, (const void *)f->args[arg]) < 0) {
		*state = SF_CAP_STATE_FAULT;
		*len = 0;
		count(SF_CNT_CAP_FAULT);
		return;
	}
	__u64 name = msg_field(m->hdr, compat, 0), control = msg_field(m->hdr, compat, 4);
	__u64 namelen = msg_field(m->hdr, compat, 1), controllen = msg_field(m->hdr, compat, 5);
	/* As much of the name as the decoders read (namelen, 128 at most). */
	__u32 n = namelen > SF_MSG_NAME_MAX ? SF_MSG_NAME_MAX : (__u32)namelen;
	if (name && n) {
		if (bpf_probe_read_user(m->name, n, (const void *)name) == 0)
			m->name_len = n;
		else
			count(SF_CNT_CAP_FAULT);
	}
	/* The control messages whole or not at all: a cut list would print as a whole one. */
	if (control && controllen && controllen <= SF_MSG_CONTROL_MAX) {
		__u32 c = (__u32)controllen;
		if (bpf_probe_read_user(m->control, c, (const void *)control) == 0)
			m->control_len = c;
		else
			count(SF_CNT_CAP_FAULT);
	}
	*state = SF_CAP_STATE_OK;
	*len = size;
}

/* SF_CAP_MSG_IOV*: the iovec array of the struct msghdr at addr and its buffers' starts,
 * as capture_iov lays them out. */
static __always_inline void capture_msg_iov(char *dst, __u32 kind, __u64 addr, __u32 *state,
					    __u32 *len)
{
	/* msg_iov and msg_iovlen, fields 2 and 3. */
	__u64 iov, iovlen;
	if (kind == SF_CAP_MSG_IOV32) {
		__u32 w[2];
		if (bpf_probe_read_user(w, sizeof(w), (const void *)(addr + 8)) < 0)
			goto fault;
		iov = w[0];
		iovlen = w[1];
	} else {
		__u64 w[2];
		if (bpf_probe_read_user(w, sizeof(w), (const void *)(addr + 16)) < 0)
			goto fault;
		iov = w[0];
		iovlen = w[1];
	}
	capture_iov(dst, kind == SF_CAP_MSG_IOV32 ? SF_CAP_IOV32 : SF_CAP_IOV, iov, iovlen,
		    state, len);
	return;
fault:
	*state = SF_CAP_STATE_FAULT;
	*len = 0;
	count(SF_CNT_CAP_FAULT);
}

/* The second capture (the plan's how2), at exit: what capture reads, or one of the kinds
 * only a second capture takes (a count, what clone3 stored, a message's iovecs). */
static __always_inline void capture2(char *dst, __u32 how, const __u64 *args, long ret,
				     __u32 *state, __u32 *len)
{
	__u32 kind = how & 0xff, arg = (how >> 8) & 0xff;
	if (arg > 5)
		return;
	if (kind == SF_CAP_DIRENTS)
		capture_dirents(dst, args[arg], ret, (how >> 16) & 0xff, state, len);
	else if (kind == SF_CAP_CLONE3_OUT)
		capture_clone3_out(dst, args[arg], state, len);
	else if (kind == SF_CAP_MSG_IOV || kind == SF_CAP_MSG_IOV32)
		capture_msg_iov(dst, kind, args[arg], state, len);
	else
		capture(dst, how, args, ret, state, len);
}

/* The third capture (the plan's how3), at exit: a string or bytes at the argument,
 * never an iovec array, so that the compiler drops capture's iovec walk from this copy
 * (fewer instructions for the verifier to walk at every load). */
static __always_inline void capture3(char *dst, __u32 how, const __u64 *args, long ret,
				     __u32 *state, __u32 *len)
{
	__u32 kind = how & 0xff;
	if (kind < SF_CAP_STR || kind > SF_CAP_FIXED)
		return;
	capture(dst, how, args, ret, state, len);
}

/* Fills what every record says about the current task. */
static __always_inline void fill_header(struct sf_header *h, __u32 kind)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	h->ts_ns = record_time();
	h->kind = kind;
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	if (sf_lean_header) {
		h->cgroup_id = 0;
		h->ppid = 0;
		h->uid = 0;
		h->gid = 0;
		h->mntns = 0;
		h->pidns = 0;
		__builtin_memset(h->comm, 0, SF_COMM_LEN);
		return;
	}
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 uid_gid = bpf_get_current_uid_gid();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->uid = (__u32)uid_gid;
	h->gid = uid_gid >> 32;
	h->mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	h->pidns = BPF_CORE_READ(task, nsproxy, pid_ns_for_children, ns.inum);
	task_comm(h->comm);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	__u32 zero = 0;
	struct sf_config *cfg = bpf_map_lookup_elem(&sf_config_map, &zero);
	if (!cfg)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	if (tgid == cfg->self_tgid)
		return 0;
	__u32 abi = current_abi(id);
	__u32 nr = (__u32)id;
	bool maybe_socketcall = abi == SF_ABI_I386 && nr == SF_I386_SOCKETCALL;
	/* Most calls a watch sees are not selected: they go first, before the scope's
	 * lookups (socketcall is selected by the sub-call it makes, below). */
	if (!cfg->all_syscalls && !maybe_socketcall) {
		__u32 first = slot_of(abi, nr);
		__u8 *sel = bpf_map_lookup_elem(&selected, &first);
		if (!sel || !*sel) {
			count(SF_CNT_UNSELECTED);
			return 0;
		}
	}
	/* An exec is judged at its exit, by the comm of the image it starts. */
	if (!is_exec(abi, nr) && !in_scope_now(cfg, pid_tgid)) {
		count(SF_CNT_FILTERED);
		return 0;
	}
	/* i386's socketcall is the sub-call it makes (its arguments are in an array the
	 * program just wrote), so that selecting connect selects it too; counts of which
	 * calls are made keep socketcall, which a seccomp profile must allow. */
	__u32 sc_args[6] = {};
	bool socketcall = false;
	if (maybe_socketcall && sf_count_mode != SF_COUNT_AT_ENTRY) {
		__u32 call = (__u32)regs->bx;
		struct sf_socketcall *sc = bpf_map_lookup_elem(&socketcalls, &call);
		__u32 n = sc ? sc->nargs : 0;
		if (sc && sc->nr && n >= 1 && n <= 6 &&
		    bpf_probe_read_user(sc_args, n * 4, (const void *)(unsigned long)(__u32)regs->cx) == 0) {
			nr = sc->nr;
			socketcall = true;
		}
	}
	__u32 slot = slot_of(abi, nr);
	if (!cfg->all_syscalls && maybe_socketcall) {
		__u8 *sel = bpf_map_lookup_elem(&selected, &slot);
		if (!sel || !*sel) {
			count(SF_CNT_UNSELECTED);
			return 0;
		}
	}
	/* Counting which calls are made (record): at entry, nothing waits for the exit. */
	if (sf_count_mode == SF_COUNT_AT_ENTRY) {
		if (is_exec(abi, nr) && !in_scope_now(cfg, pid_tgid))
			return 0;
		struct sf_stat *st = bpf_map_lookup_elem(&stats, &slot);
		if (st)
			st->calls++;
		return 0;
	}
	struct inflight *f = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0,
						  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!f) {
		count(SF_CNT_INFLIGHT_FULL);
		return 0;
	}
	f->ts_ns = record_time();
	f->nr = nr;
	f->abi = abi;
	f->active = 1;
	/* -c: the time and the number are all the exit needs. */
	if (sf_count_mode)
		return 0;
	f->flags = socketcall ? SF_SYSCALL_SOCKETCALL : 0;
	if (socketcall) {
		for (int i = 0; i < 6; i++)
			f->args[i] = sc_args[i];
	} else if (abi == SF_ABI_I386) {
		f->args[0] = (__u32)regs->bx;
		f->args[1] = (__u32)regs->cx;
		f->args[2] = (__u32)regs->dx;
		f->args[3] = (__u32)regs->si;
		f->args[4] = (__u32)regs->di;
		f->args[5] = (__u32)regs->bp;
	} else {
		f->args[0] = regs->di;
		f->args[1] = regs->si;
		f->args[2] = regs->dx;
		f->args[3] = regs->r10;
		f->args[4] = regs->r8;
		f->args[5] = regs->r9;
	}
	f->cap_state = SF_CAP_STATE_NONE;
	f->cap_len = 0;
	struct sf_capture_plan *plan = bpf_map_lookup_elem(&captures, &slot);
	__u32 how = plan ? plan->how : 0;
	if (how & SF_CAP_AT_ENTRY)
		capture(f->cap, how, f->args, 0, &f->cap_state, &f->cap_len);
	else if (how)
		keep_at_entry(f, how);
	return 0;
}

/* The fields of a syscall record before its capture. */
static __always_inline void fill_syscall(struct sf_syscall_event *e, struct inflight *f,
					 long ret, __u32 flags)
{
	fill_header(&e->h, SF_EV_SYSCALL);
	e->duration_ns = e->h.ts_ns - f->ts_ns;
	for (int i = 0; i < 6; i++)
		e->args[i] = f->args[i];
	e->ret = ret;
	e->nr = f->nr;
	e->abi = f->abi;
	e->flags = flags;
	e->pad = 0;
	e->cap_kind = SF_CAP_NONE;
	e->cap_arg = 0;
	e->cap_state = SF_CAP_STATE_NONE;
	e->cap_len = 0;
}

/* The record's first capture (map captures), read at exit or kept from the entry. */
static __always_inline void first_capture(struct sf_syscall_event *e, struct inflight *f,
					  __u32 how, long ret, __u32 flags)
{
	if (!how)
		return;
	e->cap_kind = how & 0xff;
	e->cap_arg = (how >> 8) & 0xff;
	if (how & SF_CAP_AT_ENTRY) {
		e->cap_state = f->cap_state;
		e->cap_len = f->cap_len;
		bpf_probe_read_kernel(e->cap, SF_CAP_MAX, f->cap);
	} else if (flags & SF_SYSCALL_NO_RETURN) {
		return;
	} else if (is_msghdr(how)) {
		capture_msghdr(e->cap, how, f, &e->cap_state, &e->cap_len);
	} else {
		capture(e->cap, how, f->args, ret, &e->cap_state, &e->cap_len);
	}
}

/* The bytes of a record sent with two captures: the most fill_two may write. */
struct sf_syscall_two {
	__u8 bytes[SF_SYSCALL_TWO];
};

/* Fills a record of two or three captures but the third (`hows`: the first's how, the
 * second's, 0 for none, in the high half). A global function, which the verifier walks
 * once, on its own: inlined for both record sizes, the two captures' kinds were walked
 * for each (sys_exit verified 19,999 instructions at every load, not 10,629). Returns 0
 * (a global function returns a value). */
__noinline int fill_two(struct sf_syscall_two *rec, struct inflight *f, long ret, __u32 flags,
			__u64 hows)
{
	struct sf_syscall_event *e = (void *)rec;
	__u32 how = (__u32)hows, how2 = hows >> 32;
	if (!e || !f)
		return 0;
	fill_syscall(e, f, ret, flags);
	first_capture(e, f, how, ret, flags);
	e->cap2_kind = how2 & 0xff;
	e->cap2_arg = (how2 >> 8) & 0xff;
	e->cap2_state = SF_CAP_STATE_NONE;
	e->cap2_len = 0;
	if (how2)
		capture2(e->cap2, how2, f->args, ret, &e->cap2_state, &e->cap2_len);
	return 0;
}

/* Sends the record of call `f` of the current task: returned `ret`, or never returned.
 * A record stops after its last capture's buffer (SF_SYSCALL_HEAD bytes for a call with
 * none, SF_SYSCALL_ONE with the first only, SF_SYSCALL_TWO without a third): the ring
 * holds 2.6 times as many records of calls with nothing to capture as of calls with one
 * capture, 6 times as many as of calls with three. */
static __always_inline void send_syscall(struct inflight *f, long ret, __u32 flags)
{
	__u32 slot = slot_of(f->abi, f->nr);
	struct sf_capture_plan *plan = bpf_map_lookup_elem(&captures, &slot);
	__u32 how = 0, how2 = 0, how3 = 0;
	if (plan) {
		how = plan->how;
		/* Read at exit: a call that never returned has nothing there to read. */
		if (!(flags & SF_SYSCALL_NO_RETURN)) {
			how2 = plan->how2;
			how3 = plan->how3;
		}
	}
	struct sf_syscall_event *e;
	if (!how && !how2 && !how3) {
		e = bpf_ringbuf_reserve(&events, SF_SYSCALL_HEAD, 0);
		if (!e) {
			count(SF_CNT_LOST);
			return;
		}
		fill_syscall(e, f, ret, flags);
		bpf_ringbuf_submit(e, 0);
		count(SF_CNT_SENT);
		return;
	}
	if (!how2 && !how3) {
		e = bpf_ringbuf_reserve(&events, SF_SYSCALL_ONE, 0);
		if (!e) {
			count(SF_CNT_LOST);
			return;
		}
		fill_syscall(e, f, ret, flags);
		first_capture(e, f, how, ret, flags);
		bpf_ringbuf_submit(e, 0);
		count(SF_CNT_SENT);
		return;
	}
	__u64 hows = (__u64)how2 << 32 | how;
	if (!how3) {
		e = bpf_ringbuf_reserve(&events, SF_SYSCALL_TWO, 0);
		if (!e) {
			count(SF_CNT_LOST);
			return;
		}
		fill_two((void *)e, f, ret, flags, hows);
		bpf_ringbuf_submit(e, 0);
		count(SF_CNT_SENT);
		return;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(SF_CNT_LOST);
		return;
	}
	fill_two((void *)e, f, ret, flags, hows);
	e->cap3_kind = how3 & 0xff;
	e->cap3_arg = (how3 >> 8) & 0xff;
	e->cap3_state = SF_CAP_STATE_NONE;
	e->cap3_len = 0;
	capture3(e->cap3, how3, f->args, ret, &e->cap3_state, &e->cap3_len);
	bpf_ringbuf_submit(e, 0);
	count(SF_CNT_SENT);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	__u32 zero = 0;
	struct sf_config *cfg = bpf_map_lookup_elem(&sf_config_map, &zero);
	if (!cfg)
		return 0;
	/* Whether the entry kept the call is the thread's storage to say, not the number in
	 * orig_ax: an exec rewrites it (execveat returns as execve), and a call not kept
	 * finds no storage or a cleared one in a few loads. */
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct inflight *f = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);
	if (!f || !f->active)
		return 0;
	f->active = 0;
	if (is_exec(f->abi, f->nr) && !in_scope(cfg, tgid)) {
		count(SF_CNT_FILTERED);
	} else if (sf_count_mode) {
		__u32 slot = slot_of(f->abi, f->nr);
		struct sf_stat *st = bpf_map_lookup_elem(&stats, &slot);
		if (st) {
			st->calls++;
			st->errors += ret < 0 && ret >= -4095;
			st->ns += bpf_ktime_get_boot_ns() - f->ts_ns;
		}
	} else {
		send_syscall(f, ret, f->flags);
	}
	return 0;
}

/* A process lifecycle record for the current task, or NULL (out of scope, not asked
 * for, or the ring buffer full: each counted). */
static __always_inline struct sf_proc_event *proc_event(__u32 kind)
{
	__u32 zero = 0;
	struct sf_config *cfg = bpf_map_lookup_elem(&sf_config_map, &zero);
	if (!cfg)
		return NULL;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (tgid == cfg->self_tgid)
		return NULL;
	if (!(cfg->lifecycle & SF_LIFE(kind))) {
		count(SF_CNT_UNSELECTED);
		return NULL;
	}
	if (!in_scope(cfg, tgid)) {
		count(SF_CNT_FILTERED);
		return NULL;
	}
	struct sf_proc_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(SF_CNT_LOST);
		return NULL;
	}
	fill_header(&e->h, kind);
	e->other_pid = 0;
	e->other_tid = 0;
	e->code = 0;
	__builtin_memset(e->siginfo, 0, sizeof(e->siginfo));
	e->detail = 0;
	return e;
}

static __always_inline void send(struct sf_proc_event *e)
{
	bpf_ringbuf_submit(e, 0);
	count(SF_CNT_SENT);
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 zero = 0;
	struct sf_config *cfg = bpf_map_lookup_elem(&sf_config_map, &zero);
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	/* A new thread or process has its creator's comm, so its comm class. */
	if (cfg && cfg->comm_patterns) {
		__u32 ptid = parent->pid, ctid = child->pid;
		__u8 *class = bpf_map_lookup_elem(&comm_class, &ptid);
		if (class)
			bpf_map_update_elem(&comm_class, &ctid, class, BPF_ANY);
		else
			bpf_map_delete_elem(&comm_class, &ctid);
	}
	/* The tree follows new processes (threads share the tgid already there). */
	__u8 one = 1;
	if (cfg && ctgid != ptgid) {
		if ((cfg->scope & SF_SCOPE_TREE) && bpf_map_lookup_elem(&scope_tree, &ptgid))
			bpf_map_update_elem(&scope_tree, &ctgid, &one, BPF_ANY);
		if ((cfg->scope & SF_SCOPE_NOT_TREE) && bpf_map_lookup_elem(&scope_not_tree, &ptgid))
			bpf_map_update_elem(&scope_not_tree, &ctgid, &one, BPF_ANY);
		if (cfg->exe_patterns) {
			__u8 *class = bpf_map_lookup_elem(&exe_class, &ptgid);
			if (class)
				bpf_map_update_elem(&exe_class, &ctgid, class, BPF_ANY);
		}
		if (cfg->new_pids)
			bpf_map_update_elem(&new_pids, &ctgid, &one, BPF_ANY);
		/* The parent is current here: its scope decides its child's. */
		if (cfg->follow && ptgid != cfg->self_tgid && in_scope(cfg, ptgid))
			bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY);
	}
	struct sf_proc_event *e = proc_event(SF_EV_FORK);
	if (!e)
		return 0;
	e->other_pid = ctgid;
	e->other_tid = child->pid;
	send(e);
	return 0;
}

/* Reads `len` bytes of the new image's user memory at [start, end) into dst (at most
 * `max`); the kernel wrote it there, so it is resident. */
#define READ_IMAGE(dst, max, start, end, len_out, state_out)                              \
	do {                                                                               \
		__u64 n_ = (end) > (start) ? (end) - (start) : 0;                          \
		if (n_ > (max))                                                            \
			n_ = (max);                                                        \
		if (n_ && bpf_probe_read_user(dst, n_, (const void *)(start)) == 0) {      \
			len_out = n_;                                                      \
			state_out = SF_CAP_STATE_OK;                                       \
		} else if (n_) {                                                           \
			state_out = SF_CAP_STATE_FAULT;                                    \
			count(SF_CNT_CAP_FAULT);                                           \
		}                                                                          \
	} while (0)

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 zero = 0, tgid = p->tgid;
	struct sf_config *cfg = bpf_map_lookup_elem(&sf_config_map, &zero);
	if (!cfg)
		return 0;
	/* The program runs now: its executable's class is the process's. */
	if (cfg->exe_patterns) {
		__u8 class = exe_class_of(cfg->exe_patterns, BPF_CORE_READ(bprm, file));
		if (class)
			bpf_map_update_elem(&exe_class, &tgid, &class, BPF_ANY);
		else
			bpf_map_delete_elem(&exe_class, &tgid);
	}
	if (tgid == cfg->self_tgid || !(cfg->lifecycle & SF_LIFE(SF_EV_EXEC)))
		return 0;
	if (!in_scope(cfg, tgid)) {
		count(SF_CNT_FILTERED);
		return 0;
	}
	struct sf_exec_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(SF_CNT_LOST);
		return 0;
	}
	fill_header(&e->h, SF_EV_EXEC);
	e->old_pid = old_pid;
	e->argc = BPF_CORE_READ(bprm, argc);
	e->envc = BPF_CORE_READ(bprm, envc);
	const char *filename = BPF_CORE_READ(bprm, filename);
	long n = bpf_probe_read_kernel_str(e->filename, SF_CAP_MAX, filename);
	/* Cut at the buffer's end (the helper's NUL over a byte of the path): no NUL counted. */
	if (n == SF_CAP_MAX) {
		char last = 1;
		bpf_probe_read_kernel(&last, 1, filename + SF_CAP_MAX - 1);
		if (last)
			n = SF_CAP_MAX - 1;
	}
	e->filename_len = n > 0 ? n : 0;
	e->argv_len = 0;
	e->argv_state = SF_CAP_STATE_NONE;
	e->env_len = 0;
	e->env_state = SF_CAP_STATE_NONE;
	/* A script's interpreter runs with its own argv in place of execve's (whose first
	 * argument is gone): told, so that execve's is not read from it. */
	e->interp = BPF_CORE_READ(bprm, interp) != filename;
	e->pad = 0;
	/* The new image's arguments and environment, on its stack. */
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	__u64 arg_start = BPF_CORE_READ(mm, arg_start), arg_end = BPF_CORE_READ(mm, arg_end);
	__u64 env_start = BPF_CORE_READ(mm, env_start), env_end = BPF_CORE_READ(mm, env_end);
	READ_IMAGE(e->argv, SF_ARGV_MAX, arg_start, arg_end, e->argv_len, e->argv_state);
	if (cfg->exec_env)
		READ_IMAGE(e->env, SF_ENV_MAX, env_start, env_end, e->env_len, e->env_state);
	bpf_ringbuf_submit(e, 0);
	count(SF_CNT_SENT);
	return 0;
}

/* include/linux/sched/signal.h's SIGNAL_GROUP_EXIT, and the kernel's siginfo codes. */
#define SF_SIGNAL_GROUP_EXIT 0x00000004
#define SF_SI_USER 0
#define SF_SI_KERNEL 0x80
#define SF_SIGKILL 9
/* include/linux/sched.h's PF_EXITING: the task is past do_exit()'s start. */
#define SF_PF_EXITING 0x00000004

/* A fatal signal that dumps no core, sent to a task that is not ptraced and takes the
 * default action, is never delivered: complete_signal() turns it into a group exit at
 * once, and signal_deliver sees only the SIGKILL that ends each thread. A task that
 * sends it to itself (raise, kill of its own pid, a write to a broken pipe) has it kept
 * here when the kernel has just made that group exit of it, and recorded as delivered
 * when the thread exits: after the call that sent it has returned, as a tracer sees it. */
struct fatal_signal {
	__u64 start_time; /* the thread's, so that a later task on its tid is not taken for it */
	__s32 sig;
	__s32 code;
	__u8 siginfo[SF_SIGINFO];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct fatal_signal);
} fatal_signals SEC(".maps");

SEC("tp_btf/signal_generate")
int BPF_PROG(signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	/* Delivered (0), or delivered without its siginfo (TRACE_SIGNAL_LOSE_INFO: 4). */
	if ((result != 0 && result != 4) || sig == SF_SIGKILL)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	/* Sent by the process to itself, or by another (kill(1), a parent): either way the
	 * target dies of it without the kernel's delivery ever running. */
	bool to_itself = BPF_CORE_READ(task, tgid) == (__u32)(pid_tgid >> 32);
	struct signal_struct *signal = BPF_CORE_READ(task, signal);
	if (!(BPF_CORE_READ(signal, flags) & SF_SIGNAL_GROUP_EXIT) ||
	    BPF_CORE_READ(signal, group_exit_code) != sig)
		return 0;
	struct task_struct *me = bpf_get_current_task_btf();
	/* Kept for the thread whose exit prints it: the sender's own when it signalled its
	 * process, else the target's (the leader, for a signal to a process); a leader that
	 * has exited already (pthread_exit) never exits again, and complete_signal() chose
	 * another thread in its stead, the process's curr_target, as ptrace's delivery does. */
	struct task_struct *target = task;
	if (!to_itself && (BPF_CORE_READ(task, flags) & SF_PF_EXITING))
		target = BPF_CORE_READ(signal, curr_target);
	__u64 start_time = to_itself ? me->start_time : BPF_CORE_READ(target, start_time);
	struct fatal_signal f = {.sig = sig, .start_time = start_time};
	/* SEND_SIG_NOINFO (0) is a user's signal, SEND_SIG_PRIV (1) the kernel's; a signal
	 * delivered without its siginfo is a user's with no ids. */
	if ((unsigned long)info > 1 && result == 0) {
		f.code = BPF_CORE_READ(info, si_code);
		bpf_probe_read_kernel(f.siginfo, sizeof(f.siginfo), info);
	} else {
		f.code = info == (void *)1 && result == 0 ? SF_SI_KERNEL : SF_SI_USER;
		__s32 fields[6] = {sig, 0, f.code, 0, 0, 0};
		if (!info && result == 0) {
			/* The sender's pid as its own pid namespace numbers it: the kernel's
			 * task_tgid_nr_ns when sender and target share the namespace (a process
			 * and itself, a traced tree). */
			struct pid *pid = BPF_CORE_READ(me, group_leader, thread_pid);
			unsigned int level = BPF_CORE_READ(pid, level);
			struct upid up = {};
			bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[level & 31]);
			fields[4] = up.nr;
			fields[5] = (__u32)bpf_get_current_uid_gid();
		}
		__builtin_memcpy(f.siginfo, fields, sizeof(fields));
	}
	__u32 tid = to_itself ? (__u32)pid_tgid : (__u32)BPF_CORE_READ(target, pid);
	bpf_map_update_elem(&fatal_signals, &tid, &f, BPF_ANY);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *p, bool group_dead)
{
	__sync_fetch_and_add(&sf_exits, 1);
	/* A call the thread is in never returns (exit, exit_group, a kill inside it). */
	__u32 tid = p->pid;
	struct inflight *f = bpf_task_storage_get(&inflight, p, 0, 0);
	if (f && f->active) {
		f->active = 0;
		__u32 zero = 0;
		struct sf_config *cfg = bpf_map_lookup_elem(&sf_config_map, &zero);
		if (cfg && !sf_count_mode) {
			send_syscall(f, 0, SF_SYSCALL_NO_RETURN | f->flags);
		} else if (cfg) {
			__u32 slot = slot_of(f->abi, f->nr);
			struct sf_stat *st = bpf_map_lookup_elem(&stats, &slot);
			if (st)
				st->unfinished++;
		}
	}
	struct fatal_signal *fatal = bpf_map_lookup_elem(&fatal_signals, &tid);
	/* Kept for this thread, not for an earlier one on its tid (a signal raised from an
	 * interrupt after that one's exit). */
	if (fatal && fatal->start_time != p->start_time) {
		bpf_map_delete_elem(&fatal_signals, &tid);
		fatal = NULL;
	}
	if (fatal) {
		struct sf_proc_event *s = proc_event(SF_EV_SIGNAL);
		if (s) {
			s->code = fatal->sig;
			s->detail = fatal->code;
			__builtin_memcpy(s->siginfo, fatal->siginfo, sizeof(s->siginfo));
			send(s);
		}
		bpf_map_delete_elem(&fatal_signals, &tid);
	}
	struct sf_proc_event *e = proc_event(SF_EV_EXIT);
	__u32 tgid = p->tgid;
	if (e) {
		e->code = p->exit_code;
		e->detail = group_dead;
		/* A leader ended by another thread's exec (de_thread): that thread, which
		 * takes the leader's id, supersedes it. */
		struct task_struct *exec_task = BPF_CORE_READ(p, signal, group_exec_task);
		if (tid == tgid && exec_task && exec_task != p)
			e->other_tid = BPF_CORE_READ(exec_task, pid);
		send(e);
	}
	/* A leader's comm class stays while its threads run: io_uring workers go by it. */
	if (tid != tgid)
		bpf_map_delete_elem(&comm_class, &tid);
	/* The ids named in the scope are of the tasks there when it was set: a later task
	 * given the same id is another, and so is the thread that takes its leader's id
	 * when it execs (the leader exits here first), as under ptrace. */
	bpf_map_delete_elem(&scope_tids, &tid);
	bpf_map_delete_elem(&scope_not_tids, &tid);
	if (group_dead) {
		bpf_map_delete_elem(&scope_pids, &tgid);
		bpf_map_delete_elem(&scope_not_pids, &tgid);
		bpf_map_delete_elem(&comm_class, &tgid);
		bpf_map_delete_elem(&scope_tree, &tgid);
		bpf_map_delete_elem(&scope_not_tree, &tgid);
		bpf_map_delete_elem(&exe_class, &tgid);
		bpf_map_delete_elem(&new_pids, &tgid);
		bpf_map_delete_elem(&followed, &tgid);
	}
	return 0;
}

/* A comm set (exec, prctl(PR_SET_NAME), /proc/.../comm): the thread's comm class anew,
 * from the name as the kernel will keep it (15 bytes and a NUL). */
SEC("tp_btf/task_rename")
int BPF_PROG(task_rename, struct task_struct *task, const char *comm)
{
	__u32 zero = 0;
	struct sf_config *cfg = bpf_map_lookup_elem(&sf_config_map, &zero);
	if (!cfg || !cfg->comm_patterns)
		return 0;
	char name[SF_COMM_LEN] = {};
	bpf_probe_read_kernel_str(name, SF_COMM_LEN, comm);
	__u32 tid = task->pid;
	__u8 class = comm_class_of(cfg, name);
	if (class)
		bpf_map_update_elem(&comm_class, &tid, &class, BPF_ANY);
	else
		bpf_map_delete_elem(&comm_class, &tid);
	return 0;
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(signal_deliver, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	struct sf_proc_event *e = proc_event(SF_EV_SIGNAL);
	if (!e)
		return 0;
	e->code = sig;
	e->detail = BPF_CORE_READ(info, si_code);
	bpf_probe_read_kernel(e->siginfo, sizeof(e->siginfo), info);
	send(e);
	return 0;
}

/* An io_uring request between its submission and its completion. */
struct pending_request {
	struct sf_io_uring_event e;
	__u64 submitted_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct pending_request);
} io_requests SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pending_request);
} io_scratch SEC(".maps");

#define IORING_OP_OPENAT 18
#define IORING_OP_OPENAT2 28

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(io_uring_submit_req, struct io_kiocb *req)
{
	__u32 zero = 0;
	struct sf_config *cfg = bpf_map_lookup_elem(&sf_config_map, &zero);
	if (!cfg)
		return 0;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	if (tgid == cfg->self_tgid)
		return 0;
	if (!(cfg->lifecycle & SF_LIFE(SF_EV_IO_URING))) {
		count(SF_CNT_UNSELECTED);
		return 0;
	}
	if (!in_scope(cfg, tgid)) {
		count(SF_CNT_FILTERED);
		return 0;
	}
	struct pending_request *p = bpf_map_lookup_elem(&io_scratch, &zero);
	if (!p)
		return 0;
	struct sf_io_uring_event *e = &p->e;
	fill_header(&e->h, SF_EV_IO_URING);
	p->submitted_ns = e->h.ts_ns;
	struct task_struct *task = bpf_get_current_task_btf();
	e->sq_thread = (task->flags & PF_IO_WORKER) ? 1 : 0;
	e->user_data = req->cqe.user_data;
	e->fd = req->cqe.fd;
	e->opcode = req->opcode;
	e->res = 0;
	e->open_flags = 0;
	e->path_len = 0;
	e->path_state = SF_CAP_STATE_NONE;
	e->pad = 0;
	if (e->opcode == IORING_OP_OPENAT || e->opcode == IORING_OP_OPENAT2) {
		/* Prepared already: the path was copied in (getname) at prep. */
		struct io_open *open = (struct io_open *)&req->cmd;
		struct filename *name = BPF_CORE_READ(open, filename);
		e->fd = BPF_CORE_READ(open, dfd);
		e->open_flags = BPF_CORE_READ(open, how.flags);
		long n = bpf_probe_read_kernel_str(e->path, SF_CAP_MAX, BPF_CORE_READ(name, name));
		if (n > 0) {
			e->path_len = n;
			e->path_state = SF_CAP_STATE_OK;
		} else {
			e->path_state = SF_CAP_STATE_FAULT;
			count(SF_CNT_CAP_FAULT);
		}
	}
	__u64 key = (__u64)req;
	if (bpf_map_update_elem(&io_requests, &key, p, BPF_ANY))
		count(SF_CNT_INFLIGHT_FULL);
	return 0;
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(io_uring_complete, struct io_ring_ctx *ring, void *req, struct io_uring_cqe *cqe)
{
	__u64 key = (__u64)req;
	struct pending_request *p = bpf_map_lookup_elem(&io_requests, &key);
	if (!p)
		return 0;
	struct sf_io_uring_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(SF_CNT_LOST);
		bpf_map_delete_elem(&io_requests, &key);
		return 0;
	}
	__builtin_memcpy(e, &p->e, sizeof(*e));
	e->h.ts_ns = bpf_ktime_get_boot_ns();
	e->duration_ns = e->h.ts_ns - p->submitted_ns;
	e->res = BPF_CORE_READ(cqe, res);
	bpf_ringbuf_submit(e, 0);
	count(SF_CNT_SENT);
	bpf_map_delete_elem(&io_requests, &key);
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	__u32 zero = 0;
	struct sf_config *cfg = bpf_map_lookup_elem(&sf_config_map, &zero);
	/* Attached only when a scope or the container names need new cgroups. */
	if (!cfg)
		return 0;
	/* Only the default (v2) hierarchy: its ids are what tasks' cgroup ids are. */
	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0;
	__u64 id = BPF_CORE_READ(cgrp, kn, id);
	__u8 one = 1;
	if (cfg->new_cgroups)
		bpf_map_update_elem(&scope_cgroups, &id, &one, BPF_ANY);
	struct sf_cgroup_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(SF_CNT_LOST);
		return 0;
	}
	fill_header(&e->h, SF_EV_CGROUP);
	e->id = id;
	e->pad = 0;
	long n = bpf_probe_read_kernel_str(e->path, SF_CAP_MAX, path);
	e->path_len = n > 0 ? n : 0;
	bpf_ringbuf_submit(e, 0);
	return 0;
}


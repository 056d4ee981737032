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

/* Keeps the record's type in the object's BTF, where the layout test reads it. */
const volatile struct sf_syscall_event *sf_event_layout __attribute__((unused));

#define TS_COMPAT 0x0002
#define X32_SYSCALL_BIT 0x40000000

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
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

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SF_ABIS * SF_NR_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} captures SEC(".maps");

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

/* A call between its entry and its exit. */
struct inflight {
	__u64 ts_ns;
	__u64 args[6];
	__u32 nr;
	__u32 abi;
	__u32 cap_state;
	__u32 cap_len;
	char cap[SF_CAP_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct inflight);
} inflight SEC(".maps");

/* Room to build an inflight record: it does not fit the 512-byte stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct inflight);
} scratch SEC(".maps");

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

/* Whether the current task is one the user asked to watch. */
static __always_inline bool in_scope(const struct sf_config *cfg, __u32 tgid)
{
	__u32 scope = cfg->scope;
	if (!scope)
		return true;
	if ((scope & SF_SCOPE_PID) && !bpf_map_lookup_elem(&scope_pids, &tgid))
		return false;
	if ((scope & SF_SCOPE_NOT_PID) && bpf_map_lookup_elem(&scope_not_pids, &tgid))
		return false;
	if (scope & (SF_SCOPE_COMM | SF_SCOPE_NOT_COMM)) {
		struct comm_key key = {};
		bpf_get_current_comm(key.comm, sizeof(key.comm));
		if ((scope & SF_SCOPE_COMM) && !bpf_map_lookup_elem(&scope_comms, &key))
			return false;
		if ((scope & SF_SCOPE_NOT_COMM) && bpf_map_lookup_elem(&scope_not_comms, &key))
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
static __always_inline void capture(char *dst, __u32 how, const __u64 *args, long ret,
				    __u32 *state, __u32 *len)
{
	__u32 kind = how & 0xff, arg = (how >> 8) & 0xff, len_arg = (how >> 16) & 0xff;
	if (arg > 5 || len_arg > 5)
		return;
	__u64 addr = args[arg];
	long n;
	if (kind == SF_CAP_STR) {
		n = bpf_probe_read_user_str(dst, SF_CAP_MAX, (const void *)addr);
	} else {
		__u64 want = kind == SF_CAP_LEN_ARG ? args[len_arg] : (__u64)ret;
		if (kind == SF_CAP_LEN_RET && ret < 0)
			return;
		if (want > SF_CAP_MAX)
			want = SF_CAP_MAX;
		n = want;
		if (want && bpf_probe_read_user(dst, want, (const void *)addr) < 0)
			n = -1;
	}
	if (n < 0) {
		*state = SF_CAP_STATE_FAULT;
		*len = 0;
		count(SF_CNT_CAP_FAULT);
	} else {
		*state = SF_CAP_STATE_OK;
		*len = n;
	}
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	__u32 zero = 0;
	struct sf_config *cfg = bpf_map_lookup_elem(&sf_config_map, &zero);
	if (!cfg)
		return 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid;
	if (tgid == cfg->self_tgid)
		return 0;
	__u32 abi = current_abi(id);
	__u32 nr = (__u32)id;
	/* An exec is judged at its exit, by the comm of the image it starts. */
	if (!is_exec(abi, nr) && !in_scope(cfg, tgid)) {
		count(SF_CNT_FILTERED);
		return 0;
	}
	__u32 slot = slot_of(abi, nr);
	if (!cfg->all_syscalls) {
		__u8 *sel = bpf_map_lookup_elem(&selected, &slot);
		if (!sel || !*sel) {
			count(SF_CNT_UNSELECTED);
			return 0;
		}
	}
	struct inflight *f = bpf_map_lookup_elem(&scratch, &zero);
	if (!f)
		return 0;
	f->ts_ns = bpf_ktime_get_boot_ns();
	f->nr = nr;
	f->abi = abi;
	if (abi == SF_ABI_I386) {
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
	__u32 *how = bpf_map_lookup_elem(&captures, &slot);
	if (how && (*how & SF_CAP_AT_ENTRY))
		capture(f->cap, *how, f->args, 0, &f->cap_state, &f->cap_len);
	if (bpf_map_update_elem(&inflight, &tid, f, BPF_ANY))
		count(SF_CNT_INFLIGHT_FULL);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	__u32 zero = 0;
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, tid = (__u32)pid_tgid;
	struct inflight *f = bpf_map_lookup_elem(&inflight, &tid);
	if (!f)
		return 0;
	struct sf_config *cfg = bpf_map_lookup_elem(&sf_config_map, &zero);
	if (!cfg)
		goto done;
	if (is_exec(f->abi, f->nr) && !in_scope(cfg, tgid)) {
		count(SF_CNT_FILTERED);
		goto done;
	}
	struct sf_syscall_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(SF_CNT_LOST);
		goto done;
	}
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 now = bpf_ktime_get_boot_ns();
	__u64 uid_gid = bpf_get_current_uid_gid();
	e->ts_ns = now;
	e->duration_ns = now - f->ts_ns;
	e->cgroup_id = bpf_get_current_cgroup_id();
	for (int i = 0; i < 6; i++)
		e->args[i] = f->args[i];
	e->ret = ret;
	e->kind = SF_EV_SYSCALL;
	e->pid = tgid;
	e->tid = tid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)uid_gid;
	e->gid = uid_gid >> 32;
	e->mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	e->pidns = BPF_CORE_READ(task, nsproxy, pid_ns_for_children, ns.inum);
	e->nr = f->nr;
	e->abi = f->abi;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->cap_kind = SF_CAP_NONE;
	e->cap_arg = 0;
	e->cap_state = SF_CAP_STATE_NONE;
	e->cap_len = 0;
	__u32 slot = slot_of(f->abi, f->nr);
	__u32 *how = bpf_map_lookup_elem(&captures, &slot);
	if (how && *how) {
		e->cap_kind = *how & 0xff;
		e->cap_arg = (*how >> 8) & 0xff;
		if (*how & SF_CAP_AT_ENTRY) {
			e->cap_state = f->cap_state;
			e->cap_len = f->cap_len;
			bpf_probe_read_kernel(e->cap, SF_CAP_MAX, f->cap);
		} else {
			capture(e->cap, *how, f->args, ret, &e->cap_state, &e->cap_len);
		}
	}
	bpf_ringbuf_submit(e, 0);
	count(SF_CNT_SENT);
done:
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

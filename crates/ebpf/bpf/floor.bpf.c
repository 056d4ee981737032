// SPDX-License-Identifier: GPL-2.0
/* The floor of watching every syscall: empty programs on sys_enter and sys_exit, what any
 * eBPF monitor that sees every call pays before doing anything (scripts/bench-ebpf). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(floor_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(floor_exit, struct pt_regs *regs, long ret)
{
	return 0;
}

//! Pitfalls in policies and programs: errors (programs the kernel refuses to load, see
//! [`crate::verify`]) and warnings (what loads fine but does not protect, or costs more
//! than it should).

use crate::Program;
use crate::bpf::{Insn, op};
use crate::emulator::{SeccompData, outcomes, run};
use crate::verify::kernel_accepts;
use policy::{Action, Policy};
use std::collections::BTreeSet;
use std::fmt;
use syscalls::{Arch, ArgKind};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The kernel refuses the program: installing it fails with EINVAL.
    Error,
    /// The program loads, but does not do what it seems to.
    Warning,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Whether the kernel refuses the program or it merely misbehaves.
    pub severity: Severity,
    /// A stable short name for the check (`no-arch-check`, `io-uring`, ...).
    pub check: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.severity == Severity::Error {
            f.write_str("error: ")?;
        }
        write!(f, "[{}] {}", self.check, self.message)
    }
}

fn finding(check: &'static str, message: String) -> Finding {
    Finding {
        severity: Severity::Warning,
        check,
        message,
    }
}

/// Syscalls served by the vDSO: a denial never reaches most callers, but glibc's fallbacks
/// and static binaries do make the call, so the program behaves differently by build.
const VDSO: [&str; 5] = [
    "clock_gettime",
    "gettimeofday",
    "time",
    "getcpu",
    "clock_gettime64",
];

/// io_uring performs reads, writes, opens and connects without those syscalls.
const IO_URING: [&str; 3] = ["io_uring_setup", "io_uring_enter", "io_uring_register"];

/// Checks a policy's rules.
pub fn lint_policy(policy: &Policy) -> Vec<Finding> {
    let mut out = Vec::new();
    let blocks = |a: Action| !matches!(a, Action::Allow | Action::Log);
    for r in &policy.rules {
        if r.action == policy.default_action {
            out.push(finding(
                "rule-equals-default",
                format!(
                    "the rule for {} answers {}, the default action: it has no effect",
                    r.syscall, r.action
                ),
            ));
        }
    }
    let big_errno = std::iter::once(policy.default_action)
        .chain(policy.rules.iter().map(|r| r.action))
        .find_map(|a| match a {
            Action::Errno(e) if e > 4095 => Some(e),
            _ => None,
        });
    if let Some(e) = big_errno {
        out.push(finding(
            "errno-range",
            format!(
                "errno {e} is above 4095: the kernel returns -4095 instead, and libseccomp (runc, Docker) refuses the profile"
            ),
        ));
    }
    let uses_kill_thread = policy.default_action == Action::KillThread
        || policy.rules.iter().any(|r| r.action == Action::KillThread);
    if uses_kill_thread {
        out.push(finding(
            "kill-thread",
            "KILL_THREAD (Docker's SCMP_ACT_KILL) kills one thread and leaves the process half-dead: use SCMP_ACT_KILL_PROCESS".into(),
        ));
    }
    for name in IO_URING {
        let answer = answer_for(policy, name);
        if !blocks(answer) {
            out.push(finding(
                "io-uring",
                format!(
                    "{name} is allowed: io_uring performs opens, reads, writes and connects that this filter never sees"
                ),
            ));
        }
    }
    for name in VDSO {
        let answer = answer_for(policy, name);
        if blocks(answer) && known_name(name) {
            out.push(finding(
                "vdso-denied",
                format!(
                    "{name} is denied ({answer}), but vDSO calls never reach the filter while static binaries and glibc's fallbacks do: allow it"
                ),
            ));
        }
    }
    for name in policy.syscall_names() {
        let actions: Vec<Action> = policy
            .rules
            .iter()
            .filter(|r| r.syscall == name)
            .map(|r| r.action)
            .collect();
        if actions.iter().any(|a| *a != actions[0]) {
            out.push(finding(
                "conflicting-actions",
                format!(
                    "{name} has rules with different actions; where several match, the most restrictive wins"
                ),
            ));
        }
        if !known_name(name) {
            out.push(finding(
                "unknown-syscall",
                format!("{name} is not a syscall of any ABI sysfence knows: a typo?"),
            ));
        }
    }
    out
}

fn known_name(name: &str) -> bool {
    Arch::ALL
        .iter()
        .any(|a| a.table().lookup_name(name).is_some())
}

/// The unconditional answer for a syscall: its unconditional rule, else the default.
fn answer_for(policy: &Policy, name: &str) -> Action {
    policy
        .rules
        .iter()
        .filter(|r| r.syscall == name && r.conditions.is_empty())
        .map(|r| r.action)
        .max_by_key(|a| a.severity())
        .unwrap_or(policy.default_action)
}

/// Checks a compiled program: first whether the kernel loads it at all (an error if
/// not, and nothing else is checked), then by running it: undefined return actions, arch
/// and x32 guards, and whether the paths to argument-independent ALLOWs are ones the
/// kernel's action cache can evaluate. Everything is read from the program itself, so a
/// profile and its compiled `.bpf` get the same findings.
pub fn lint_program(program: &Program) -> Vec<Finding> {
    if let Err(r) = kernel_accepts(program) {
        return vec![Finding {
            severity: Severity::Error,
            check: "kernel-rejects",
            message: format!("the kernel refuses this filter (EINVAL): {r}"),
        }];
    }
    let mut out = undefined_actions(program);
    out.extend(escapes(program));
    out.extend(arch_guards(program));
    out.extend(wide_compares(program));
    out.extend(uncached_allows(program));
    out
}

/// What gets past the filter: TRACE/NOTIFY answers the program can give itself, and calls
/// that reach other processes of the user (see [`crate::escapes`]).
fn escapes(program: &Program) -> Vec<Finding> {
    let mut out = Vec::new();
    let found = crate::escapes::no_denial_calls(program, &Arch::ALL);
    let why = "which denies nothing: the program can fork a tracer or install a listener of its own, whose answer wins; use SCMP_ACT_ERRNO or SCMP_ACT_KILL_PROCESS";
    if let Some(action) = found.default {
        out.push(finding(
            "no-denial",
            format!("the default action is {} {why}", action.docker_name()),
        ));
    }
    for (name, action) in found.calls {
        out.push(finding(
            "no-denial",
            format!("{name} is answered {} {why}", action.docker_name()),
        ));
    }
    let calls = crate::escapes::allowed_cross_process_calls(program, &Arch::ALL);
    if !calls.is_empty() {
        out.push(finding(
            "cross-process",
            format!(
                "{} allowed: the program can use them on other processes of its user, which this filter does not govern; run it with `sysfence run --isolate` (its own PID namespace, as Docker gives a container) or deny them",
                calls.join(", ")
            ),
        ));
    }
    out
}

/// The instructions control can reach from the first.
fn reachable(program: &Program) -> Vec<bool> {
    let insns = &program.insns;
    let mut seen = vec![false; insns.len()];
    let mut todo = vec![0usize];
    while let Some(pc) = todo.pop() {
        if pc >= insns.len() || std::mem::replace(&mut seen[pc], true) {
            continue;
        }
        let Insn { code, jt, jf, k } = insns[pc];
        match code & 0x07 {
            op::RET => {}
            op::JMP if code & 0xf0 == op::JA => todo.push(pc + 1 + k as usize),
            op::JMP => todo.extend([pc + 1 + usize::from(jt), pc + 1 + usize::from(jf)]),
            _ => todo.push(pc + 1),
        }
    }
    seen
}

/// Reachable `ret #k` whose action the kernel does not define: it kills the process.
fn undefined_actions(program: &Program) -> Vec<Finding> {
    let reach = reachable(program);
    program
        .insns
        .iter()
        .enumerate()
        .filter(|(pc, i)| reach[*pc] && i.is_ret_k() && Action::from_ret(i.k).is_none())
        .map(|(pc, i)| {
            finding(
                "undefined-action",
                format!(
                    "instruction {pc} returns {:#010x}, whose action {:#010x} the kernel does not define: every call that reaches it kills the process",
                    i.k,
                    i.k & 0xffff_0000
                ),
            )
        })
        .collect()
}

/// What the program answers for (arch, nr) with zero arguments.
fn answer(program: &Program, arch: u32, nr: u32) -> Option<u32> {
    let data = SeccompData {
        nr,
        arch,
        instruction_pointer: 0,
        args: [0; 6],
    };
    run(program, &data).ok().map(|r| r.ret)
}

/// A foreign ABI that is not killed; x32 calls allowed by a program that does not tell
/// x32 calls apart (all of them get one answer), as a filter written for x86_64 alone
/// that never checks bit 0x40000000 does.
fn arch_guards(program: &Program) -> Vec<Finding> {
    let mut out = Vec::new();
    let foreign = 0x4000_0028; // AUDIT_ARCH_ARM: an ABI none of ours shares
    let killed = |r: Option<u32>| r.and_then(Action::from_ret).is_some_and(Action::is_kill);
    if let Some(nr) = (0..512).find(|&nr| !killed(answer(program, foreign, nr))) {
        out.push(finding(
            "no-arch-check",
            format!(
                "a call from a foreign ABI (here AUDIT_ARCH_ARM, nr {nr}) is not killed: the filter must check seccomp_data.arch first"
            ),
        ));
    }
    let x86_64 = Arch::X86_64.audit_arch();
    let x32_answers: BTreeSet<Option<u32>> = Arch::X32
        .table()
        .entries()
        .iter()
        .map(|s| answer(program, x86_64, s.nr))
        .collect();
    let allow = Some(Action::Allow.to_ret());
    if x32_answers.len() == 1 && x32_answers.contains(&allow) {
        out.push(finding(
            "no-x32-check",
            format!(
                "every x32 call (numbers from {:#x}) is allowed under AUDIT_ARCH_X86_64, whatever the rules for x86_64 say: unless the filter is meant for x32, check bit 0x40000000 and kill such calls",
                syscalls::Arch::X32.nr_base()
            ),
        ));
    }
    out
}

/// Flag sets whose argument is a 64-bit `unsigned long` (Linux 6.18's x86_64 syscall
/// tracepoints); every other flag set's argument is a C `int` or `unsigned int`.
const LONG_FLAG_SETS: [&str; 18] = [
    "clone_flags",
    "fanotify_mask",
    "futex_bitset",
    "get_mempolicy_flags",
    "mempolicy_mode",
    "mmap_flags",
    "mmap_prot",
    "mount_flags",
    "mremap_flags",
    "mseal_flags",
    "perf_event_open_flags",
    "pkey_access",
    "pkey_alloc_flags",
    "process_vm_readv_flags",
    "process_vm_writev_flags",
    "ptrace_request",
    "set_mempolicy_home_node_flags",
    "unshare_flags",
];

/// Whether the kernel reads an argument of this kind as a 32-bit value (a C `int`,
/// `unsigned int`, `pid_t` or `umode_t`), ignoring the register's upper half.
fn is_32bit_kind(kind: ArgKind) -> bool {
    match kind {
        ArgKind::Fd | ArgKind::Dirfd | ArgKind::Pid | ArgKind::Signal | ArgKind::Mode => true,
        ArgKind::Flags { set } => !LONG_FLAG_SETS.contains(&set),
        _ => false,
    }
}

/// Loads of an argument's upper half on 64-bit ABIs where the kernel reads the argument
/// as 32 bits: a caller sets the upper half to pass the check, the kernel ignores it
/// (`socket(40 | 1 << 32, ...)` passes `arg0 != AF_VSOCK` and opens an AF_VSOCK socket).
fn wide_compares(program: &Program) -> Vec<Finding> {
    let mut out = Vec::new();
    for arch in [Arch::X86_64, Arch::Aarch64] {
        for s in arch.table().entries() {
            let loads = loaded_words(program, arch.audit_arch(), s.nr);
            for (i, arg) in s.args.iter().enumerate() {
                let hi = crate::bpf::data::arg_hi(i as u8);
                if is_32bit_kind(arg.kind) && loads.contains(&hi) {
                    out.push(finding(
                        "wide-compare",
                        format!(
                            "{arch} {}: arg{i} ({}) is 32 bits to the kernel, but the filter reads its upper half: a caller sets it to pass the check ({}(... | 1 << 32, ...)), the kernel ignores it; compare with SCMP_CMP_MASKED_EQ, mask 0xffffffff",
                            s.name, arg.name, s.name
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// The `seccomp_data` offsets some path for (arch, nr) loads, whatever the arguments.
fn loaded_words(program: &Program, arch: u32, nr: u32) -> BTreeSet<u32> {
    let mut seen: BTreeSet<(usize, Option<u32>)> = BTreeSet::new();
    let mut loads = BTreeSet::new();
    let mut todo = vec![(0usize, None::<u32>)];
    while let Some((pc, a)) = todo.pop() {
        let Some(&insn) = program.insns.get(pc) else {
            continue;
        };
        if !seen.insert((pc, a)) {
            continue;
        }
        let Insn { code, jt, jf, k } = insn;
        let (t, f) = (pc + 1 + usize::from(jt), pc + 1 + usize::from(jf));
        match code {
            c if c == op::LD | op::W | op::ABS => {
                loads.insert(k);
                let v = match k {
                    0 => Some(nr),
                    4 => Some(arch),
                    _ => None,
                };
                todo.push((pc + 1, v));
            }
            c if c & 0x07 == op::RET => {}
            c if c == op::JMP | op::JA => todo.push((pc + 1 + k as usize, a)),
            c if c & 0x07 == op::JMP => match (a, c & op::X) {
                (Some(v), op::K) => todo.push(if jump_taken(c, v, k) { (t, a) } else { (f, a) }),
                _ => todo.extend([(t, a), (f, a)]),
            },
            c if c == op::ALU | op::AND | op::K => todo.push((pc + 1, a.map(|v| v & k))),
            _ => todo.push((pc + 1, None)),
        }
    }
    loads
}

/// Whether `j<op> #k` jumps for accumulator `v`.
fn jump_taken(code: u16, v: u32, k: u32) -> bool {
    match code & 0xf0 {
        op::JEQ => v == k,
        op::JGT => v > k,
        op::JGE => v >= k,
        _ => v & k != 0,
    }
}

/// Syscalls allowed whatever their arguments on a path the action cache cannot evaluate.
fn uncached_allows(program: &Program) -> Vec<Finding> {
    let mut out = Vec::new();
    for arch in [Arch::X86_64, Arch::I386, Arch::Aarch64] {
        let table = arch.table();
        let uncached = table.entries().iter().find(|s| {
            outcomes(program, arch.audit_arch(), s.nr).is_ok_and(|o| {
                o.reads_args && o.rets.len() == 1 && o.rets.contains(&Action::Allow.to_ret())
            })
        });
        if let Some(s) = uncached {
            out.push(finding(
                "uncached-allow",
                format!(
                    "{arch} {} ({}) is allowed whatever its arguments, but its path reads more than nr/arch: the kernel's action cache cannot skip the filter for it",
                    s.name, s.nr
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::{Insn, op};
    use policy::Rule;

    #[test]
    fn policy_pitfalls_are_found() {
        let mut p = Policy::new(Action::Errno(1), vec![Arch::X86_64]);
        p.rules.push(Rule::new("io_uring_setup", Action::Allow));
        p.rules.push(Rule::new("read", Action::Errno(1)));
        p.rules.push(Rule::new("ptrace", Action::KillThread));
        let checks: Vec<&str> = lint_policy(&p).iter().map(|f| f.check).collect();
        for want in [
            "io-uring",
            "rule-equals-default",
            "kill-thread",
            "vdso-denied",
        ] {
            assert!(checks.contains(&want), "{want} missing from {checks:?}");
        }
        let mut ok = Policy::new(Action::Errno(1), vec![Arch::X86_64]);
        for n in VDSO {
            ok.rules.push(Rule::new(n, Action::Allow));
        }
        assert!(lint_policy(&ok).is_empty(), "{:?}", lint_policy(&ok));
    }

    #[test]
    fn a_program_without_arch_check_is_flagged() {
        // allow everything: no arch check, x32 allowed.
        let p = Program {
            insns: vec![Insn::ret(Action::Allow.to_ret())],
        };
        let checks: Vec<&str> = lint_program(&p).iter().map(|f| f.check).collect();
        assert_eq!(
            checks,
            vec!["cross-process", "no-arch-check", "no-x32-check"]
        );
        // An allow that loads an argument first is not cacheable.
        let p = Program {
            insns: vec![
                Insn::load(4),
                Insn::jump(op::JMP | op::JEQ | op::K, Arch::X86_64.audit_arch(), 1, 0),
                Insn::ret(Action::KillProcess.to_ret()),
                Insn::load(0),
                Insn::jump(op::JMP | op::JGE | op::K, 0x4000_0000, 2, 0),
                Insn::load(16),
                Insn::ret(Action::Allow.to_ret()),
                Insn::ret(Action::KillProcess.to_ret()),
            ],
        };
        let checks: Vec<&str> = lint_program(&p).iter().map(|f| f.check).collect();
        assert_eq!(checks, vec!["cross-process", "uncached-allow"]);
    }
}

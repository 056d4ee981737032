//! Pitfalls in policies and programs: what compiles fine but does not protect, or costs
//! more than it should.

use crate::Program;
use crate::emulator::{SeccompData, outcomes, run};
use policy::{Action, Policy};
use std::fmt;
use syscalls::Arch;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// A stable short name for the check (`no-arch-check`, `io-uring`, ...).
    pub check: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.check, self.message)
    }
}

fn finding(check: &'static str, message: String) -> Finding {
    Finding { check, message }
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

/// Checks a compiled program by running it: arch and x32 guards, and whether the paths to
/// argument-independent ALLOWs are ones the kernel's action cache can evaluate. `targets`
/// are the ABIs the program is meant for, when known (an allowed x32 call is then fine).
pub fn lint_program(program: &Program, targets: Option<&[Arch]>) -> Vec<Finding> {
    let mut out = Vec::new();
    let answer = |arch: u32, nr: u32, args: [u64; 6]| {
        let data = SeccompData {
            nr,
            arch,
            instruction_pointer: 0,
            args,
        };
        run(program, &data).ok()
    };
    let foreign = 0x4000_0028; // AUDIT_ARCH_ARM: an ABI none of ours shares
    if let Some(nr) = (0..512).find(|&nr| {
        answer(foreign, nr, [0; 6])
            .is_some_and(|r| !Action::from_ret(r.ret).is_some_and(Action::is_kill))
    }) {
        out.push(finding(
            "no-arch-check",
            format!(
                "a call from a foreign ABI (here AUDIT_ARCH_ARM, nr {nr}) is not killed: the filter must check seccomp_data.arch first"
            ),
        ));
    }
    let x86_64 = Arch::X86_64.audit_arch();
    let x32_allowed = (0..512u32).find(|&n| {
        answer(x86_64, 0x4000_0000 | n, [0; 6])
            .is_some_and(|r| Action::from_ret(r.ret) == Some(Action::Allow))
    });
    if let Some(n) = x32_allowed
        && !targets.is_some_and(|t| t.contains(&Arch::X32))
    {
        out.push(finding(
            "no-x32-check",
            format!(
                "x32 number {:#x} is allowed under AUDIT_ARCH_X86_64: unless the filter is meant for x32, check bit 0x40000000 and kill such calls",
                0x4000_0000 | n
            ),
        ));
    }
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
        let checks: Vec<&str> = lint_program(&p, None).iter().map(|f| f.check).collect();
        assert_eq!(checks, vec!["no-arch-check", "no-x32-check"]);
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
        let checks: Vec<&str> = lint_program(&p, None).iter().map(|f| f.check).collect();
        assert_eq!(checks, vec!["uncached-allow"]);
    }
}

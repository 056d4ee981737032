//! What a filter lets past itself: calls that reach *other* processes of the same user
//! (which carry no filter, or another one), and answers that are no denial at all because
//! the filtered program can give them itself. Both `profile lint` and `run` report them.

use crate::bpf::Program;
use crate::emulator;
use policy::{Action, Policy};
use std::collections::BTreeSet;
use syscalls::Arch;

/// Calls that act on another process: a filtered program allowed them can make an
/// unfiltered process of its user run what its own profile denies (ptrace it and inject
/// code, write its memory, steal its descriptors). Docker allows ptrace because a
/// container has its own PID namespace; `sysfence run --isolate` gives one too.
pub const CROSS_PROCESS_CALLS: [&str; 6] = [
    "ptrace",
    "process_vm_writev",
    "process_vm_readv",
    "pidfd_getfd",
    "process_madvise",
    "kcmp",
];

/// Actions a filtered program can answer itself: SECCOMP_RET_TRACE goes to a tracer the
/// program may fork, SECCOMP_RET_USER_NOTIF to a listener it may install on top (its own
/// filter's answer takes precedence); so a rule with them denies nothing.
pub fn is_no_denial(action: Action) -> bool {
    matches!(action, Action::Trace(_) | Action::Notify)
}

/// The cross-process calls `program` lets run (for some arguments) in any of `arches`,
/// by name, each once.
pub fn allowed_cross_process_calls(program: &Program, arches: &[Arch]) -> Vec<&'static str> {
    let mut found = BTreeSet::new();
    for &arch in arches {
        let table = arch.table();
        for name in CROSS_PROCESS_CALLS {
            let Some(entry) = table.lookup_name(name) else {
                continue;
            };
            let runs = emulator::outcomes(program, arch.audit_arch(), entry.nr)
                .map(|o| o.rets.iter().any(|&ret| lets_run(ret)))
                .unwrap_or(false);
            if runs {
                found.insert(name);
            }
        }
    }
    CROSS_PROCESS_CALLS
        .into_iter()
        .filter(|n| found.contains(n))
        .collect()
}

/// What a program answers with TRACE or NOTIFY: its default path (what a number no
/// rule names gets), and the calls answered so other than by that default.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct NoDenials {
    /// The default path's answer, when it is TRACE or NOTIFY in some ABI.
    pub default: Option<Action>,
    /// The other calls so answered, by name, each once, with the first such answer seen.
    pub calls: Vec<(&'static str, Action)>,
}

/// The TRACE or NOTIFY answers of `program` in any of `arches` (see [`NoDenials`]).
pub fn no_denial_calls(program: &Program, arches: &[Arch]) -> NoDenials {
    let no_denial = |o: &emulator::Outcomes| {
        o.rets
            .iter()
            .filter_map(|&r| Action::from_ret(r))
            .find(|&a| is_no_denial(a))
    };
    let mut found = NoDenials::default();
    for &arch in arches {
        // A number no table holds takes the default path (x32's carry bit 30).
        let unnamed = if arch == Arch::X32 {
            0x4000_0fff
        } else {
            0xfff
        };
        let default = emulator::outcomes(program, arch.audit_arch(), unnamed).ok();
        if let Some(a) = default.as_ref().and_then(no_denial) {
            found.default.get_or_insert(a);
        }
        for entry in arch.table().entries() {
            let Ok(o) = emulator::outcomes(program, arch.audit_arch(), entry.nr) else {
                continue;
            };
            if default.as_ref() == Some(&o) {
                continue;
            }
            if let Some(a) = no_denial(&o)
                && !found.calls.iter().any(|(n, _)| *n == entry.name)
            {
                found.calls.push((entry.name, a));
            }
        }
    }
    found.calls.sort_by_key(|(n, _)| *n);
    found
}

/// Whether a filter's return value lets the call run (or lets someone else decide).
fn lets_run(ret: u32) -> bool {
    match Action::from_ret(ret) {
        Some(a) => matches!(a, Action::Allow | Action::Log) || is_no_denial(a),
        None => false,
    }
}

/// The syscalls a policy answers with TRACE or NOTIFY (by name, with the action), and
/// whether its default action is one of them.
pub fn no_denials(policy: &Policy) -> (Vec<(String, Action)>, bool) {
    let mut rules: Vec<(String, Action)> = policy
        .rules
        .iter()
        .filter(|r| is_no_denial(r.action))
        .map(|r| (r.syscall.clone(), r.action))
        .collect();
    rules.sort();
    rules.dedup();
    (rules, is_no_denial(policy.default_action))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Target, compile};
    use policy::Rule;

    fn program(p: &Policy) -> Program {
        compile(p, &Target::for_policy(p)).unwrap()
    }

    #[test]
    fn an_allow_all_profile_lets_every_cross_process_call_through() {
        let p = Policy::new(Action::Allow, vec![Arch::X86_64]);
        assert_eq!(
            allowed_cross_process_calls(&program(&p), &[Arch::X86_64]),
            CROSS_PROCESS_CALLS.to_vec()
        );
    }

    #[test]
    fn denied_calls_are_not_reported_and_conditional_ones_are() {
        let mut p = Policy::new(Action::Errno(1), vec![Arch::X86_64]);
        p.rules
            .push(Rule::new("kcmp", Action::Allow).with(0, policy::CmpOp::Eq, 1));
        p.rules.push(Rule::new("read", Action::Allow));
        assert_eq!(
            allowed_cross_process_calls(&program(&p), &[Arch::X86_64]),
            ["kcmp"]
        );
    }

    #[test]
    fn trace_and_notify_rules_are_no_denials() {
        let mut p = Policy::new(Action::Allow, vec![Arch::X86_64]);
        p.rules.push(Rule::new("mkdir", Action::Notify));
        p.rules.push(Rule::new("rmdir", Action::Trace(7)));
        p.rules.push(Rule::new("chmod", Action::Errno(1)));
        let (rules, default) = no_denials(&p);
        assert_eq!(
            rules,
            [
                ("mkdir".to_string(), Action::Notify),
                ("rmdir".to_string(), Action::Trace(7))
            ]
        );
        assert!(!default);
    }
}

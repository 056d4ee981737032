//! Merging policies and telling how two policies differ.

use crate::{Action, Condition, Policy, PolicyError, Rule};
use std::fmt;
use syscalls::Arch;

/// Merges policies with the same default action: the ABIs are united and the rules
/// concatenated, so a syscall allowed by any of them is allowed, and where one allows and
/// another blocks, the most restrictive answer wins (as for every rule set). The union is
/// per ABI: a profile's rules apply only on the ABIs it targets, so merging an x86_64-only
/// profile into one for x86_64, i386 and x32 changes nothing on i386 and x32. Rules
/// restricted to some ABIs are made unrestricted where that changes no answer.
pub fn merge(policies: &[Policy]) -> Result<Policy, PolicyError> {
    let Some(first) = policies.first() else {
        return Err(PolicyError::invalid(
            "",
            "",
            "nothing to merge: give at least one profile",
        ));
    };
    let mut merged = first.clone();
    merged.arches = first.target_arches();
    for (i, p) in policies.iter().enumerate().skip(1) {
        if p.default_action != first.default_action {
            return Err(PolicyError::invalid(
                "",
                format!("profile {}", i + 1),
                format!(
                    "its default action is {}, the first profile's is {}: merge profiles with the same default",
                    p.default_action, first.default_action
                ),
            ));
        }
        for a in p.target_arches() {
            if !merged.arches.contains(&a) {
                merged.arches.push(a);
            }
        }
        for f in &p.flags {
            if !merged.flags.contains(f) {
                merged.flags.push(f.clone());
            }
        }
    }
    merged.rules = policies
        .iter()
        .flat_map(|p| restricted_to(p, &merged.arches))
        .collect();
    merged = merged.deduplicated();
    Ok(merged.without_abi_rules().unwrap_or(merged))
}

/// The rules of `p`, each restricted to the ABIs `p` targets when those are not all of
/// `union`.
fn restricted_to(p: &Policy, union: &[Arch]) -> Vec<Rule> {
    let own = p.target_arches();
    if union.iter().all(|a| own.contains(a)) {
        return p.rules.clone();
    }
    p.rules
        .iter()
        .filter_map(|r| {
            let arches: Vec<Arch> = own.iter().copied().filter(|a| r.applies_to(*a)).collect();
            (!arches.is_empty()).then(|| Rule {
                arches,
                ..r.clone()
            })
        })
        .collect()
}

/// One way two policies answer differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// The answer when no rule matches.
    DefaultAction(Action, Action),
    /// An ABI only one of them accepts.
    Arch {
        /// The ABI.
        arch: Arch,
        /// Whether the first policy accepts it (else the second does).
        in_first: bool,
    },
    /// A syscall governed differently on an ABI both accept.
    Syscall {
        /// The ABI.
        arch: Arch,
        /// The syscall.
        name: String,
        /// How the first policy answers it.
        first: String,
        /// How the second does.
        second: String,
    },
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Difference::DefaultAction(a, b) => write!(f, "default action: {a} -> {b}"),
            Difference::Arch {
                arch,
                in_first: true,
            } => write!(f, "- architecture {arch}"),
            Difference::Arch {
                arch,
                in_first: false,
            } => write!(f, "+ architecture {arch}"),
            Difference::Syscall {
                arch,
                name,
                first,
                second,
            } => write!(f, "{arch} {name}: {first} -> {second}"),
        }
    }
}

/// How `policy` answers `name` on `arch`: its rules, most restrictive first, then the rest.
/// Of equally restrictive rules the first matching one answers, so their order is kept
/// where their actions differ (`errno(EACCES) if arg0 == 0, else errno(EPERM) if ...`).
pub(crate) fn describe(policy: &Policy, arch: Arch, name: &str) -> String {
    let mut rules: Vec<&Rule> = policy
        .rules
        .iter()
        .filter(|r| r.syscall == name && r.applies_to(arch))
        .collect();
    rules.sort_by_key(|r| std::cmp::Reverse(r.action.severity()));
    for same in rules.chunk_by_mut(|a, b| a.action.severity() == b.action.severity()) {
        if same.iter().all(|r| r.action == same[0].action) {
            same.sort_by_cached_key(|r| {
                let mut c = r.conditions.clone();
                c.sort();
                c
            });
        }
    }
    let mut parts: Vec<String> = Vec::new();
    for r in rules {
        if r.conditions.is_empty() {
            parts.push(r.action.to_string());
            return parts.join(", else ");
        }
        let mut conds = r.conditions.clone();
        conds.sort();
        let c: Vec<String> = conds.iter().map(Condition::to_string).collect();
        parts.push(format!("{} if {}", r.action, c.join(" && ")));
    }
    parts.push(format!("{} (default)", policy.default_action));
    parts.join(", else ")
}

/// Every difference in how `a` and `b` answer: default, ABIs, and each syscall either
/// names, on each ABI both accept that has it.
pub fn diff(a: &Policy, b: &Policy) -> Vec<Difference> {
    let mut out = Vec::new();
    if a.default_action != b.default_action {
        out.push(Difference::DefaultAction(
            a.default_action,
            b.default_action,
        ));
    }
    let (ta, tb) = (a.target_arches(), b.target_arches());
    for &arch in &ta {
        if !tb.contains(&arch) {
            out.push(Difference::Arch {
                arch,
                in_first: true,
            });
        }
    }
    for &arch in &tb {
        if !ta.contains(&arch) {
            out.push(Difference::Arch {
                arch,
                in_first: false,
            });
        }
    }
    let mut names: Vec<&str> = a.syscall_names();
    names.extend(b.syscall_names());
    names.sort_unstable();
    names.dedup();
    for arch in ta.iter().filter(|x| tb.contains(x)) {
        for name in &names {
            if arch.table().lookup_name(name).is_none() {
                continue;
            }
            let (first, second) = (describe(a, *arch, name), describe(b, *arch, name));
            if first != second {
                out.push(Difference::Syscall {
                    arch: *arch,
                    name: name.to_string(),
                    first,
                    second,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CmpOp;

    fn allow_list(names: &[&str]) -> Policy {
        let mut p = Policy::new(Action::Errno(1), vec![Arch::X86_64]);
        for n in names {
            p.rules.push(Rule::new(n, Action::Allow));
        }
        p
    }

    #[test]
    fn merging_allow_lists_allows_what_either_allows() {
        let mut b = allow_list(&["write", "read"]);
        b.arches.push(Arch::I386);
        let m = merge(&[allow_list(&["read", "openat"]), b]).unwrap();
        assert_eq!(m.syscall_names(), vec!["openat", "read", "write"]);
        assert_eq!(m.arches, vec![Arch::X86_64, Arch::I386]);
        for n in ["openat", "read", "write"] {
            assert_eq!(m.evaluate(Arch::X86_64, n, &[0; 6]), Action::Allow);
        }
        let other = Policy::new(Action::KillProcess, vec![]);
        assert!(
            merge(&[m, other])
                .unwrap_err()
                .to_string()
                .contains("same default")
        );
    }

    #[test]
    fn diff_names_each_changed_syscall() {
        let a = allow_list(&["read", "openat"]);
        let mut b = allow_list(&["read"]);
        b.rules
            .push(Rule::new("openat", Action::Allow).with(2, CmpOp::Eq, 0));
        let d: Vec<String> = diff(&a, &b).iter().map(|d| d.to_string()).collect();
        assert_eq!(
            d,
            vec!["x86_64 openat: allow -> allow if arg2 == 0x0, else errno(EPERM) (default)"]
        );
        assert!(diff(&a, &a.clone()).is_empty());
    }
}

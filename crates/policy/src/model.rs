//! The policy model itself.

use crate::{Action, PolicyError};
use std::fmt;
use syscalls::Arch;

/// A comparison of one syscall argument against a constant, as libseccomp defines them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CmpOp {
    /// `arg == value`
    Eq,
    /// `arg != value`
    Ne,
    /// `arg < value` (unsigned)
    Lt,
    /// `arg <= value` (unsigned)
    Le,
    /// `arg >= value` (unsigned)
    Ge,
    /// `arg > value` (unsigned)
    Gt,
    /// `(arg & mask) == (value & mask)`: libseccomp masks the constant too, so runc and
    /// Docker filters behave this way and so do ours.
    MaskedEq {
        /// The bits of the argument that take part.
        mask: u64,
    },
}

impl CmpOp {
    /// The libseccomp/Docker name (`SCMP_CMP_EQ`).
    pub fn docker_name(self) -> &'static str {
        match self {
            CmpOp::Eq => "SCMP_CMP_EQ",
            CmpOp::Ne => "SCMP_CMP_NE",
            CmpOp::Lt => "SCMP_CMP_LT",
            CmpOp::Le => "SCMP_CMP_LE",
            CmpOp::Ge => "SCMP_CMP_GE",
            CmpOp::Gt => "SCMP_CMP_GT",
            CmpOp::MaskedEq { .. } => "SCMP_CMP_MASKED_EQ",
        }
    }
}

/// One argument condition of a rule; a rule's conditions must all hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Condition {
    /// The argument index, 0-5.
    pub arg: u8,
    /// The comparison.
    pub op: CmpOp,
    /// The constant compared against (after masking, for `MaskedEq`).
    pub value: u64,
}

impl Condition {
    /// Whether an argument value satisfies the condition. On 32-bit ABIs only the low 32 bits
    /// of the argument and of the constants take part, as in libseccomp.
    pub fn matches(&self, arg: u64, is_32bit: bool) -> bool {
        let width = |v: u64| if is_32bit { v & 0xffff_ffff } else { v };
        let (a, v) = (width(arg), width(self.value));
        match self.op {
            CmpOp::Eq => a == v,
            CmpOp::Ne => a != v,
            CmpOp::Lt => a < v,
            CmpOp::Le => a <= v,
            CmpOp::Ge => a >= v,
            CmpOp::Gt => a > v,
            CmpOp::MaskedEq { mask } => a & width(mask) == v & width(mask),
        }
    }
}

impl fmt::Display for Condition {
    /// `arg0 == 5`, `arg1 & 0x7e020000 == 0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.arg;
        let v = self.value;
        match self.op {
            CmpOp::Eq => write!(f, "arg{a} == {v:#x}"),
            CmpOp::Ne => write!(f, "arg{a} != {v:#x}"),
            CmpOp::Lt => write!(f, "arg{a} < {v:#x}"),
            CmpOp::Le => write!(f, "arg{a} <= {v:#x}"),
            CmpOp::Ge => write!(f, "arg{a} >= {v:#x}"),
            CmpOp::Gt => write!(f, "arg{a} > {v:#x}"),
            CmpOp::MaskedEq { mask } => write!(f, "arg{a} & {mask:#x} == {v:#x}"),
        }
    }
}

/// One rule: when `syscall` is called (on one of `arches`, all target ABIs when empty) and
/// every condition holds, the filter answers `action`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rule {
    /// The syscall's canonical name; resolved to a number per ABI by the compiler.
    pub syscall: String,
    /// The answer when the rule matches.
    pub action: Action,
    /// Conditions on the arguments, all of which must hold (none: the rule always matches).
    pub conditions: Vec<Condition>,
    /// The ABIs the rule applies to; empty means every ABI the filter targets.
    pub arches: Vec<Arch>,
}

impl Rule {
    /// An unconditional rule for every target ABI.
    pub fn new(syscall: &str, action: Action) -> Rule {
        Rule {
            syscall: syscall.to_string(),
            action,
            conditions: Vec::new(),
            arches: Vec::new(),
        }
    }

    /// The same rule with one more argument condition.
    pub fn with(mut self, arg: u8, op: CmpOp, value: u64) -> Rule {
        self.conditions.push(Condition { arg, op, value });
        self
    }

    /// Whether the rule applies on `arch`.
    pub fn applies_to(&self, arch: Arch) -> bool {
        self.arches.is_empty() || self.arches.contains(&arch)
    }
}

/// A non-fatal problem found while importing or checking a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where in the input (e.g. `syscalls[3].names[1]`).
    pub location: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// A seccomp policy, independent of any file format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The answer for every syscall no rule matches.
    pub default_action: Action,
    /// The ABIs the filter accepts; calls from any other ABI are killed. Empty: the native ABI.
    pub arches: Vec<Arch>,
    /// The rules, in no particular order: where several match, the most restrictive wins.
    pub rules: Vec<Rule>,
    /// `SECCOMP_FILTER_FLAG_*` names from an OCI profile, passed through to exporters.
    pub flags: Vec<String>,
    /// The OCI `listenerPath`: where a runtime sends the notification fd.
    pub listener_path: Option<String>,
    /// The OCI `listenerMetadata` passed to the listener.
    pub listener_metadata: Option<String>,
}

/// Most conditions one rule may carry: one per syscall argument.
pub const MAX_CONDITIONS: usize = 6;

impl Policy {
    /// An empty policy answering `default_action` for everything on `arches`.
    pub fn new(default_action: Action, arches: Vec<Arch>) -> Policy {
        Policy {
            default_action,
            arches,
            rules: Vec::new(),
            flags: Vec::new(),
            listener_path: None,
            listener_metadata: None,
        }
    }

    /// The ABIs a filter for this policy accepts (the native one when none is named).
    pub fn target_arches(&self) -> Vec<Arch> {
        if self.arches.is_empty() {
            vec![Arch::native()]
        } else {
            self.arches.clone()
        }
    }

    /// Checks what every consumer relies on: argument indexes 0-5, at most 6 conditions.
    pub fn validate(&self) -> Result<(), PolicyError> {
        for (i, rule) in self.rules.iter().enumerate() {
            let at = |what: &str| format!("rules[{i}] ({}){what}", rule.syscall);
            if rule.conditions.len() > MAX_CONDITIONS {
                return Err(PolicyError::invalid(
                    "",
                    at(""),
                    format!(
                        "{} argument conditions; a syscall has at most {MAX_CONDITIONS} arguments",
                        rule.conditions.len()
                    ),
                ));
            }
            if let Some(c) = rule.conditions.iter().find(|c| c.arg > 5) {
                return Err(PolicyError::invalid(
                    "",
                    at(".conditions"),
                    format!("argument index {} is out of range: use 0-5", c.arg),
                ));
            }
        }
        Ok(())
    }

    /// The answer the policy gives for a call of `syscall` on `arch` with these arguments:
    /// the most restrictive matching rule (the first of equally restrictive ones), else the
    /// default. This is the model's meaning,
    /// which compiled programs must reproduce.
    pub fn evaluate(&self, arch: Arch, syscall: &str, args: &[u64; 6]) -> Action {
        self.rules
            .iter()
            .filter(|r| r.syscall == syscall && r.applies_to(arch))
            .filter(|r| {
                r.conditions
                    .iter()
                    .all(|c| c.matches(args[usize::from(c.arg)], arch.is_32bit()))
            })
            .map(|r| r.action)
            .fold(None, |best: Option<Action>, a| match best {
                Some(b) if b.severity() >= a.severity() => Some(b),
                _ => Some(a),
            })
            .unwrap_or(self.default_action)
    }

    /// The same policy with rules sorted and duplicates removed, for comparing policies
    /// regardless of how a format grouped them.
    pub fn normalized(&self) -> Policy {
        let mut p = self.clone();
        for r in &mut p.rules {
            r.conditions.sort();
            r.arches.sort();
        }
        p.rules.sort();
        p.rules.dedup();
        p
    }

    /// The policy a complain-mode run installs: every answer that would block (errno, kill,
    /// trap, trace) becomes a user notification, which the supervisor records and lets run.
    pub fn complain_variant(&self) -> Policy {
        let soften = |a: Action| match a {
            Action::Allow | Action::Log => a,
            _ => Action::Notify,
        };
        let mut p = self.clone();
        p.default_action = soften(p.default_action);
        for r in &mut p.rules {
            r.action = soften(r.action);
        }
        p
    }

    /// The same policy without rules that can never decide an answer: per syscall (and ABI
    /// set), once an unconditional rule is reached in order of severity, the less or equally
    /// restrictive rules after it are dropped. Exporters write this form, because libseccomp
    /// (and so runc) does not resolve conflicting actions by severity: given `allow mkdir`
    /// and `errno mkdir`, it keeps the first.
    pub fn simplified(&self) -> Policy {
        let mut p = self.clone();
        let mut keep = vec![true; p.rules.len()];
        for (i, r) in p.rules.iter().enumerate() {
            if !r.conditions.is_empty() {
                continue;
            }
            for (j, other) in p.rules.iter().enumerate() {
                let dominated = other.action.severity() < r.action.severity()
                    || (other.action.severity() == r.action.severity() && j > i);
                if j != i && other.syscall == r.syscall && other.arches == r.arches && dominated {
                    keep[j] = false;
                }
            }
        }
        let mut flags = keep.into_iter();
        p.rules.retain(|_| flags.next().unwrap_or(true));
        p
    }

    /// The same policy with no rule restricted to some ABIs, written so that every call is
    /// answered as before; or, when the rules of some syscalls differ between ABIs (which
    /// formats that apply each rule to every ABI cannot express), those differences, one
    /// line per syscall (`mount: allow on x86_64; errno(EPERM) (default) on i386, x32`).
    pub fn without_abi_rules(&self) -> Result<Policy, Vec<String>> {
        if self.rules.iter().all(|r| r.arches.is_empty()) {
            return Ok(self.clone());
        }
        let targets = self.target_arches();
        let mut common: Vec<(&str, Vec<Rule>)> = Vec::new();
        let mut differences = Vec::new();
        for name in self.syscall_names() {
            let per_abi: Vec<(Arch, Vec<Rule>)> = targets
                .iter()
                .filter(|a| a.table().lookup_name(name).is_some())
                .map(|&a| (a, self.rules_on(a, name)))
                .collect();
            let Some((_, first)) = per_abi.first() else {
                continue;
            };
            if per_abi.iter().all(|(_, rules)| rules == first) {
                common.push((name, first.clone()));
                continue;
            }
            let mut ways: Vec<(String, Vec<&str>)> = Vec::new();
            for (arch, _) in &per_abi {
                let how = crate::combine::describe(self, *arch, name);
                match ways.iter_mut().find(|(h, _)| *h == how) {
                    Some((_, arches)) => arches.push(arch.name()),
                    None => ways.push((how, vec![arch.name()])),
                }
            }
            let ways: Vec<String> = ways
                .into_iter()
                .map(|(how, arches)| format!("{how} on {}", arches.join(", ")))
                .collect();
            differences.push(format!("{name}: {}", ways.join("; ")));
        }
        if !differences.is_empty() {
            return Err(differences);
        }
        let mut p = self.clone();
        p.rules = common.into_iter().flat_map(|(_, rules)| rules).collect();
        Ok(p)
    }

    /// The rules for `name` that apply on `arch`, in order, made unrestricted, without
    /// repeats.
    fn rules_on(&self, arch: Arch, name: &str) -> Vec<Rule> {
        let mut rules: Vec<Rule> = Vec::new();
        for r in self
            .rules
            .iter()
            .filter(|r| r.syscall == name && r.applies_to(arch))
        {
            let r = Rule {
                arches: Vec::new(),
                ..r.clone()
            };
            if !rules.contains(&r) {
                rules.push(r);
            }
        }
        rules
    }

    /// The same policy without repeated rules (the first of each kept, in order).
    pub fn deduplicated(&self) -> Policy {
        let mut p = self.clone();
        let mut seen = std::collections::HashSet::new();
        p.rules.retain(|r| seen.insert(r.clone()));
        p
    }

    /// Every distinct syscall name the rules mention, sorted.
    pub fn syscall_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.rules.iter().map(|r| r.syscall.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_two_bit_abis_compare_only_the_low_half() {
        let c = Condition {
            arg: 0,
            op: CmpOp::Eq,
            value: 0xffff_ffff,
        };
        assert!(c.matches(0x1_ffff_ffff, true));
        assert!(!c.matches(0x1_ffff_ffff, false));
        let m = Condition {
            arg: 0,
            op: CmpOp::MaskedEq { mask: 0x7e02_0000 },
            value: 0,
        };
        assert!(m.matches(0x11, false));
        assert!(!m.matches(0x0002_0000, false));
        let outside = Condition {
            arg: 0,
            op: CmpOp::MaskedEq { mask: 0xe },
            value: 0xffff_ffff,
        };
        assert!(outside.matches(0xe, false) && !outside.matches(0xc, false));
    }

    #[test]
    fn the_most_restrictive_matching_rule_wins() {
        let mut p = Policy::new(Action::Errno(1), vec![Arch::X86_64]);
        p.rules.push(Rule::new("read", Action::Allow));
        p.rules
            .push(Rule::new("read", Action::KillProcess).with(0, CmpOp::Eq, 5));
        assert_eq!(
            p.evaluate(Arch::X86_64, "read", &[5, 0, 0, 0, 0, 0]),
            Action::KillProcess
        );
        assert_eq!(
            p.evaluate(Arch::X86_64, "read", &[4, 0, 0, 0, 0, 0]),
            Action::Allow
        );
        assert_eq!(p.evaluate(Arch::X86_64, "write", &[0; 6]), Action::Errno(1));
    }

    #[test]
    fn simplifying_drops_rules_an_unconditional_one_overrides() {
        let mut p = Policy::new(Action::Errno(1), vec![Arch::X86_64]);
        p.rules.push(Rule::new("mkdir", Action::Allow));
        p.rules
            .push(Rule::new("mkdir", Action::Log).with(0, CmpOp::Eq, 1));
        p.rules.push(Rule::new("mkdir", Action::Errno(13)));
        p.rules
            .push(Rule::new("mkdir", Action::KillProcess).with(1, CmpOp::Eq, 2));
        let s = p.simplified();
        assert_eq!(
            s.rules,
            vec![
                Rule::new("mkdir", Action::Errno(13)),
                Rule::new("mkdir", Action::KillProcess).with(1, CmpOp::Eq, 2)
            ]
        );
        for args in [[0; 6], [1, 0, 0, 0, 0, 0], [0, 2, 0, 0, 0, 0]] {
            assert_eq!(
                s.evaluate(Arch::X86_64, "mkdir", &args),
                p.evaluate(Arch::X86_64, "mkdir", &args)
            );
        }
    }

    #[test]
    fn validate_rejects_argument_index_six() {
        let mut p = Policy::new(Action::Allow, vec![]);
        p.rules
            .push(Rule::new("read", Action::Log).with(6, CmpOp::Eq, 0));
        let err = p.validate().unwrap_err().to_string();
        assert!(err.contains("argument index 6"), "{err}");
    }
}

//! The compiler: Policy + target ABIs → BPF program. A pure function.
//!
//! Shape of every program:
//! 1. `ld arch`, then one `jeq` per audit value of the targets; any other ABI → KILL_PROCESS
//!    (the target's `foreign_action`).
//! 2. `ld nr`; under AUDIT_ARCH_X86_64, `jge 0x40000000` separates x32 numbers (bit 30):
//!    they are killed unless x32 is a target, and native numbers are killed if only x32 is.
//! 3. A binary search (`jge` on interval starts) over the syscall numbers, down to a leaf
//!    that is either `ret ACTION` or the argument checks of that one syscall. Paths to
//!    unconditional actions therefore use only nr/arch loads, `jeq`/`jge`, `ja` and `ret`:
//!    the kernel's action cache evaluates them once, and an allowed call costs nothing.
//!
//! i386 is its own ABI with its own numbers. As in libseccomp, a rule on a socket or SysV
//! IPC call also governs i386's socketcall(102)/ipc(117) multiplexer, behind a check of the
//! call number in argument 0 (see [`crate::multiplex`]): a profile that denies `socket`
//! denies `socketcall(SYS_SOCKET, ...)` too, one that allows `shmget` allows
//! `ipc(SHMGET, ...)`.
//!
//! Where rules for one syscall carry different actions, the most restrictive matching rule
//! wins (the kernel's precedence between filters); among equally restrictive ones, the first.

use crate::bpf::{Insn, MAX_INSNS, Program, data, op};
use crate::multiplex;
use policy::{Action, CmpOp, Condition, Policy};
use std::collections::{BTreeMap, HashMap};
use syscalls::Arch;

/// Bit 30 of the number: an x32 call under AUDIT_ARCH_X86_64.
const X32_SYSCALL_BIT: u32 = 0x4000_0000;

/// What to compile for: the ABIs the filter accepts, and the answer for every other one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The accepted ABIs; order decides the order of the arch checks (first is cheapest).
    pub arches: Vec<Arch>,
    /// The answer for calls of any other ABI: KILL_PROCESS, except in complain mode, which
    /// reports them (NOTIFY) instead.
    pub foreign_action: Action,
}

impl Target {
    /// The ABIs the policy names (its native ABI when it names none); others are killed.
    pub fn for_policy(policy: &Policy) -> Target {
        Target {
            arches: policy.target_arches(),
            foreign_action: Action::KillProcess,
        }
    }
}

/// Why a policy could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// No ABI to accept.
    #[error("no target ABI: name at least one architecture")]
    NoArch,
    /// The program exceeds the kernel's limit.
    #[error(
        "the filter needs {0} instructions, more than the kernel's 4096: split the profile or drop argument conditions"
    )]
    TooLong(usize),
    /// The policy is invalid (argument index, too many conditions).
    #[error("{0}")]
    Invalid(#[from] policy::PolicyError),
}

/// One rule resolved to a syscall number of one ABI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRule {
    /// The answer when all conditions hold.
    pub action: Action,
    /// Conditions that must all hold.
    pub conditions: Vec<Condition>,
}

/// The rules of one ABI, keyed by syscall number (as the kernel sees it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchRules {
    /// The ABI.
    pub arch: Arch,
    /// Rules per syscall number, in policy order.
    pub syscalls: BTreeMap<u32, Vec<ResolvedRule>>,
}

/// A policy with names resolved to numbers for each target ABI: the compiler's input proper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The answer when no rule matches.
    pub default_action: Action,
    /// The answer for calls of an ABI that is not a target.
    pub foreign_action: Action,
    /// One entry per target ABI, in target order.
    pub arches: Vec<ArchRules>,
}

/// Resolves names with the syscall tables; names an ABI lacks are left out for that ABI.
/// On i386, rules on socket and SysV IPC calls also resolve to their multiplexer.
pub fn resolve(policy: &Policy, target: &Target) -> Resolved {
    let arches = target
        .arches
        .iter()
        .map(|&arch| {
            let table = arch.table();
            let mut syscalls: BTreeMap<u32, Vec<ResolvedRule>> = BTreeMap::new();
            for rule in policy.rules.iter().filter(|r| r.applies_to(arch)) {
                if let Some((mux, call)) = multiplex::route(arch, &rule.syscall) {
                    syscalls.entry(mux).or_default().push(ResolvedRule {
                        action: rule.action,
                        conditions: multiplex::conditions(call, &rule.conditions),
                    });
                }
                if let Some(sc) = table.lookup_name(&rule.syscall) {
                    syscalls.entry(sc.nr).or_default().push(ResolvedRule {
                        action: rule.action,
                        conditions: rule.conditions.clone(),
                    });
                }
            }
            ArchRules { arch, syscalls }
        })
        .collect();
    Resolved {
        default_action: policy.default_action,
        foreign_action: target.foreign_action,
        arches,
    }
}

/// Compiles a policy for `target`.
pub fn compile(policy: &Policy, target: &Target) -> Result<Program, CompileError> {
    policy.validate()?;
    lower(&resolve(policy, target))
}

/// Compiles already-resolved rules (what `compile` does after name lookup).
pub fn lower(resolved: &Resolved) -> Result<Program, CompileError> {
    if resolved.arches.is_empty() {
        return Err(CompileError::NoArch);
    }
    let mut em = Emitter::default();
    let kill = em.ret(resolved.foreign_action);
    // Group ABIs sharing an audit value (x86_64 and x32), keeping target order.
    let mut audits: Vec<u32> = Vec::new();
    for a in &resolved.arches {
        if !audits.contains(&a.arch.audit_arch()) {
            audits.push(a.arch.audit_arch());
        }
    }
    let mut next_check = kill;
    for &audit in audits.iter().rev() {
        let members: Vec<&ArchRules> = resolved
            .arches
            .iter()
            .filter(|a| a.arch.audit_arch() == audit)
            .collect();
        let body = emit_audit_body(&mut em, &members, resolved.default_action, kill);
        next_check = em.jump(op::JEQ, audit, body, next_check);
    }
    em.then(Insn::load(data::ARCH), next_check);
    let program = em.finish();
    if program.len() > MAX_INSNS {
        return Err(CompileError::TooLong(program.len()));
    }
    Ok(program)
}

/// `ld nr` and the number search for the ABIs behind one audit value.
fn emit_audit_body(
    em: &mut Emitter,
    members: &[&ArchRules],
    default: Action,
    kill: Label,
) -> Label {
    let find = |pred: fn(Arch) -> bool| members.iter().find(|m| pred(m.arch)).copied();
    let x32 = find(|a| a == Arch::X32);
    let native = find(|a| a != Arch::X32);
    let search = if members[0].arch.audit_arch() == Arch::X32.audit_arch() {
        let high = match x32 {
            Some(rules) => emit_search(em, rules, default, u64::from(X32_SYSCALL_BIT), 1 << 32),
            None => kill,
        };
        let low = match native {
            Some(rules) => emit_search(em, rules, default, 0, u64::from(X32_SYSCALL_BIT)),
            None => kill,
        };
        em.jump(op::JGE, X32_SYSCALL_BIT, high, low)
    } else {
        let rules = native.expect("a non-x32 audit group has a native member");
        emit_search(em, rules, default, 0, 1 << 32)
    };
    em.then(Insn::load(data::NR), search)
}

/// What one syscall number leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// An answer that needs no argument.
    Ret(Action),
    /// Argument checks: rules in evaluation order, then the answer when none matched.
    Checks(Vec<ResolvedRule>, Action),
}

/// Orders one syscall's rules for evaluation and drops the ones that cannot change the answer.
fn outcome(rules: &[ResolvedRule], default: Action) -> Outcome {
    let mut sorted: Vec<ResolvedRule> = rules
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.conditions.sort();
            r
        })
        .collect();
    sorted.sort_by_key(|r| std::cmp::Reverse(r.action.severity()));
    // Rules in a run with one action are interchangeable: order them canonically, so the
    // program does not depend on how a file format grouped them.
    for run in sorted.chunk_by_mut(|a, b| a.action == b.action) {
        run.sort_by(|a, b| a.conditions.cmp(&b.conditions));
    }
    let mut kept: Vec<ResolvedRule> = Vec::new();
    let mut fallback = default;
    for r in sorted {
        if r.conditions.is_empty() {
            fallback = r.action;
            break;
        }
        kept.push(r);
    }
    while kept.last().is_some_and(|r| r.action == fallback) {
        kept.pop();
    }
    if kept.is_empty() {
        Outcome::Ret(fallback)
    } else {
        Outcome::Checks(kept, fallback)
    }
}

/// The binary search over numbers in `[lo, hi)` of one ABI.
fn emit_search(em: &mut Emitter, rules: &ArchRules, default: Action, lo: u64, hi: u64) -> Label {
    let mut leaves: Vec<(u64, Outcome)> = Vec::new();
    let mut push = |start: u64, o: Outcome| {
        if let Some((_, Outcome::Ret(prev))) = leaves.last()
            && o == Outcome::Ret(*prev)
        {
            return;
        }
        leaves.push((start, o));
    };
    let mut cursor = lo;
    for (&nr, rs) in rules.syscalls.range(lo as u32..) {
        let nr = u64::from(nr);
        if nr >= hi {
            break;
        }
        if nr > cursor {
            push(cursor, Outcome::Ret(default));
        }
        push(nr, outcome(rs, default));
        cursor = nr + 1;
    }
    if cursor < hi {
        push(cursor, Outcome::Ret(default));
    }
    let is_32bit = rules.arch.is_32bit();
    emit_tree(em, &leaves, is_32bit)
}

fn emit_tree(em: &mut Emitter, leaves: &[(u64, Outcome)], is_32bit: bool) -> Label {
    if let [(_, leaf)] = leaves {
        return match leaf {
            Outcome::Ret(a) => em.ret(*a),
            Outcome::Checks(rules, fallback) => emit_checks(em, rules, *fallback, is_32bit),
        };
    }
    let mid = leaves.len() / 2;
    let high = emit_tree(em, &leaves[mid..], is_32bit);
    let low = emit_tree(em, &leaves[..mid], is_32bit);
    let split = u32::try_from(leaves[mid].0).expect("interval starts are syscall numbers");
    em.jump(op::JGE, split, high, low)
}

/// The argument checks of one syscall. Consecutive rules with the same action and one
/// condition each on the same argument (and, on 64-bit ABIs, the same high word) share
/// their loads: `ld hi; jeq hi; ld lo; jeq v1; jeq v2; ...`.
fn emit_checks(
    em: &mut Emitter,
    rules: &[ResolvedRule],
    fallback: Action,
    is_32bit: bool,
) -> Label {
    let mut groups: Vec<Vec<&ResolvedRule>> = Vec::new();
    for r in rules {
        let joins = groups.last().is_some_and(|g| {
            let first = g[0];
            first.action == r.action
                && single_plain(first)
                    .zip(single_plain(r))
                    .is_some_and(|(a, b)| {
                        a.arg == b.arg && (is_32bit || a.value >> 32 == b.value >> 32)
                    })
        });
        match groups.last_mut() {
            Some(g) if joins => g.push(r),
            _ => groups.push(vec![r]),
        }
    }
    let mut next = em.ret(fallback);
    for group in groups.iter().rev() {
        let matched = em.ret(group[0].action);
        next = if group.len() > 1 {
            let conds: Vec<Condition> = group.iter().map(|r| r.conditions[0]).collect();
            emit_any(em, &conds, matched, next, is_32bit)
        } else {
            emit_all(em, &group[0].conditions, matched, next, is_32bit)
        };
    }
    next
}

/// The rule's only condition, if it has exactly one and it is not a masked compare.
fn single_plain(r: &ResolvedRule) -> Option<Condition> {
    match r.conditions.as_slice() {
        [c] if !matches!(c.op, CmpOp::MaskedEq { .. }) => Some(*c),
        _ => None,
    }
}

/// Jumps to `yes` when all conditions hold, else to `no`.
fn emit_all(em: &mut Emitter, conds: &[Condition], yes: Label, no: Label, is_32bit: bool) -> Label {
    let mut next = yes;
    for c in conds.iter().rev() {
        next = match c.op {
            CmpOp::MaskedEq { mask } => emit_masked(em, c.arg, mask, c.value, next, no, is_32bit),
            _ => emit_any(em, std::slice::from_ref(c), next, no, is_32bit),
        };
    }
    next
}

/// Jumps to `yes` when any of the (unmasked) conditions holds, else to `no`. All conditions
/// test the same argument and, on 64-bit ABIs, against constants with the same high word.
fn emit_any(em: &mut Emitter, conds: &[Condition], yes: Label, no: Label, is_32bit: bool) -> Label {
    let arg = conds[0].arg;
    let mut lo_phase = no;
    for c in conds.iter().rev() {
        let v = c.value as u32;
        lo_phase = match c.op {
            CmpOp::Eq => em.jump(op::JEQ, v, yes, lo_phase),
            CmpOp::Ne => em.jump(op::JEQ, v, lo_phase, yes),
            CmpOp::Gt => em.jump(op::JGT, v, yes, lo_phase),
            CmpOp::Ge => em.jump(op::JGE, v, yes, lo_phase),
            CmpOp::Lt => em.jump(op::JGE, v, lo_phase, yes),
            CmpOp::Le => em.jump(op::JGT, v, lo_phase, yes),
            CmpOp::MaskedEq { .. } => unreachable!("masked compares go through emit_masked"),
        };
    }
    let lo_phase = em.then(Insn::load(data::arg_lo(arg)), lo_phase);
    if is_32bit {
        return lo_phase;
    }
    // The high word decides alone unless it equals the constants' high word.
    let hi = (conds[0].value >> 32) as u32;
    let holds_if = |greater: bool| {
        conds.iter().any(|c| match c.op {
            CmpOp::Ne => true,
            CmpOp::Gt | CmpOp::Ge => greater,
            CmpOp::Lt | CmpOp::Le => !greater,
            _ => false,
        })
    };
    let above = if holds_if(true) { yes } else { no };
    let below = if holds_if(false) { yes } else { no };
    let check = if hi == 0 || above == below {
        em.jump(op::JEQ, hi, lo_phase, above)
    } else {
        let eq = em.jump(op::JEQ, hi, lo_phase, below);
        em.jump(op::JGT, hi, above, eq)
    };
    em.then(Insn::load(data::arg_hi(arg)), check)
}

/// `(arg & mask) == (value & mask)`: jumps to `yes` or `no`.
fn emit_masked(
    em: &mut Emitter,
    arg: u8,
    mask: u64,
    value: u64,
    yes: Label,
    no: Label,
    is_32bit: bool,
) -> Label {
    // libseccomp compares with `value & mask`; so do we (see `CmpOp::MaskedEq`).
    let value = value & mask;
    let half = |em: &mut Emitter, offset: u32, m: u32, v: u32, yes: Label| -> Label {
        if m == 0 {
            return yes;
        }
        let test = em.jump(op::JEQ, v, yes, no);
        let test = if m == u32::MAX {
            test
        } else {
            em.then(Insn::stmt(op::ALU | op::AND | op::K, m), test)
        };
        em.then(Insn::load(offset), test)
    };
    let lo = half(em, data::arg_lo(arg), mask as u32, value as u32, yes);
    if is_32bit {
        return lo;
    }
    half(
        em,
        data::arg_hi(arg),
        (mask >> 32) as u32,
        (value >> 32) as u32,
        lo,
    )
}

/// A position in the program under construction, counted from its end.
type Label = usize;

/// Builds the program backwards, so every jump's target already exists when the jump is
/// emitted and offsets are known. Targets beyond a conditional jump's 8-bit reach get a
/// copy of their `ret`, or a `ja` trampoline.
#[derive(Default)]
struct Emitter {
    rev: Vec<Insn>,
    rets: HashMap<u32, Label>,
}

const REACH: usize = 255;

impl Emitter {
    /// The offset a jump emitted next would need to reach `target`.
    fn distance(&self, target: Label) -> usize {
        self.rev.len() - target - 1
    }

    fn push(&mut self, insn: Insn) -> Label {
        self.rev.push(insn);
        self.rev.len() - 1
    }

    /// A `ret` of `action` a jump emitted next can reach.
    fn ret(&mut self, action: Action) -> Label {
        let value = action.to_ret();
        if let Some(&l) = self.rets.get(&value)
            && self.distance(l) <= REACH
        {
            return l;
        }
        let l = self.push(Insn::ret(value));
        self.rets.insert(value, l);
        l
    }

    /// A label equivalent to `target` that is close: a fresh `ret` copy or a `ja`.
    fn near(&mut self, target: Label) -> Label {
        let insn = self.rev[target];
        if insn.is_ret_k() {
            let l = self.push(insn);
            self.rets.insert(insn.k, l);
            l
        } else {
            let offset = u32::try_from(self.distance(target)).expect("programs are small");
            self.push(Insn::ja(offset))
        }
    }

    /// `jOP #k` to `yes` when it holds, else `no`; nothing when both are the same place.
    fn jump(&mut self, code: u16, k: u32, mut yes: Label, mut no: Label) -> Label {
        loop {
            if yes == no {
                return yes;
            }
            if self.distance(yes) > REACH {
                yes = self.near(yes);
            } else if self.distance(no) > REACH {
                no = self.near(no);
            } else {
                break;
            }
        }
        let (jt, jf) = (self.distance(yes) as u8, self.distance(no) as u8);
        self.push(Insn::jump(op::JMP | code | op::K, k, jt, jf))
    }

    /// A non-jump instruction that continues at `next`.
    fn then(&mut self, insn: Insn, next: Label) -> Label {
        let next_insn = self.rev[next];
        if next_insn.is_ret_k() && insn.code & 0x07 != op::RET {
            // A load or ALU op whose result no one reads: the `ret` alone is equivalent.
            return self.ret_value(next_insn.k);
        }
        if next + 1 != self.rev.len() {
            let offset = u32::try_from(self.distance(next)).expect("programs are small");
            self.push(Insn::ja(offset));
        }
        self.push(insn)
    }

    fn ret_value(&mut self, value: u32) -> Label {
        match Action::from_ret(value) {
            Some(a) => self.ret(a),
            None => self.push(Insn::ret(value)),
        }
    }

    fn finish(mut self) -> Program {
        self.rev.reverse();
        Program { insns: self.rev }
    }
}

//! Differential test against libseccomp 2.5 (Debian's python3-seccomp, the oracle): for
//! moby's default profile, moby's fixtures and a thousand random policies with argument
//! conditions, our program and libseccomp's must return the same action for every syscall
//! number 0-1023 on x86_64, i386, x32 (and aarch64) and for random argument vectors.
//!
//! Both programs run in our emulator (whose own tests pin it to the kernel's semantics);
//! libseccomp compiles its program from the same policy in one batch call. Accounted for:
//! - libseccomp kills the thread for a foreign ABI, we kill the process: both count as kill;
//! - names libseccomp 2.5.4 does not know (statmount, mseal, ...) are skipped by it, so
//!   they are left out of our program too, and the skipped set must be that known list;
//! - libseccomp refuses errno values above 4095 (the kernel clamps them): such rules go.
//!
//! i386 socketcall(102) and ipc(117) are compared like every other number: both compilers
//! copy socket and SysV IPC rules onto them behind `arg0 == call`, and their argument
//! vectors always include arg0 = 0..=25 and values beyond (version bits, 64-bit ones).

mod common;

use common::{Rng, python3_seccomp};
use policy::docker::{self, Resolve};
use policy::{Action, CmpOp, Condition, Policy, Rule};
use seccomp::{Program, SeccompData, Target, compile, multiplex, run};
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use syscalls::Arch;

/// Names moby's profile allows that libseccomp 2.5.4 cannot resolve.
const UNKNOWN_TO_LIBSECCOMP: [&str; 8] = [
    "statmount",
    "listmount",
    "mseal",
    "setxattrat",
    "getxattrat",
    "listxattrat",
    "removexattrat",
    "uretprobe",
];

/// Further Linux 6.18 names libseccomp 2.5.4 cannot resolve (measured with
/// `seccomp.resolve_syscall` on x86_64, x86 and x32); random policies do not use them.
const ALSO_UNKNOWN_TO_LIBSECCOMP: [&str; 7] = [
    "uprobe",
    "lsm_get_self_attr",
    "lsm_set_self_attr",
    "lsm_list_modules",
    "open_tree_attr",
    "file_getattr",
    "file_setattr",
];

/// (ABI, name) pairs Linux 6.18 has and libseccomp 2.5.4 does not resolve on that ABI,
/// though it knows the name elsewhere.
const KNOWN_GAPS: &[(&str, &str)] = &[("x32", "map_shadow_stack")];

const ABIS: [Arch; 4] = [Arch::X86_64, Arch::I386, Arch::X32, Arch::Aarch64];

fn moby(file: &str) -> Policy {
    let path = format!(
        "{}/../policy/tests/data/moby/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    docker::import(&text, file, &Resolve::docker_default(Arch::X86_64, (6, 18)))
        .unwrap()
        .policy
}

fn op_name(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "EQ",
        CmpOp::Ne => "NE",
        CmpOp::Lt => "LT",
        CmpOp::Le => "LE",
        CmpOp::Ge => "GE",
        CmpOp::Gt => "GT",
        CmpOp::MaskedEq { .. } => "MASKED_EQ",
    }
}

fn request(p: &Policy) -> Value {
    let rules: Vec<Value> = p
        .rules
        .iter()
        .map(|r| {
            let args: Vec<Value> = r
                .conditions
                .iter()
                .map(|c| match c.op {
                    CmpOp::MaskedEq { mask } => json!([c.arg, "MASKED_EQ", mask, c.value]),
                    op => json!([c.arg, op_name(op), c.value, 0]),
                })
                .collect();
            json!({"name": r.syscall, "action": r.action.to_ret(), "args": args})
        })
        .collect();
    let arches: Vec<&str> = p
        .target_arches()
        .iter()
        .map(|a| a.libseccomp_name())
        .collect();
    json!({"default": p.default_action.to_ret(), "arches": arches, "rules": rules})
}

/// What libseccomp made of one policy.
struct Answer {
    program: Program,
    /// Names it knows on none of the target ABIs.
    skipped: Vec<String>,
    /// (ABI, name) pairs our table has but libseccomp 2.5.4 cannot resolve on that ABI.
    unresolved: Vec<(Arch, String)>,
}

/// libseccomp's programs for `policies` (through `python`, which has its bindings), and
/// the names it skipped in each; `None` where libseccomp hung (a libseccomp 2.5.4 bug, see
/// the oracle script).
fn oracle(python: &Path, policies: &[Policy]) -> Vec<Option<Answer>> {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/oracle/libseccomp_oracle.py"
    );
    let input = json!({"policies": policies.iter().map(request).collect::<Vec<_>>()});
    if let Ok(path) = std::env::var("SYSFENCE_ORACLE_DUMP") {
        std::fs::write(path, input.to_string()).unwrap();
    }
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.to_string().as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "the libseccomp oracle failed");
    let results: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    results
        .iter()
        .map(|r| {
            assert!(
                r.get("error").is_none(),
                "libseccomp refused a policy: {}",
                r["error"]
            );
            if r.get("hang").is_some() {
                return None;
            }
            let hex = r["bpf"].as_str().unwrap();
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            let skipped = r["skipped"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            let mut unresolved = Vec::new();
            for (abi, names) in r["unresolved"].as_object().unwrap() {
                let abi: Arch = abi.parse().unwrap();
                for n in names.as_array().unwrap() {
                    let n = n.as_str().unwrap();
                    if abi.table().lookup_name(n).is_some() {
                        unresolved.push((abi, n.to_string()));
                    }
                }
            }
            Some(Answer {
                program: Program::from_bytes(&bytes).unwrap(),
                skipped,
                unresolved,
            })
        })
        .collect()
}

/// Whether libseccomp's program compares syscall numbers without ever loading `nr` (2.5.4
/// drops the load when the only syscall ahead of it is a pseudo number, as for a rule on
/// i386 `accept`, which exists only as socketcall(SYS_ACCEPT), when no other rule comes
/// first): its answers are then the default's for every call, whatever the rules say.
fn lost_nr_load(p: &Program) -> bool {
    use seccomp::bpf::{data, op};
    let audits: Vec<u32> = ABIS.iter().map(|a| a.audit_arch()).collect();
    let loads_nr = p.insns.iter().any(|i| *i == seccomp::Insn::load(data::NR));
    let compares_numbers = p
        .insns
        .iter()
        .any(|i| i.code == op::JMP | op::JEQ | op::K && !audits.contains(&i.k));
    compares_numbers && !loads_nr
}

fn same(ours: u32, theirs: u32) -> bool {
    match (Action::from_ret(ours), Action::from_ret(theirs)) {
        (Some(a), Some(b)) if a.is_kill() && b.is_kill() => true,
        _ => ours == theirs,
    }
}

/// Argument vectors for a syscall: zeros, and values at and around each constant.
fn vectors(rng: &mut Rng, conditions: &[Condition], n: usize) -> Vec<[u64; 6]> {
    let mut out = vec![[0u64; 6]];
    for _ in 0..n {
        let mut args = [0u64; 6];
        for a in &mut args {
            *a = match rng.below(4) {
                0 => rng.below(4),
                1 => rng.next(),
                2 => rng.next() & 0xffff_ffff,
                _ => 0xffff_ffff_0000_0000 | rng.below(3),
            };
        }
        for c in conditions {
            if rng.below(3) != 0 {
                let near = [0u64, 1, u64::MAX, 1 << 32, 0xffff_ffff_0000_0000];
                let mut v = c.value.wrapping_add(near[rng.below(5) as usize]);
                if let CmpOp::MaskedEq { mask } = c.op
                    && rng.below(2) == 0
                {
                    v = (c.value & mask) | (rng.next() & !mask);
                }
                args[usize::from(c.arg)] = v;
            }
        }
        out.push(args);
    }
    out
}

/// The conditions of every rule that governs `nr` on `abi`, as the compiler sees them
/// (on i386's multiplexers, the socket and IPC rules' copies with `arg0 == call`).
fn conditions_for(policy: &Policy, abi: Arch, nr: u32) -> Vec<Condition> {
    let name = abi.table().lookup_nr(nr).map(|s| s.name);
    let mut out = Vec::new();
    for r in &policy.rules {
        if Some(r.syscall.as_str()) == name {
            out.extend(r.conditions.iter().copied());
        }
        if let Some((mux, call)) = multiplex::route(abi, &r.syscall)
            && mux == nr
        {
            out.extend(multiplex::conditions(call, &r.conditions));
        }
    }
    out
}

/// Extra vectors for a multiplexer: every call number 0..=25 and some beyond (`ipc`'s
/// version bits in the upper half, values above 32 bits), the other words random.
fn multiplexer_vectors(rng: &mut Rng, conditions: &[Condition]) -> Vec<[u64; 6]> {
    let beyond = [
        26,
        101,
        0xffff,
        0x1_0017,
        0x2_000c,
        0xffff_ffff,
        1 << 32 | 1,
        u64::MAX,
    ];
    (0..=25)
        .chain(beyond)
        .map(|call| {
            let mut args = vectors(rng, conditions, 1)[1];
            args[0] = call;
            args
        })
        .collect()
}

/// Compares the two programs over every number 0-1023 of each ABI; returns vectors tried.
fn compare(
    name: &str,
    policy: &Policy,
    programs: &[(Arch, Program)],
    rng: &mut Rng,
    multiplexed: &mut usize,
) -> usize {
    let ours = compile(policy, &Target::for_policy(policy)).expect("policy compiles");
    let mut tried = 0;
    for abi in ABIS {
        // An ABI the policy does not target: any of libseccomp's programs kills it.
        let theirs = &programs
            .iter()
            .find(|(a, _)| *a == abi)
            .unwrap_or(&programs[0])
            .1;
        for low in 0..1024u32 {
            let nr = abi.nr_base() + low;
            let conditions = conditions_for(policy, abi, nr);
            let n = if conditions.is_empty() { 0 } else { 40 };
            let mut all = vectors(rng, &conditions, n);
            if abi == Arch::I386 && (nr == multiplex::SOCKETCALL || nr == multiplex::IPC) {
                all.extend(multiplexer_vectors(rng, &conditions));
            }
            for args in all {
                let data = SeccompData::new(abi, nr, args);
                let a = run(&ours, &data).unwrap().ret;
                let b = run(theirs, &data).unwrap().ret;
                if !same(a, b) {
                    let sc = abi.table().lookup_nr(nr).map_or("?", |s| s.name);
                    let rules: Vec<String> = policy
                        .rules
                        .iter()
                        .filter(|r| {
                            r.syscall == sc
                                || multiplex::route(abi, &r.syscall).is_some_and(|(m, _)| m == nr)
                        })
                        .map(|r| format!("{r:?}"))
                        .collect();
                    panic!(
                        "{name}: {abi} nr {nr:#x} ({sc}) args {args:x?}: ours {:?} ({a:#x}), libseccomp {:?} ({b:#x})\ndefault {:?}, rules:\n{}\nlibseccomp's program:\n{theirs}",
                        Action::from_ret(a),
                        Action::from_ret(b),
                        policy.default_action,
                        rules.join("\n")
                    );
                }
                tried += 1;
                if abi == Arch::I386 && (nr == multiplex::SOCKETCALL || nr == multiplex::IPC) {
                    *multiplexed += 1;
                }
            }
        }
    }
    tried
}

/// Syscall names libseccomp knows on at least one of the three ABIs.
fn name_pool() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = ABIS
        .iter()
        .flat_map(|a| a.table().entries().iter().map(|s| s.name))
        .filter(|n| !UNKNOWN_TO_LIBSECCOMP.contains(n) && !ALSO_UNKNOWN_TO_LIBSECCOMP.contains(n))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

const ACTIONS: [Action; 7] = [
    Action::Allow,
    Action::Errno(1),
    Action::Errno(38),
    Action::KillProcess,
    Action::Trap,
    Action::Trace(9),
    Action::Log,
];

fn random_value(rng: &mut Rng, is_32bit_only: bool) -> u64 {
    let v = match rng.below(5) {
        0 => rng.below(16),
        1 => 0xffff_ffff,
        2 => rng.next() & 0xffff_ffff,
        3 => 0x1_0000_0000 | rng.below(4),
        _ => rng.next(),
    };
    if is_32bit_only { v & 0xffff_ffff } else { v }
}

fn random_policy(rng: &mut Rng, pool: &[&'static str]) -> Policy {
    let arch_sets: [&[Arch]; 5] = [
        &[Arch::X86_64],
        &[Arch::X86_64, Arch::I386],
        &[Arch::X86_64, Arch::X32],
        &[Arch::X86_64, Arch::I386, Arch::X32],
        &[Arch::Aarch64],
    ];
    let arches = arch_sets[rng.below(5) as usize].to_vec();
    // libseccomp 2.5.4 can loop forever on 32-bit ABIs given constants above 32 bits (two
    // rules `fchown32(arg2 <= 1<<32, arg0 != 0xffffffff)`, `(arg5 <= big, arg0 != ...)`
    // hang it): policies that target i386 or x32 get 32-bit constants.
    let narrow = arches.iter().any(|a| a.is_32bit());
    let default = ACTIONS[rng.below(ACTIONS.len() as u64) as usize];
    let mut p = Policy::new(default, arches);
    for _ in 0..1 + rng.below(40) {
        let name = pool[rng.below(pool.len() as u64) as usize];
        if p.rules.iter().any(|r| r.syscall == name) {
            continue;
        }
        // One action per syscall (libseccomp refuses conflicting ones), never the default.
        let action = loop {
            let a = ACTIONS[rng.below(ACTIONS.len() as u64) as usize];
            if a != default {
                break a;
            }
        };
        // Rules of one syscall use disjoint arguments, or (moby's personality shape) each
        // is one equality on one shared argument. libseccomp 2.5.4 builds wrong trees when
        // rules of one syscall test overlapping arguments otherwise:
        // `(a3 >= 0xffffffff) || (a4 >= 15 && a3 != X)` loses its first rule,
        // `(a3 >= 0xffffffff) || (a4 >= 15 && a3 > X)` its second, and five range rules
        // on a4 (`> 1406105575`, `> 1<<32|2`, `>= 0xffffffff`, `<= 6`, `< 1`) allow a4 = 7.
        if rng.below(4) == 0 {
            let arg = rng.below(6) as u8;
            for _ in 0..2 + rng.below(4) {
                let value = random_value(rng, narrow);
                p.rules
                    .push(Rule::new(name, action).with(arg, CmpOp::Eq, value));
            }
            continue;
        }
        // Socket and IPC calls more often than their share of the pool, for i386's
        // multiplexers (rules of different calls there differ in arg0, so their actions
        // may differ).
        let name = if rng.below(6) == 0 {
            pick_multiplexed(rng, pool)
        } else {
            name
        };
        if p.rules.iter().any(|r| r.syscall == name) {
            continue;
        }
        let mut free: Vec<u8> = (0..6).collect();
        for _ in 0..1 + rng.below(3) {
            let mut rule = Rule::new(name, action);
            for _ in 0..rng.below(4).min(free.len() as u64) {
                let arg = free.remove(rng.below(free.len() as u64) as usize);
                let (op, value) = random_condition(rng, narrow);
                rule = rule.with(arg, op, value);
            }
            p.rules.push(rule);
        }
    }
    one_action_with_the_multiplexer(&mut p);
    p
}

/// A socket or SysV IPC call of the pool.
fn pick_multiplexed(rng: &mut Rng, pool: &[&'static str]) -> &'static str {
    let calls: Vec<&'static str> = pool
        .iter()
        .copied()
        .filter(|n| multiplex::is_multiplexed(n))
        .collect();
    // The high bits: the low ones follow the `below(6) == 0` just drawn.
    calls[(rng.next() >> 40) as usize % calls.len()]
}

/// Where an i386 policy names `socketcall` (`ipc`) and socket (IPC) calls, the
/// multiplexer's own rules become unconditional and the calls' rules take their action.
/// On the multiplexer every copied rule tests arg0, and libseccomp 2.5.4 builds wrong
/// trees for rules of one syscall that test overlapping arguments (an `ipc(arg0 != X,
/// ...)` rule next to shmat's and msgrcv's copies compares arg0's constants against
/// another argument); and where actions differ it lets an unconditional rule win, we the
/// most restrictive: the generator keeps one action per syscall for both reasons.
fn one_action_with_the_multiplexer(p: &mut Policy) {
    if !p.target_arches().contains(&Arch::I386) {
        return;
    }
    for (mux, nr) in [
        ("socketcall", multiplex::SOCKETCALL),
        ("ipc", multiplex::IPC),
    ] {
        let routed =
            |r: &Rule| multiplex::route(Arch::I386, &r.syscall).is_some_and(|(m, _)| m == nr);
        let Some(action) = p.rules.iter().find(|r| r.syscall == mux).map(|r| r.action) else {
            continue;
        };
        if !p.rules.iter().any(routed) {
            continue;
        }
        for r in &mut p.rules {
            if r.syscall == mux {
                r.conditions.clear();
            } else if routed(r) {
                r.action = action;
            }
        }
    }
}

fn random_condition(rng: &mut Rng, narrow: bool) -> (CmpOp, u64) {
    let op = match rng.below(7) {
        0 => CmpOp::Eq,
        1 => CmpOp::Ne,
        2 => CmpOp::Lt,
        3 => CmpOp::Le,
        4 => CmpOp::Ge,
        5 => CmpOp::Gt,
        _ => CmpOp::MaskedEq {
            mask: random_value(rng, narrow),
        },
    };
    let value = random_value(rng, narrow);
    let value = match op {
        CmpOp::MaskedEq { mask } if rng.below(2) == 0 => value & mask,
        _ => value,
    };
    (op, value)
}

#[test]
fn our_programs_answer_as_libseccomps() {
    let Some(python) = python3_seccomp() else {
        return;
    };
    let mut policies: Vec<(String, Policy)> = ["default.json", "default-old-format.json"]
        .iter()
        .chain(&["example.json", "conditional_include.json"])
        .map(|f| (f.to_string(), moby(f)))
        .collect();
    // libseccomp refuses errno data above MAX_ERRNO (4095), which the kernel would clamp;
    // example.json's ERRNO(12345) rule is left out on both sides.
    for (_, p) in &mut policies {
        p.rules
            .retain(|r| !matches!(r.action, Action::Errno(e) if e > 4095));
    }
    let mut rng = Rng(0x0dd5_eed5_1234_5678);
    let pool = name_pool();
    for i in 0..1030 {
        policies.push((format!("random #{i}"), random_policy(&mut rng, &pool)));
    }
    // One libseccomp filter per target ABI: its x86_64+x32 filters can lose the `ld nr`
    // (libseccomp 2.5.4 compared x32 numbers against the arch value in random policy #9).
    let mut requests: Vec<Policy> = Vec::new();
    for (_, p) in &policies {
        for abi in p.target_arches() {
            let mut single = p.clone();
            single.arches = vec![abi];
            requests.push(single);
        }
    }
    let mut answers = oracle(&python, &requests).into_iter();
    let started = std::time::Instant::now();
    let (mut vectors_tried, mut compared, mut hung, mut multiplexed) = (0, 0, Vec::new(), 0);
    let mut lost_nr = Vec::new();
    for (name, policy) in &policies {
        let targets = policy.target_arches();
        let mine: Vec<Option<Answer>> = answers.by_ref().take(targets.len()).collect();
        if mine.iter().any(Option::is_none) {
            assert!(name.starts_with("random"), "libseccomp hung on {name}");
            hung.push(name.as_str());
            continue;
        }
        let mut programs = Vec::new();
        let mut gaps: Vec<(Arch, String)> = Vec::new();
        for (abi, answer) in targets.iter().zip(mine.into_iter().flatten()) {
            // A name libseccomp cannot resolve on an ABI that has it: our rule keeps to
            // the other ABIs, so both filters answer the default there.
            for n in answer
                .skipped
                .iter()
                .chain(answer.unresolved.iter().map(|(_, n)| n))
            {
                if abi.table().lookup_name(n).is_none() {
                    continue;
                }
                assert!(
                    UNKNOWN_TO_LIBSECCOMP.contains(&n.as_str())
                        || KNOWN_GAPS.contains(&(abi.name(), n.as_str())),
                    "{name}: libseccomp does not know {n} on {abi}"
                );
                gaps.push((*abi, n.clone()));
            }
            programs.push((*abi, answer.program));
        }
        if programs.iter().any(|(_, p)| lost_nr_load(p)) {
            lost_nr.push(name.as_str());
            continue;
        }
        let mut ours = policy.clone();
        ours.rules = policy
            .rules
            .iter()
            .filter_map(|r| {
                let keep: Vec<Arch> = targets
                    .iter()
                    .copied()
                    .filter(|a| !gaps.contains(&(*a, r.syscall.clone())))
                    .collect();
                match keep.len() {
                    0 => None,
                    n if n == targets.len() => Some(r.clone()),
                    _ => Some(Rule {
                        arches: keep,
                        ..r.clone()
                    }),
                }
            })
            .collect();
        vectors_tried += compare(name, &ours, &programs, &mut rng, &mut multiplexed);
        compared += 1;
    }
    eprintln!(
        "compared {compared} policies, {vectors_tried} calls ({multiplexed} on i386 socketcall/ipc) in {:.1?}; libseccomp hung on {}: {hung:?}, lost its nr load on {}: {lost_nr:?}",
        started.elapsed(),
        hung.len(),
        lost_nr.len()
    );
    assert!(
        lost_nr.len() < 10,
        "libseccomp lost the nr load {} times",
        lost_nr.len()
    );
    assert!(multiplexed > 100_000, "{multiplexed} multiplexer calls");
    assert!(compared >= 1004, "only {compared} policies compared");
    assert!(
        hung.len() < 30,
        "libseccomp hung on {} policies",
        hung.len()
    );
    assert!(vectors_tried > 3_000_000, "{vectors_tried}");
}

#[test]
fn moby_default_is_small_fast_and_cacheable_next_to_libseccomps_linear_chain() {
    let Some(python) = python3_seccomp() else {
        return;
    };
    let policy = moby("default.json");
    let ours = compile(&policy, &Target::for_policy(&policy)).unwrap();
    let Some(answer) = oracle(&python, std::slice::from_ref(&policy))
        .pop()
        .flatten()
    else {
        panic!("libseccomp hung on moby's default profile");
    };
    let linear = answer.program.len();
    assert!(
        ours.len() * 10 <= linear * 13 && ours.len() <= 1300,
        "ours {} instructions, libseccomp's linear chain {linear}",
        ours.len()
    );
    let mut worst = 0;
    for abi in ABIS {
        for low in 0..1024u32 {
            let nr = abi.nr_base() + low;
            let name = abi.table().lookup_nr(nr).map(|s| s.name);
            let conditional = name.is_some_and(|n| {
                policy
                    .rules
                    .iter()
                    .any(|r| r.syscall == n && !r.conditions.is_empty())
            });
            let socket = [1, 40, 1, 0, 0, 0]; // socketcall(SYS_SOCKET), ipc(SEMOP)
            let shmget = [23, 0, 4096, 0o1600, 0, 0]; // ipc(SHMGET)
            for args in [
                [0; 6],
                [u64::MAX; 6],
                [0x7e02_0000, 1, 2, 3, 4, 5],
                socket,
                shmget,
            ] {
                let data = SeccompData::new(abi, nr, args);
                let r = run(&ours, &data).unwrap();
                worst = worst.max(r.executed);
                // The single 3-ABI filter runc would install answers the same (bar the
                // names libseccomp 2.5.4 does not know).
                let theirs = run(&answer.program, &data).unwrap().ret;
                let unknown = name.is_some_and(|n| {
                    UNKNOWN_TO_LIBSECCOMP.contains(&n) || KNOWN_GAPS.contains(&(abi.name(), n))
                });
                if !unknown {
                    assert!(same(r.ret, theirs), "{abi} {name:?} {args:x?}");
                }
                if !conditional {
                    assert!(r.cacheable, "{abi} {name:?} loads an argument");
                }
            }
        }
    }
    eprintln!(
        "moby default, 3 ABIs: {} instructions (libseccomp linear: {linear}), worst path {worst}",
        ours.len()
    );
    assert!(worst <= 25, "worst path {worst} instructions");
}

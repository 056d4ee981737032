//! Lint's verdict on raw programs against the kernel's: hundreds of programs, mutations of
//! real compiled ones and small random ones, are loaded with seccomp(SECCOMP_SET_MODE_FILTER)
//! in a forked child each (after PR_SET_NO_NEW_PRIVS, no flags); lint must report an error
//! exactly for those the kernel refuses with EINVAL.

mod common;

use common::Rng;
use policy::{Action, CmpOp, Policy, Rule};
use seccomp::bpf::{Insn, op};
use seccomp::lint::{Severity, lint_program};
use seccomp::{Program, Target, compile};
use syscalls::Arch;

/// What the kernel said to one load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Loaded,
    Einval,
}

/// Loads `program` in a forked child and reports the kernel's answer. The child stores it
/// in a shared page before any other syscall (its filter may deny them all), then is
/// killed.
fn kernel_verdict(program: &Program) -> Verdict {
    let filter = seccomp::install::sock_filters(program);
    let fprog = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr().cast_mut(),
    };
    // SAFETY: a fresh shared anonymous page, checked for failure; the child writes one
    // i32 to it with volatile stores, the parent reads it after the child stopped.
    let shared = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    assert_ne!(shared, libc::MAP_FAILED);
    let slot = shared.cast::<i32>();
    // SAFETY: the child only makes raw syscalls and volatile stores before it is killed.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        // SAFETY: raw syscalls on valid arguments; the store targets the shared page.
        unsafe {
            libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
            let rc = libc::syscall(libc::SYS_seccomp, 1, 0, &fprog as *const libc::sock_fprog);
            let errno = *libc::__errno_location();
            slot.write_volatile(if rc == 0 { 1 } else { 100 + errno });
            loop {
                libc::syscall(libc::SYS_exit_group, 0);
            }
        }
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    // SAFETY: the page stays mapped until munmap below.
    let result = loop {
        let v = unsafe { slot.read_volatile() };
        if v != 0 || std::time::Instant::now() > deadline {
            break v;
        }
        std::thread::sleep(std::time::Duration::from_micros(200));
    };
    // SAFETY: pid is our child; SIGKILL ends it whatever its filter says.
    unsafe {
        libc::kill(pid, libc::SIGKILL);
        libc::waitpid(pid, std::ptr::null_mut(), 0);
        libc::munmap(shared, 4096);
    }
    match result {
        1 => Verdict::Loaded,
        r if r == 100 + libc::EINVAL => Verdict::Einval,
        r => panic!("unexpected answer {r} (0: none within 10 s; 100+errno: that errno)"),
    }
}

/// Real programs: moby's default and a few small policies, compiled.
fn real_programs() -> Vec<Program> {
    let moby = format!(
        "{}/../policy/tests/data/moby/default.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(moby).unwrap();
    let resolve = policy::docker::Resolve::docker_default(Arch::X86_64, (6, 18));
    let moby = policy::docker::import(&text, "default.json", &resolve)
        .unwrap()
        .policy;
    let mut small = Policy::new(Action::Allow, vec![Arch::X86_64, Arch::I386]);
    small.rules.push(Rule::new("socket", Action::Errno(1)));
    small
        .rules
        .push(Rule::new("personality", Action::Errno(1)).with(0, CmpOp::Gt, 8));
    let mut tiny = Policy::new(Action::Errno(1), vec![Arch::X86_64]);
    tiny.rules.push(Rule::new("getppid", Action::Allow));
    [moby, small, tiny]
        .iter()
        .map(|p| compile(p, &Target::for_policy(p)).unwrap())
        .collect()
}

/// Opcodes to draw from: everything seccomp allows, classic ones it does not, and junk.
fn random_code(rng: &mut Rng) -> u16 {
    let allowed = [
        0x00, 0x01, 0x02, 0x03, 0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54,
        0x5c, 0x64, 0x6c, 0x74, 0x7c, 0x84, 0xa4, 0xac, 0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d,
        0x45, 0x4d, 0x06, 0x16, 0x07, 0x87, 0x20, 0x60, 0x61, 0x80, 0x81,
    ];
    // mod, ld h/b abs, ld ind, ldx msh, ret x, unused ALU/JMP ops.
    let refused = [
        0x94, 0x9c, 0x28, 0x30, 0x40, 0xb1, 0x0e, 0xb4, 0x55, 0x8c, 0x17,
    ];
    match rng.below(10) {
        0..=6 => rng.pick(&allowed),
        7 | 8 => rng.pick(&refused),
        _ => rng.next() as u16,
    }
}

/// A constant: small, near the edges of seccomp_data and of shifts, or random.
fn random_k(rng: &mut Rng) -> u32 {
    match rng.below(6) {
        0 => rng.below(70) as u32,
        1 => rng.pick(&[0, 4, 16, 20, 60, 61, 62, 63, 64, 68]),
        2 => rng.pick(&[31, 32, 15, 16]),
        3 => rng.pick(&[
            0x7fff_0000,
            0x0005_0001,
            0x8000_0000,
            0x0001_0000,
            0x7ff8_0000,
        ]),
        _ => rng.next() as u32,
    }
}

fn random_insn(rng: &mut Rng, room: usize) -> Insn {
    let near = |rng: &mut Rng| (rng.below(room as u64 + 2)) as u8;
    Insn::jump(random_code(rng), random_k(rng), near(rng), near(rng))
}

/// One to three changes to a real program: an instruction's code, constant or offsets
/// replaced, the last instruction dropped, or one appended.
fn mutate(rng: &mut Rng, p: &Program) -> Program {
    let mut insns = p.insns.clone();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(insns.len() as u64) as usize;
        let room = insns.len() - at;
        match rng.below(6) {
            0 => insns[at].code = random_code(rng),
            1 => insns[at].k = random_k(rng),
            2 => insns[at].jt = (room as u64 + rng.below(4)).min(255) as u8 - 1,
            3 => insns[at] = random_insn(rng, room),
            4 if insns.len() > 1 => {
                insns.pop();
            }
            _ => insns.push(random_insn(rng, 1)),
        }
    }
    Program { insns }
}

/// A small random program, usually ending in a return.
fn small(rng: &mut Rng) -> Program {
    let n = 1 + rng.below(7) as usize;
    let mut insns: Vec<Insn> = (0..n).map(|i| random_insn(rng, n - i)).collect();
    if rng.below(4) != 0 {
        insns.push(Insn::ret(random_k(rng)));
    }
    Program { insns }
}

#[test]
fn lint_errors_exactly_where_the_kernel_refuses_to_load() {
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let real = real_programs();
    let mut programs: Vec<Program> = real.clone();
    programs.extend([
        Program::default(),
        Program {
            insns: vec![Insn::ret(0x7fff_0000); 4097],
        },
    ]);
    for i in 0..420 {
        programs.push(mutate(&mut rng, &real[i % real.len()]));
    }
    for _ in 0..300 {
        programs.push(small(&mut rng));
    }
    let (mut loaded, mut refused) = (0, 0);
    for (i, p) in programs.iter().enumerate() {
        let kernel = if p.is_empty() || p.len() > 4096 {
            // Such a length cannot even be passed (sock_fprog.len is 16 bits for 4097);
            // seccomp_prepare_filter refuses 0 and > 4096 with EINVAL.
            Verdict::Einval
        } else {
            kernel_verdict(p)
        };
        let errors: Vec<String> = lint_program(p)
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.to_string())
            .collect();
        let lint = if errors.is_empty() {
            Verdict::Loaded
        } else {
            Verdict::Einval
        };
        assert_eq!(
            lint,
            kernel,
            "program #{i} ({} instructions): lint says {errors:?}\n{p}",
            p.len()
        );
        match kernel {
            Verdict::Loaded => loaded += 1,
            Verdict::Einval => refused += 1,
        }
    }
    eprintln!(
        "{} programs: {loaded} loaded, {refused} refused (EINVAL); lint agreed on every one",
        programs.len()
    );
    assert!(programs.len() >= 500 && loaded >= 100 && refused >= 100);
}

#[test]
fn an_undefined_return_action_is_a_warning() {
    // The kernel loads it, and kills the process at every call that returns 0x00010000.
    let p = Program {
        insns: vec![Insn::stmt(op::RET | op::K, 0x0001_0000)],
    };
    assert_eq!(kernel_verdict(&p), Verdict::Loaded);
    let findings = lint_program(&p);
    let undefined = findings
        .iter()
        .find(|f| f.check == "undefined-action")
        .expect("an undefined-action finding");
    assert_eq!(undefined.severity, Severity::Warning);
}

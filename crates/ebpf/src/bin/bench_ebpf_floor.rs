//! The floor for `scripts/bench-ebpf`: attaches empty programs to sys_enter and sys_exit,
//! says `attached` on stdout, and keeps them attached until its stdin closes; what
//! watching every syscall costs before any work (timed from outside, as a watch is).
//! With the argument `enter`, only the sys_enter one: the floor of a probe that counts
//! at entry (record).

use aya::programs::BtfTracePoint;
use aya::{Btf, Ebpf};
use std::io::{Read, Write};

/// The empty probes (`bpf/floor.bpf.c`).
static FLOOR_OBJECT: &[u8] = aya::include_bytes_aligned!("../../bpf/floor.bpf.o");

fn main() {
    let btf = Btf::from_sys_fs().expect("BTF");
    let mut bpf = Ebpf::load(FLOOR_OBJECT).expect("the floor loads (as root)");
    let enter_only = std::env::args().nth(1).as_deref() == Some("enter");
    let hooks = [("floor_enter", "sys_enter"), ("floor_exit", "sys_exit")];
    for (program, hook) in hooks.into_iter().take(if enter_only { 1 } else { 2 }) {
        let p: &mut BtfTracePoint = bpf.program_mut(program).unwrap().try_into().unwrap();
        p.load(hook, &btf).unwrap();
        p.attach().unwrap();
    }
    println!("attached");
    std::io::stdout().flush().unwrap();
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
}

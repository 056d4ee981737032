//! The floor for the eBPF benchmarks: attaches empty programs to sys_enter and sys_exit;
//! what watching every syscall costs before any work.
//!
//! `bench_ebpf_floor [enter]`: says `attached` on stdout and keeps them attached until
//! its stdin closes (timed from outside, as a watch is: `scripts/bench-ebpf`).
//! `bench_ebpf_floor [enter] -- COMMAND [ARGS...]`: loads and attaches them, runs the
//! command, and exits with its status, a whole command to time beside a recorder's
//! (`scripts/bench-trace-ebpf`). `enter`: only the sys_enter one, the floor of a probe
//! that counts at entry (record).

use aya::programs::BtfTracePoint;
use aya::{Btf, Ebpf};
use std::io::{Read, Write};

/// The empty probes (`bpf/floor.bpf.o`).
static FLOOR_OBJECT: &[u8] = aya::include_bytes_aligned!("../../bpf/floor.bpf.o");

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let enter_only = args.first().map(String::as_str) == Some("enter");
    let command = args
        .iter()
        .position(|a| a == "--")
        .map(|at| &args[at + 1..]);
    let btf = Btf::from_sys_fs().expect("BTF");
    let mut bpf = Ebpf::load(FLOOR_OBJECT).expect("the floor loads (as root)");
    let hooks = [("floor_enter", "sys_enter"), ("floor_exit", "sys_exit")];
    for (program, hook) in hooks.into_iter().take(if enter_only { 1 } else { 2 }) {
        let p: &mut BtfTracePoint = bpf.program_mut(program).unwrap().try_into().unwrap();
        p.load(hook, &btf).unwrap();
        p.attach().unwrap();
    }
    if let Some(command) = command {
        let (program, rest) = command.split_first().expect("a command after --");
        let status = std::process::Command::new(program)
            .args(rest)
            .status()
            .expect("the command runs");
        std::process::exit(status.code().unwrap_or(128));
    }
    println!("attached");
    std::io::stdout().flush().unwrap();
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
}

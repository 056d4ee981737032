//! A `-f -o FILE` trace (strace's or sysfence's text) as per-task sequences of calls and
//! their normalised returns, signals and exits: what two runs of one program share.

use std::collections::HashMap;

/// Syscalls whose return value is a pid (differs between runs).
const PID_RETURNING: &[&str] = &[
    "getpid",
    "getppid",
    "gettid",
    "set_tid_address",
    "clone",
    "clone3",
    "fork",
    "vfork",
    "wait4",
    "waitid",
];

/// strace 6.1 does not know syscalls numbered 452 and up: it prints `syscall_0x1c4`.
fn strace_name(name: &str) -> String {
    name.strip_prefix("syscall_0x")
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .and_then(|nr| syscalls::Arch::X86_64.table().lookup_nr(nr))
        .map_or_else(|| name.to_string(), |s| s.name.to_string())
}

fn normalise_ret(name: &str, ret: &str) -> String {
    if name == "rt_sigreturn" {
        // It "returns" whatever the interrupted call left: a pid, an errno, a count.
        return "RESTORED".to_string();
    }
    let first: Vec<&str> = ret.split_whitespace().take(2).collect();
    match first.as_slice() {
        ["-1", errno, ..] => format!("-1 {errno}"),
        ["?", ..] => ret.split(" (").next().unwrap_or(ret).to_string(),
        [v, ..] if v.starts_with("0x") => "ADDR".to_string(),
        [_, ..] if PID_RETURNING.contains(&name) => "PID".to_string(),
        [v, ..] => v.to_string(),
        [] => String::new(),
    }
}

/// Signals from other tasks (SIGCHLD) arrive whenever the scheduler lets them, and their
/// handlers' rt_sigreturn with them: keep their count, not their place.
fn asynchronous_last(seq: Vec<String>) -> Vec<String> {
    let (mut asynchronous, mut ordered): (Vec<String>, Vec<String>) = seq
        .into_iter()
        .partition(|e| e.starts_with("signal ") || e.starts_with("rt_sigreturn"));
    asynchronous.sort();
    ordered.push("-- asynchronous:".into());
    ordered.extend(asynchronous);
    ordered
}

/// Parses a `-f -o FILE` trace into per-task event sequences (sorted: tasks are a
/// multiset).
pub fn per_task(text: &str, is_strace: bool) -> Vec<Vec<String>> {
    let mut tasks: HashMap<u32, Vec<String>> = HashMap::new();
    let mut order: Vec<u32> = Vec::new();
    let mut pending: HashMap<u32, String> = HashMap::new();
    for line in text.lines() {
        let Some((pid, rest)) = line.split_once(' ') else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let rest = rest.trim_start();
        if !tasks.contains_key(&pid) {
            order.push(pid);
        }
        let seq = tasks.entry(pid).or_default();
        if let Some(sig) = rest.strip_prefix("--- ") {
            seq.push(format!(
                "signal {}",
                sig.split_whitespace().next().unwrap_or("")
            ));
            continue;
        }
        if rest.starts_with("+++ superseded") {
            seq.push("superseded".into());
            continue;
        }
        if rest.starts_with("+++") {
            seq.push(rest.to_string());
            continue;
        }
        let name = if let Some(resumed) = rest.strip_prefix("<... ") {
            let name = resumed.split_whitespace().next().unwrap_or("").to_string();
            pending.remove(&pid);
            name
        } else {
            let name = rest.split('(').next().unwrap_or("").to_string();
            if rest.ends_with("<unfinished ...>") {
                pending.insert(pid, name);
                continue;
            }
            name
        };
        let name = if is_strace { strace_name(&name) } else { name };
        // futex traffic depends on thread timing; how many munmap calls trim a new
        // malloc arena depends on the address mmap returned.
        if name == "futex" || name == "munmap" {
            continue;
        }
        let ret = rest.rsplit_once(") ").map_or("", |(_, r)| r.trim_start());
        let ret = ret.strip_prefix("= ").unwrap_or(ret);
        if ret.starts_with("? ERESTART") {
            // Interrupted by an asynchronous signal and restarted: timing, not behaviour.
            continue;
        }
        seq.push(format!("{name} = {}", normalise_ret(&name, ret)));
    }
    let mut seqs: Vec<Vec<String>> = order
        .into_iter()
        .filter_map(|p| tasks.remove(&p))
        .map(asynchronous_last)
        .collect();
    seqs.sort();
    seqs
}

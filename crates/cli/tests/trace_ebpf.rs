//! `sysfence trace --backend ebpf` against the ptrace backend on the differential corpus
//! of `trace_vs_strace`: per task the same calls with the same returns, signals and
//! exits, and the same exit status; whole lines compared too, each difference listed and
//! classed. Real eBPF and real ptrace, as root.

mod common;

use common::sequences::per_task;
use common::{fixture, sysfence};
use regex::Regex;
use std::collections::{HashMap, HashSet};

/// Runs `cmd` under `sysfence trace -f -o FILE` with `backend`: (exit code, text).
fn trace(backend: &str, cmd: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("trace.txt");
    let status = sysfence()
        .args(["trace", "--backend", backend, "-f", "-o"])
        .arg(&out)
        .args(cmd)
        .output()
        .expect("sysfence runs");
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(!stderr.contains("sysfence:"), "{backend}: {stderr}");
    let text = std::fs::read_to_string(&out).expect("the trace");
    (status.status.code(), text)
}

/// A trace's lines per task, `<unfinished ...>` and `<... resumed>` halves joined, futex
/// and munmap left out (their counts follow timing and addresses), addresses, pids and
/// random bytes masked; tasks in the order of their call names.
fn lines_per_task(text: &str) -> Vec<Vec<String>> {
    let addr = Regex::new(r"0x[0-9a-f]{5,}").unwrap();
    // Addresses in data (/proc/self/maps read back), whole or cut where a string read
    // begins or ends (`-s`'s limit).
    let hex_run = Regex::new(r#"[0-9a-f]{8,}|"[0-9a-f]+|[0-9a-f]+"\.\.\."#).unwrap();
    let random = Regex::new(r#"getrandom\("[^"]*""#).unwrap();
    let pids: HashSet<&str> = text
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(p, _)| p))
        .filter(|p| p.parse::<u32>().is_ok())
        .collect();
    // A number with the field it is the value of, if any: only a pid's and a tid's
    // field (or none: a return, an argument) can hold a pid; st_size=5884 is a size even
    // when 5884 is also a pid of the run.
    let number = Regex::new(r"(?:\b(\w+)=\[?)?\b(\d{2,})\b").unwrap();
    let column = Regex::new(r"\) +=").unwrap();
    let mut tasks: HashMap<&str, Vec<String>> = HashMap::new();
    let mut open: HashMap<&str, String> = HashMap::new();
    for line in text.lines() {
        let Some((pid, rest)) = line.split_once(' ') else {
            continue;
        };
        let rest = rest.trim_start();
        let whole = if let Some(head) = rest.strip_suffix(" <unfinished ...>") {
            open.insert(pid, head.to_string());
            continue;
        } else if rest.starts_with("<... ") {
            let tail = rest.split_once("resumed>").map_or("", |(_, t)| t);
            format!("{}{tail}", open.remove(pid).unwrap_or_default())
        } else {
            rest.to_string()
        };
        let name = whole.split('(').next().unwrap_or("");
        // Asynchronous signals land where timing puts them (their count is compared
        // per task above).
        // Calls a signal interrupted and the kernel restarted: timing too.
        if ["futex", "munmap", "rt_sigreturn"].contains(&name)
            || whole.starts_with("--- ")
            || whole.contains("= ? ERESTART")
        {
            continue;
        }
        let masked = addr.replace_all(&whole, "ADDR");
        let masked = hex_run.replace_all(&masked, |c: &regex::Captures| {
            let run = &c[0];
            match (run.starts_with('"'), run.ends_with("...")) {
                (true, _) => "\"HEX".to_string(),
                (_, true) => "HEX\"...".to_string(),
                _ => "HEX".to_string(),
            }
        });
        let masked = random.replace_all(&masked, "getrandom(BYTES");
        // A new malloc arena's mmap hint follows where the last one landed (as its
        // munmap calls do).
        let masked = masked.replacen("mmap(NULL,", "mmap(ADDR,", 1);
        let masked: std::borrow::Cow<str> = masked.into();
        // The machine's state now: uptime, load, free memory, processes.
        let masked: std::borrow::Cow<str> = if name == "sysinfo" {
            "sysinfo(STATE) = 0".into()
        } else {
            masked
        };
        // The command's parent is the tracer, another process in each run.
        let masked = if name == "getppid" {
            "getppid() = PPID".into()
        } else {
            masked
        };
        let masked = number.replace_all(&masked, |c: &regex::Captures| {
            let field = c.get(1).map_or("", |f| f.as_str());
            let pid_field = field.is_empty() || field.contains("pid") || field.contains("tid");
            if pids.contains(&c[2]) && pid_field {
                let at = c.get(2).unwrap().start() - c.get(0).unwrap().start();
                format!("{}PID", &c[0][..at])
            } else {
                c[0].to_string()
            }
        });
        // Columns align the return value: one space is what is compared.
        let spaced = column.replace_all(&masked, ") =");
        tasks.entry(pid).or_default().push(spaced.into_owned());
    }
    let mut seqs: Vec<Vec<String>> = tasks.into_values().map(without_cut_tail).collect();
    let names = |s: &Vec<String>| -> Vec<String> {
        s.iter()
            .map(|l| l.split('(').next().unwrap_or("").to_string())
            .collect()
    };
    seqs.sort_by_key(names);
    seqs
}

/// A thread that another's exit_group ends may or may not have freed its stack and
/// called exit first (the timing of the two threads): a task's last calls of glibc's
/// thread exit (`rt_sigprocmask` blocking signals, `madvise` of the stack, `exit`) just
/// before its `+++ exited` are left out unless the task itself called exit_group. Works on `per_task`'s entries and on whole lines alike.
fn without_cut_tail(mut seq: Vec<String>) -> Vec<String> {
    let name = |e: &str| e.split(['(', ' ']).next().unwrap_or("").to_string();
    if seq.iter().any(|e| name(e) == "exit_group") {
        return seq;
    }
    let Some(end) = seq.iter().position(|e| e.starts_with("+++ exited")) else {
        return seq;
    };
    let mut start = end;
    while start > 0
        && ["rt_sigprocmask", "madvise", "exit"].contains(&name(&seq[start - 1]).as_str())
    {
        start -= 1;
    }
    seq.drain(start..end);
    seq
}

/// Why an eBPF line differs from ptrace's: the probes capture two arguments of a call
/// at most (strings, structures, buffers, an iovec array's first entries); so the eBPF
/// line is ptrace's with some decoded arguments (a structure, an array, a string, a
/// commented address) printed as their address. A signal's siginfo is read whole.
fn uncaptured(ptrace: &str, ebpf: &str) -> bool {
    // A call its task dies of returned in the kernel: ptrace never saw that.
    if ptrace.contains("SIGKILL) = ?") {
        return ebpf == ptrace.replace("= ?", "= 0");
    }
    // rt_sigreturn's argument is the signal frame on the stack, which ptrace reads.
    if let Some(ret) = ebpf.strip_prefix("rt_sigreturn() = ") {
        return ptrace.starts_with("rt_sigreturn({") && ptrace.ends_with(&format!("= {ret}"));
    }
    let decoded = r#"(?:ADDR(?: /\*.*?\*/)?|\{.*\}|~?\[.*?\]|".*?"(?:\.\.\.)?|[A-Z_|]+|NULL)"#;
    let pattern = ebpf
        .split("ADDR")
        .map(regex::escape)
        .collect::<Vec<_>>()
        .join(decoded);
    Regex::new(&format!("^{pattern}$")).is_ok_and(|re| re.is_match(ptrace))
}

/// What the two backends see alike. A SIGCHLD whose action is the default (ignore) is
/// dropped by the kernel before delivery unless the task is ptraced, so only ptrace
/// shows it; a call after which its task dies of SIGKILL (`kill(getpid(), SIGKILL)`)
/// returns in the kernel, which the probes see (`= 0`), while ptrace never sees its exit
/// (`= ?`). Standard signals pending together coalesce into one delivery, so how many
/// of one asynchronous signal (and its handler's return) a task sees is timing: each is
/// counted once. A thread's exit tail is left out as `without_cut_tail` says.
fn comparable(tasks: Vec<Vec<String>>) -> Vec<Vec<String>> {
    let mut tasks: Vec<Vec<String>> = tasks
        .into_iter()
        .map(|seq| {
            let killed = seq.iter().any(|e| e.contains("killed by SIGKILL"));
            let mut seq: Vec<String> = seq
                .into_iter()
                .filter(|e| e != "signal SIGCHLD")
                .map(|e| match e.strip_suffix(" = ?") {
                    Some(call) if killed && call == "kill" => "kill = 0".to_string(),
                    _ => e,
                })
                .collect();
            if let Some(at) = seq.iter().position(|e| e == "-- asynchronous:") {
                let mut asynchronous = seq.split_off(at);
                asynchronous.dedup();
                seq = without_cut_tail(seq);
                seq.extend(asynchronous);
            }
            seq
        })
        .collect();
    tasks.sort();
    tasks
}

/// Where two sets of per-task sequences differ, compactly: the tasks only one side has,
/// each with the first entry where it parts from the closest task of the other side and
/// a few entries around it.
fn task_diff(p: &[Vec<String>], e: &[Vec<String>]) -> String {
    let only = |a: &[Vec<String>], b: &[Vec<String>]| -> Vec<Vec<String>> {
        let mut rest: Vec<&Vec<String>> = b.iter().collect();
        a.iter()
            .filter(|t| match rest.iter().position(|o| o == t) {
                Some(i) => {
                    rest.remove(i);
                    false
                }
                None => true,
            })
            .cloned()
            .collect()
    };
    let (p_only, e_only) = (only(p, e), only(e, p));
    let mut out = String::new();
    for (side, mine, theirs) in [("ptrace", &p_only, &e_only), ("ebpf", &e_only, &p_only)] {
        for task in mine {
            let common = |o: &Vec<String>| task.iter().zip(o).take_while(|(a, b)| a == b).count();
            let closest = theirs.iter().max_by_key(|o| common(o));
            let at = closest.map_or(0, common);
            let window = |t: &[String]| t[at.saturating_sub(3)..(at + 4).min(t.len())].join(" | ");
            out += &format!(
                "{side} has a task of {} entries no other side has; from entry {at}:\n  {side}: {}\n  other: {}\n",
                task.len(),
                window(task),
                closest.map_or_else(|| "(none)".to_string(), |o| window(o)),
            );
        }
    }
    out
}

/// Runs `cmd` under both backends and compares.
fn compare(cmd: &[&str]) {
    let (p_status, p_text) = trace("ptrace", cmd);
    let (e_status, e_text) = trace("ebpf", cmd);
    assert_eq!(p_status, e_status, "exit status of {cmd:?}");
    let (p, e) = (
        comparable(per_task(&p_text, false)),
        comparable(per_task(&e_text, false)),
    );
    assert!(
        p == e,
        "{cmd:?}: the calls, returns, signals and exits differ\n{}",
        task_diff(&p, &e)
    );
    let (p, e) = (lines_per_task(&p_text), lines_per_task(&e_text));
    let (mut same, mut missing, mut other) = (0, Vec::new(), Vec::new());
    for (pt, et) in p.iter().zip(&e) {
        for (pl, el) in pt.iter().zip(et) {
            if pl == el {
                same += 1;
            } else if uncaptured(pl, el) {
                missing.push((pl, el));
            } else {
                other.push((pl, el));
            }
        }
    }
    eprintln!(
        "{cmd:?}: {same} lines the same, {} differ where the probes did not capture the memory:",
        missing.len()
    );
    for (pl, el) in &missing {
        eprintln!("  ptrace: {pl}\n  ebpf:   {el}");
    }
    assert!(
        other.is_empty(),
        "{cmd:?}: lines that differ otherwise: {other:#?}"
    );
    assert!(same > 0, "{cmd:?}: no line the same");
}

#[test]
fn true_matches_ptrace() {
    compare(&["true"]);
}

#[test]
fn ls_la_matches_ptrace() {
    compare(&["ls", "-la", "/"]);
}

#[test]
fn cat_of_a_missing_file_matches_ptrace() {
    compare(&["cat", "/nonexistent/sysfence-differential"]);
}

#[test]
fn a_shell_pipeline_matches_ptrace() {
    compare(&["sh", "-c", "echo hi | wc -c"]);
}

#[test]
fn python_with_threads_matches_ptrace() {
    compare(&[
        "/usr/bin/python3",
        "-c",
        "import threading\nb=threading.Barrier(4)\nt=[threading.Thread(target=b.wait) for i in range(3)]\n[x.start() for x in t]\nb.wait()\n[x.join() for x in t]\nprint('ok')",
    ]);
}

#[test]
fn dd_with_a_small_count_matches_ptrace() {
    compare(&[
        "dd",
        "if=/dev/zero",
        "of=/dev/null",
        "bs=512",
        "count=5",
        "status=none",
    ]);
}

#[test]
fn a_program_that_forks_and_signals_matches_ptrace() {
    let prog = fixture("trace_fork_signal");
    compare(&[prog.to_str().expect("utf-8 path")]);
}

/// A fatal signal that dumps no core, sent by a program to itself, never reaches the
/// kernel's delivery when nothing ptraces the program (the kernel makes a group exit of
/// it at once): the probes still print its `---` line, after the call that sent it, as
/// ptrace sees it.
#[test]
fn a_fatal_signal_a_program_sends_itself_matches_ptrace() {
    compare(&["sh", "-c", "kill -TERM $$"]);
    let (_, text) = trace("ebpf", &["sh", "-c", "kill -HUP $$"]);
    let signal = text
        .lines()
        .position(|l| l.contains("--- SIGHUP {si_signo=SIGHUP"));
    let killed = text
        .lines()
        .position(|l| l.contains("+++ killed by SIGHUP +++"));
    let sent = text
        .lines()
        .position(|l| l.contains(" kill(") && l.contains("SIGHUP"));
    assert!(
        sent < signal && signal < killed && sent.is_some(),
        "the kill, its signal and the death in that order:\n{text}"
    );
}

/// A fatal signal another process sends: to a child that has it blocked (delivered when
/// the child unblocks it, a fixed sequence compared whole), and by a process outside
/// the trace (this test) to a traced sleep, whose death is then a group exit made where
/// the signal is sent, the kernel's delivery never running untraced: the probes print
/// its `---` line with the sender's siginfo, and the death, as ptrace does.
#[test]
fn a_fatal_signal_from_another_process_matches_ptrace() {
    let prog = fixture("trace_kill_child");
    compare(&[prog.to_str().expect("utf-8 path")]);
    let line = |backend: &str| -> (String, String) {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("trace.txt");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sysfence"))
            .args(["trace", "--backend", backend, "-o"])
            .arg(&out)
            .args(["--", "sleep", "30"])
            .spawn()
            .expect("sysfence runs");
        // The traced sleep: the tracer's child, once it is sleep (its exec done).
        let sleep = (0..200)
            .find_map(|_| {
                std::thread::sleep(std::time::Duration::from_millis(25));
                let kids =
                    std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", child.id()))
                        .ok()?;
                kids.split_whitespace().find_map(|k| {
                    let comm = std::fs::read_to_string(format!("/proc/{k}/comm")).ok()?;
                    (comm.trim() == "sleep").then(|| k.parse::<i32>().ok())?
                })
            })
            .expect("the traced sleep starts");
        // A moment for the probes to see it run (the trace starts before the exec).
        std::thread::sleep(std::time::Duration::from_millis(300));
        // SAFETY: a signal to a process this test started, through its tracer.
        assert_eq!(unsafe { libc::kill(sleep, libc::SIGTERM) }, 0);
        child.wait().expect("sysfence ends");
        let text = std::fs::read_to_string(&out).expect("the trace");
        let me = std::process::id().to_string();
        let signal = text
            .lines()
            .find(|l| l.starts_with("--- SIGTERM"))
            .unwrap_or_else(|| panic!("{backend}: no SIGTERM line:\n{text}"))
            .replace(&format!("si_pid={me},"), "si_pid=TEST,");
        let end = text.lines().last().unwrap_or_default().to_string();
        (signal, end)
    };
    let (p, e) = (line("ptrace"), line("ebpf"));
    assert_eq!(
        p.0,
        "--- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=TEST, si_uid=0} ---"
    );
    assert_eq!(p.1, "+++ killed by SIGTERM +++");
    assert_eq!(e, p, "ebpf against ptrace");
    // Raised by the kernel's timer while the program sleeps (another task on the CPU).
    let alarm = [
        "python3",
        "-c",
        "import signal, time\nsignal.setitimer(signal.ITIMER_REAL, 0.2)\ntime.sleep(5)",
    ];
    let last_two = |backend: &str| -> Vec<String> {
        let (_, text) = trace(backend, &alarm);
        let lines: Vec<String> = text
            .lines()
            .map(|l| {
                l.split_once(' ')
                    .map_or(l, |(_, r)| r.trim_start())
                    .to_string()
            })
            .collect();
        lines[lines.len().saturating_sub(2)..].to_vec()
    };
    let p = last_two("ptrace");
    assert_eq!(
        p,
        [
            "--- SIGALRM {si_signo=SIGALRM, si_code=SI_KERNEL} ---",
            "+++ killed by SIGALRM +++"
        ]
    );
    assert_eq!(
        last_two("ebpf"),
        p,
        "a timer's SIGALRM: ebpf against ptrace"
    );
}

/// The options that need ptrace are refused, naming `--backend ptrace`, before the
/// command runs or `-o` replaces a file.
#[test]
fn options_that_need_ptrace_are_refused_before_the_output_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("kept.txt");
    let marker = dir.path().join("ran");
    std::fs::write(&out, "what was there\n").unwrap();
    for option in ["-i", "--kill-on-exit"] {
        let run = sysfence()
            .args(["trace", "--backend", "ebpf", option, "-o"])
            .arg(&out)
            .arg("--")
            .arg("touch")
            .arg(&marker)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{option}: {run:?}");
        assert!(
            stderr.contains(option) && stderr.contains("--backend ptrace"),
            "{option}: {stderr}"
        );
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "what was there\n");
        assert!(!marker.exists(), "{option}: the command ran");
    }
}

/// `-P PATH` selects the calls that name the path, and says that those on a descriptor
/// of it are not (the probes do not read what a descriptor is).
#[test]
fn a_path_selects_the_calls_that_name_it_and_says_what_it_cannot() {
    let out = sysfence()
        .args(["trace", "--backend", "ebpf", "-P", "/etc/hostname", "--"])
        .args(["cat", "/etc/hostname"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("-P selects only the calls that name the path"),
        "{stderr}"
    );
    assert!(stderr.contains("--backend ptrace"), "{stderr}");
    let calls: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("sysfence:"))
        .collect();
    // (The descriptor's number is whatever the caller left free.)
    assert_eq!(calls.len(), 2, "{stderr}");
    assert!(
        calls[0].starts_with("openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = "),
        "{stderr}"
    );
    assert_eq!(calls[1], "+++ exited with 0 +++", "{stderr}");
}

/// `-i` with `-c` prints no calls, so it does nothing (strace's warning says so) and is
/// not refused; `-p` with `-e trace=` says nothing of ptrace's seccomp-bpf fast path,
/// which the probes never use (no call stops the tracee).
#[test]
fn options_that_do_nothing_under_the_probes_are_neither_refused_nor_told_as_ptraces() {
    let run = sysfence()
        .args([
            "trace",
            "--backend",
            "ebpf",
            "-i",
            "-c",
            "-o",
            "/dev/null",
            "--",
        ])
        .arg("true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "-i -c: {run:?}");
    assert!(!stderr.contains("--backend ptrace"), "-i -c: {stderr}");
    let mut child = std::process::Command::new("sleep")
        .arg("0.5")
        .spawn()
        .unwrap();
    let run = sysfence()
        .args([
            "trace",
            "--backend",
            "ebpf",
            "-e",
            "trace=nanosleep,clock_nanosleep",
        ])
        .args(["-o", "/dev/null", "-p"])
        .arg(child.id().to_string())
        .output()
        .unwrap();
    child.wait().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "-p -e trace=: {run:?}");
    assert!(!stderr.contains("seccomp"), "-p -e trace=: {stderr}");
}

/// The exit status is the command's, and a command that is not there is an error
/// before any probe is loaded.
#[test]
fn exit_status_and_a_missing_command() {
    let out = sysfence()
        .args(["trace", "--backend", "ebpf", "-o", "/dev/null", "--"])
        .args(["sh", "-c", "exit 7"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "{out:?}");
    let out = sysfence()
        .args(["trace", "--backend", "ebpf", "--", "/no/such/program"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("/no/such/program"),
        "{out:?}"
    );
}

/// The `-c` table's calls and errors per syscall, from `sysfence trace -f -c`.
fn counts(backend: &str, cmd: &[&str]) -> HashMap<String, (u64, u64)> {
    let out = sysfence()
        .args(["trace", "--backend", backend, "-f", "-c", "--"])
        .args(cmd)
        .output()
        .expect("sysfence runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            let name = *cols.last()?;
            let calls = cols.get(3)?.parse().ok()?;
            let errors = if cols.len() == 6 {
                cols[4].parse().ok()?
            } else {
                0
            };
            (name != "total" && name != "syscall").then(|| (name.to_string(), (calls, errors)))
        })
        .collect()
}

/// `-c` alone is counted in the kernel (no record per call): the calls and errors of
/// each syscall are those the ptrace backend counts, except the few whose number
/// follows timing and addresses (futex, munmap, signal returns, the command's start).
#[test]
fn a_count_in_the_kernel_matches_ptraces() {
    let cmd = [
        "sh",
        "-c",
        "ls / >/dev/null; cat /nonexistent 2>/dev/null; true",
    ];
    let varying = ["futex", "munmap", "rt_sigreturn", "execve", "wait4"];
    let keep = |m: HashMap<String, (u64, u64)>| -> HashMap<String, (u64, u64)> {
        m.into_iter()
            .filter(|(name, _)| !varying.contains(&name.as_str()))
            .collect()
    };
    let (p, e) = (keep(counts("ptrace", &cmd)), keep(counts("ebpf", &cmd)));
    assert!(p.contains_key("openat"), "{p:?}");
    assert_eq!(p, e);
}

/// `sysfence trace --backend BACKEND -e trace=SET -- CMD`, which must succeed: its
/// trace (stderr).
fn traced<S: AsRef<std::ffi::OsStr>>(backend: &str, set: &str, cmd: &[S]) -> String {
    let out = sysfence()
        .args([
            "trace",
            "--backend",
            backend,
            "-e",
            &format!("trace={set}"),
            "--",
        ])
        .args(cmd)
        .output()
        .unwrap();
    assert!(out.status.success(), "{backend}: {out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A string the probes read whole (254 and 255 bytes: 255 fills their buffer to its
/// NUL) prints as ptrace prints it, as a first capture (access's path) and as a second
/// (rename's new name); one longer than they read prints its first 255 bytes, cut
/// (`..."`), in either place.
#[test]
fn strings_at_the_probes_bound_print_whole_or_cut_as_they_are() {
    let script = "import os\nfor n in (254, 255, 300):\n    p = 'n' * n\n    \
        for f in (lambda: os.rename('/nonexistent-sysfence', p), lambda: os.access(p, 0)):\n        \
        try: f()\n        except OSError: pass\n";
    let cmd = ["/usr/bin/python3", "-c", script];
    let lines = |backend: &str| -> Vec<String> {
        traced(backend, "rename,access", &cmd)
            .lines()
            .filter(|l| l.contains("nnnn"))
            .map(str::to_string)
            .collect()
    };
    let (p, e) = (lines("ptrace"), lines("ebpf"));
    assert_eq!(p.len(), 6, "{p:#?}");
    assert_eq!(e[..4], p[..4], "whole strings");
    let cut = format!("\"{}\"...", "n".repeat(255));
    assert!(e[4].contains(&cut) && e[5].contains(&cut), "{e:#?}");
    for (el, pl) in e[4..].iter().zip(&p[4..]) {
        assert_eq!(
            el.replace(&cut, "S"),
            pl.replace(&format!("\"{}\"", "n".repeat(300)), "S")
        );
    }
}

/// A script's image runs its interpreter with the kernel's argv (`/bin/sh SCRIPT ...`,
/// execve's first argument gone): the execve of a script prints its argv as an address,
/// never the interpreter's as if execve had been given it.
#[test]
fn a_scripts_execve_never_prints_its_interpreters_argv() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script.sh");
    std::fs::write(&script, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let script = script.to_str().unwrap();
    let line = |backend: &str| {
        let text = traced(
            backend,
            "execve",
            &["/bin/sh", "-c", &format!("exec {script} one")],
        );
        let call = format!("execve(\"{script}\"");
        let calls: Vec<&str> = text.lines().filter(|l| l.starts_with(&call)).collect();
        assert_eq!(calls.len(), 1, "{backend}: {text}");
        calls[0].to_string()
    };
    let (p, e) = (line("ptrace"), line("ebpf"));
    assert!(p.contains(&format!("[\"{script}\", \"one\"]")), "{p}");
    assert!(!e.contains("/bin/sh"), "{e}");
    let addr = Regex::new(r"0x[0-9a-f]+").unwrap();
    let masked = |l: &str| addr.replace_all(l, "ADDR").into_owned();
    let argv = format!("[\"{script}\", \"one\"]");
    assert_eq!(
        masked(&e),
        masked(&p.replace(&argv, "ADDR")),
        "ebpf: {e}\nptrace: {p}"
    );
}

/// A buffer running into an unreadable page (unmapped_tail.c): the probes read what lies
/// before that page, and the line is ptrace's (strace's), the buffer printed when its
/// first min(len, -s + 1) bytes are there, else its address, for -s 32 and -s 8 -xx;
/// paths that reach the page print as their address in both.
#[test]
fn a_buffer_running_into_an_unreadable_page_prints_as_under_ptrace() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/c/unmapped_tail.c");
    let Some(program) = common::build_c(source, &dir.path().join("unmapped_tail"), &[]) else {
        return;
    };
    let addr = Regex::new(r"0x[0-9a-f]+").unwrap();
    for options in [&[][..], &["-s", "8", "-xx"][..]] {
        let lines = |backend: &str| -> Vec<String> {
            let out = sysfence()
                .args(["trace", "--backend", backend, "-e", "trace=access,write"])
                .args(options)
                .arg("--")
                .arg(&program)
                .output()
                .unwrap();
            assert!(out.status.success(), "{backend}: {out:?}");
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .filter(|l| l.starts_with("write(-1") || l.starts_with("access(0x"))
                .map(|l| addr.replace_all(l, "ADDR").into_owned())
                .collect()
        };
        let (p, e) = (lines("ptrace"), lines("ebpf"));
        assert_eq!(p.len(), 8, "{options:?}: {p:#?}");
        assert!(p.iter().any(|l| l.contains("\"...")), "{options:?}: {p:#?}");
        assert_eq!(e, p, "{options:?}");
    }
    // At -s 256 the byte past the probes' 256 decides: unreadable, the address.
    let long = |backend: &str| -> Vec<String> {
        let out = sysfence()
            .args([
                "trace",
                "--backend",
                backend,
                "-s",
                "256",
                "-e",
                "trace=write",
            ])
            .arg("--")
            .arg(&program)
            .arg("long")
            .output()
            .unwrap();
        assert!(out.status.success(), "{backend}: {out:?}");
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| l.starts_with("write(-1"))
            .map(|l| addr.replace_all(l, "ADDR").into_owned())
            .collect()
    };
    let (p, e) = (long("ptrace"), long("ebpf"));
    assert_eq!(p.len(), 2, "{p:#?}");
    assert!(p[0].starts_with("write(-1, ADDR, 400)"), "{p:#?}");
    assert!(p[1].contains("\"..., 400)"), "{p:#?}");
    assert_eq!(e, p, "-s 256");
}

/// `-e trace=` selects in the kernel: only the named calls, the command's included
/// though its execve is not selected; the lines are ptrace's.
#[test]
fn a_trace_set_selects_the_same_lines() {
    let run = |backend: &str| traced(backend, "openat,close", &["cat", "/etc/hostname"]);
    let (p, e) = (run("ptrace"), run("ebpf"));
    assert!(
        e.contains("openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = 3"),
        "{e}"
    );
    assert_eq!(p, e);
}

/// A `gcc -m32` program's socket and connect go through i386's socketcall: the probes
/// tell them as the sub-calls, with the address read, as strace prints them (and as
/// `-e trace=connect` selects them).
#[test]
fn i386_socketcall_is_told_as_its_sub_call() {
    let dir = tempfile::tempdir().unwrap();
    let Some(program) = common::socketcall_connect(dir.path(), "sc32") else {
        return;
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let text = traced("ebpf", "connect", &[program.as_os_str(), port.as_ref()]);
    let want = format!(
        "connect(3, {{sa_family=AF_INET, sin_port=htons({port}), sin_addr=inet_addr(\"127.0.0.1\")}}, 16) = 0"
    );
    assert!(text.contains(&want), "{text}");
    if let Some(strace) = common::require(common::STRACE) {
        let s = std::process::Command::new(strace)
            .args(["-e", "trace=connect"])
            .arg(&program)
            .arg(&port)
            .output()
            .unwrap();
        assert!(String::from_utf8_lossy(&s.stderr).contains(&want), "{s:?}");
    }
}

/// writev and readv (64-bit and i386) print their iovec arrays and buffers as ptrace
/// prints them, and strace: the probes read the array and the start of each buffer.
#[test]
fn iovec_arrays_and_their_buffers_are_read_as_ptrace_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/c/iovec_calls.c");
    for (name, flags) in [("iov64", &[][..]), ("iov32", &["-m32"][..])] {
        let Some(program) = common::build_c(source, &dir.path().join(name), flags) else {
            return;
        };
        let file = dir.path().join(format!("{name}.data"));
        let lines = |backend: &str| {
            traced(backend, "writev,readv", &[&program, &file])
                .lines()
                .filter(|l| l.starts_with("writev(") || l.starts_with("readv("))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let (p, e) = (lines("ptrace"), lines("ebpf"));
        assert_eq!(p.len(), 3, "{name}: {p:#?}");
        assert!(
            p[0].contains(r#"[{iov_base="hello ", iov_len=6}, {iov_base="world\n", iov_len=6}]"#),
            "{name}: {p:#?}"
        );
        assert_eq!(e, p, "{name}: eBPF's lines are ptrace's");
    }
}

/// A third memory argument (third_capture_calls.c, 64-bit and i386) prints as ptrace
/// prints it: mount's target beside its source and file system type (a string, NULL, an
/// address that cannot be read; one longer than the probes read is cut where a first or
/// second capture is), request_key's description; and the calls with fewer captures
/// run beside them (rename, access, getppid), whose records stop short of the third.
#[test]
fn a_third_memory_argument_is_read_as_ptrace_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/c/third_capture_calls.c"
    );
    let set = "mount,request_key,rename,access,getppid";
    let long = format!("\"/{}\"", "t".repeat(299));
    let cut = format!("\"/{}\"...", "t".repeat(254));
    let column = Regex::new(r"\) +=").unwrap();
    for (name, flags) in [("third64", &[][..]), ("third32", &["-m32"][..])] {
        let Some(program) = common::build_c(source, &dir.path().join(name), flags) else {
            return;
        };
        let lines = |backend: &str| -> Vec<String> {
            traced(backend, set, &[&program])
                .lines()
                .filter(|l| !l.starts_with("[ ") && !l.starts_with("+++ "))
                .filter(|l| !l.contains("/etc/ld.so"))
                // getppid returns the tracer's pid, another in each run.
                .map(|l| match column.replace(l, ") =") {
                    l if l.starts_with("getppid() = ") => "getppid() = PPID".to_string(),
                    l => l.into_owned(),
                })
                .collect()
        };
        let (p, e) = (lines("ptrace"), lines("ebpf"));
        let src = r#"mount("/nonexistent-src", "#;
        let want = [
            format!(r#"{src}"/nonexistent-target", "tmpfs", 0, NULL) = -1 ENOENT"#),
            format!(r#"{src}{long}, "tmpfs", 0, NULL) = -1 ENAMETOOLONG"#),
            format!(r#"{src}NULL, "tmpfs", 0, NULL) = -1 EFAULT"#),
            format!(r#"{src}0x8, "tmpfs", 0, NULL) = -1 EFAULT"#),
            r#"request_key("user", "sysfence-no-such-key", NULL, 0) = -1 ENOKEY"#.to_string(),
            r#"rename("/nonexistent-old", "/nonexistent-new") = -1 ENOENT"#.to_string(),
            r#"access("/nonexistent-file", F_OK) = -1 ENOENT"#.to_string(),
            "getppid() = PPID".to_string(),
        ];
        assert_eq!(p.len(), want.len(), "{name}: {p:#?}");
        for (line, w) in p.iter().zip(&want) {
            assert!(line.starts_with(w.as_str()), "{name}: {w}\n{p:#?}");
        }
        let expected: Vec<String> = p.iter().map(|l| l.replace(&long, &cut)).collect();
        assert_eq!(e, expected, "{name}: eBPF's lines are ptrace's");
    }
}

/// A directory of 300 files whose listings are far longer than a capture: getdents and
/// getdents64, 64-bit and i386 (whose linux_dirent has 32-bit longs), print the count of
/// entries as ptrace (and strace) print it: the probes count them in the kernel.
#[test]
fn getdents_entry_counts_are_ptraces() {
    let dir = tempfile::tempdir().unwrap();
    let listed = dir.path().join("listed");
    std::fs::create_dir(&listed).unwrap();
    for i in 0..300 {
        std::fs::write(listed.join(format!("entry-{i:03}")), "").unwrap();
    }
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/c/getdents_calls.c"
    );
    let addr = Regex::new(r"0x[0-9a-f]+").unwrap();
    for (name, flags) in [("gd64", &[][..]), ("gd32", &["-m32"][..])] {
        let Some(program) = common::build_c(source, &dir.path().join(name), flags) else {
            return;
        };
        let lines = |backend: &str| {
            traced(backend, "getdents,getdents64", &[&program, &listed])
                .lines()
                .filter(|l| l.starts_with("getdents"))
                .map(|l| addr.replace_all(l, "ADDR").into_owned())
                .collect::<Vec<_>>()
        };
        let (p, e) = (lines("ptrace"), lines("ebpf"));
        for call in ["getdents(3, ", "getdents64(3, "] {
            let want = format!("{call}ADDR /* 302 entries */, 32768) = ");
            assert!(p.iter().any(|l| l.starts_with(&want)), "{name}: {p:#?}");
        }
        assert_eq!(e, p, "{name}: eBPF's lines are ptrace's");
    }
}

/// Starting a thread is clone3 with CLONE_PARENT_SETTID: the probes read its struct
/// clone_args and, at exit, the tid the kernel stored, so that the line is ptrace's
/// (`clone3({flags=..., parent_tid=ADDR, ...} => {parent_tid=[PID]}, 88) = PID`); and
/// os.listdir's getdents64 prints its count of entries.
#[test]
fn clone3_and_getdents64_of_python_are_ptraces() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..100 {
        std::fs::write(dir.path().join(format!("entry-{i:03}")), "").unwrap();
    }
    let script = format!(
        "import os, threading\nt=threading.Thread(target=print)\nt.start()\nt.join()\nos.listdir({:?})",
        dir.path()
    );
    let cmd = ["/usr/bin/python3", "-c", &script];
    compare(&cmd);
    let calls = |backend: &str| {
        let (_, text) = trace(backend, &cmd);
        lines_per_task(&text)
            .concat()
            .into_iter()
            .filter(|l| l.starts_with("clone3(") || l.starts_with("getdents64("))
            .collect::<Vec<_>>()
    };
    let (p, e) = (calls("ptrace"), calls("ebpf"));
    assert!(
        p.iter()
            .any(|l| l.contains("parent_tid=ADDR")
                && l.contains("} => {parent_tid=[PID]}, 88) = PID")),
        "{p:#?}"
    );
    assert!(p.iter().any(|l| l.contains("/* 102 entries */")), "{p:#?}");
    assert_eq!(e, p, "eBPF's lines are ptrace's");
}

/// Without -f only the command's first thread is traced: when another thread execs (it
/// takes the leader's id, and the leader exits), the trace ends at the leader's exit as
/// under ptrace, and the new image's calls are not the traced thread's.
#[test]
fn an_exec_by_another_thread_ends_a_trace_without_f_as_ptraces() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/c/thread_exec.c");
    let Some(program) = common::build_c(source, &dir.path().join("thread_exec"), &["-pthread"])
    else {
        return;
    };
    for backend in ["ptrace", "ebpf"] {
        let out = dir.path().join(format!("{backend}.txt"));
        let run = sysfence()
            .args(["trace", "--backend", backend, "-o"])
            .arg(&out)
            .arg("--")
            .arg(&program)
            .output()
            .unwrap();
        assert!(run.status.success(), "{backend}: {run:?}");
        let text = std::fs::read_to_string(&out).unwrap();
        let last = text.lines().last().unwrap_or("");
        assert_eq!(last, "+++ exited with 0 +++", "{backend}: {text}");
        assert_eq!(text.matches("+++ exited").count(), 1, "{backend}: {text}");
        assert!(!text.contains("from-thread"), "{backend}: {text}");
    }
}

/// A -f trace's lines with the pid column, the pids after `pid ` and addresses masked,
/// one space before `=`, and each call's `<unfinished ...>` and `<... resumed>` halves
/// joined where it resumes (by its name: an execve begun on a thread's id resumes on
/// the leader's).
fn joined_lines(text: &str) -> Vec<String> {
    let pid = Regex::new(r"^(\[pid +\d+\]|\d+) +").unwrap();
    let number = Regex::new(r"\b(pid )\d+|0x[0-9a-f]+").unwrap();
    let column = Regex::new(r"\) +=").unwrap();
    let mut open: HashMap<String, String> = HashMap::new();
    let mut joined = Vec::new();
    for line in text.lines() {
        let line = pid.replace(line, "");
        let line = number.replace_all(&line, "${1}N");
        let line = column.replace_all(&line, ") =").into_owned();
        if let Some(head) = line.strip_suffix(" <unfinished ...>") {
            let name = head.split('(').next().unwrap_or("").to_string();
            open.insert(name, head.to_string());
        } else if let Some((resumed, tail)) = line.split_once(" resumed>") {
            let name = resumed.trim_start_matches("<... ");
            let head = open.remove(name).unwrap_or_default();
            joined.push(format!("{head}{}", tail.trim_start()));
        } else {
            joined.push(line);
        }
    }
    joined
}

/// With -f the thread that execs is traced too: it takes the leader's id, and the
/// leader's end prints as ptrace prints it, `+++ superseded by execve in pid N +++` (N
/// the thread's id before), then the new image's calls on the leader's id; the
/// execve's path, on a page the probes may find not yet touched, is the one the exec
/// kept.
#[test]
fn an_exec_by_another_thread_supersedes_the_leader_with_f_as_under_ptrace() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/c/thread_exec.c");
    let Some(program) = common::build_c(source, &dir.path().join("thread_exec"), &["-pthread"])
    else {
        return;
    };
    let program = program.to_str().unwrap();
    let lines = |backend: &str| {
        let (code, text) = trace(backend, &["-e", "trace=execve,exit_group", program]);
        assert_eq!(code, Some(0), "{backend}: {text}");
        (joined_lines(&text), text)
    };
    let (p, p_text) = lines("ptrace");
    let (e, e_text) = lines("ebpf");
    assert!(
        p.iter()
            .any(|l| l == "+++ superseded by execve in pid N +++"),
        "{p_text}"
    );
    assert!(
        e.iter()
            .any(|l| l.starts_with(r#"execve("/bin/echo", ["/bin/echo", "from-thread"]"#)),
        "{e_text}"
    );
    assert_eq!(e, p, "ebpf:\n{e_text}\nptrace:\n{p_text}");
}

/// An x86_64 exec returns with its number rewritten to execve's: execveat, selected
/// alone, still returns `= 0` with its argv from the new image, as under ptrace (the
/// exit was dropped as unselected, and the call told as one that never returned).
#[test]
fn execveat_returns_as_ptrace_prints_it() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/c/execveat_call.c");
    let Some(program) = common::build_c(source, &dir.path().join("execveat_call"), &[]) else {
        return;
    };
    let addr = Regex::new(r"0x[0-9a-f]+").unwrap();
    let line = |backend: &str| {
        let text = traced(backend, "execveat", &[&program]);
        let calls: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with("execveat("))
            .map(|l| addr.replace_all(l, "ADDR").into_owned())
            .collect();
        assert_eq!(calls.len(), 1, "{backend}: {text}");
        calls[0].clone()
    };
    let (p, e) = (line("ptrace"), line("ebpf"));
    assert!(p.ends_with("= 0"), "{p}");
    assert!(e.ends_with("= 0"), "{e}");
    // The path may be unreadable to the probes at entry (a page not yet touched): the
    // rest of the line is ptrace's.
    let rest = |l: &str| l.split_once(", [").map(|(_, r)| r.to_string());
    assert_eq!(rest(&e), rest(&p), "ebpf: {e}\nptrace: {p}");
}

/// `-e trace=sendmsg,recvmsg` of `cmd` under `backend`: its sendmsg and recvmsg lines,
/// with what changes from run to run masked: addresses (a stack's), the pids in
/// SCM_CREDENTIALS and the ports the kernel picked.
fn message_lines<S: AsRef<std::ffi::OsStr>>(backend: &str, cmd: &[S]) -> Vec<String> {
    let addr = Regex::new(r"0x[0-9a-f]{5,}").unwrap();
    let pid = Regex::new(r"\bpid=\d+").unwrap();
    let port = Regex::new(r"htons\(\d+\)").unwrap();
    let column = Regex::new(r"\) +=").unwrap();
    traced(backend, "sendmsg,recvmsg", cmd)
        .lines()
        .filter(|l| l.starts_with("sendmsg(") || l.starts_with("recvmsg("))
        .map(|l| {
            let l = addr.replace_all(l, "ADDR");
            let l = pid.replace_all(&l, "pid=PID");
            let l = port.replace_all(&l, "htons(PORT)");
            column.replace_all(&l, ") =").into_owned()
        })
        .collect()
}

/// What `--backend ebpf` prints of a message header the probes read only in part,
/// worked out from ptrace's line: an iovec array of more than 4 entries shows its first
/// 4 and `...`; control messages longer than 64 bytes (msg_controllen) show as the
/// address (masked: ADDR), as the decoder prints memory it could not read. The name
/// (up to 128 bytes, as the decoder reads it) and each buffer's first 48 bytes (more
/// than the default -s 32 prints) are read whole.
fn beyond_the_probes_bounds(ptrace: &str) -> String {
    let control = Regex::new(r"msg_control=\[.*?\], msg_controllen=(\d+)").unwrap();
    let line = control.replace(ptrace, |c: &regex::Captures| {
        let len: usize = c[1].parse().unwrap();
        if len > 64 {
            format!("msg_control=ADDR, msg_controllen={len}")
        } else {
            c[0].to_string()
        }
    });
    let iov = Regex::new(r"msg_iov=\[(.*?)\], msg_iovlen=").unwrap();
    iov.replace(&line, |c: &regex::Captures| {
        let entries: Vec<&str> = c[1].split("}, {").collect();
        if entries.len() > 4 {
            format!(
                "msg_iov=[{}}}, ...], msg_iovlen=",
                entries[..4].join("}, {")
            )
        } else {
            c[0].to_string()
        }
    })
    .into_owned()
}

/// sendmsg and recvmsg (64-bit; i386's through socketcall and its own calls) print their
/// message headers as ptrace prints them: the name (the sender's, filled in by
/// recvmsg, with the length as it went in and came out), the iovecs and their buffers,
/// SCM_RIGHTS and SCM_CREDENTIALS, a failure's header; only what lies beyond the
/// probes' bounds differs, exactly as `beyond_the_probes_bounds` says.
#[test]
fn message_headers_are_read_as_ptrace_reads_them_within_the_probes_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/c/msghdr_calls.c");
    for (name, flags) in [("msg64", &[][..]), ("msg32", &["-m32"][..])] {
        let Some(program) = common::build_c(source, &dir.path().join(name), flags) else {
            return;
        };
        let (p, e) = (
            message_lines("ptrace", &[&program]),
            message_lines("ebpf", &[&program]),
        );
        assert_eq!(p.len(), 11, "{name}: {p:#?}");
        let rights = if name == "msg64" { 20 } else { 16 };
        let want = [
            r#"sendmsg(3, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="hello ", iov_len=6}, {iov_base="world\n", iov_len=6}], msg_iovlen=2, msg_control=[{cmsg_len="#.to_string(),
            format!("cmsg_type=SCM_RIGHTS, cmsg_data=[5]}}, {{cmsg_len={}, cmsg_level=SOL_SOCKET, cmsg_type=SCM_CREDENTIALS, cmsg_data={{pid=PID, uid=", rights + 8),
            r#"recvmsg(4, {msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base="hell", iov_len=4}, {iov_base="o world\n", iov_len=16}], msg_iovlen=2"#.to_string(),
            "recvmsg(24, {msg_namelen=128}, MSG_DONTWAIT) = -1 EAGAIN".to_string(),
            r#"recvmsg(24, {msg_name={sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr("127.0.0.1")}, msg_namelen=128 => 16, msg_iov=[{iov_base="ping", iov_len=32}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 4"#.to_string(),
            r#"sendmsg(-1, {msg_name={sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr("127.0.0.1")}, msg_namelen=16,"#.to_string(),
            "sendmsg(25, 0x8, 0) = -1 EFAULT (Bad address)".to_string(),
        ];
        for w in &want {
            assert!(
                p.iter().any(|l| l.contains(w.as_str())),
                "{name}: {w}\n{p:#?}"
            );
        }
        let expected: Vec<String> = p.iter().map(|l| beyond_the_probes_bounds(l)).collect();
        let cut = expected.iter().zip(&p).filter(|(x, l)| x != l).count();
        assert_eq!(
            cut, 2,
            "{name}: the sendmsg and recvmsg past the bounds: {p:#?}"
        );
        assert_eq!(
            e, expected,
            "{name}: eBPF's lines are ptrace's within the bounds"
        );
    }
}

/// A program not written for this, Python's socket.sendmsg and recvmsg_into with
/// ancillary data (SCM_RIGHTS, SCM_CREDENTIALS) over a UNIX socketpair and sendmsg and
/// recvmsg over UDP: the same lines under both backends.
#[test]
fn pythons_sendmsg_and_recvmsg_with_ancillary_data_are_ptraces() {
    let script = "import socket, array, os, struct\n\
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)\n\
        b.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)\n\
        fd = os.open('/dev/null', os.O_RDONLY)\n\
        cred = struct.pack('3i', os.getpid(), os.getuid(), os.getgid())\n\
        a.sendmsg([b'abc', b'defg'], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array('i', [fd])), (socket.SOL_SOCKET, socket.SCM_CREDENTIALS, cred)])\n\
        b.recvmsg_into([bytearray(3), bytearray(10)], socket.CMSG_SPACE(4) + socket.CMSG_SPACE(12))\n\
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
        u.bind(('127.0.0.1', 0))\n\
        t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
        t.sendmsg([b'ping'], [], 0, u.getsockname())\n\
        u.recvmsg(100)\n";
    let cmd = ["/usr/bin/python3", "-c", script];
    let (p, e) = (message_lines("ptrace", &cmd), message_lines("ebpf", &cmd));
    assert_eq!(p.len(), 4, "{p:#?}");
    for want in [
        "cmsg_type=SCM_RIGHTS, cmsg_data=[",
        "cmsg_type=SCM_CREDENTIALS, cmsg_data={pid=PID",
        r#"msg_iov=[{iov_base="abc", iov_len=3}, {iov_base="defg", iov_len=10}]"#,
        r#"msg_name={sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr("127.0.0.1")}, msg_namelen=16, msg_iov=[{iov_base="ping", iov_len=100}]"#,
    ] {
        assert!(p.iter().any(|l| l.contains(want)), "{want}\n{p:#?}");
    }
    assert_eq!(e, p, "eBPF's lines are ptrace's");
}

/// Under `-s 100` a message's buffer of 60 bytes is more than the probes read of it (48):
/// eBPF prints its address where ptrace prints the string, and the rest of the line
/// alike (a buffer of 40 bytes prints whole).
#[test]
fn a_message_buffer_longer_than_the_probes_read_prints_as_its_address() {
    let script = "import socket\n\
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)\n\
        a.sendmsg([b'x' * 60, b'y' * 40])\n";
    let line = |backend: &str| {
        let out = sysfence()
            .args([
                "trace",
                "--backend",
                backend,
                "-s",
                "100",
                "-e",
                "trace=sendmsg",
            ])
            .args(["--", "/usr/bin/python3", "-c", script])
            .output()
            .unwrap();
        assert!(out.status.success(), "{backend}: {out:?}");
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("sendmsg(")).collect();
        assert_eq!(lines.len(), 1, "{backend}: {text}");
        Regex::new(r"\) +=")
            .unwrap()
            .replace(lines[0], ") =")
            .into_owned()
    };
    let (p, e) = (line("ptrace"), line("ebpf"));
    let string = format!("iov_base=\"{}\"", "x".repeat(60));
    assert!(p.contains(&string), "{p}");
    assert!(
        p.contains(&format!("iov_base=\"{}\"", "y".repeat(40))),
        "{p}"
    );
    let addr = Regex::new(r"iov_base=0x[0-9a-f]+, iov_len=60").unwrap();
    assert_eq!(
        addr.replace(&e, "iov_base=ADDR, iov_len=60"),
        p.replace(&string, "iov_base=ADDR"),
        "eBPF's line is ptrace's with the first buffer's address"
    );
}

/// futex's timeout and clone's parent_tid are printed by a format that covers several
/// arguments (futex's op and what follows it, all of clone's): the probes capture them
/// as ptrace reads them, not only the arguments with a format of their own (they
/// printed as their addresses).
#[test]
fn futex_timeouts_and_clones_parent_tid_are_read_as_ptrace_reads_them() {
    let script = "import ctypes, os\n\
        libc = ctypes.CDLL(None, use_errno=True)\n\
        L = ctypes.c_long\n\
        class Ts(ctypes.Structure):\n    _fields_ = [('s', L), ('ns', L)]\n\
        word, tid = ctypes.c_int(0), ctypes.c_int(0)\n\
        t = Ts(0, 1000000)\n\
        libc.syscall(L(202), ctypes.byref(word), L(0), L(0), ctypes.byref(t), L(0), L(0))\n\
        pid = libc.syscall(L(56), L(0x100000 | 17), L(0), ctypes.byref(tid), L(0), L(0))\n\
        if pid == 0:\n    os._exit(0)\n\
        os.waitpid(pid, 0)\n";
    let lines = |backend: &str| -> Vec<String> {
        let text = traced(backend, "futex,clone", &["/usr/bin/python3", "-c", script]);
        let column = Regex::new(r"\) +=").unwrap();
        let addr = Regex::new(r"0x[0-9a-f]{5,}").unwrap();
        let pid = Regex::new(r"\d{2,}").unwrap();
        text.lines()
            .filter(|l| l.contains("FUTEX_WAIT, 0, ") || l.starts_with("clone("))
            .map(|l| {
                let l = column.replace(l, ") =");
                let l = addr.replace_all(&l, "ADDR");
                pid.replace_all(&l, "N").into_owned()
            })
            .collect()
    };
    let (p, e) = (lines("ptrace"), lines("ebpf"));
    assert!(
        p.iter().any(|l| l.contains("{tv_sec=0, tv_nsec=N}"))
            && p.iter().any(|l| l.contains("parent_tid=[N]")),
        "{p:#?}"
    );
    assert_eq!(p, e);
}

/// A process whose leader has ended (pthread_exit) while a thread runs on, killed from
/// outside by a signal that dumps no core: the signal is the thread's (the kernel gives
/// it to a thread that can take it), and its `---` line prints before that thread's
/// death as ptrace prints it (the probes kept it for the leader, which never exits
/// again: no line).
#[test]
fn a_fatal_signal_to_a_process_whose_leader_has_ended_is_its_threads() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/c/leader_exit.c");
    let Some(program) = common::build_c(source, &dir.path().join("leader_exit"), &["-pthread"])
    else {
        return;
    };
    let lines = |backend: &str| -> Vec<String> {
        let out = dir.path().join(format!("{backend}.txt"));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sysfence"))
            .args([
                "trace",
                "--backend",
                backend,
                "-f",
                "-e",
                "trace=none",
                "-o",
            ])
            .arg(&out)
            .arg("--")
            .arg(&program)
            .spawn()
            .expect("sysfence runs");
        // The traced program, once its leader is a zombie (its thread runs on).
        let pid = (0..400)
            .find_map(|_| {
                std::thread::sleep(std::time::Duration::from_millis(25));
                let kids =
                    std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", child.id()))
                        .ok()?;
                kids.split_whitespace().find_map(|k| {
                    let comm = std::fs::read_to_string(format!("/proc/{k}/comm")).ok()?;
                    let status = std::fs::read_to_string(format!("/proc/{k}/status")).ok()?;
                    (comm.trim() == "leader_exit" && status.contains("State:\tZ"))
                        .then(|| k.parse::<i32>().ok())?
                })
            })
            .expect("the traced program's leader ends");
        // SAFETY: a signal to a process this test started, through its tracer.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
        child.wait().expect("sysfence ends");
        let text = std::fs::read_to_string(&out).expect("the trace");
        let me = std::process::id().to_string();
        let leader = pid.to_string();
        // Each line with whose it is: the leader's or the thread's.
        text.lines()
            .filter(|l| !l.starts_with("sysfence"))
            .map(|l| {
                let (tid, rest) = l.split_once(' ').unwrap_or(("", l));
                let who = if tid == leader { "leader" } else { "thread" };
                let rest = rest
                    .trim_start()
                    .replace(&format!("si_pid={me},"), "si_pid=TEST,");
                format!("{who} {rest}")
            })
            .collect()
    };
    let signal =
        "thread --- SIGTERM {si_signo=SIGTERM, si_code=SI_USER, si_pid=TEST, si_uid=0} ---";
    let (p, e) = (lines("ptrace"), lines("ebpf"));
    assert!(p.iter().any(|l| l == signal), "{p:#?}");
    let thread = |lines: &[String]| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l.starts_with("thread"))
            .cloned()
            .collect()
    };
    assert_eq!(
        thread(&e),
        thread(&p),
        "the thread's lines: ebpf against ptrace"
    );
    // The leader ends, for a tracer, with its process: after its thread.
    assert_eq!(e, p, "ebpf against ptrace");
}

/// A leader that ends (pthread_exit) while its thread runs on ends, as ptrace tells it,
/// when its process does, with the process's status: the thread's exit_group(3) or its
/// own exit(5), after the thread's end.
#[test]
fn a_leader_that_ends_before_its_thread_ends_with_its_process_as_under_ptrace() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/c/leader_exit.c");
    let Some(program) = common::build_c(source, &dir.path().join("leader_exit"), &["-pthread"])
    else {
        return;
    };
    let program = program.to_str().unwrap();
    let column = Regex::new(r"\) +=").unwrap();
    for (mode, status) in [("exit_group", 3), ("exit", 5)] {
        let lines = |backend: &str| -> Vec<String> {
            let (code, text) = trace(backend, &["-e", "trace=exit,exit_group", program, mode]);
            assert_eq!(code, Some(status), "{backend} {mode}: {text}");
            let leader = text
                .lines()
                .next()
                .and_then(|l| l.split(' ').next())
                .unwrap_or("");
            let mut open = String::new();
            text.lines()
                .filter_map(|l| {
                    let (tid, rest) = l.split_once(' ')?;
                    let who = if tid == leader { "leader" } else { "thread" };
                    let rest = column.replace_all(rest.trim_start(), ") =");
                    if let Some(head) = rest.strip_suffix(" <unfinished ...>") {
                        open = head.to_string();
                        return None;
                    }
                    let whole = match rest.split_once("resumed>") {
                        Some((_, tail)) => format!("{open}{tail}"),
                        None => rest.into_owned(),
                    };
                    Some(format!("{who} {}", column.replace_all(&whole, ") =")))
                })
                .collect()
        };
        let (p, e) = (lines("ptrace"), lines("ebpf"));
        let end = format!("leader +++ exited with {status} +++");
        assert_eq!(p.last(), Some(&end), "{mode}: {p:#?}");
        assert_eq!(e.last(), Some(&end), "{mode}: {e:#?}");
        // Each task's lines in order (ptrace's exit(0) is joined where it resumes).
        let per_task = |lines: &[String]| {
            let mut tasks = lines.to_vec();
            tasks.sort_by_key(|l| l.starts_with("thread"));
            tasks
        };
        assert_eq!(per_task(&e), per_task(&p), "{mode}: ebpf against ptrace");
    }
}

/// recvmsg with a name buffer shorter than the sender's address: the kernel writes what
/// fits and returns the whole length; the name prints as the bytes written, as strace's
/// `msg_name={sa_family=AF_INET, sa_data="\342"}, msg_namelen=3 => 16` (not what an
/// earlier call left past them), 64-bit and i386, eBPF's line ptrace's.
#[test]
fn a_name_recvmsg_cuts_short_prints_as_the_bytes_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/c/recvmsg_short_name.c"
    );
    let data = Regex::new(r#"sa_data="[^"]*""#).unwrap();
    let port = Regex::new(r"htons\(\d+\)").unwrap();
    // The socket's descriptor: whatever the test's process left open before it.
    let fd = Regex::new(r"^recvmsg\(\d+, ").unwrap();
    for (name, flags) in [("name64", &[][..]), ("name32", &["-m32"][..])] {
        let Some(program) = common::build_c(source, &dir.path().join(name), flags) else {
            return;
        };
        let lines = |backend: &str| -> Vec<String> {
            traced(backend, "recvmsg", &[&program])
                .lines()
                .filter(|l| l.starts_with("recvmsg("))
                .map(|l| {
                    let l = data.replace(l, "sa_data=DATA");
                    let l = fd.replace(&l, "recvmsg(FD, ");
                    port.replace(&l, "htons(PORT)").into_owned()
                })
                .collect()
        };
        let (p, e) = (lines("ptrace"), lines("ebpf"));
        assert_eq!(p.len(), 2, "{name}: {p:#?}");
        assert!(
            p[0].starts_with(
                "recvmsg(FD, {msg_name={sa_family=AF_INET, sin_port=htons(PORT), sin_addr=inet_addr(\"127.0.0.1\")}, msg_namelen=128 => 16,"
            ),
            "{name}: {p:#?}"
        );
        assert!(
            p[1].starts_with(
                "recvmsg(FD, {msg_name={sa_family=AF_INET, sa_data=DATA}, msg_namelen=3 => 16,"
            ),
            "{name}: {p:#?}"
        );
        assert_eq!(e, p, "{name}: eBPF's lines are ptrace's");
    }
}

/// A sleep a signal with a handler interrupts prints the time left, which the kernel
/// wrote back (`= ? ERESTART_RESTARTBLOCK`); clock_nanosleep with TIMER_ABSTIME and a
/// sleep that ended print the address (interrupted_sleeps.c), for x86_64 and i386
/// (nanosleep, clock_nanosleep, clock_nanosleep_time64), by both backends. The expected
/// lines are strace 7.2's (its i386 ones strace 6.1's too).
#[test]
fn an_interrupted_sleep_prints_the_time_left() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/c/interrupted_sleeps.c"
    );
    let left = "{tv_sec={N}, tv_nsec={N}}";
    let ten = "{tv_sec=10, tv_nsec=0}";
    let restart = "= ? ERESTART_RESTARTBLOCK (Interrupted by signal)";
    let abs = "(CLOCK_MONOTONIC, TIMER_ABSTIME, {tv_sec={N}, tv_nsec=0}, {ADDR}) = ? ERESTARTNOHAND (To be restarted if no handler)";
    let ended = "nanosleep({tv_sec=0, tv_nsec=1}, {ADDR}) = 0".to_string();
    let x86_64 = vec![
        format!("nanosleep({ten}, {left}) {restart}"),
        format!("clock_nanosleep(CLOCK_MONOTONIC, 0, {ten}, {left}) {restart}"),
        format!("clock_nanosleep{abs}"),
        ended.clone(),
    ];
    let i386 = vec![
        format!("nanosleep({ten}, {left}) {restart}"),
        format!("clock_nanosleep(CLOCK_MONOTONIC, 0, {ten}, {left}) {restart}"),
        format!("clock_nanosleep_time64(CLOCK_MONOTONIC, 0, {ten}, {left}) {restart}"),
        format!("clock_nanosleep_time64{abs}"),
        ended,
    ];
    let set = "nanosleep,clock_nanosleep,clock_nanosleep_time64";
    for (name, flags, expected) in [
        ("sleeps64", &[][..], x86_64),
        ("sleeps32", &["-m32"][..], i386),
    ] {
        let Some(program) = common::build_c(source, &dir.path().join(name), flags) else {
            return;
        };
        let sleeps = |backend: &str| -> String {
            traced(backend, set, &[&program])
                .lines()
                .filter(|l| l.contains("sleep"))
                .map(|l| format!("{l}\n"))
                .collect()
        };
        let (p, e) = (sleeps("ptrace"), sleeps("ebpf"));
        let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
        common::assert_lines_in_order(&p, &expected);
        assert_eq!(p.lines().count(), expected.len(), "{name}: {p}");
        common::assert_lines_in_order(&e, &expected);
        assert_eq!(e.lines().count(), expected.len(), "{name}: {e}");
    }
}

/// A thread that execs after its leader has ended (pthread_exit) takes the leader's id:
/// with -f the leader, which told no end of its own, is superseded then, as ptrace tells
/// it (`+++ superseded by execve in pid N +++`, once), and the new image's end is the
/// one `+++ exited with 0 +++` (the leader's exit was not told a second time at the
/// process's end).
#[test]
fn a_thread_that_execs_after_its_leader_ended_supersedes_it_as_under_ptrace() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/c/leader_exit.c");
    let Some(program) = common::build_c(source, &dir.path().join("leader_exit"), &["-pthread"])
    else {
        return;
    };
    let program = program.to_str().unwrap();
    let lines = |backend: &str| -> (Vec<String>, String) {
        let (code, text) = trace(
            backend,
            &["-e", "trace=execve,exit,exit_group", program, "exec"],
        );
        assert_eq!(code, Some(0), "{backend}: {text}");
        (joined_lines(&text), text)
    };
    let (p, p_text) = lines("ptrace");
    let (e, e_text) = lines("ebpf");
    let superseded = "+++ superseded by execve in pid N +++";
    let exited = "+++ exited with 0 +++";
    for (lines, text) in [(&p, &p_text), (&e, &e_text)] {
        assert_eq!(
            lines.iter().filter(|l| *l == superseded).count(),
            1,
            "{text}"
        );
        assert_eq!(lines.iter().filter(|l| *l == exited).count(), 1, "{text}");
    }
    assert_eq!(e, p, "ebpf:\n{e_text}\nptrace:\n{p_text}");
}

/// execveat from a directory descriptor with its path on a page the probes find not yet
/// touched: the exec keeps `/dev/fd/N/echo` (`/dev/fd/N` for AT_EMPTY_PATH's ""), which
/// is not the path given, so the path prints as its address (as an unreadable one), never
/// as that name; the rest of the line is ptrace's.
#[test]
fn an_execveat_path_the_probes_could_not_read_is_never_the_dev_fd_name() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/c/exec_untouched_path.c"
    );
    let Some(program) = common::build_c(source, &dir.path().join("exec_untouched_path"), &[])
    else {
        return;
    };
    let program = program.to_str().unwrap();
    let addr = Regex::new(r"0x[0-9a-f]+").unwrap();
    for (mode, path) in [("dirfd", "\"echo\""), ("empty", "\"\"")] {
        let line = |backend: &str| {
            let text = traced(backend, "execveat", &[program, mode]);
            let calls: Vec<String> = text
                .lines()
                .filter(|l| l.starts_with("execveat("))
                .map(|l| l.to_string())
                .collect();
            assert_eq!(calls.len(), 1, "{backend} {mode}: {text}");
            calls[0].clone()
        };
        let (p, e) = (line("ptrace"), line("ebpf"));
        assert!(p.contains(&format!(", {path}, [")), "{mode}: {p}");
        assert!(!e.contains("/dev/fd/"), "{mode}: {e}");
        let (e_path, e_rest) = e.split_once(", [").unwrap();
        let e_path = e_path.split_once(", ").map(|(_, p)| p).unwrap_or("");
        assert!(
            e_path == path || addr.is_match(e_path),
            "{mode}: the path is the one given or its address: {e}"
        );
        let p_rest = p.split_once(", [").map(|(_, r)| r).unwrap_or("");
        assert_eq!(
            addr.replace_all(e_rest, "ADDR"),
            addr.replace_all(p_rest, "ADDR"),
            "{mode}: ebpf: {e}\nptrace: {p}"
        );
    }
}

/// `-p` of a process that has exited but is not reaped (a zombie) is refused as the
/// ptrace backend refuses it, and a process that becomes one while traced ends the
/// trace: it makes no more calls, whenever its parent reaps it (here: after the trace).
#[test]
fn a_zombie_is_not_waited_for() {
    let mut zombie = std::process::Command::new("true").spawn().unwrap();
    let stat = format!("/proc/{}/stat", zombie.id());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !std::fs::read_to_string(&stat)
        .unwrap()
        .rsplit_once(") ")
        .is_some_and(|(_, rest)| rest.starts_with('Z'))
    {
        assert!(std::time::Instant::now() < deadline, "true never ended");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let run = sysfence()
        .args(["trace", "--backend", "ebpf", "-p"])
        .arg(zombie.id().to_string())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{stderr}");
    assert!(
        stderr.contains("already exited") && stderr.contains("zombie"),
        "{stderr}"
    );
    zombie.wait().unwrap();
    let mut child = std::process::Command::new("sleep")
        .arg("1")
        .spawn()
        .unwrap();
    let run = sysfence()
        .args(["trace", "--backend", "ebpf", "-o", "/dev/null", "-p"])
        .arg(child.id().to_string())
        .output()
        .unwrap();
    child.wait().unwrap();
    assert!(run.status.success(), "{run:?}");
}

/// Calls whose memory arguments the knowledge base's argument kinds did not plan, now
/// read by the probes as the decoders read them (planned_reads_calls.c): each line is
/// ptrace's, its ports, pids and addresses aside (another in each run). A SIGCHLD the program
/// leaves at its default is not delivered untraced (see the README): it is left out.
#[test]
fn memory_arguments_print_as_ptrace_reads_them_by_the_decoders_table() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/c/planned_reads_calls.c"
    );
    let Some(program) = common::build_c(source, &dir.path().join("planned"), &[]) else {
        return;
    };
    let set = "uname,getresuid,openat2,getsockname,accept4,getpeername,sendto,recvfrom,\
        getsockopt,prctl,waitid,rt_sigtimedwait";
    let varying = Regex::new(r"htons\(\d+\)|P_PID, \d+|si_pid=\d+|0x[0-9a-f]+|\) +=").unwrap();
    let lines = |backend: &str| -> Vec<String> {
        traced(backend, set, &[&program])
            .lines()
            .filter(|l| !l.starts_with("--- ") && !l.starts_with("+++ "))
            .map(|l| varying.replace_all(l, "_").into_owned())
            .collect()
    };
    let (p, e) = (lines("ptrace"), lines("ebpf"));
    assert_eq!(p.len(), 14, "{p:#?}");
    for want in [
        "uname({sysname=",
        "getresuid([0], [0], [0]_",
        "openat2(AT_FDCWD, \"/etc/hostname\", {flags=O_RDONLY, resolve=RESOLVE_NO_SYMLINKS}, 24_",
        "accept4(3, {sa_family=AF_INET, sin_port=_, sin_addr=inet_addr(\"127.0.0.1\")}, [16], SOCK_CLOEXEC_",
        "recvfrom(6, \"hello\", 16, 0, {sa_family=AF_INET, sin_port=_, sin_addr=inet_addr(\"127.0.0.1\")}, [16]_",
        "prctl(PR_GET_NAME, \"renamed\"_",
        "rt_sigtimedwait([USR1], ",
    ] {
        assert!(p.iter().any(|l| l.starts_with(want)), "{want}\n{p:#?}");
    }
    assert_eq!(e, p, "eBPF's lines are ptrace's");
}

/// iovec buffers running into a PROT_NONE page (iovec_tail.c), in writev's array and in
/// a message header's: one whose 48 bytes (all a capture holds) end at the page, one
/// whose first 20 do. At each -s the probes' lines are ptrace's, which are strace 7.2's
/// (a buffer prints when min(len, -s + 1) of its bytes can be read, else its address).
#[test]
fn iovec_buffers_running_into_an_unreadable_page_print_as_ptraces() {
    let dir = tempfile::tempdir().unwrap();
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/c/iovec_tail.c");
    let Some(program) = common::build_c(source, &dir.path().join("iovec_tail"), &[]) else {
        return;
    };
    let address = Regex::new(r"0x[0-9a-f]+").unwrap();
    let run = |backend: &str, s: &str| -> Vec<String> {
        let out = sysfence()
            .args(["trace", "--backend", backend, "-s", s])
            .args(["-e", "trace=writev,sendmsg", "--"])
            .arg(&program)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| !l.starts_with("+++ "))
            .map(|l| address.replace_all(l, "ADDR").into_owned())
            .collect()
    };
    let c = |n: usize| "c".repeat(n);
    let fine = r#"{iov_base="fine", iov_len=4}], "#;
    let at = |base: &str| format!("writev(-1, [{{iov_base={base}, iov_len=100}}, {fine}2)");
    for (s, first, second) in [
        ("8", format!("\"{}\"...", c(8)), format!("\"{}\"...", c(8))),
        (
            "16",
            format!("\"{}\"...", c(16)),
            format!("\"{}\"...", c(16)),
        ),
        ("32", format!("\"{}\"...", c(32)), "ADDR".to_string()),
        ("48", "ADDR".to_string(), "ADDR".to_string()),
    ] {
        let p = run("ptrace", s);
        assert!(p[0].starts_with(&at(&first)), "-s {s}: {p:#?}");
        assert!(p[1].starts_with(&at(&second)), "-s {s}: {p:#?}");
        let sent = format!("msg_iov=[{{iov_base={first}, iov_len=100}}, {fine}");
        assert!(p[3].contains(&sent), "-s {s}: {p:#?}");
        assert_eq!(run("ebpf", s), p, "-s {s}: eBPF's lines are ptrace's");
    }
}

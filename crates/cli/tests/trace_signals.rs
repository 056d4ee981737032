//! Signals to the tracer, as strace's `-I`: with `-o FILE COMMAND` (strace's `-I 3`
//! default) `kill` or `timeout` of the tracer do not end the trace; `-I 2` (the default
//! otherwise) ends it cleanly, giving the command the signal; `-I 1` lets the signal end
//! the tracer at once while the command runs on; `-I 4` also ignores ^Z.
//!
//! And none of that reaches the command: every way sysfence starts a program (trace with
//! either backend, record with each, run) gives it the signals ignored and blocked that
//! it would have had untraced, and under strace, whatever its parent left it (a shell's
//! `cmd &`, nohup, a parent that ignores or blocks signals before it execs).

mod common;

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `sysfence trace ARGS -- sh -c 'sleep 0.6; echo done'` and waits until the
/// trace shows the command running (so the tracer has set up its signals).
fn start(args: &[&str], trace_file: &Path) -> Child {
    let child = common::sysfence()
        .arg("trace")
        .args(args)
        .args(["sh", "-c", "sleep 0.6; echo done"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sysfence starts");
    let start = Instant::now();
    while !std::fs::read_to_string(trace_file).is_ok_and(|t| t.contains("execve(")) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "no trace appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // The shell is in its sleep's wait by now, well within the 0.6 s.
    std::thread::sleep(Duration::from_millis(100));
    child
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
}

#[test]
fn with_dash_o_for_a_command_the_fatal_signals_do_not_end_the_trace() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace");
    let f = file.to_str().unwrap();
    for args in [
        vec!["-o", f],
        vec!["-I", "3", "-o", f],
        vec!["-I", "never", "-o", f],
    ] {
        let child = start(&args, &file);
        for sig in [
            libc::SIGTERM,
            libc::SIGINT,
            libc::SIGHUP,
            libc::SIGQUIT,
            libc::SIGPIPE,
        ] {
            signal(&child, sig);
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "done\n");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            text.ends_with("+++ exited with 0 +++\n"),
            "{args:?}: {text}"
        );
    }
}

#[test]
fn dash_i_2_ends_the_trace_cleanly_and_the_command_gets_the_signal() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace");
    let child = start(&["-I", "2", "-o", file.to_str().unwrap()], &file);
    signal(&child, libc::SIGTERM);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.signal(), Some(libc::SIGTERM), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "",
        "the command was ended"
    );
}

#[test]
fn dash_i_1_lets_the_signal_end_the_tracer_at_once_and_the_command_runs_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace");
    let child = start(&["-I", "anywhere", "-o", file.to_str().unwrap()], &file);
    signal(&child, libc::SIGTERM);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.signal(), Some(libc::SIGTERM), "{out:?}");
    // The command was let go, not killed: it finishes and prints (its stdout is the
    // pipe sysfence shared with it, read to its end by wait_with_output).
    assert_eq!(String::from_utf8_lossy(&out.stdout), "done\n");
}

#[test]
fn dash_i_4_ignores_ctrl_z_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace");
    let child = start(&["-I", "4", "-o", file.to_str().unwrap()], &file);
    signal(&child, libc::SIGTSTP);
    std::thread::sleep(Duration::from_millis(50));
    let state = common::proc_state(child.id());
    signal(&child, libc::SIGCONT);
    let out = child.wait_with_output().unwrap();
    assert_ne!(state, Some('T'), "sysfence stopped on SIGTSTP");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn without_dash_o_a_signal_ends_the_trace_as_strace_does() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("trace");
    // -o '|cat > FILE' is not "-o FILE": use stderr, watched through a copy.
    let mut child = common::sysfence()
        .args(["trace", "sh", "-c", "sleep 0.6; echo done"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&file).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !std::fs::read_to_string(&file).is_ok_and(|t| t.contains("wait4(")) {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "no trace appeared"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    signal(&child, libc::SIGTERM);
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGTERM));
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert_eq!(out, "", "the command got SIGTERM too");
}

/// How a parent leaves signals to the program it starts.
#[derive(Debug, Clone, Copy)]
enum Parent {
    /// A non-interactive shell's `cmd &`: SIGINT and SIGQUIT ignored.
    BackgroundJob,
    /// `nohup cmd`: SIGHUP ignored.
    Nohup,
    /// A parent that ignores and blocks signals of its own choosing before it execs.
    IgnoresAndBlocks,
}

const PARENTS: [Parent; 3] = [
    Parent::BackgroundJob,
    Parent::Nohup,
    Parent::IgnoresAndBlocks,
];

/// What [`Parent::IgnoresAndBlocks`] ignores: some the tracer catches for itself
/// (SIGPIPE, SIGTERM, SIGALRM), SIGCHLD, which it needs at its default to wait, and one
/// it never touches.
const IGNORED_BY_PARENT: [i32; 5] = [
    libc::SIGPIPE,
    libc::SIGTERM,
    libc::SIGCHLD,
    libc::SIGALRM,
    libc::SIGUSR2,
];

/// What [`Parent::IgnoresAndBlocks`] blocks (a real-time signal too).
fn blocked_by_parent() -> [i32; 4] {
    [
        libc::SIGUSR1,
        libc::SIGTERM,
        libc::SIGWINCH,
        libc::SIGRTMIN() + 3,
    ]
}

impl Parent {
    /// The signals this parent leaves ignored and blocked (at least): the untraced program
    /// must show them, or the comparison proves nothing.
    fn leaves(self) -> Signals {
        let bits = |sigs: &[i32]| sigs.iter().fold(0u64, |m, &s| m | 1 << (s - 1));
        let (ignored, blocked) = match self {
            Parent::BackgroundJob => (bits(&[libc::SIGINT, libc::SIGQUIT]), 0),
            Parent::Nohup => (bits(&[libc::SIGHUP]), 0),
            Parent::IgnoresAndBlocks => (bits(&IGNORED_BY_PARENT), bits(&blocked_by_parent())),
        };
        Signals { ignored, blocked }
    }

    /// `argv`, started as this parent starts programs.
    fn command(self, argv: &[String]) -> Command {
        let mut cmd = match self {
            Parent::BackgroundJob => {
                let mut sh = Command::new("sh");
                sh.args(["-c", "\"$@\" & wait", "sh"]).args(argv);
                sh
            }
            Parent::Nohup => {
                let mut nohup = Command::new("nohup");
                nohup.args(argv);
                nohup
            }
            Parent::IgnoresAndBlocks => {
                let mut cmd = Command::new(&argv[0]);
                cmd.args(&argv[1..]);
                let blocked = blocked_by_parent();
                // SAFETY: the closure runs in the child between fork and exec and only
                // calls signal, sigemptyset, sigaddset and sigprocmask on a local set.
                unsafe {
                    cmd.pre_exec(move || {
                        let mut set: libc::sigset_t = std::mem::zeroed();
                        libc::sigemptyset(&mut set);
                        for sig in IGNORED_BY_PARENT {
                            libc::signal(sig, libc::SIG_IGN);
                        }
                        for sig in blocked {
                            libc::sigaddset(&mut set, sig);
                        }
                        libc::sigprocmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
                        Ok(())
                    })
                };
                cmd
            }
        };
        cmd.stdin(Stdio::null());
        cmd
    }
}

/// The program whose signals are compared: it prints its SigBlk and SigIgn lines.
const PROBE: [&str; 4] = ["grep", "-E", "^Sig(Blk|Ign):", "/proc/self/status"];

/// How long one start may take before it counts as hung (a tracer whose waits never see
/// its child, as with a SIGCHLD its parent ignored).
const HUNG: Duration = Duration::from_secs(60);

/// A program's ignored and blocked signals, as /proc/PID/status's SigIgn and SigBlk.
#[derive(PartialEq, Eq)]
struct Signals {
    ignored: u64,
    blocked: u64,
}

impl std::fmt::Debug for Signals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SigIgn {:016x} SigBlk {:016x}",
            self.ignored, self.blocked
        )
    }
}

/// Runs `cmd` in a process group of its own to its end; killed, and the test failed,
/// if it runs for [`HUNG`].
fn output_unless_hung(mut cmd: Command) -> std::process::Output {
    let mut child = cmd
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the parent starts");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > HUNG {
            // SAFETY: kill(2) of the process group made for this command.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
            panic!("{cmd:?} hung");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// The probe's signals, started by `launcher` (nothing: directly) from `parent`; the
/// start must succeed as well.
fn signals_of_probe(parent: Parent, launcher: &[String]) -> Signals {
    let argv: Vec<String> = launcher
        .iter()
        .cloned()
        .chain(PROBE.iter().map(|a| a.to_string()))
        .collect();
    let out = output_unless_hung(parent.command(&argv));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{parent:?} {launcher:?}: {:?}, stderr {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
            .unwrap_or_else(|| {
                panic!(
                    "{parent:?} {launcher:?}: no {name} in {text:?} ({:?}, stderr {})",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                )
            })
    };
    Signals {
        ignored: field("SigIgn:"),
        blocked: field("SigBlk:"),
    }
}

/// Asserts that under `launcher` the probe ignores and blocks exactly what it does
/// untraced, from every parent.
fn assert_inherits(launcher: &[String]) {
    for parent in PARENTS {
        let untraced = signals_of_probe(parent, &[]);
        let left = parent.leaves();
        assert!(
            untraced.ignored & left.ignored == left.ignored
                && untraced.blocked & left.blocked == left.blocked,
            "{parent:?} left {untraced:?}, not {left:?}: the comparison would prove nothing"
        );
        let launched = signals_of_probe(parent, launcher);
        assert_eq!(
            launched, untraced,
            "{parent:?}: under {launcher:?}, then untraced"
        );
    }
}

fn sysfence_with(args: &[&str]) -> Vec<String> {
    std::iter::once(env!("CARGO_BIN_EXE_sysfence"))
        .chain(args.iter().copied())
        .map(String::from)
        .collect()
}

/// Whether this process may use what `what` needs, root (eBPF: also the kernel's BTF);
/// if not, says so loudly (and fails under CI).
fn privileged_for(what: &str, btf: bool) -> bool {
    // SAFETY: geteuid takes no arguments and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let have_btf = !btf || Path::new("/sys/kernel/btf/vmlinux").exists();
    if !root || !have_btf {
        common::skip_or_fail(&format!(
            "{what} needs root{} (root: {root}, BTF: {have_btf})",
            if btf {
                " and /sys/kernel/btf/vmlinux"
            } else {
                ""
            }
        ));
    }
    root && have_btf
}

#[test]
fn strace_gives_the_program_the_signals_it_inherited() {
    // The reference the sysfence tests below agree with.
    let Some(strace) = common::require(common::STRACE) else {
        return;
    };
    let strace = strace.to_string_lossy().into_owned();
    assert_inherits(&[strace, "-o".into(), "/dev/null".into(), "--".into()]);
}

#[test]
fn trace_gives_the_program_the_signals_it_inherited_in_every_dash_i_mode() {
    for mode in [&[][..], &["-I", "1"], &["-I", "2"], &["-I", "4"], &["-f"]] {
        let args: Vec<&str> = ["trace", "-o", "/dev/null"]
            .into_iter()
            .chain(mode.iter().copied())
            .chain(["--"])
            .collect();
        assert_inherits(&sysfence_with(&args));
    }
}

#[test]
fn trace_with_ebpf_gives_the_program_the_signals_it_inherited() {
    if !privileged_for("the eBPF backend", true) {
        return;
    }
    assert_inherits(&sysfence_with(&[
        "trace",
        "--backend",
        "ebpf",
        "-o",
        "/dev/null",
        "--",
    ]));
}

#[test]
fn record_gives_the_program_the_signals_it_inherited_with_every_backend() {
    let mut backends = vec!["notify", "ptrace"];
    if privileged_for("record --backend ebpf", true) {
        backends.push("ebpf");
    }
    for backend in backends {
        assert_inherits(&sysfence_with(&[
            "record",
            "--backend",
            backend,
            "-o",
            "/dev/null",
            "--",
        ]));
    }
}

#[test]
fn run_gives_the_program_the_signals_it_inherited_enforcing_complaining_or_isolated() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("allow.json");
    std::fs::write(
        &profile,
        r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}"#,
    )
    .unwrap();
    let profile = profile.to_str().unwrap();
    let mut modes = vec![&[][..], &["--complain"]];
    if privileged_for("run --isolate", false) {
        modes.push(&["--isolate"]);
    }
    for mode in modes {
        let args: Vec<&str> = ["run", "--profile", profile]
            .into_iter()
            .chain(mode.iter().copied())
            .chain(["--"])
            .collect();
        assert_inherits(&sysfence_with(&args));
    }
}

//! Defects found in review of `sysfence record`, each kept as a test: a closed stdout
//! under --verify, root without CAP_SYS_ADMIN, -o and --json-summary naming one file,
//! --merge with a different --default-action, a terminal's Ctrl-C given twice.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `sysfence record --verify ... | head -1`: the reader of our stdout goes away. The
/// recording goes on (sysfence is not killed by SIGPIPE, which would leave the command
/// with every later call failing ENOSYS once the listener closes): the command sees a
/// closed pipe as it would untraced, goes on with the rest of its work, and the profile
/// and the verdict are written.
#[test]
fn verify_survives_a_reader_that_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.json");
    let marker = dir.path().join("after");
    let script = format!(
        "seq 1 200000; echo seq-ended-$? >&2; touch {}",
        marker.display()
    );
    let shell = format!(
        "{} record --verify -o {} -- sh -c '{}' | head -1; echo \"status ${{PIPESTATUS[0]}}\" >&2",
        env!("CARGO_BIN_EXE_sysfence"),
        profile.display(),
        script
    );
    let out = Command::new("bash")
        .args(["-c", &shell])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(text(&out.stdout), "1\n", "{err}");
    // As untraced: seq dies of SIGPIPE (141) and the shell goes on.
    assert!(
        err.contains("seq-ended-141"),
        "seq met the closed pipe: {err}"
    );
    assert!(
        marker.exists(),
        "the command went on after the pipe closed: {err}"
    );
    assert!(profile.exists(), "the profile was written: {err}");
    assert!(
        err.contains("verify: under the profile the command exited 0"),
        "the verdict was given: {err}"
    );
    assert!(err.contains("status 0"), "{err}");
}

/// `yes` under --verify with a reader that reads one line: untraced, yes ends by SIGPIPE;
/// recorded, it must too (a tee that kept reading would let it run for ever), and the
/// second run, cut where the first was, ends the same way.
#[test]
fn verify_of_yes_piped_into_head_ends() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("yes.json");
    let shell = format!(
        "timeout 20 {} record --verify -o {} -- yes | head -1; echo \"status ${{PIPESTATUS[0]}}\" >&2",
        env!("CARGO_BIN_EXE_sysfence"),
        profile.display(),
    );
    let started = Instant::now();
    let out = Command::new("bash")
        .args(["-c", &shell])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(started.elapsed() < Duration::from_secs(15), "{err}");
    assert_eq!(text(&out.stdout), "y\n", "{err}");
    assert!(profile.exists(), "{err}");
    assert!(
        err.contains("status 141"),
        "yes ended by SIGPIPE as untraced: {err}"
    );
    assert!(
        err.contains("verify: under the profile the command exited 141"),
        "{err}"
    );
}

/// Root without CAP_SYS_ADMIN (a container's root, `--cap-drop`): the kernel takes the
/// recorder's filter only under NO_NEW_PRIVS, so it is set, as for any unprivileged user;
/// deciding by the uid alone made the install fail (`Permission denied`).
#[test]
fn root_without_cap_sys_admin_records_under_no_new_privs() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.json");
    let out = Command::new("setpriv")
        .args(["--bounding-set=-sys_admin", "--"])
        .arg(env!("CARGO_BIN_EXE_sysfence"))
        .args(["record", "-o"])
        .arg(&profile)
        .args(["--", "grep", "NoNewPrivs", "/proc/self/status"])
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        text(&out.stdout).split_whitespace().last(),
        Some("1"),
        "{err}"
    );
    assert!(profile.exists(), "{err}");
}

/// `-o` and `--json-summary` naming one file: the summary would silently replace the
/// profile. Refused before the command runs.
#[test]
fn profile_and_json_summary_to_one_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("same.json");
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&file, &link).unwrap();
    let marker = dir.path().join("ran");
    for summary in [&file, &link] {
        let out = common::sysfence()
            .args(["record", "-o"])
            .arg(&file)
            .arg("--json-summary")
            .arg(summary)
            .args(["--", "touch"])
            .arg(&marker)
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("--json-summary") && err.contains("same file"),
            "the error names the problem: {err}"
        );
        assert!(!marker.exists(), "refused before the command ran: {err}");
    }
}

/// `--merge` into a profile whose default differs from `--default-action`: the merge
/// cannot be made, so it is refused before the command runs, not after (which lost the
/// run).
#[test]
fn merge_with_a_different_default_action_is_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let existing = dir.path().join("kill.json");
    let out = common::sysfence()
        .args(["record", "--default-action", "kill", "-o"])
        .arg(&existing)
        .args(["--", "true"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let marker = dir.path().join("ran");
    let out = common::sysfence()
        .args(["record", "--default-action", "errno", "--merge"])
        .arg(&existing)
        .arg("-o")
        .arg(dir.path().join("out.json"))
        .args(["--", "touch"])
        .arg(&marker)
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("--default-action"), "{err}");
    assert!(!marker.exists(), "refused before the command ran: {err}");
}

/// Ctrl-C at a terminal reaches the whole foreground job, the recorded command with it:
/// the supervisor passed it on once more, so a command that handles SIGINT got it twice
/// (and run --complain the same). A program counting its SIGINTs gets one, as untraced.
#[test]
fn a_terminal_ctrl_c_reaches_the_command_once() {
    let dir = tempfile::tempdir().unwrap();
    let counter = dir.path().join("count.py");
    std::fs::write(
        &counter,
        r#"import signal, time
n = 0
def h(s, f):
    global n
    n += 1
signal.signal(signal.SIGINT, h)
print('ready', flush=True)
t = time.time()
while time.time() - t < 2.0:
    time.sleep(0.02)
print('total', n, flush=True)
"#,
    )
    .unwrap();
    // A pty whose foreground job is ARGV; ^C typed once the program says it is ready.
    let driver = dir.path().join("drive_tty.py");
    std::fs::write(
        &driver,
        r#"import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b''; sent = False; t0 = time.time()
while time.time() - t0 < 15:
    if not sent and b'ready' in out:
        time.sleep(0.3); os.write(fd, b'\x03'); sent = True
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        out += d
os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors='replace'))
"#,
    )
    .unwrap();
    let profile = dir.path().join("p.json");
    let sysfence = env!("CARGO_BIN_EXE_sysfence");
    let py = "/usr/bin/python3";
    let counter = counter.to_str().unwrap();
    let record: Vec<&str> = vec![
        sysfence,
        "record",
        "-o",
        profile.to_str().unwrap(),
        "--",
        py,
        counter,
    ];
    let out = Command::new(py)
        .arg(&driver)
        .args(&record)
        .output()
        .unwrap();
    let seen = text(&out.stdout);
    assert!(
        seen.contains("total 1"),
        "recorded: {seen} {}",
        text(&out.stderr)
    );
    let complain: Vec<&str> = vec![
        sysfence,
        "run",
        "--complain",
        "--profile",
        profile.to_str().unwrap(),
        "--",
        py,
        counter,
    ];
    let out = Command::new(py)
        .arg(&driver)
        .args(&complain)
        .output()
        .unwrap();
    let seen = text(&out.stdout);
    assert!(seen.contains("total 1"), "run --complain: {seen}");
}

/// `--args` and a 32-bit program whose glibc opens sockets through socketcall: its
/// arguments sit behind a pointer, so the profile cannot limit the domain and allows
/// AF_PACKET as well; the summary said nothing, as if socket were conditioned. It says so.
#[test]
fn args_says_socketcall_is_not_conditioned() {
    use sysfence_fixtures::tools::{GCC_MULTILIB, require};
    let Some(gcc) = require(GCC_MULTILIB) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("s.c");
    std::fs::write(
        &src,
        "#include <sys/socket.h>\nint main(void){return socket(AF_INET,SOCK_DGRAM,0)<0;}\n",
    )
    .unwrap();
    let bin = dir.path().join("s32");
    let built = Command::new(gcc)
        .args(["-m32", "-o"])
        .arg(&bin)
        .arg(&src)
        .output()
        .unwrap();
    assert!(built.status.success(), "{built:?}");
    let out = common::sysfence()
        .args(["record", "--args", "-o"])
        .arg(dir.path().join("p.json"))
        .arg("--")
        .arg(&bin)
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    if err.contains("socketcall") {
        assert!(
            err.contains("i386: socketcall allowed with any argument"),
            "{err}"
        );
    }
}

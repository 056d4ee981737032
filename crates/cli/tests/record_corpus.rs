//! `sysfence record` on real programs, as root: each is recorded, then run under its
//! profile enforced, and must give what it gives untraced (exit status and stdout); with
//! one call it really needs taken out of the profile it fails, and `run --complain`
//! names that call. Then the ABIs (a `gcc -m32` program), privileged programs, and
//! containers: a profile recorded on the host runs the same command inside runc only
//! with the calls of runc's own init (`--runtime runc`).

mod common;

use common::{record, run_under};

use common::runc::Container;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};
use sysfence_fixtures::tools::{BUSYBOX, PING, PYTHON3, require};

fn untraced(command: &[&str]) -> Output {
    Command::new(command[0])
        .args(&command[1..])
        .output()
        .unwrap()
}

fn json(file: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

/// Every name a moby/OCI profile's rules name.
fn names(profile: &Path) -> Vec<String> {
    json(profile)["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["names"].as_array().unwrap().iter())
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

/// Writes `profile` with `call` taken out of every rule's names to `out`.
fn without(profile: &Path, call: &str, out: &Path) {
    let mut v = json(profile);
    for rule in v["syscalls"].as_array_mut().unwrap() {
        rule["names"]
            .as_array_mut()
            .unwrap()
            .retain(|n| n.as_str() != Some(call));
    }
    std::fs::write(out, v.to_string()).unwrap();
}

/// The calls `sysfence run --complain` reports the profile would have blocked (the last
/// column of its table on stderr).
fn reported(complain: &Output) -> Vec<String> {
    let err = String::from_utf8_lossy(&complain.stderr);
    err.lines()
        .skip_while(|l| !l.contains("would have blocked"))
        .skip(2)
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
        .collect()
}

/// Keeps stdout as it is.
fn exact(out: &[u8]) -> Vec<u8> {
    out.to_vec()
}

/// Records `command` (run in `cwd`, which it must not change), then proves the profile:
/// enforced, the command gives its untraced exit status and stdout (as `stable` leaves
/// it); without `needed`, a call the command cannot do without, it fails, and
/// `run --complain` names `needed`; `says`, when the command can still say why, is what
/// its stderr then holds. Independent runs go in parallel.
fn prove_corpus(command: &[&str], needed: &str, says: Option<&str>, stable: fn(&[u8]) -> Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("recorded.json");
    let p = profile.to_str().unwrap();
    let (plain, recorded) = std::thread::scope(|s| {
        let plain = s.spawn(|| untraced(command));
        let recorded = record(&["-o", p], command);
        (plain.join().unwrap(), recorded)
    });
    assert!(plain.status.success(), "untraced {command:?}: {plain:?}");
    let want = (plain.status, stable(&plain.stdout));
    assert_eq!(
        (recorded.status, stable(&recorded.stdout)),
        want,
        "the recorded run of {command:?} is the real one: {recorded:?}"
    );
    let allowed = names(&profile);
    assert!(
        allowed.iter().any(|n| n == needed),
        "{command:?} never called {needed}: {allowed:?}"
    );
    let reduced = dir.path().join("without.json");
    without(&profile, needed, &reduced);
    let (enforced, denied, complain) = std::thread::scope(|s| {
        let enforced = s.spawn(|| run_under(&profile, command));
        let denied = s.spawn(|| run_under(&reduced, command));
        let complain = common::sysfence()
            .args(["run", "--complain", "--profile"])
            .arg(&reduced)
            .arg("--")
            .args(command)
            .output()
            .unwrap();
        (enforced.join().unwrap(), denied.join().unwrap(), complain)
    });
    assert_eq!(
        (enforced.status, stable(&enforced.stdout)),
        want,
        "{command:?} under its profile: {enforced:?}"
    );
    assert!(
        !denied.status.success(),
        "{command:?} succeeded without {needed}: {denied:?}"
    );
    if let Some(says) = says {
        assert!(
            String::from_utf8_lossy(&denied.stderr).contains(says),
            "{command:?} without {needed} does not say {says:?}: {denied:?}"
        );
    }
    assert_eq!(
        (complain.status, stable(&complain.stdout)),
        want,
        "complain mode lets {command:?} run: {complain:?}"
    );
    assert!(
        reported(&complain).iter().any(|n| n == needed),
        "complain mode does not report {needed}: {complain:?}"
    );
}

/// `ls -la /` without getdents64 cannot list the directory.
#[test]
fn ls_la_root_runs_under_its_recorded_profile() {
    // /proc's link count moves with the number of processes and /tmp's with the test
    // directories other tests make (the column widths with them): the other lines are
    // compared, field by field.
    fn stable(out: &[u8]) -> Vec<u8> {
        String::from_utf8_lossy(out)
            .lines()
            .filter(|l| !l.ends_with(" proc") && !l.ends_with(" tmp") && !l.starts_with("total"))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ") + "\n")
            .collect::<String>()
            .into_bytes()
    }
    prove_corpus(
        &["ls", "-la", "/"],
        "getdents64",
        Some("Operation not permitted"),
        stable,
    );
}

/// `cat /etc/os-release` without openat fails at its first open, the loader's of libc
/// (exit 127, and silently: the loader's message goes out through writev, which cat
/// never calls, so the profile denies it too).
#[test]
fn cat_os_release_runs_under_its_recorded_profile() {
    prove_corpus(&["cat", "/etc/os-release"], "openat", None, exact);
}

/// `sh -c 'echo hi | wc -c'` without pipe2 cannot make its pipe.
#[test]
fn a_shell_pipeline_runs_under_its_recorded_profile() {
    prove_corpus(
        &["sh", "-c", "echo hi | wc -c"],
        "pipe2",
        Some("Pipe call failed"),
        exact,
    );
}

const THREADS: &str = "
import threading
results = [0] * 4
def work(i):
    results[i] = sum(k * k for k in range((i + 1) * 20000))
threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(threads), 'threads', results)
";

/// Python with four threads: without clone3, which glibc's pthread_create uses (and
/// falls back from only on ENOSYS, not EPERM), no thread starts.
#[test]
fn python_threads_run_under_their_recorded_profile() {
    if require(PYTHON3).is_none() {
        return;
    }
    prove_corpus(
        &["/usr/bin/python3", "-c", THREADS],
        "clone3",
        Some("can't start new thread"),
        exact,
    );
}

/// A file of `len` bytes that compresses to something, under `dir`.
fn data_file(dir: &Path, name: &str, len: usize) -> PathBuf {
    let path = dir.join(name);
    let text: String = (0..len)
        .map(|i| char::from(b'a' + (i * 7 % 26) as u8))
        .collect();
    std::fs::write(&path, text).unwrap();
    path
}

/// `gzip -c FILE` (the same file each run, so the same name and mtime in the header)
/// without write cannot give its output (exit 1, silently: its message needs write too).
#[test]
fn gzip_runs_under_its_recorded_profile() {
    let dir = tempfile::tempdir().unwrap();
    let file = data_file(dir.path(), "data.txt", 100_000);
    prove_corpus(
        &["gzip", "-c", file.to_str().unwrap()],
        "write",
        None,
        exact,
    );
}

/// `tar cf - DIR` of a directory made once (so the same mtimes each run), compared byte
/// for byte; without getdents64 tar cannot read the directory.
#[test]
fn tar_runs_under_its_recorded_profile() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    data_file(&tree, "a.txt", 3000);
    data_file(&tree.join("sub"), "b.txt", 5000);
    let base = dir.path().to_str().unwrap();
    prove_corpus(
        &["tar", "-C", base, "-cf", "-", "tree"],
        "getdents64",
        Some("Operation not permitted"),
        exact,
    );
}

/// A process this test started (and, for a recorder, the command it runs), killed and
/// reaped when dropped, whatever the test's outcome.
struct Running(Child);

impl Running {
    /// The pids of this process's children (the recorded command, under a recorder).
    fn children(&self) -> Vec<i32> {
        let pid = self.0.id();
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            return Vec::new();
        };
        tasks
            .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("children")).ok())
            .flat_map(|c| {
                c.split_whitespace()
                    .filter_map(|p| p.parse().ok())
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Waits up to `limit` for the process to end by itself.
    fn wait_for(&mut self, limit: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.0.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        for child in self.children() {
            // SAFETY: kill(2) on a child of our own child, which has not been reaped
            // while its parent lives.
            unsafe { libc::kill(child, libc::SIGKILL) };
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `N` distinct ports nothing listens on now: the listeners are all held while the
/// ports are read, so two servers started side by side never get the same one.
fn free_ports<const N: usize>() -> [u16; N] {
    let listeners: Vec<TcpListener> = (0..N)
        .map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap())
        .collect();
    std::array::from_fn(|i| listeners[i].local_addr().unwrap().port())
}

/// The server's answer to `GET /hello.txt`, once it listens on `port` (tried for up to
/// 20 s), without its Date header, which is the only line that changes between runs.
fn fetch(port: u16) -> String {
    let start = Instant::now();
    let mut stream = loop {
        match TcpStream::connect((Ipv4Addr::LOCALHOST, port)) {
            Ok(s) => break s,
            Err(e) if start.elapsed() > Duration::from_secs(20) => {
                panic!("the server never listened on {port}: {e}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
        .write_all(b"GET /hello.txt HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split("\r\n")
        .filter(|l| !l.starts_with("Date: "))
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// Starts `sysfence ARGS... -- python3 -m http.server PORT` on `port` (or, with no ARGS, the server
/// itself) in `root`, fetches one file from it, then ends the server with SIGTERM (the
/// recorded command, not the recorder, which then writes its profile); returns the
/// answer and how the process ended.
fn serve_once(root: &Path, port: u16, sysfence: &[&str]) -> (String, ExitStatus) {
    let port = port.to_string();
    let server = [
        "/usr/bin/python3",
        "-m",
        "http.server",
        &port,
        "--bind",
        "127.0.0.1",
    ];
    let mut cmd = match sysfence {
        [] => Command::new(server[0]),
        args => {
            let mut c = common::sysfence();
            c.args(args).arg("--").arg(server[0]);
            c
        }
    };
    cmd.args(&server[1..])
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut running = Running(cmd.spawn().unwrap());
    let answer = fetch(port.parse().unwrap());
    let server_pid = match sysfence.first() {
        Some(&"record") => *running.children().first().expect("the recorded server"),
        // `sysfence run` execs the server: the same process.
        _ => running.0.id() as i32,
    };
    // SAFETY: kill(2) on the server, a process this test started (or its recorder did).
    unsafe { libc::kill(server_pid, libc::SIGTERM) };
    let status = running
        .wait_for(Duration::from_secs(20))
        .expect("the server ends on SIGTERM");
    (answer, status)
}

/// `python3 -m http.server` answering one request from this test: recorded, then under
/// its profile, the client gets what it gets from the untraced server; without bind the
/// server cannot start.
#[test]
fn an_http_server_serves_under_its_recorded_profile() {
    if require(PYTHON3).is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("www");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("hello.txt"), "hello from the corpus\n").unwrap();
    let profile = dir.path().join("server.json");
    let p = profile.to_str().unwrap();
    let [plain_port, recorded_port, enforced_port, denied_port] = free_ports();
    let ((plain, plain_status), (recorded, recorded_status)) = std::thread::scope(|s| {
        let plain = s.spawn(|| serve_once(&root, plain_port, &[]));
        let recorded = serve_once(&root, recorded_port, &["record", "-o", p]);
        (plain.join().unwrap(), recorded)
    });
    assert!(plain.starts_with("HTTP/1.0 200 OK\r\n"), "{plain}");
    assert!(
        plain.ends_with("\r\n\r\nhello from the corpus\n"),
        "{plain}"
    );
    assert_eq!(recorded, plain, "the recorded server is the real one");
    // The server dies of SIGTERM; the recorder says so the way a shell does.
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(plain_status.signal(), Some(libc::SIGTERM));
    assert_eq!(recorded_status.code(), Some(128 + libc::SIGTERM));
    let (enforced, enforced_status) = serve_once(&root, enforced_port, &["run", "--profile", p]);
    assert_eq!(enforced, plain, "the server under its profile");
    assert_eq!(enforced_status.signal(), Some(libc::SIGTERM));

    assert!(names(&profile).iter().any(|n| n == "bind"));
    let reduced = dir.path().join("without-bind.json");
    without(&profile, "bind", &reduced);
    let port = denied_port.to_string();
    let mut denied = Running(
        common::sysfence()
            .args(["run", "--profile"])
            .arg(&reduced)
            .args(["--", "/usr/bin/python3", "-m", "http.server", &port])
            .args(["--bind", "127.0.0.1"])
            .current_dir(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let status = denied
        .wait_for(Duration::from_secs(20))
        .expect("the server without bind ends by itself");
    let mut err = String::new();
    denied
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("PermissionError"), "{err}");
}

const ABI_SOURCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/c/record_abi.c");

/// Builds `record_abi.c` with `gcc FLAGS` as `dir/name`; None after a loud skip (a
/// failure under CI) when gcc, or with -m32 its i386 libraries, is missing.
fn build_abi_program(dir: &Path, name: &str, flags: &[&str]) -> Option<PathBuf> {
    common::build_c(ABI_SOURCE, &dir.join(name), flags)
}

/// A `gcc -m32` program: every call after its execve is an i386 call, recorded under
/// SCMP_ARCH_X86 by its i386 name (_llseek and socketcall, which x86_64 lacks); it runs
/// under its profile in docker format and in bpf format as untraced.
#[test]
fn a_32_bit_program_is_recorded_as_i386_and_runs_under_its_profile() {
    let dir = tempfile::tempdir().unwrap();
    let Some(abi32) = build_abi_program(dir.path(), "abi32", &["-m32"]) else {
        return;
    };
    let command = [abi32.to_str().unwrap(), "work"];
    let docker = dir.path().join("abi32.json");
    let bpf = dir.path().join("abi32.bpf");
    let (plain, as_docker, as_bpf) = std::thread::scope(|s| {
        let plain = s.spawn(|| untraced(&command));
        let d = s.spawn(|| record(&["-o", docker.to_str().unwrap()], &command));
        let b = record(&["--format", "bpf", "-o", bpf.to_str().unwrap()], &command);
        (plain.join().unwrap(), d.join().unwrap(), b)
    });
    assert!(plain.status.success(), "{plain:?}");
    let stdout = String::from_utf8_lossy(&plain.stdout);
    assert_eq!(stdout, "_llseek: ok\nsocketcall: ok\n");
    for recorded in [&as_docker, &as_bpf] {
        assert_eq!(recorded.status, plain.status, "{recorded:?}");
        assert_eq!(recorded.stdout, plain.stdout, "{recorded:?}");
    }
    let architectures = json(&docker)["architectures"].clone();
    assert!(
        architectures
            .as_array()
            .unwrap()
            .contains(&"SCMP_ARCH_X86".into()),
        "{architectures}"
    );
    let allowed = names(&docker);
    for call in ["_llseek", "socketcall"] {
        assert!(allowed.iter().any(|n| n == call), "{call}: {allowed:?}");
    }
    let summary = String::from_utf8_lossy(&as_bpf.stderr);
    assert!(summary.contains("i386: "), "{summary}");
    for profile in [&docker, &bpf] {
        let enforced = run_under(profile, &command);
        assert_eq!(enforced.status, plain.status, "{enforced:?}");
        assert_eq!(enforced.stdout, plain.stdout, "{enforced:?}");
    }
}

/// The number and x86_64 meaning of the i386 call `name`: (nr, x86_64 name of nr).
fn i386_nr_on_x86_64(name: &str) -> (u64, String) {
    let query = |args: &[&str]| -> serde_json::Value {
        let out = common::sysfence()
            .arg("syscalls")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let nr = query(&[name, "--arch", "i386", "--json"])[0]["nr"]
        .as_u64()
        .unwrap();
    let there = query(&[&nr.to_string(), "--arch", "x86_64", "--json"])[0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    (nr, there)
}

/// One session, a 32-bit program and then a 64-bit one, recorded in bpf format: each
/// ABI admits only its own calls. The 32-bit program's arch_prctl, which only the 64-bit
/// program made, is denied (the docker format, one list of names for both, admits it);
/// and the x86_64 side does not admit the numbers of the i386-only calls the 32-bit
/// program made (_llseek, socketcall), which on x86_64 mean other calls.
#[test]
fn in_bpf_format_each_abi_admits_only_its_own_calls() {
    let dir = tempfile::tempdir().unwrap();
    let (Some(abi32), Some(abi64)) = (
        build_abi_program(dir.path(), "abi32", &["-m32"]),
        build_abi_program(dir.path(), "abi64", &[]),
    ) else {
        return;
    };
    let (abi32, abi64) = (abi32.to_str().unwrap(), abi64.to_str().unwrap());
    let script = format!("{abi32} work && {abi64} arch_prctl");
    let session = ["sh", "-c", script.as_str()];
    let docker = dir.path().join("session.json");
    let bpf = dir.path().join("session.bpf");
    let (plain, as_docker, as_bpf) = std::thread::scope(|s| {
        let plain = s.spawn(|| untraced(&session));
        let d = s.spawn(|| record(&["-o", docker.to_str().unwrap()], &session));
        let b = record(&["--format", "bpf", "-o", bpf.to_str().unwrap()], &session);
        (plain.join().unwrap(), d.join().unwrap(), b)
    });
    assert!(plain.status.success(), "{plain:?}");
    assert_eq!(as_docker.stdout, plain.stdout, "{as_docker:?}");
    assert_eq!(as_bpf.stdout, plain.stdout, "{as_bpf:?}");
    let enforced = run_under(&bpf, &session);
    assert_eq!(enforced.stdout, plain.stdout, "{enforced:?}");
    assert!(enforced.status.success(), "{enforced:?}");

    // i386 does not admit what only x86_64 called.
    let arch_prctl = [abi32, "arch_prctl"];
    let free = String::from_utf8_lossy(&untraced(&arch_prctl).stdout).into_owned();
    assert_ne!(free, "arch_prctl: EPERM\n");
    let union = run_under(&docker, &arch_prctl);
    assert_eq!(String::from_utf8_lossy(&union.stdout), free, "{union:?}");
    let exact = run_under(&bpf, &arch_prctl);
    assert_eq!(
        String::from_utf8_lossy(&exact.stdout),
        "arch_prctl: EPERM\n",
        "{exact:?}"
    );

    // x86_64 does not admit the numbers of the i386-only calls, where the session never
    // made the x86_64 call of that number (on any ABI).
    let allowed = names(&docker);
    let mut checked = Vec::new();
    for call in ["_llseek", "socketcall"] {
        let (nr, there) = i386_nr_on_x86_64(call);
        if allowed.contains(&there) {
            continue;
        }
        let probe = [abi64, "nr", &nr.to_string()];
        let free = String::from_utf8_lossy(&untraced(&probe).stdout).into_owned();
        let denied = format!("nr {nr}: EPERM\n");
        assert_ne!(free, denied, "{there} fails untraced");
        let exact = run_under(&bpf, &probe);
        assert_eq!(
            String::from_utf8_lossy(&exact.stdout),
            denied,
            "x86_64's {nr} ({there}, i386's {call}) admitted: {exact:?}"
        );
        checked.push(call);
    }
    assert!(
        !checked.is_empty(),
        "every i386-only call's number was an x86_64 call the session made: {allowed:?}"
    );
}

/// Lines of ping's output that do not change between runs: the banner, whether the
/// answer came, and the count (without the time).
fn ping_lines(out: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(out)
        .lines()
        .filter_map(|l| {
            if l.starts_with("PING ") {
                Some(l.to_string())
            } else if l.contains("bytes from 127.0.0.1") {
                Some("bytes from 127.0.0.1".to_string())
            } else if l.contains("packets transmitted") {
                l.split(", time").next().map(str::to_string)
            } else {
                None
            }
        })
        .collect()
}

/// ping needs privilege for its raw socket (here a file capability, cap_net_raw, or on
/// other systems setuid root): recorded as root it works as untraced, and under its
/// profile too.
#[test]
fn ping_recorded_as_root_works_as_untraced() {
    let Some(ping) = require(PING) else {
        return;
    };
    let command = [ping.to_str().unwrap(), "-c1", "127.0.0.1"];
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("ping.json");
    let plain = untraced(&command);
    assert!(plain.status.success(), "{plain:?}");
    let recorded = record(&["-o", profile.to_str().unwrap()], &command);
    assert!(recorded.status.success(), "{recorded:?}");
    assert_eq!(ping_lines(&recorded.stdout), ping_lines(&plain.stdout));
    assert_eq!(ping_lines(&plain.stdout).len(), 3, "{plain:?}");
    let enforced = run_under(&profile, &command);
    assert!(enforced.status.success(), "{enforced:?}");
    assert_eq!(ping_lines(&enforced.stdout), ping_lines(&plain.stdout));
}

/// A setuid program owned by nobody, run by root, runs as nobody: only without
/// NO_NEW_PRIVS, which the recorder (as root) does not set. `id -u` prints the effective
/// uid; so does `su nobody` (setuid root, which PAM lets root use without a password).
#[test]
fn setuid_programs_recorded_as_root_work_as_untraced() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let id = dir.path().join("id-as-nobody");
    std::fs::copy("/usr/bin/id", &id).unwrap();
    std::os::unix::fs::chown(&id, Some(65534), Some(65534)).unwrap();
    std::fs::set_permissions(&id, std::fs::Permissions::from_mode(0o4755)).unwrap();
    let su = ["su", "nobody", "-s", "/bin/sh", "-c", "id -u"];
    for command in [&[id.to_str().unwrap(), "-u"][..], &su[..]] {
        let plain = untraced(command);
        assert!(plain.status.success(), "{plain:?}");
        assert_eq!(String::from_utf8_lossy(&plain.stdout), "65534\n");
        let profile = dir.path().join("setuid.json");
        let recorded = record(&["-o", profile.to_str().unwrap()], command);
        assert_eq!(recorded.status, plain.status, "{command:?}: {recorded:?}");
        assert_eq!(recorded.stdout, plain.stdout, "{command:?}: {recorded:?}");
    }
}

/// A profile recorded from busybox-static on the host, exported as OCI, runs the same
/// command in a runc container with the same output: `--format oci` adds the calls of
/// runc's own init (`--runtime runc`, its default there), with noNewPrivileges either
/// way (false, Docker's and Kubernetes' default, makes runc install the filter before it
/// drops privileges, so more of its calls come under it). The same recording without
/// them (docker format, no --runtime) fails inside runc: the set is needed, and enough.
/// A `--format k8s` recording carries the set too, and converted to OCI it is the same
/// profile and runs the same.
#[test]
fn a_host_recorded_profile_runs_in_runc_with_runcs_own_calls_only() {
    let Some(busybox) = require(BUSYBOX) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let host = [busybox.to_str().unwrap(), "echo", "hi"];
    let oci = dir.path().join("oci.json");
    let k8s = dir.path().join("busybox.yaml");
    let bare = dir.path().join("docker.json");
    let (plain, recorded) = std::thread::scope(|s| {
        let plain = s.spawn(|| untraced(&host));
        let runs: Vec<_> = [
            vec!["--format", "oci", "-o", oci.to_str().unwrap()],
            vec!["--format", "k8s", "-o", k8s.to_str().unwrap()],
            vec!["-o", bare.to_str().unwrap()],
        ]
        .into_iter()
        .map(|args| s.spawn(move || record(&args, &host)))
        .collect();
        let recorded: Vec<Output> = runs.into_iter().map(|r| r.join().unwrap()).collect();
        (plain.join().unwrap(), recorded)
    });
    assert_eq!(String::from_utf8_lossy(&plain.stdout), "hi\n");
    for r in &recorded {
        assert_eq!(
            (r.status, &r.stdout),
            (plain.status, &plain.stdout),
            "{r:?}"
        );
    }
    for (r, runtime) in recorded.iter().zip([true, true, false]) {
        let said = String::from_utf8_lossy(&r.stderr).contains("--runtime runc");
        assert_eq!(said, runtime, "{r:?}");
    }
    let from_k8s = dir.path().join("from-k8s.json");
    let convert = common::sysfence()
        .args(["profile", "convert"])
        .arg(&k8s)
        .args(["--format", "oci", "-o"])
        .arg(&from_k8s)
        .output()
        .unwrap();
    assert!(convert.status.success(), "{convert:?}");
    let diff = common::sysfence()
        .args(["profile", "diff"])
        .arg(&oci)
        .arg(&from_k8s)
        .output()
        .unwrap();
    assert!(
        diff.status.success(),
        "the k8s export is another profile: {diff:?}"
    );

    let inside = ["/bin/busybox", "echo", "hi"];
    let cases = [
        ("oci-nnp", &oci, true, true),
        ("oci", &oci, false, true),
        ("k8s", &from_k8s, false, true),
        ("bare-nnp", &bare, true, false),
        ("bare", &bare, false, false),
    ];
    let Some(containers) = cases
        .iter()
        .map(|(name, profile, nnp, _)| {
            Container::new(dir.path(), name, json(profile), *nnp, &inside)
        })
        .collect::<Option<Vec<_>>>()
    else {
        return;
    };
    let outcomes: Vec<Output> = std::thread::scope(|s| {
        let runs: Vec<_> = containers.iter().map(|c| s.spawn(|| c.run())).collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    for ((name, _, _, runs), out) in cases.iter().zip(&outcomes) {
        if *runs {
            assert_eq!(
                (out.status, &out.stdout),
                (plain.status, &plain.stdout),
                "{name}: {out:?}"
            );
        } else {
            assert!(
                !out.status.success(),
                "{name} ran without runc's calls: {out:?}"
            );
            // runc's init reports the call the filter refused; or, when the refused
            // call is a futex of Go's runtime (which thread wakes which is timing),
            // the runtime dies of it with "futexwakeup ... returned -1".
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("operation not permitted")
                    || (err.contains("futexwakeup") && err.contains("returned -1")),
                "{name}: {out:?}"
            );
            assert!(out.stdout.is_empty(), "{name}: {out:?}");
        }
    }
}

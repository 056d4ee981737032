//! `sysfence watch` in the kernel, as root: what the scope lets through, with decoded
//! arguments, and what it drops in the kernel; clear errors for bad input.

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A watch running in the background, killed (SIGINT, then SIGKILL) when dropped.
struct Running {
    child: Child,
}

impl Running {
    /// Starts `sysfence watch ARGS` and waits until its probes are attached.
    fn start(args: &[&str]) -> Running {
        // The rest of stderr (the summary) is read to its end, and not looked at.
        let (child, _, _) = common::watching::attached(args, Stdio::null());
        Running { child }
    }

    /// `--events EVENTS --scope SCOPE --output json -o FILE`, attached.
    fn json(events: &str, scope: &str, file: &std::path::Path) -> Running {
        let file = file.to_str().unwrap();
        Running::start(&[
            "--events", events, "--scope", scope, "--output", "json", "-o", file,
        ])
    }

    /// `--events EVENTS --scope SCOPE --output json -o FILE --no-default-rules`: exactly
    /// the events asked for are captured, none for rules.
    fn json_without_rules(events: &str, scope: &str, file: &std::path::Path) -> Running {
        let file = file.to_str().unwrap();
        Running::start(&[
            "--events",
            events,
            "--scope",
            scope,
            "--output",
            "json",
            "-o",
            file,
            "--no-default-rules",
        ])
    }

    /// Stops it as Ctrl-C does and waits for it.
    fn stop(mut self) -> std::process::ExitStatus {
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "watch did not stop at SIGINT");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The events of a JSON stream: the built-in rules' alerts among them are left out
/// (watch_rules.rs tests those).
fn json_lines(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .filter(|l: &serde_json::Value| l["type"] != "alert")
        .collect()
}

/// `--events execve,openat,connect --scope comm=NAME --output json`: the program's exec,
/// its open of a known path and its connect to a loopback port arrive decoded, with its
/// pid and uid, and nothing of any other comm.
#[test]
fn a_scoped_program_is_seen_exec_open_and_connect_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let comm = format!("sfw{}", std::process::id() % 1_000_000);
    let program = dir.path().join(&comm);
    std::fs::copy(common::fixture("watch_subject"), &program).unwrap();
    let target = dir.path().join("opened-by-the-subject");
    std::fs::write(&target, "x").unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let events = dir.path().join("events.jsonl");
    let scope = format!("comm={comm}");
    let watch = Running::json("execve,openat,connect", &scope, &events);
    let child = Command::new(&program)
        .arg(&target)
        .arg(port.to_string())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&child.stdout),
        "opened true connected true\n"
    );
    // Everything of the program's is in the ring buffer once it has exited; give the
    // reader a moment to drain it.
    std::thread::sleep(Duration::from_millis(300));
    assert!(watch.stop().success());
    let lines = json_lines(&events);
    assert!(!lines.is_empty(), "no events");
    for l in &lines {
        assert_eq!(l["v"], 1);
        assert_eq!(l["comm"], comm.as_str(), "only the scoped comm: {l}");
        assert_eq!(l["uid"], 0);
        assert!(
            ["execve", "openat", "connect"].contains(&l["name"].as_str().unwrap()),
            "{l}"
        );
    }
    let pid = lines[0]["pid"].clone();
    assert!(lines.iter().all(|l| l["pid"] == pid), "one process");
    let arg = |l: &serde_json::Value, i: usize| l["args"][i]["text"].as_str().unwrap().to_string();
    let exec = lines
        .iter()
        .find(|l| l["name"] == "execve")
        .expect("the exec");
    assert_eq!(arg(exec, 0), format!("{:?}", program.to_str().unwrap()));
    assert_eq!(exec["ret"], 0);
    let open = lines
        .iter()
        .find(|l| l["name"] == "openat" && arg(l, 1) == format!("{:?}", target.to_str().unwrap()))
        .unwrap_or_else(|| panic!("no openat of {}: {lines:?}", target.display()));
    assert!(open["ret"].as_i64().unwrap() >= 0, "{open}");
    let connect = lines
        .iter()
        .find(|l| l["name"] == "connect")
        .expect("the connect");
    assert_eq!(
        arg(connect, 1),
        format!("{{sa_family=AF_INET, sin_port=htons({port}), sin_addr=inet_addr(\"127.0.0.1\")}}")
    );
    assert_eq!(connect["ret"], 0);
}

/// The summary says how many calls the kernel dropped for being out of scope: the other
/// processes' calls never reached sysfence.
#[test]
fn calls_out_of_scope_are_dropped_in_the_kernel_and_counted() {
    let out = common::sysfence()
        .args(["watch", "--scope", "comm=no-such-comm", "--duration", "0.5"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(out.stdout.is_empty(), "nothing matched: {out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary = stderr
        .lines()
        .find(|l| l.contains("dropped in the kernel"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(summary.contains("watch: 0 events"), "{summary}");
    let filtered: u64 = summary
        .split("dropped in the kernel: ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(filtered > 0, "{summary}");
}

#[test]
fn bad_input_gets_an_error_that_names_the_problem() {
    for (args, says) in [
        (vec!["--events", "opnat"], "did you mean openat"),
        (vec!["--scope", "netns=1"], "unknown scope `netns`"),
        (
            vec!["--events", "openat.retval<x"],
            "retval compares with a number",
        ),
        (
            vec!["--events", "openat.data.filename<abc"],
            "compares numbers",
        ),
        (vec!["--events", "-openat.retval<0"], "cannot exclude"),
        (
            vec!["--events", "openat.size=1"],
            "expected EVENT.data.FIELD=VALUE",
        ),
        (vec!["--scope", "mntns<1"], "mntns takes = or != only"),
        (vec!["--scope", "tree=999999999"], "no process 999999999"),
        (vec!["--scope", "pid>3"], "pid takes = or != only"),
        (vec!["--scope", "uid=abc"], "`abc` is not a number"),
        (vec!["--scope", "comm"], "expected KEY=VALUE"),
        (vec!["--duration", "0"], "above 0"),
        (vec!["--events", ""], "names no event"),
        (vec!["--events", "openat,-openat"], "leave no event"),
        (vec!["--scope", "uid<0"], "no uid is below 0"),
        (
            vec!["--scope", "executable=*a*b"],
            "leading `*` takes a file name's end",
        ),
        (
            vec!["--scope", "executable=/no/such/file"],
            "/no/such/file: No such file",
        ),
        (vec!["--scope", "executable=bin*"], "absolute directory"),
        (
            vec!["--scope", "executable<1"],
            "executable takes = or != only",
        ),
        (vec!["--scope", "tree<1"], "tree takes = or != only"),
        (vec!["--scope", "comm=a*b*"], "one `*`, at its start"),
        (vec!["--scope", "comm=*"], "one `*`"),
        (
            vec!["--scope", "comm=abcdefghijklmnopq*"],
            "keeps 15 bytes of a comm",
        ),
        (vec!["--scope", "container=*"], "`*` goes at one end"),
        (
            vec!["--scope", "container", "--scope", "not-container"],
            "leaves out every container",
        ),
    ] {
        // Should the input ever become valid, the watch must not run for ever.
        let mut child = common::sysfence()
            .arg("watch")
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}

/// Without root the probes cannot load: the error says so instead of an OS error.
#[test]
fn without_root_the_error_names_what_is_missing() {
    // setpriv is util-linux's, which every Debian has.
    let out = Command::new("setpriv")
        .args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_sysfence"))
        .args(["watch", "--duration", "0.1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("eBPF needs root"),
        "{out:?}"
    );
}

/// A copy of the watch_subject fixture under a comm of its own.
fn subject(dir: &std::path::Path, tag: &str) -> (std::path::PathBuf, String) {
    let comm = format!("sf{tag}{}", std::process::id() % 100_000);
    let program = dir.join(&comm);
    std::fs::copy(common::fixture("watch_subject"), &program).unwrap();
    (program, comm)
}

/// `--scope tree=PID` follows the processes the shell forks after the watch began (in
/// the kernel, at fork), and shows their exec with filename and argv, their fork and
/// their exit status; nothing outside the tree.
#[test]
fn a_tree_scope_follows_new_children_with_their_exec_fork_and_exit() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let mut sh = Command::new("sh")
        .args(["-c", "read go; ls / >/dev/null; sh -c 'exit 3'; true"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let root = sh.id();
    let scope = format!("tree={root}");
    let watch = Running::json("exec,fork,exit", &scope, &events);
    sh.stdin.take().unwrap().write_all(b"go\n").unwrap();
    assert!(sh.wait().unwrap().success());
    std::thread::sleep(Duration::from_millis(300));
    assert!(watch.stop().success());
    let lines = json_lines(&events);
    let forks: Vec<u64> = lines
        .iter()
        .filter(|l| l["type"] == "fork" && l["pid"] == root)
        .map(|l| l["child_pid"].as_u64().unwrap())
        .collect();
    assert_eq!(forks.len(), 2, "the shell forked ls and sh: {lines:?}");
    let mut tree: Vec<u64> = forks.clone();
    tree.push(u64::from(root));
    for l in &lines {
        assert!(
            tree.contains(&l["pid"].as_u64().unwrap()),
            "outside the tree: {l}"
        );
    }
    let ls = lines
        .iter()
        .find(|l| l["type"] == "exec" && l["filename"] == "/usr/bin/ls")
        .unwrap_or_else(|| panic!("no exec of ls: {lines:?}"));
    assert_eq!(ls["argv"], serde_json::json!(["ls", "/"]));
    assert_eq!(ls["argv_complete"], true);
    assert_eq!(ls["pid"], forks[0]);
    assert_eq!(ls["ppid"], root);
    let exit_of = |pid: u64| {
        lines
            .iter()
            .find(|l| l["type"] == "exit" && l["pid"] == pid)
            .unwrap_or_else(|| panic!("no exit of {pid}: {lines:?}"))["code"]
            .clone()
    };
    assert_eq!(exit_of(forks[0]), 0);
    assert_eq!(exit_of(forks[1]), 3);
}

/// An attempt to load a kernel module is seen, failed: these kernels have no module
/// support (ENOSYS); elsewhere the kernel refuses the empty image.
#[test]
fn a_module_load_attempt_is_seen_even_when_it_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (program, comm) = subject(dir.path(), "mod");
    let events = dir.path().join("events.jsonl");
    let scope = format!("comm={comm}");
    let watch = Running::json("module_load", &scope, &events);
    let out = Command::new(&program).arg("init_module").output().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(watch.stop().success());
    let lines = json_lines(&events);
    let names: Vec<&str> = lines.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["init_module", "finit_module"], "{lines:?}");
    let no_modules = !std::path::Path::new("/proc/modules").exists();
    for l in &lines {
        assert!(l["ret"].as_i64().unwrap() < 0, "{l}");
        if no_modules {
            assert_eq!(l["errno"], "ENOSYS", "{l}");
        }
    }
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("init_module "), "{printed}");
}

/// Two threads make syscalls as fast as they can: every call is either delivered or
/// counted as lost, exactly (the kernel's lost counter and the delivered events add up
/// to the calls made, a lost record of the process's own life aside), and the losses are
/// reported in the stream itself.
#[test]
fn a_flood_is_delivered_or_reported_lost_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let (program, comm) = subject(dir.path(), "fl");
    let events = dir.path().join("events.jsonl");
    let scope = format!("comm={comm}");
    // Without rules: the events captured for them alone could be lost too, and a lost
    // count does not tell which they were.
    let watch = Running::json_without_rules("getppid", &scope, &events);
    let per_thread = 100_000;
    let out = Command::new(&program)
        .args(["flood", &per_thread.to_string()])
        .output()
        .unwrap();
    assert!(out.status.success());
    std::thread::sleep(Duration::from_millis(300));
    assert!(watch.stop().success());
    let lines = json_lines(&events);
    let delivered = lines.iter().filter(|l| l["name"] == "getppid").count() as u64;
    let lost_reported: u64 = lines
        .iter()
        .filter(|l| l["type"] == "lost")
        .map(|l| l["count"].as_u64().unwrap())
        .sum();
    let last_total = lines
        .iter()
        .rev()
        .find(|l| l["type"] == "lost")
        .map_or(0, |l| l["total"].as_u64().unwrap());
    assert_eq!(lost_reported, last_total, "the lost reports add up");
    // The ring's lost count is of every record it could not take: under a load that
    // loses most calls, a record of the process's own life (its threads' forks and
    // exits, its exec: six at most) can be among them.
    let calls = 2 * per_thread;
    assert!(
        delivered <= calls && (calls..=calls + 6).contains(&(delivered + lost_reported)),
        "{delivered} delivered, {lost_reported} lost, of {calls} calls"
    );
    eprintln!("flood: {delivered} delivered, {lost_reported} reported lost");
}

/// A program that opens a file through io_uring (no open syscall) and reads it through
/// io_uring too appears with each request's operation, fd and (for the open) path and
/// result, under `--scope comm=` of the program.
#[test]
fn io_uring_requests_are_seen_with_their_operation_fd_and_path() {
    let dir = tempfile::tempdir().unwrap();
    let comm = format!("sfiou{}", std::process::id() % 100_000);
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/c/io_uring_open.c");
    let Some(program) = common::build_c(source, &dir.path().join(&comm), &[]) else {
        return;
    };
    let target = dir.path().join("read-through-io-uring");
    std::fs::write(&target, "x").unwrap();
    let events = dir.path().join("events.jsonl");
    let scope = format!("comm={comm}");
    let watch = Running::json("io_uring,open", &scope, &events);
    let out = Command::new(&program).arg(&target).output().unwrap();
    let printed = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{out:?}");
    std::thread::sleep(Duration::from_millis(300));
    assert!(watch.stop().success());
    let lines = json_lines(&events);
    let requests: Vec<&serde_json::Value> =
        lines.iter().filter(|l| l["type"] == "io_uring").collect();
    let open = requests
        .iter()
        .find(|l| l["op"] == "IORING_OP_OPENAT")
        .unwrap_or_else(|| panic!("no IORING_OP_OPENAT: {lines:?}"));
    assert_eq!(open["path"], target.to_str().unwrap());
    assert_eq!(open["fd"], -100, "AT_FDCWD");
    assert_eq!(open["user_data"], 7);
    assert_eq!(open["comm"], comm.as_str());
    let fd = open["res"].as_i64().unwrap();
    assert!(
        printed.starts_with(&format!("opened fd {fd} ")),
        "{printed}"
    );
    let read = requests
        .iter()
        .find(|l| l["op"] == "IORING_OP_READ")
        .unwrap_or_else(|| panic!("no IORING_OP_READ: {lines:?}"));
    assert_eq!(read["fd"], fd);
    assert_eq!(read["res"], 1);
    // The file itself was never opened by a syscall: only the loader's libraries were.
    let target_text = format!("{:?}", target.to_str().unwrap());
    assert!(
        !lines
            .iter()
            .any(|l| l["type"] == "syscall" && l["args"][1]["text"] == target_text.as_str()),
        "{lines:?}"
    );
}

/// Two watches at once do not watch each other (each would see the other's output
/// writes, and they would feed each other): a watch started second never shows the first.
#[test]
fn a_watch_does_not_see_another_watch() {
    let dir = tempfile::tempdir().unwrap();
    let (first_out, second_out) = (
        dir.path().join("first.jsonl"),
        dir.path().join("second.jsonl"),
    );
    let first = Running::start(&[
        "--events",
        "write",
        "--output",
        "json",
        "-o",
        first_out.to_str().unwrap(),
    ]);
    let second = Running::start(&[
        "--events",
        "write",
        "--output",
        "json",
        "-o",
        second_out.to_str().unwrap(),
    ]);
    // Give both something to write about: each shell writes one line (the machine's
    // own writes are not to be counted on; a quiet CI host had none).
    for _ in 0..20 {
        Command::new("sh")
            .args(["-c", "echo sysfence-watch-write"])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    let first_pid = u64::from(first.child.id());
    assert!(second.stop().success());
    assert!(first.stop().success());
    let lines = json_lines(&second_out);
    assert!(
        lines.iter().all(|l| l["pid"] != first_pid),
        "the second watch saw the first ({first_pid})"
    );
    let first_lines = json_lines(&first_out);
    assert!(
        first_lines
            .iter()
            .any(|l| l.to_string().contains("sysfence-watch-write")),
        "the first watch saw the shells' writes: {first_lines:?}"
    );
}

/// `--scope container=new` sees a busybox container that runc starts after the watch
/// began, with its container id, and nothing of the host.
#[test]
fn a_container_started_after_the_watch_is_seen_with_its_id_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["/bin/busybox", "sh", "-c", "/bin/busybox echo hi"];
    let Some(container) =
        common::runc::Container::new(dir.path(), "watched", serde_json::Value::Null, true, &args)
    else {
        return;
    };
    let events = dir.path().join("events.jsonl");
    let watch = Running::json("exec", "container=new", &events);
    let out = container.run();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hi\n", "{out:?}");
    std::thread::sleep(Duration::from_millis(300));
    assert!(watch.stop().success());
    let lines = json_lines(&events);
    assert!(!lines.is_empty(), "nothing seen");
    for l in &lines {
        assert_eq!(
            l["container"],
            container.id.as_str(),
            "only the container: {l}"
        );
        assert_eq!(l["runtime"], "runc", "{l}");
    }
    let echo = lines
        .iter()
        .find(|l| l["argv"] == serde_json::json!(["/bin/busybox", "echo", "hi"]))
        .unwrap_or_else(|| panic!("no exec of echo: {lines:?}"));
    assert_eq!(echo["filename"], "/bin/busybox");
}

/// `pid=new` keeps only processes forked after the watch began: a shell started before
/// is not seen, the command it starts after is.
#[test]
fn pid_new_sees_only_processes_started_after_the_watch() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let mut sh = Command::new("sh")
        .args(["-c", "read go; exec ls /"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let old = u64::from(sh.id());
    let watch = Running::json("exec,exit", "pid=new", &events);
    // The shell, older than the watch, now execs ls in place: still not new.
    sh.stdin.take().unwrap().write_all(b"go\n").unwrap();
    assert!(sh.wait().unwrap().success());
    let after = Command::new("true").spawn().unwrap();
    let new = u64::from(after.id());
    let _ = after.wait_with_output();
    std::thread::sleep(Duration::from_millis(300));
    assert!(watch.stop().success());
    let lines = json_lines(&events);
    assert!(
        lines.iter().all(|l| l["pid"] != old),
        "the older process: {lines:?}"
    );
    assert!(
        lines.iter().any(|l| l["pid"] == new && l["type"] == "exec"),
        "the newer one's exec: {lines:?}"
    );
}

/// `follow` adds the descendants of the tasks in scope: a program scoped by its comm is
/// seen, and so is the `ls` it starts, which the comm alone would not match.
#[test]
fn follow_adds_the_children_of_the_tasks_in_scope() {
    let dir = tempfile::tempdir().unwrap();
    let comm = format!("sffol{}", std::process::id() % 100_000);
    let shell = dir.path().join(&comm);
    std::fs::copy("/bin/sh", &shell).unwrap();
    let events = dir.path().join("events.jsonl");
    let file = events.to_str().unwrap().to_string();
    let scope = format!("comm={comm}");
    let watch = Running::start(&[
        "--events", "exec", "--scope", &scope, "--scope", "follow", "--output", "json", "-o", &file,
    ]);
    let out = Command::new(&shell)
        .args(["-c", "ls / >/dev/null; true"])
        .output()
        .unwrap();
    assert!(out.status.success());
    std::thread::sleep(Duration::from_millis(300));
    assert!(watch.stop().success());
    let lines = json_lines(&events);
    let execs: Vec<&str> = lines
        .iter()
        .map(|l| l["filename"].as_str().unwrap())
        .collect();
    assert!(execs.contains(&shell.to_str().unwrap()), "{execs:?}");
    assert!(
        execs.contains(&"/usr/bin/ls"),
        "the child, followed: {execs:?}"
    );
}

/// `mntns=` and `pidns=` (inode numbers, as `ls -l /proc/PID/ns` and the events show them)
/// keep the tasks of one namespace: a shell in a new mount and pid namespace (`unshare
/// -mpf`) is seen by `mntns=ITS`, and nothing of the host's namespace is.
#[test]
fn a_namespace_scope_keeps_the_tasks_of_that_namespace() {
    use std::io::Write;
    let Some(unshare) = sysfence_fixtures::tools::require(sysfence_fixtures::tools::UNSHARE) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let mut sh = Command::new(unshare)
        .args(["-m", "-p", "-f", "sh", "-c", "read go; ls / >/dev/null"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    // The forked shell is unshare's child, in the new namespaces.
    let deadline = Instant::now() + Duration::from_secs(10);
    let inner = loop {
        let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", sh.id()))
            .unwrap_or_default();
        if let Some(pid) = children.split_whitespace().next() {
            break pid.to_string();
        }
        assert!(Instant::now() < deadline, "unshare forked no shell");
        std::thread::sleep(Duration::from_millis(10));
    };
    let ns = |kind: &str, pid: &str| -> String {
        let link = std::fs::read_link(format!("/proc/{pid}/ns/{kind}")).unwrap();
        let text = link.to_string_lossy().into_owned();
        text.trim_end_matches(']')
            .rsplit('[')
            .next()
            .unwrap()
            .to_string()
    };
    let mntns = ns("mnt", &inner);
    assert_ne!(mntns, ns("mnt", "self"), "a mount namespace of its own");
    let scope = format!("mntns={mntns}");
    let watch = Running::json("exec", &scope, &events);
    sh.stdin.take().unwrap().write_all(b"go\n").unwrap();
    assert!(sh.wait().unwrap().success());
    Command::new("true").status().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(watch.stop().success());
    let lines = json_lines(&events);
    assert!(
        lines.iter().any(|l| l["filename"] == "/usr/bin/ls"),
        "the namespace's ls: {lines:?}"
    );
    for l in &lines {
        assert_eq!(l["mntns"].to_string(), mntns, "only that namespace: {l}");
    }
}

/// Field filters, as Tracee's: `openat.retval<0` keeps only failed opens, and
/// `openat.data.pathname=PREFIX*` only opens under a directory; what they drop is counted.
#[test]
fn field_filters_keep_only_the_events_whose_fields_match() {
    let dir = tempfile::tempdir().unwrap();
    let (program, comm) = subject(dir.path(), "fld");
    let there = dir.path().join("there");
    std::fs::write(&there, "x").unwrap();
    let missing = dir.path().join("missing");
    let scope = format!("comm={comm}");
    let failed = dir.path().join("failed.jsonl");
    let under = dir.path().join("under.jsonl");
    let failed_only = Running::json("openat.retval<0", &scope, &failed);
    let prefix = format!("openat.data.pathname={}/*", dir.path().display());
    let under_dir = Running::json(&prefix, &scope, &under);
    for path in [&there, &missing] {
        // The subject opens PATH, then fails to connect to port 1.
        Command::new(&program).arg(path).arg("1").output().unwrap();
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(failed_only.stop().success());
    assert!(under_dir.stop().success());
    let file_arg = |l: &serde_json::Value| l["args"][1]["text"].as_str().unwrap().to_string();
    let quoted = |p: &std::path::Path| format!("{:?}", p.to_str().unwrap());
    let failed = json_lines(&failed);
    assert!(
        failed.iter().all(|l| l["ret"].as_i64().unwrap() < 0),
        "{failed:?}"
    );
    assert!(
        failed.iter().any(|l| file_arg(l) == quoted(&missing)),
        "{failed:?}"
    );
    assert!(failed.iter().all(|l| file_arg(l) != quoted(&there)));
    let under = json_lines(&under);
    let opened: Vec<String> = under.iter().map(file_arg).collect();
    assert_eq!(
        opened,
        [quoted(&there), quoted(&missing)],
        "only the directory's files"
    );
}

/// A copy of cat under a name of its own in `dir`, and that name.
fn cat_copy(dir: &std::path::Path, tag: &str) -> (std::path::PathBuf, String) {
    let name = format!("sf{tag}{}", std::process::id() % 100_000);
    let program = dir.join(&name);
    std::fs::copy("/usr/bin/cat", &program).unwrap();
    (program, name)
}

/// Runs `program FILE` and checks it worked; its pid.
fn run_on(program: &std::path::Path, file: &std::path::Path) -> u64 {
    let child = Command::new(program)
        .arg(file)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pid = u64::from(child.id());
    assert!(child.wait_with_output().unwrap().status.success());
    pid
}

/// `--scope executable=PATH` keeps the processes running that file, decided in the
/// kernel at exec by its inode: run through a hard link (another name, another comm) it
/// is still seen; another program is not. `*NAME` and `DIR/NAME*` match by name.
#[test]
fn an_executable_scope_keeps_the_processes_running_that_file() {
    let dir = tempfile::tempdir().unwrap();
    let (program, name) = cat_copy(dir.path(), "exe");
    let link = dir.path().join("other-name");
    std::fs::hard_link(&program, &link).unwrap();
    let (other, _) = cat_copy(dir.path(), "nox");
    let data = dir.path().join("data");
    std::fs::write(&data, "x").unwrap();
    let data_text = format!("\"{}\"", data.display());
    for (scope, seen, unseen) in [
        (
            format!("executable={}", program.display()),
            vec![&program, &link],
            vec![&other],
        ),
        (
            format!("executable=*{}", &name[2..]),
            vec![&program],
            vec![&link, &other],
        ),
        (
            format!("executable={}/sfe*", dir.path().display()),
            vec![&program],
            vec![&link, &other],
        ),
        (
            format!("executable!={}", program.display()),
            vec![&other],
            vec![&program, &link],
        ),
    ] {
        let events = dir.path().join("events.jsonl");
        let watch = Running::json("exec,openat", &scope, &events);
        let seen_pids: Vec<u64> = seen.iter().map(|p| run_on(p, &data)).collect();
        let unseen_pids: Vec<u64> = unseen.iter().map(|p| run_on(p, &data)).collect();
        std::thread::sleep(Duration::from_millis(200));
        assert!(watch.stop().success());
        let lines = json_lines(&events);
        for pid in &seen_pids {
            let opened = lines.iter().any(|l| {
                l["pid"] == *pid
                    && l["name"] == "openat"
                    && l["args"][1]["text"] == data_text.as_str()
            });
            assert!(opened, "{scope}: no open of the data by {pid}: {lines:?}");
            assert!(
                lines
                    .iter()
                    .any(|l| l["pid"] == *pid && l["type"] == "exec"),
                "{scope}: no exec of {pid}"
            );
        }
        for l in &lines {
            assert!(
                !unseen_pids.contains(&l["pid"].as_u64().unwrap()),
                "{scope}: out of scope: {l}"
            );
        }
    }
}

/// An exec's environment is in its event only with --exec-env (it holds secrets).
#[test]
fn an_exec_shows_its_environment_only_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (program, name) = cat_copy(dir.path(), "env");
    let scope = format!("comm={name}");
    for with_env in [false, true] {
        let events = dir.path().join("events.jsonl");
        let file = events.to_str().unwrap();
        let mut args = vec!["--events", "exec", "--scope", &scope, "--output", "json"];
        args.extend(["-o", file]);
        if with_env {
            args.push("--exec-env");
        }
        let watch = Running::start(&args);
        let status = Command::new(&program)
            .arg("/dev/null")
            .env("SF_SECRET", "s3cret value")
            .status()
            .unwrap();
        assert!(status.success());
        std::thread::sleep(Duration::from_millis(200));
        assert!(watch.stop().success());
        let lines = json_lines(&events);
        let exec = lines
            .iter()
            .find(|l| l["type"] == "exec")
            .unwrap_or_else(|| panic!("no exec: {lines:?}"));
        if with_env {
            let env: Vec<&str> = exec["env"]
                .as_array()
                .unwrap_or_else(|| panic!("no env: {exec}"))
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert!(env.contains(&"SF_SECRET=s3cret value"), "{env:?}");
            assert_eq!(exec["env_complete"], true, "{exec}");
        } else {
            assert!(exec.get("env").is_none(), "{exec}");
        }
    }
}

/// `tree!=PID` leaves out a process tree, its children forked after the start too.
#[test]
fn a_tree_exclusion_leaves_out_the_tree_and_its_new_children() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let (program, name) = cat_copy(dir.path(), "tre");
    let data = dir.path().join("data");
    std::fs::write(&data, "x").unwrap();
    let mut sh = Command::new("sh")
        .arg("-c")
        .arg(format!("read go; '{}' /dev/null", program.display()))
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    let root = sh.id();
    let events = dir.path().join("events.jsonl");
    let file = events.to_str().unwrap();
    let (not_tree, comm) = (format!("tree!={root}"), format!("comm={name}"));
    let watch = Running::start(&[
        "--events",
        "exec,openat",
        "--scope",
        &not_tree,
        "--scope",
        &comm,
        "--output",
        "json",
        "-o",
        file,
    ]);
    sh.stdin.take().unwrap().write_all(b"go\n").unwrap();
    assert!(sh.wait().unwrap().success());
    let outside = run_on(&program, &data);
    std::thread::sleep(Duration::from_millis(200));
    assert!(watch.stop().success());
    let lines = json_lines(&events);
    assert!(
        lines
            .iter()
            .any(|l| l["pid"] == outside && l["type"] == "exec"),
        "the run outside the tree is seen: {lines:?}"
    );
    for l in &lines {
        assert_eq!(l["pid"], outside, "only the run outside the tree: {l}");
    }
}

/// `not-container` leaves out a container started after the watch began (found as its
/// cgroup is made), while the host's processes are seen.
#[test]
fn not_container_leaves_out_a_container_started_later() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["/bin/busybox", "sh", "-c", "/bin/busybox echo hi"];
    let Some(container) = common::runc::Container::new(
        dir.path(),
        "unwatched",
        serde_json::Value::Null,
        true,
        &args,
    ) else {
        return;
    };
    let (program, _) = cat_copy(dir.path(), "hst");
    let events = dir.path().join("events.jsonl");
    // Without rules: they would have every host's open and close captured, and a reader
    // that lags behind may meet the container's cgroup after runc has removed its state
    // (it is then told from the host's by its path alone).
    let watch = Running::json_without_rules("exec", "not-container", &events);
    let out = container.run();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hi\n", "{out:?}");
    let host = run_on(&program, std::path::Path::new("/dev/null"));
    std::thread::sleep(Duration::from_millis(300));
    assert!(watch.stop().success());
    let lines = json_lines(&events);
    assert!(
        lines.iter().any(|l| l["pid"] == host),
        "the host's exec is seen: {lines:?}"
    );
    for l in &lines {
        assert!(l.get("container").is_none(), "a container's event: {l}");
        assert_ne!(
            l["argv"],
            serde_json::json!(["/bin/busybox", "echo", "hi"]),
            "the container's exec: {l}"
        );
    }
}

/// `--scope comm=NAME*` and `comm!=*NAME` are decided in the kernel from a class each
/// thread gets when its comm is set (exec, a write to /proc/PID/comm) and inherits at
/// fork: a program whose comm starts with the prefix is seen, another not, one that ends
/// with the excluded suffix not; a shell is seen from the moment it renames itself into
/// the pattern, not before.
#[test]
fn comm_patterns_follow_the_comm_as_it_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let tag = format!("p{}", std::process::id() % 10_000);
    let copy = |name: String| {
        let program = dir.path().join(&name);
        std::fs::copy("/usr/bin/cat", &program).unwrap();
        program
    };
    let prefix = format!("sf{tag}");
    let seen = copy(format!("{prefix}a"));
    let excluded = copy(format!("{prefix}zq"));
    let other = copy(format!("no{prefix}"));
    let data = dir.path().join("data");
    std::fs::write(&data, "x").unwrap();
    let before = dir.path().join("before");
    let after = dir.path().join("after");
    std::fs::write(&before, "x\n").unwrap();
    std::fs::write(&after, "x\n").unwrap();
    let events = dir.path().join("events.jsonl");
    let file = events.to_str().unwrap();
    let watch = Running::start(&[
        "--events",
        "openat",
        "--scope",
        &format!("comm={prefix}*"),
        "--scope",
        "comm!=*zq",
        "--output",
        "json",
        "-o",
        file,
    ]);
    let seen_pid = run_on(&seen, &data);
    let unseen = [run_on(&excluded, &data), run_on(&other, &data)];
    let renamed = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "read x < {}; printf {prefix}ren > /proc/$$/comm; read y < {}",
            before.display(),
            after.display()
        ))
        .spawn()
        .unwrap();
    let renamed_pid = u64::from(renamed.id());
    assert!(renamed.wait_with_output().unwrap().status.success());
    std::thread::sleep(Duration::from_millis(200));
    assert!(watch.stop().success());
    let lines = json_lines(&events);
    let opened = |pid: u64, path: &std::path::Path| {
        let text = format!("\"{}\"", path.display());
        lines
            .iter()
            .any(|l| l["pid"] == pid && l["args"][1]["text"] == text.as_str())
    };
    assert!(opened(seen_pid, &data), "no open by {seen_pid}: {lines:?}");
    assert!(opened(renamed_pid, &after), "the renamed shell: {lines:?}");
    assert!(
        !opened(renamed_pid, &before),
        "before its rename: {lines:?}"
    );
    for l in &lines {
        assert!(
            !unseen.contains(&l["pid"].as_u64().unwrap()),
            "out of scope: {l}"
        );
        assert!(l["comm"].as_str().unwrap().starts_with(&prefix), "{l}");
    }
}

/// `--scope tid=N` keeps one thread of a process, decided in the kernel: the getppid
/// calls of a flood's two threads arrive from the chosen one only.
#[test]
fn a_tid_scope_keeps_one_thread() {
    let mut flood = Command::new(common::fixture("watch_subject"))
        .args(["flood", "40000", "20000"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pid = flood.id();
    let task = format!("/proc/{pid}/task");
    let deadline = Instant::now() + Duration::from_secs(5);
    let thread = loop {
        let tids: Vec<u32> = std::fs::read_dir(&task)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
            .filter(|&t| t != pid)
            .collect();
        if let Some(&t) = tids.first() {
            break t;
        }
        assert!(Instant::now() < deadline, "the flood started no thread");
        std::thread::sleep(Duration::from_millis(10));
    };
    let dir = tempfile::tempdir().unwrap();
    let events = dir.path().join("events.jsonl");
    let watch = Running::json("getppid", &format!("tid={thread}"), &events);
    std::thread::sleep(Duration::from_millis(300));
    assert!(watch.stop().success());
    let _ = flood.kill();
    let _ = flood.wait();
    let lines = json_lines(&events);
    assert!(!lines.is_empty(), "no call of thread {thread}");
    for l in &lines {
        assert_eq!(l["tid"], thread, "another thread: {l}");
        assert_eq!(l["pid"], pid, "{l}");
    }
}

/// An output that cannot be written ends the watch with the reason, at once (nothing
/// watched is harmed by its end), and a device given as -o stays a device.
#[test]
fn an_output_that_fails_ends_the_watch_with_the_reason() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let (program, name) = cat_copy(dir.path(), "full");
    let mut child = common::sysfence()
        .args(["watch", "--events", "openat", "--scope"])
        .arg(format!("comm={name}"))
        .args(["-o", "/dev/full"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("probes attached") {
        line.clear();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no attach");
    }
    run_on(&program, &program);
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the watch went on writing to /dev/full");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert_eq!(status.code(), Some(1), "{rest}");
    assert!(
        rest.contains("cannot write events: /dev/full: No space left on device"),
        "{rest}"
    );
    assert!(
        std::fs::metadata("/dev/full")
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

/// An i386 program's connect goes through socketcall: `--events connect` sees it, as
/// connect with its address (a deny-list watching connect had a way around it).
#[test]
fn an_i386_socketcall_connect_is_a_connect() {
    let dir = tempfile::tempdir().unwrap();
    let comm = format!("sfsc{}", std::process::id() % 100_000);
    let Some(program) = common::socketcall_connect(dir.path(), &comm) else {
        return;
    };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let events = dir.path().join("events.jsonl");
    let watch = Running::json("connect", &format!("comm={comm}"), &events);
    let out = Command::new(&program)
        .arg(port.to_string())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "connect 0\n");
    std::thread::sleep(Duration::from_millis(200));
    assert!(watch.stop().success());
    let lines = json_lines(&events);
    let connect = lines
        .iter()
        .find(|l| l["name"] == "connect")
        .unwrap_or_else(|| panic!("no connect: {lines:?}"));
    assert_eq!(connect["arch"], "i386", "{connect}");
    let addr = connect["args"][1]["text"].as_str().unwrap();
    assert!(addr.contains(&format!("htons({port})")), "{connect}");
}

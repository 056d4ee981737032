//! Every built-in rule, live (`sysfence watch`, eBPF, as root): each behaviour is
//! performed harmlessly and must raise exactly its rule, once per attempt, with the pid of
//! the process that did it and the fields that show why; its benign twin, and everything
//! the test itself does around them (runc's own work included), must raise nothing. The
//! files a behaviour touches are fakes: in a private mount namespace with tmpfs over /etc
//! and /var/log and throwaway files bound over /proc's sysrq-trigger and core_pattern, or
//! in a temp dir; the container rules run in runc busybox containers. `rules test` over
//! the stream the watch wrote then raises the same alerts.
//!
//! One test, one watch (scoped to this test process's tree): the behaviours run one after
//! another, and every mismatch is listed at the end.

mod common;

use common::watching::{Running, copy, json_lines};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A process holding a private mount namespace with fakes over the files the
/// behaviours write (set up before the watch starts, so its own work is not seen).
struct Namespace {
    holder: Child,
    /// Its /proc/PID/ns/mnt, open.
    ns: std::fs::File,
}

impl Namespace {
    /// tmpfs over /etc (with empty fakes of the files read or changed) and /var/log;
    /// files in `dir` bound over /proc/sysrq-trigger (where the kernel has it: an open of
    /// it then fails) and /proc/sys/kernel/core_pattern.
    /// Any step failing ends the holder before it says `ready`.
    fn new(dir: &Path) -> Namespace {
        let d = dir.display();
        let setup = format!(
            "set -e
             touch {d}/sysrq {d}/core_pattern
             if [ -e /proc/sysrq-trigger ]; then mount --bind {d}/sysrq /proc/sysrq-trigger; fi
             mount --bind {d}/core_pattern /proc/sys/kernel/core_pattern
             mount -t tmpfs sysfence-test /etc
             mount -t tmpfs sysfence-test /var/log
             mkdir -p /etc/kubernetes/pki /etc/init.d
             cd /etc && touch passwd shadow sudoers hostname crontab ld.so.preload \
                 kubernetes/pki/ca.key init.d/sf-test sf.conf sf-move sf-a
             echo ready
             exec sleep 600"
        );
        let mut holder = Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c", &setup])
            .stdout(Stdio::piped())
            .spawn()
            .expect("unshare runs");
        let mut line = String::new();
        BufReader::new(holder.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line, "ready\n", "the namespace's setup failed");
        let ns = std::fs::File::open(format!("/proc/{}/ns/mnt", holder.id())).unwrap();
        Namespace { holder, ns }
    }

    /// `cmd`, to be run inside the namespace.
    fn enter<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        let fd = self.ns.as_raw_fd();
        // SAFETY: setns(2) between fork and exec, in the single-threaded child; the fd
        // stays open until the exec (it is close-on-exec).
        unsafe {
            cmd.pre_exec(move || {
                if libc::setns(fd, libc::CLONE_NEWNS) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            })
        }
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = self.holder.kill();
        let _ = self.holder.wait();
    }
}

/// What the behaviours need: the temp dir with their fakes and copies, the namespace, a
/// listener for their connections, and the programs they run.
struct World {
    dir: tempfile::TempDir,
    ns: Namespace,
    listener: TcpListener,
    subject: PathBuf,
    /// /bin/sh's program (dash), to copy under other names.
    shell: PathBuf,
}

impl World {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn d(&self) -> String {
        self.dir.path().display().to_string()
    }

    /// A copy of `from` in the temp dir named `name` (its comm).
    fn copy(&self, from: &Path, name: &str) -> PathBuf {
        let to = self.path(name);
        if !to.exists() {
            copy(from, self.dir.path(), name);
        }
        to
    }

    fn port(&self) -> u16 {
        self.listener.local_addr().unwrap().port()
    }
}

/// Runs `cmd` to its end, whatever its status (a refused attempt is still the
/// behaviour); its pid.
fn run(cmd: &mut Command) -> u32 {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let pid = child.id();
    child.wait_with_output().unwrap();
    pid
}

/// Runs `cmd` to its end; the pid it printed (a shell's `echo $$` in a child).
fn printed_pid(cmd: &mut Command) -> u32 {
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("{cmd:?} printed {text:?}"))
}

fn sh(script: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", script]);
    cmd
}

/// A shell (a copy of /bin/sh under `name`, for its comm) running `script`.
fn sh_as(w: &World, name: &str, script: &str) -> Command {
    let mut cmd = Command::new(w.copy(&w.shell, name));
    cmd.args(["-c", script]);
    cmd
}

fn subject(w: &World, args: &[&str]) -> Command {
    let mut cmd = Command::new(&w.subject);
    cmd.args(args);
    cmd
}

fn python(script: &str) -> Command {
    let mut cmd = Command::new("python3");
    cmd.args(["-c", script]);
    cmd
}

/// A host behaviour or its twin: runs it, and gives the pid whose alerts it is.
type Act = fn(&World) -> u32;

/// A built-in rule's live check: the behaviour, the substrings its triggering event
/// must show (in its JSON), how many alerts it raises (one per attempt), and the twin.
struct Case {
    rule: &'static str,
    shows: &'static [&'static str],
    times: usize,
    behaviour: Act,
    twin: Act,
}

const fn case(rule: &'static str, shows: &'static [&'static str], b: Act, t: Act) -> Case {
    Case {
        rule,
        shows,
        times: 1,
        behaviour: b,
        twin: t,
    }
}

const REVERSE_SHELL: &str = "import os, socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
for fd in (0, 1, 2): os.dup2(s.fileno(), fd)
os.execv('/bin/sh', ['sh', '-c', 'true'])";

const NULL_SHELL: &str = "import os
n = os.open('/dev/null', os.O_RDWR)
for fd in (0, 1, 2): os.dup2(n, fd)
os.execv('/bin/sh', ['sh', '-c', 'true'])";

/// One rename(2) (mv may try renameat2 first).
const RENAME: &str = "import os, sys; os.rename(sys.argv[1], sys.argv[2])";

const MEMFD_EXEC: &str = "import os
fd = os.memfd_create('payload', 0)
os.write(fd, open('/bin/true', 'rb').read())
os.execv(f'/proc/self/fd/{fd}', ['payload'])";

/// Every host rule: its behaviour and its twin.
fn host_cases() -> Vec<Case> {
    vec![
        case(
            "SF-R001",
            &["\"type\":\"exec\"", "/bin/sh"],
            |w| {
                let port = w.port().to_string();
                run(python(REVERSE_SHELL).arg(port))
            },
            |_| run(&mut python(NULL_SHELL)),
        ),
        case(
            "SF-R002",
            &["/proc/self/fd/"],
            |_| run(&mut python(MEMFD_EXEC)),
            |_| run(&mut python("import os; os.execv('/bin/true', ['true'])")),
        ),
        case(
            "SF-R003",
            &["\"type\":\"exec\"", "/bin/sh"],
            |w| printed_pid(&mut sh_as(w, "nginx", "sh -c 'echo $$'; true")),
            |w| printed_pid(&mut sh_as(w, "sfnotweb", "sh -c 'echo $$'; true")),
        ),
        case(
            "SF-R005",
            &["\"-e\""],
            |w| {
                let nc = w.copy(Path::new("/bin/true"), "nc");
                run(Command::new(nc).args(["-e", "/bin/sh", "127.0.0.1", "9"]))
            },
            |w| {
                let nc = w.copy(Path::new("/bin/true"), "nc");
                run(Command::new(nc).args(["-z", "127.0.0.1", "9"]))
            },
        ),
        case(
            "SF-R006",
            &["/dev/shm/"],
            |w| {
                let name = format!("sf-rules-live-{}", std::process::id());
                let shm = Path::new("/dev/shm").join(&name);
                std::fs::copy("/bin/true", &shm).unwrap();
                let pid = run(&mut Command::new(&shm));
                std::fs::remove_file(&shm).unwrap();
                let _ = w;
                pid
            },
            |w| run(&mut Command::new(w.copy(Path::new("/bin/true"), "sftrue"))),
        ),
        case(
            "SF-R007",
            &["LD_PRELOAD=/nonexistent/sf.so"],
            |_| run(Command::new("/bin/true").env("LD_PRELOAD", "/nonexistent/sf.so")),
            |_| run(Command::new("/bin/true").env("SF_NOTE", "LD_PRELOAD=x")),
        ),
        case(
            "SF-R008",
            &["\"uid\":1,", "/bin/sh"],
            |_| run(Command::new("/bin/sh").uid(1).gid(1)),
            |_| run(Command::new("/bin/sh").args(["-c", "true"]).uid(1).gid(1)),
        ),
        case(
            "SF-R009",
            &["/dropped"],
            |w| {
                let dropped = w.path("dropped");
                run(Command::new("cp").arg("/bin/true").arg(&dropped));
                run(Command::new("chmod").arg("755").arg(&dropped));
                run(&mut Command::new(&dropped))
            },
            // Made executable and run, but there before the watch: nothing dropped.
            |w| {
                let old = w.path("preexisting");
                run(Command::new("chmod").arg("755").arg(&old));
                run(&mut Command::new(&old))
            },
        ),
        Case {
            times: 2,
            ..case(
                "SF-R010",
                &["_module\""],
                |w| run(&mut subject(w, &["init_module"])),
                |_| run(&mut sh("true < /proc/modules")),
            )
        },
        case(
            "SF-R011",
            &["PTRACE_TRACEME"],
            |w| run(&mut subject(w, &["traceme"])),
            |w| run(&mut subject(w, &["debugger"])),
        ),
        case(
            "SF-R012",
            &["PTRACE_POKEDATA"],
            |w| run(&mut subject(w, &["poke"])),
            |w| run(&mut subject(w, &["debugger"])),
        ),
        case(
            "SF-R013",
            &["PROT_WRITE|PROT_EXEC"],
            |w| run(&mut subject(w, &["map", "wx"])),
            |w| run(&mut subject(w, &["map", "rw"])),
        ),
        case(
            "SF-R014",
            &["/mem", "O_RDONLY"],
            |w| run(&mut subject(w, &["mem_open", "read", "child"])),
            |w| run(&mut subject(w, &["mem_open", "read", "self"])),
        ),
        case(
            "SF-R015",
            &["/mem", "O_RDWR"],
            |w| run(&mut subject(w, &["mem_open", "write", "child"])),
            |w| run(&mut subject(w, &["mem_open", "write", "self"])),
        ),
        case(
            "SF-R016",
            &["process_vm_writev"],
            |w| run(&mut subject(w, &["vm_write", "child"])),
            |w| run(&mut subject(w, &["vm_write", "self"])),
        ),
        case(
            "SF-R017",
            &["/proc/kcore"],
            |_| run(&mut sh("true < /proc/kcore")),
            |_| run(&mut sh("true < /proc/cpuinfo")),
        ),
        case(
            "SF-R018",
            &["randomize_va_space"],
            |_| run(&mut sh("true < /proc/sys/kernel/randomize_va_space")),
            |_| run(&mut sh("true < /proc/sys/kernel/hostname")),
        ),
        case(
            "SF-R019",
            &["/proc/sched_debug"],
            |_| run(&mut sh("true < /proc/sched_debug")),
            |_| run(&mut sh("true < /proc/schedstat")),
        ),
        case(
            "SF-R020",
            &["/proc/sysrq-trigger", "O_WRONLY"],
            |w| run(w.ns.enter(&mut sh("true >> /proc/sysrq-trigger"))),
            |w| run(w.ns.enter(&mut sh("true < /proc/sysrq-trigger"))),
        ),
        case(
            "SF-R021",
            &["/etc/shadow"],
            |w| run(w.ns.enter(&mut sh("true < /etc/shadow"))),
            |w| {
                run(w
                    .ns
                    .enter(&mut sh_as(w, "unix_chkpwd", "true < /etc/shadow")))
            },
        ),
        case(
            "SF-R022",
            &["id_rsa"],
            |w| {
                run(Command::new("grep")
                    .args(["-r", "-l", "id_rsa"])
                    .arg(w.path("search")))
            },
            |w| {
                run(Command::new("grep")
                    .args(["-r", "-l", "hostname"])
                    .arg(w.path("search")))
            },
        ),
        case(
            "SF-R023",
            &["aws_secret_access_key"],
            |w| {
                let search = w.path("search");
                run(Command::new("grep")
                    .args(["-r", "-l", "aws_secret_access_key"])
                    .arg(search))
            },
            |w| {
                run(Command::new("find")
                    .arg(w.path("search"))
                    .args(["-name", "*.txt"]))
            },
        ),
        case(
            "SF-R024",
            &["/var/log/sf.log", "O_TRUNC"],
            |w| run(w.ns.enter(&mut sh("true > /var/log/sf.log"))),
            |w| run(w.ns.enter(&mut sh("true >> /var/log/sf.log"))),
        ),
        case(
            "SF-R025",
            &["shred"],
            |w| run(Command::new("shred").arg("-u").arg(w.path("victim"))),
            |w| run(Command::new("rm").arg("-f").arg(w.path("spare"))),
        ),
        case(
            "SF-R026",
            &["/etc/shadow"],
            |w| {
                run(Command::new("ln")
                    .args(["-s", "/etc/shadow"])
                    .arg(w.path("l1")))
            },
            |w| {
                run(Command::new("ln")
                    .args(["-s", "/etc/hostname"])
                    .arg(w.path("l2")))
            },
        ),
        case(
            "SF-R027",
            &["/etc/shadow"],
            |w| {
                run(w
                    .ns
                    .enter(Command::new("ln").args(["/etc/shadow", "/etc/sf-l1"])))
            },
            |w| {
                run(w
                    .ns
                    .enter(Command::new("ln").args(["/etc/hostname", "/etc/sf-l2"])))
            },
        ),
        case(
            "SF-R028",
            &["/tmp/../etc/passwd"],
            |w| run(w.ns.enter(&mut sh("true < /tmp/../etc/passwd"))),
            |w| run(w.ns.enter(&mut sh("true < /etc/passwd"))),
        ),
        case(
            "SF-R029",
            &["/.hidden"],
            |w| run(Command::new("chmod").arg("755").arg(w.path(".hidden"))),
            |w| run(Command::new("chmod").arg("755").arg(w.path("visible"))),
        ),
        case(
            "SF-R030",
            &["/etc/passwd"],
            |w| {
                run(w
                    .ns
                    .enter(Command::new("chmod").args(["644", "/etc/passwd"])))
            },
            |w| run(Command::new("chmod").arg("600").arg(w.path("visible"))),
        ),
        case(
            "SF-R031",
            &["/etc/sf.conf", "O_WRONLY"],
            |w| run(w.ns.enter(&mut sh("true >> /etc/sf.conf"))),
            |w| run(w.ns.enter(&mut sh_as(w, "dpkg", "true >> /etc/sf.conf"))),
        ),
        case(
            "SF-R032",
            &["/etc/sudoers", "O_WRONLY"],
            |w| run(w.ns.enter(&mut sh("true >> /etc/sudoers"))),
            |w| run(w.ns.enter(&mut sh("true >> /etc/sudoers.sf-backup"))),
        ),
        case(
            "SF-R033",
            &["/etc/kubernetes/pki/ca.key"],
            |w| run(w.ns.enter(&mut sh("true < /etc/kubernetes/pki/ca.key"))),
            |w| {
                run(w.ns.enter(&mut sh_as(
                    w,
                    "kubelet",
                    "true < /etc/kubernetes/pki/ca.key",
                )))
            },
        ),
        case(
            "SF-R034",
            &["serviceaccount/token"],
            |w| run(&mut sh(&format!("true < {}/{SA}/token", w.d()))),
            |w| run(&mut sh(&format!("true < {}/{SA}/namespace", w.d()))),
        ),
        case(
            "SF-R035",
            &["/notify_on_release", "O_WRONLY"],
            |w| run(&mut sh(&format!("true >> {}/cg/notify_on_release", w.d()))),
            |w| run(&mut sh(&format!("true < {}/cg/notify_on_release", w.d()))),
        ),
        case(
            "SF-R036",
            &["/release_agent", "O_WRONLY"],
            |w| run(&mut sh(&format!("true >> {}/cg/release_agent", w.d()))),
            |w| run(&mut sh(&format!("true < {}/cg/release_agent", w.d()))),
        ),
        case(
            "SF-R037",
            &["/etc/ld.so.preload", "O_WRONLY"],
            |w| run(w.ns.enter(&mut sh("true >> /etc/ld.so.preload"))),
            |w| run(w.ns.enter(&mut sh("true < /etc/ld.so.preload"))),
        ),
        // The rename's new name is the probes' second capture.
        case(
            "SF-R037",
            &["\"rename", "/etc/ld.so.preload"],
            |w| {
                let mut cmd = python(RENAME);
                run(w.ns.enter(cmd.args(["/etc/sf-move", "/etc/ld.so.preload"])))
            },
            |w| run(w.ns.enter(python(RENAME).args(["/etc/sf-a", "/etc/sf-b"]))),
        ),
        case(
            "SF-R038",
            &["/proc/sys/kernel/core_pattern", "O_WRONLY"],
            |w| run(w.ns.enter(&mut sh("true >> /proc/sys/kernel/core_pattern"))),
            |w| run(w.ns.enter(&mut sh("true < /proc/sys/kernel/core_pattern"))),
        ),
        case(
            "SF-R039",
            &["ld-linux-x86-64.so.2", "O_WRONLY"],
            |w| {
                run(&mut sh(&format!(
                    "true >> {}/lib/ld-linux-x86-64.so.2",
                    w.d()
                )))
            },
            |w| {
                run(&mut sh(&format!(
                    "true < {}/lib/ld-linux-x86-64.so.2",
                    w.d()
                )))
            },
        ),
        case(
            "SF-R040",
            &["/etc/init.d/sf-test", "O_WRONLY"],
            |w| run(w.ns.enter(&mut sh("true >> /etc/init.d/sf-test"))),
            |w| run(w.ns.enter(&mut sh("true < /etc/init.d/sf-test"))),
        ),
        case(
            "SF-R041",
            &["/etc/crontab", "O_WRONLY"],
            |w| run(w.ns.enter(&mut sh("true >> /etc/crontab"))),
            |w| run(w.ns.enter(&mut sh("true < /etc/crontab"))),
        ),
        case(
            "SF-R047",
            &["connect"],
            |w| {
                let ssh = w.copy(&w.subject, "ssh");
                run(Command::new(ssh).arg("/dev/null").arg(w.port().to_string()))
            },
            |w| {
                let ssh = w.copy(&w.subject, "ssh");
                run(Command::new(ssh).args(["/dev/null", "22"]))
            },
        ),
    ]
}

/// Where the service-account token fake is, under the temp dir.
const SA: &str = "run/secrets/kubernetes.io/serviceaccount";

/// A container rule's behaviour and twin: the container process's arguments.
struct ContainerCase {
    rule: &'static str,
    shows: &'static [&'static str],
    behaviour: &'static [&'static str],
    twin: &'static [&'static str],
}

const CONTAINER_CASES: [ContainerCase; 6] = [
    ContainerCase {
        rule: "SF-R004",
        shows: &["\"type\":\"exec\"", "/bin/sh"],
        behaviour: &["/bin/sh"],
        twin: &["/bin/sh", "-c", "true"],
    },
    ContainerCase {
        rule: "SF-R042",
        shows: &["10.96.0.1"],
        behaviour: &["/bin/container_calls", "tcp", "10.96.0.1", "443"],
        twin: &["/bin/container_calls", "tcp", "10.96.0.2", "80"],
    },
    ContainerCase {
        rule: "SF-R043",
        shows: &["/dev/sda"],
        behaviour: &["/bin/mount", "-t", "ext4", "/dev/sda", "/mnt"],
        twin: &["/bin/mount", "-o", "bind", "/dev/null", "/mnt"],
    },
    ContainerCase {
        rule: "SF-R044",
        shows: &["AF_PACKET"],
        behaviour: &["/bin/container_calls", "socket", "packet"],
        twin: &["/bin/container_calls", "socket", "inet"],
    },
    ContainerCase {
        rule: "SF-R045",
        shows: &["debugfs"],
        behaviour: &["/bin/mount", "-t", "debugfs", "none", "/mnt"],
        twin: &["/bin/mount", "-t", "tmpfs", "none", "/mnt"],
    },
    ContainerCase {
        rule: "SF-R046",
        shows: &["/run/docker.sock"],
        behaviour: &["/bin/container_calls", "unix", "/run/docker.sock"],
        twin: &["/bin/container_calls", "unix", "/run/sf-other.sock"],
    },
];

/// Runs `args` in a fresh busybox container; the container's id and its process's
/// host pid. None after a loud skip when runc or busybox is missing. The container is
/// deleted only once the watch has read past it: a plain runc container is told from
/// other cgroups by its state directory when sysfence reads its cgroup's creation.
fn in_container(
    dir: &Path,
    name: &str,
    calls: &Path,
    args: &[&str],
    barrier: &mut Barrier,
) -> Option<(String, u32)> {
    let container = common::runc::Container::new(dir, name, serde_json::Value::Null, true, args)?;
    let rootfs = container.rootfs();
    for applet in ["sh", "mount"] {
        std::os::unix::fs::symlink("busybox", rootfs.join("bin").join(applet)).unwrap();
    }
    std::fs::copy(calls, rootfs.join("bin/container_calls")).unwrap();
    std::fs::create_dir_all(rootfs.join("mnt")).unwrap();
    let pid = container.run_detached();
    barrier.pass();
    Some((container.id.clone(), pid))
}

/// The fakes and copies the host behaviours use, made before the watch starts.
fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for sub in ["search", "cg", "lib", SA] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
    }
    for file in [
        "search/notes.txt",
        "cg/notify_on_release",
        "cg/release_agent",
        "lib/ld-linux-x86-64.so.2",
        "victim",
        "spare",
        ".hidden",
        "visible",
    ] {
        std::fs::write(d.join(file), "x\n").unwrap();
    }
    std::fs::write(d.join(SA).join("token"), "x\n").unwrap();
    std::fs::write(d.join(SA).join("namespace"), "default\n").unwrap();
    std::fs::copy("/bin/true", d.join("preexisting")).unwrap();
    std::fs::set_permissions(
        d.join("preexisting"),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    let ns = Namespace::new(d);
    World {
        ns,
        listener: TcpListener::bind("127.0.0.1:0").unwrap(),
        subject: common::fixture("watch_subject"),
        shell: std::fs::canonicalize("/bin/sh").unwrap(),
        dir,
    }
}

/// Keeps the behaviours from outrunning the watch (a debug build, in the tests): each
/// waits until the watch has written the exec of a marker run just before it, so the
/// ring buffer never holds more than one behaviour's events.
struct Barrier<'a> {
    events: &'a Path,
    n: u32,
}

impl Barrier<'_> {
    fn pass(&mut self) {
        self.n += 1;
        let marker = format!("sf-barrier-{}", self.n);
        run(Command::new("/bin/true").arg(&marker));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while !std::fs::read_to_string(self.events).is_ok_and(|t| t.contains(&marker)) {
            assert!(
                std::time::Instant::now() < deadline,
                "the watch never showed {marker}"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
}

/// What one behaviour must raise: its rule, how often, and what its event shows.
struct Expected {
    rule: &'static str,
    times: usize,
    shows: &'static [&'static str],
    container: Option<String>,
}

/// Performs every behaviour and its twin under one watch, then checks each pid's alerts:
/// exactly its rule, as often as it tried, with its event's fields; nothing for a twin
/// or for anything else in the tree.
#[test]
fn every_builtin_rule_fires_live_on_its_behaviour_and_never_on_its_twin() {
    let w = world();
    let calls = w.path("container_calls");
    let Some(calls) = common::build_c(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/c/container_calls.c"
        ),
        &calls,
        &["-static"],
    ) else {
        return;
    };
    let events = w.path("events.jsonl");
    let tree = format!("tree={}", std::process::id());
    // Printed: the events the rules need (with the environment), so that `rules test`
    // can be run over them afterwards; not every syscall, which a debug build could not
    // keep up with.
    let builtin = common::processes::json_of("rules", &["list"]);
    let mut needed: Vec<&str> = builtin
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["events"].as_array().unwrap())
        .map(|e| e.as_str().unwrap())
        // What the engine follows processes and sockets through (the README's list).
        .chain([
            "exec", "fork", "exit", "socket", "accept", "accept4", "connect",
        ])
        .chain(["dup", "dup2", "dup3", "close"])
        .collect();
    needed.sort_unstable();
    needed.dedup();
    let needed = needed.join(",");
    let (watch, _) = Running::start(
        &[
            "--events",
            &needed,
            "--exec-env",
            "--scope",
            &tree,
            "--output",
            "json",
        ],
        &events,
    );

    let mut expected: BTreeMap<u32, Option<Expected>> = BTreeMap::new();
    let mut barrier = Barrier {
        events: &events,
        n: 0,
    };
    let cases = host_cases();
    for c in &cases {
        barrier.pass();
        let pid = (c.behaviour)(&w);
        let want = Expected {
            rule: c.rule,
            times: c.times,
            shows: c.shows,
            container: None,
        };
        expected.insert(pid, Some(want));
        expected.insert((c.twin)(&w), None);
    }
    let bundles = tempfile::tempdir().unwrap();
    for c in &CONTAINER_CASES {
        let name = c.rule.to_lowercase();
        let Some((id, pid)) =
            in_container(bundles.path(), &name, &calls, c.behaviour, &mut barrier)
        else {
            return;
        };
        let want = Expected {
            rule: c.rule,
            times: 1,
            shows: c.shows,
            container: Some(id),
        };
        expected.insert(pid, Some(want));
        let twin = format!("{name}-twin");
        let (_, pid) = in_container(bundles.path(), &twin, &calls, c.twin, &mut barrier).unwrap();
        expected.insert(pid, None);
    }
    let summary = watch.stop();
    assert!(summary.contains(" 0 lost"), "events were lost: {summary}");

    let lines = json_lines(&events);
    let mut raised: BTreeMap<u32, Vec<&serde_json::Value>> = BTreeMap::new();
    for l in lines.iter().filter(|l| l["type"] == "alert") {
        let pid = u32::try_from(l["pid"].as_i64().unwrap()).unwrap();
        raised.entry(pid).or_default().push(l);
    }
    let mut problems = Vec::new();
    for (pid, want) in &expected {
        let got = raised.remove(pid).unwrap_or_default();
        let ids: Vec<&str> = got
            .iter()
            .map(|a| a["rule"]["id"].as_str().unwrap())
            .collect();
        let Some(want) = want else {
            if !ids.is_empty() {
                problems.push(format!("a benign twin (pid {pid}) raised {ids:?}"));
            }
            continue;
        };
        if ids != vec![want.rule; want.times] {
            problems.push(format!(
                "{}: pid {pid} raised {ids:?}, not {} x{}",
                want.rule, want.rule, want.times
            ));
            continue;
        }
        for alert in got {
            let event = alert["events"].as_array().unwrap().last().unwrap();
            let text = event.to_string();
            for s in want.shows {
                if !text.contains(s) {
                    problems.push(format!("{}: its event lacks {s:?}: {text}", want.rule));
                }
            }
            if event["container"].as_str() != want.container.as_deref() {
                problems.push(format!(
                    "{}: container {} in {text}",
                    want.rule, event["container"]
                ));
            }
        }
    }
    for (pid, alerts) in &raised {
        for a in alerts {
            problems.push(format!("an alert for pid {pid}, no behaviour's: {a}"));
        }
    }
    let live_rules: std::collections::BTreeSet<&str> =
        expected.values().flatten().map(|e| e.rule).collect();
    for rule in builtin.as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        if !live_rules.contains(id) {
            problems.push(format!("{id}: no live behaviour"));
        }
    }
    assert!(problems.is_empty(), "{}\n{summary}", problems.join("\n"));

    // Offline over the same stream: the same alerts, in the same order.
    let out = common::sysfence()
        .args(["rules", "test", "-"])
        .arg(&events)
        .args(["--output", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let offline: Vec<(i64, String)> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|l| l["type"] == "alert")
        .map(|l| (l["pid"].as_i64().unwrap(), l["rule"]["id"].to_string()))
        .collect();
    let live: Vec<(i64, String)> = lines
        .iter()
        .filter(|l| l["type"] == "alert")
        .map(|l| (l["pid"].as_i64().unwrap(), l["rule"]["id"].to_string()))
        .collect();
    assert_eq!(offline, live, "rules test over the recorded stream");
}

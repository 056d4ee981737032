//! `sysfence record`: run a command, see every syscall it and its children make (from
//! before its execve), and write the tightest profile that still lets it run.

use super::profile::{OutputFormat, export, resource_name};
use super::profile_io::{ResolveArgs, load_policy};
use super::record_runtime::{self, RuntimeArg};
use super::run::{Exec, status_code};
use crate::output::{
    check_document_target, diag, error_text, refuse_binary_to_terminal, write_document,
};
use anyhow::{Context, Result, bail};
use policy::{Action, Policy};
use record::Recording;
use seccomp::Target;
use seccomp::complain::{self, Answer};
use seccomp::install::Launch;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;
use syscalls::Arch;

/// Arguments of `sysfence record`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  sysfence record -o ls.json -- ls -la /
  sysfence run --profile ls.json -- ls -la /        # the recorded profile, enforced
  sysfence record --format bpf -o server.bpf -- ./server --port 8080
  sysfence record -o t.json -- ./test-a; sysfence record --merge t.json -o t.json -- ./test-b

  sysfence record --args --verify -o srv.json -- ./server --self-test

The command runs once, for real: its input is read and its side effects happen. Calls
are recorded from before its execve, through every child and thread, whatever it execs.
With --verify it runs a second time, under the profile: only for commands that can run
twice (stdin is read by the first run only, the second reads /dev/null; side effects
happen twice).
Exit status: the command's; with --verify, 1 if the second run's exit status or stdout
differ from the first's.")]
pub struct Args {
    /// Where the profile goes (default: stdout), written as every document is: atomically,
    /// devices and links respected.
    #[arg(short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// The profile's format: docker (moby JSON, also valid OCI linux.seccomp), oci, k8s
    /// (a Security Profiles Operator SeccompProfile named after the command), systemd
    /// (SystemCallFilter=) or bpf (raw BPF, each ABI's calls kept apart exactly).
    #[arg(long, value_enum, default_value = "docker")]
    format: OutputFormat,
    /// What the profile answers to every call the command did not make (default: errno,
    /// or with --merge the existing profile's default).
    #[arg(long = "default-action", value_enum)]
    default_action: Option<DefaultAction>,
    /// Unite this run with the profile EXISTING (several test runs, one profile), per ABI:
    /// the result allows what either allows. EXISTING is read before the command runs.
    #[arg(long, value_name = "EXISTING")]
    merge: Option<PathBuf>,
    #[command(flatten)]
    resolve: ResolveArgs,
    /// Also allow what the container runtime's own init calls under the container's
    /// filter, which no recording on the host sees (measured; crates/record/src/runtime.rs):
    /// runc, or none. Default: runc for --format oci and k8s, none otherwise.
    #[arg(long, value_enum, value_name = "RUNTIME")]
    runtime: Option<RuntimeArg>,
    /// Record the values of the arguments that decide what a call can do and allow only
    /// those: socket and socketpair's domain, personality, clone's namespace and thread
    /// flags, prctl's option, ioctl's request, fcntl's command, and PROT_EXEC in mmap and
    /// mprotect. clone3, whose flags seccomp cannot read, answers ENOSYS (in the recorded
    /// run too), so glibc falls back to clone.
    #[arg(long = "args")]
    arguments: bool,
    /// Run the command again under the new profile, enforced (what it denies is answered
    /// as the profile says and reported with counts), and compare exit status and stdout
    /// with the recorded run (the command's stdout is then a pipe, passed on to ours).
    #[arg(long, conflicts_with = "pids")]
    verify: bool,
    /// Also write the summary as JSON to FILE.
    #[arg(long = "json-summary", value_name = "FILE")]
    json_summary: Option<PathBuf>,
    /// How calls are seen: notify (a seccomp user-notification supervisor from before
    /// execve; the default for a command), ptrace (the tracer, counting instead of
    /// printing; the default for -p, as no filter can be put into a running process) or
    /// ebpf (the probes of `sysfence watch`: each syscall of the command's tree, every
    /// ABI, marked in the kernel; the program never stops; no --args).
    #[arg(long, value_enum)]
    backend: Option<Backend>,
    /// Record running process PID (and, as it goes, its threads and children) until
    /// Ctrl-C (SIGINT/SIGTERM/SIGHUP), then write the profile; the process is let go and
    /// keeps running (repeatable; comma-separated lists too).
    #[arg(
        short = 'p',
        value_name = "PID",
        value_delimiter = ',',
        conflicts_with = "command"
    )]
    pids: Vec<i32>,
    /// Record a container (its id or a unique prefix: docker, containerd, cri-o, podman,
    /// runc) from now until its last process ends (or Ctrl-C), with the eBPF probes on
    /// its cgroup: its processes and what its runtime's init does in it, so a container
    /// made with `runc create` and recorded before `runc start` is recorded whole.
    #[arg(long, value_name = "ID", conflicts_with_all = ["command", "pids", "verify"])]
    container: Option<String>,
    /// As --container, for the tasks of cgroup v2 PATH (from the cgroup2 mount, or
    /// absolute) and the cgroups below it.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["command", "pids", "verify", "container"])]
    cgroup: Option<PathBuf>,
    /// The command and its arguments.
    #[arg(
        required_unless_present_any = ["pids", "container", "cgroup"],
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    command: Vec<OsString>,
}

/// How calls are seen.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Backend {
    /// A seccomp user-notification supervisor.
    Notify,
    /// The ptrace tracer.
    Ptrace,
    /// eBPF probes.
    Ebpf,
}

/// The answer for calls the command did not make.
#[derive(Clone, Copy, clap::ValueEnum)]
enum DefaultAction {
    /// Fail with EPERM (Docker's default).
    Errno,
    /// Fail with ENOSYS, which programs read as "this kernel lacks the call" and fall back.
    Enosys,
    /// Kill the process.
    Kill,
    /// Allow, and log to the audit log (to see what a later run adds).
    Log,
    /// Send SIGSYS.
    Trap,
}

impl DefaultAction {
    fn action(self) -> Action {
        match self {
            DefaultAction::Errno => Action::Errno(libc::EPERM as u16),
            DefaultAction::Enosys => Action::Errno(libc::ENOSYS as u16),
            DefaultAction::Kill => Action::KillProcess,
            DefaultAction::Log => Action::Log,
            DefaultAction::Trap => Action::Trap,
        }
    }
}

/// One recorded (or verifying) run: what it did and how it ended.
#[derive(Debug, Clone, Copy)]
struct Ran {
    /// Its exit status as a shell's `$?`.
    code: u8,
    /// Its stdout, when captured (--verify).
    stdout: Option<Captured>,
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    if args.output.is_none() && args.format == OutputFormat::Bpf {
        refuse_binary_to_terminal("--format bpf")?;
    }
    // The documents are written at the end: a target that cannot take one costs no run.
    for path in [&args.output, &args.json_summary].into_iter().flatten() {
        check_document_target(path)?;
    }
    if let (Some(out), Some(json)) = (&args.output, &args.json_summary)
        && same_file(out, json)
    {
        bail!(
            "-o {} and --json-summary {} are the same file: the summary would replace the profile; give --json-summary another file",
            out.display(),
            json.display()
        );
    }
    // A profile to merge into is read first: a bad one costs no run.
    let existing = match &args.merge {
        Some(file) => Some(load_policy(file, &args.resolve)?),
        None => None,
    };
    if let (Some(given), Some(e), Some(file)) = (args.default_action, &existing, &args.merge)
        && given.action() != e.default_action
    {
        bail!(
            "--default-action {} differs from the default of {} ({}), which --merge keeps: drop --default-action, or record into a new profile",
            value_name(&given),
            file.display(),
            e.default_action.docker_name()
        );
    }
    let default_action = match (args.default_action, &existing) {
        (Some(d), _) => d.action(),
        (None, Some(e)) => e.default_action,
        (None, None) => DefaultAction::Errno.action(),
    };
    let backend = match (args.backend, args.pids.is_empty()) {
        (Some(Backend::Notify), false) => bail!(
            "-p: the notify backend needs a filter installed before the program starts, which cannot be done to a running process: use --backend ptrace (the default for -p)"
        ),
        (Some(b), _) => b,
        (None, true) => Backend::Notify,
        (None, false) => Backend::Ptrace,
    };
    let cgroup_mode = args.container.is_some() || args.cgroup.is_some();
    let backend = match (cgroup_mode, args.backend) {
        (true, Some(b)) if b != Backend::Ebpf => {
            bail!("--container and --cgroup record with --backend ebpf (the probes watch a cgroup)")
        }
        (true, _) => Backend::Ebpf,
        (false, _) => backend,
    };
    let exec = match args.pids.is_empty() && !cgroup_mode {
        true => match Exec::prepare(&args.command)? {
            Some(exec) => Some(exec),
            None => return Ok(ExitCode::from(127)),
        },
        false => None,
    };
    let (recording, ran, backend) = record_with(&args, backend, exec.as_ref())?;
    let per_abi = args.format == OutputFormat::Bpf;
    let mut policy = recording.to_policy(default_action, per_abi);
    if let (Some(existing), Some(file)) = (existing, &args.merge) {
        policy = policy::merge(&[existing, policy])
            .with_context(|| format!("cannot merge this run into {}", file.display()))?;
    }
    let name = match (args.command.first(), args.pids.first()) {
        (Some(program), _) => resource_name(std::path::Path::new(program)),
        (None, Some(pid)) => std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .map(|c| resource_name(std::path::Path::new(c.trim())))
            .unwrap_or_else(|_| format!("pid-{pid}")),
        (None, None) => args
            .container
            .clone()
            .or_else(|| args.cgroup.as_ref().map(|c| resource_name(c)))
            .unwrap_or_else(|| "profile".to_string()),
    };
    let runtime = record_runtime::chosen(args.runtime, args.format);
    let for_runtime = record_runtime::admit(runtime, &mut policy, per_abi);
    let bytes = export(&policy, args.format, &name)?;
    write_document(args.output.as_deref(), &bytes)?;
    let summary = Summary {
        args: &args,
        backend,
        recording: &recording,
        policy: &policy,
        per_abi,
        code: ran.code,
        runtime: runtime.map(|r| (r.name(), for_runtime)),
    };
    summary.print();
    let verdict = match (&exec, args.verify) {
        (Some(exec), true) => Some(verify(&policy, exec, &ran)?),
        _ => None,
    };
    if let Some(v) = &verdict {
        v.print();
    }
    if let Some(path) = &args.json_summary {
        let json = summary.to_json(verdict.as_ref());
        let mut text = serde_json::to_string_pretty(&json)?;
        text.push('\n');
        write_document(Some(path), text.as_bytes())?;
    }
    Ok(match verdict {
        Some(v) if !v.same() => ExitCode::from(1),
        _ => ExitCode::from(ran.code),
    })
}

/// Whether two document targets are one regular file (or one file yet to be made),
/// through their symlinks; devices and descriptors may take both documents.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.is_file() && (x.dev(), x.ino()) == (y.dev(), y.ino()),
        (Err(_), Err(_)) => {
            let (x, y) = (final_target(a), final_target(b));
            x.is_some() && x == y
        }
        _ => false,
    }
}

/// Where a file that does not exist yet would be made: `path` through its symlinks, in
/// its directory's canonical path.
fn final_target(path: &std::path::Path) -> Option<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::read_link(&current) {
            Ok(link) => {
                current = match current.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            Err(_) => {
                let dir = match current.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => std::path::Path::new("."),
                };
                return Some(std::fs::canonicalize(dir).ok()?.join(current.file_name()?));
            }
        }
    }
    None
}

/// Records with `backend`, falling back from notify to ptrace when the command installs a
/// listener of its own; returns what was seen, how the run ended and the backend used.
fn record_with(
    args: &Args,
    backend: Backend,
    exec: Option<&Exec>,
) -> Result<(Recording, Ran, Backend)> {
    let fresh = || match args.arguments {
        true => Recording::with_arguments(),
        false => Recording::new(),
    };
    if let (Backend::Notify, Some(exec)) = (backend, exec) {
        let mut recording = fresh();
        match record_notified(exec, &mut recording, args.verify)? {
            Some(ran) => return Ok((recording, ran, Backend::Notify)),
            None => diag!(
                "sysfence: {} installs a seccomp listener of its own (SECCOMP_FILTER_FLAG_NEW_LISTENER), which the kernel refuses (EBUSY) under the notify recorder's filter: stopped it, recording it again with --backend ptrace (it starts again: its side effects so far happen twice)",
                exec.path.display()
            ),
        }
    }
    let mut recording = fresh();
    if backend == Backend::Ebpf {
        let ran = record_probed(args, &mut recording)?;
        return Ok((recording, ran, Backend::Ebpf));
    }
    let ran = record_traced(args, &mut recording)?;
    Ok((recording, ran, Backend::Ptrace))
}

/// Takes the calls the probes counted in the kernel.
impl super::trace_ebpf::Counted for Recording {
    fn add(&mut self, arch: Arch, nr: u32, _: &ebpf::layout::Stat) {
        self.note_call(arch, nr, &[0; 6]);
    }
    fn done(&mut self) -> std::io::Result<()> {
        Ok(())
    }
    fn timed(&self) -> bool {
        false
    }
}

/// The cgroup v2 directory --container or --cgroup names, with how to name it to the
/// user.
fn cgroup_of(args: &Args) -> Result<(String, PathBuf)> {
    let root = inspect::container::cgroup2_mount()
        .context("no cgroup v2 hierarchy is mounted (mount -t cgroup2 none /sys/fs/cgroup)")?;
    if let Some(path) = &args.cgroup {
        let rel = path.strip_prefix(&root).unwrap_or(path);
        let dir = root.join(rel.strip_prefix("/").unwrap_or(rel));
        if !dir.is_dir() {
            bail!(
                "--cgroup {}: no such cgroup under {} (see /proc/PID/cgroup for a process's)",
                path.display(),
                root.display()
            );
        }
        return Ok((format!("cgroup {}", path.display()), dir));
    }
    let id = args.container.as_deref().unwrap_or_default();
    let mut found: Vec<(String, String)> = inspect::container::cgroups(&root)
        .into_iter()
        .filter_map(|(_, path)| {
            let c = inspect::container::of_cgroup_path(&path)?;
            c.id.starts_with(id).then_some((c.id, path))
        })
        .collect();
    // A container's own cgroup is the shortest of its paths (the others are below it).
    found.sort_by_key(|(_, path)| path.len());
    let Some((full, path)) = found.first().cloned() else {
        bail!(
            "--container {id}: no running container has that id (docker ps, runc list); a container made with `runc create` counts"
        );
    };
    if found.iter().any(|(other, _)| other != &full) {
        let ids: Vec<&str> = found.iter().map(|(i, _)| i.as_str()).collect();
        bail!("--container {id}: the prefix names several containers: {ids:?}");
    }
    Ok((
        format!("container {full}"),
        root.join(path.trim_start_matches('/')),
    ))
}

/// A sink for the lifecycle events a count needs no more of.
struct Discard;

impl events::Sink for Discard {
    fn event(&mut self, _: &events::Event) -> std::io::Result<()> {
        Ok(())
    }
}

/// Records the command (or -p processes) and its tree with the eBPF probes: the calls
/// are counted per ABI in the kernel, nothing stops.
fn record_probed(args: &Args, recording: &mut Recording) -> Result<Ran> {
    if args.arguments {
        bail!(
            "--args needs --backend notify or ptrace: the probes count calls, not their argument values"
        );
    }
    if args.container.is_some() || args.cgroup.is_some() {
        let (what, dir) = cgroup_of(args)?;
        super::trace_ebpf::count_cgroup(&what, &dir, recording)?;
        return Ok(Ran {
            code: 0,
            stdout: None,
        });
    }
    let tee = args.verify.then(|| Tee::start(true, None)).transpose()?;
    let req = super::trace_ebpf::Request {
        command: &args.command,
        pids: &args.pids,
        follow: true,
        trace_set: None,
        stdout: tee.as_ref().map(|t| t.write_fd()),
        timed: false,
    };
    let decoder = render::decode::Decoder::new(render::decode::DecodeOptions::default());
    let outcome = super::trace_ebpf::run(&req, &decoder, &mut Discard, Some(recording));
    let stdout = tee.map(Tee::finish).transpose()?;
    Ok(Ran {
        code: status_of(outcome?, !args.pids.is_empty()),
        stdout,
    })
}

/// Whether a notified call installs a filter with a listener of its own, which fails with
/// EBUSY under ours.
fn installs_listener(call: &complain::WouldBlock) -> bool {
    const SET_MODE_FILTER: u64 = 1;
    const NEW_LISTENER: u64 = 8;
    call.name == "seccomp" && call.args[0] == SET_MODE_FILTER && call.args[1] & NEW_LISTENER != 0
}

/// Records `exec` through a user-notification supervisor into `recording`; returns how it
/// ended, or `None` when it was stopped for installing a listener of its own.
fn record_notified(exec: &Exec, recording: &mut Recording, capture: bool) -> Result<Option<Ran>> {
    // Every call of every ABI goes to the supervisor, which notes it and lets it run: a
    // policy that allows nothing, in complain mode; but the fork family, when the probes
    // can count it in the kernel instead.
    let forks = fork_counter(recording);
    let mut watch_all = Policy::new(Action::Errno(1), Arch::callable());
    if forks.is_some() {
        watch_all.rules.extend(
            FORKS
                .iter()
                .map(|name| policy::Rule::new(name, Action::Allow)),
        );
    }
    let target = Target {
        arches: watch_all.target_arches(),
        foreign_action: Action::Notify,
    };
    let program = seccomp::compile(&watch_all.complain_variant(), &target)?;
    let tee = capture.then(|| Tee::start(true, None)).transpose()?;
    let launch = Launch {
        path: &exec.c_path,
        argv: &exec.argv,
        envp: &exec.envp,
        // With CAP_SYS_ADMIN (root's) the filter needs no NO_NEW_PRIVS, which would
        // disable setuid programs in the recorded run.
        no_new_privs: !has_cap_sys_admin(),
        stdin: None,
        stdout: tee.as_ref().map(|t| t.write_fd()),
    };
    let mut own_listener = false;
    let outcome = complain::run_complain(&watch_all, &program, &launch, |call| {
        let Some(arch) = call.arch else {
            return Answer::Continue;
        };
        if installs_listener(call) {
            own_listener = true;
            return Answer::KillAll;
        }
        match recording.refusal(arch, call.nr) {
            Some(errno) => Answer::Fail(errno),
            None => {
                recording.note_call(arch, call.nr, &call.args);
                Answer::Continue
            }
        }
    })
    .with_context(|| format!("cannot record {}", exec.path.display()))?;
    if let Some(err) = &outcome.exec_error {
        bail!(
            "cannot execute {}: {} (nothing was recorded, no profile written)",
            exec.path.display(),
            error_text(err)
        );
    }
    if let Some(forks) = forks {
        let counted = forks
            .call_counts()
            .context("cannot read the fork calls the probes counted")?;
        // Only the calls made come back (call_counts leaves the others out).
        for (arch, nr, _) in counted {
            recording.note(arch, nr);
        }
    }
    let stdout = tee.map(Tee::finish).transpose()?;
    Ok((!own_listener).then_some(Ran {
        code: status_code(outcome.status),
        stdout,
    }))
}

/// The fork family. A signal that comes while a call waits for the notify supervisor's
/// answer ends the wait with ERESTARTSYS, which a handler without SA_RESTART turns into
/// EINTR: a fork the program would never see fail untraced. These calls are counted by
/// the eBPF probes instead, never stopped.
const FORKS: [&str; 4] = ["clone", "clone3", "fork", "vfork"];

/// Counts the fork family's calls of our descendants (the recorded tree: sysfence's own
/// calls are never counted) in the kernel, at entry; `None` where the probes cannot load
/// (not root, no BTF) or argument values are recorded (clone's flags are read by the
/// supervisor): the supervisor then sees these calls too, with the EINTR limit the
/// README describes.
fn fork_counter(recording: &Recording) -> Option<ebpf::Watcher> {
    if recording.records_arguments() {
        return None;
    }
    let scope = ebpf::Scope {
        trees: vec![std::process::id()],
        ..Default::default()
    };
    let select = |arch: Arch, nr: u32| {
        arch.table()
            .lookup_nr(nr)
            .is_some_and(|s| FORKS.contains(&s.name))
    };
    ebpf::Watcher::start_counting(&scope, Some(&select), ebpf::Lifecycle::default(), false).ok()
}

/// Whether the kernel takes a filter from us without NO_NEW_PRIVS: CAP_SYS_ADMIN in our
/// effective set, which a root without it (a container's, `--cap-drop`) lacks, whatever
/// its uid.
fn has_cap_sys_admin() -> bool {
    const CAP_SYS_ADMIN: u32 = 21;
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapEff:"))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        })
        .is_some_and(|caps| caps & (1 << CAP_SYS_ADMIN) != 0)
}

/// Records with the ptrace tracer, following every child and thread: a command it starts,
/// or the processes of -p until a signal ends the recording (they are detached and run
/// on); returns how the run ended (0 for -p).
fn record_traced(args: &Args, recording: &mut Recording) -> Result<Ran> {
    let target = if args.pids.is_empty() {
        ptrace::Target::Command(args.command.clone())
    } else {
        ptrace::Target::Attach(args.pids.clone())
    };
    let tee = args.verify.then(|| Tee::start(true, None)).transpose()?;
    let mut builder = ptrace::TracerBuilder::new().follow_forks(true);
    if let Some(tee) = &tee {
        builder = builder.stdout(tee.write_fd());
    }
    let outcome = builder.build().run(target, recording);
    let stdout = tee.map(Tee::finish).transpose()?;
    Ok(Ran {
        code: status_of(outcome?, !args.pids.is_empty()),
        stdout,
    })
}

/// A traced run's end as a shell's `$?`; `attached` (-p): Ctrl-C ends a complete
/// recording.
fn status_of(outcome: ptrace::Outcome, attached: bool) -> u8 {
    match outcome {
        ptrace::Outcome::Exited(code) => code as u8,
        ptrace::Outcome::Killed(sig) => 128 + sig as u8,
        ptrace::Outcome::Interrupted(_) if attached => 0,
        ptrace::Outcome::Interrupted(sig) => 128 + sig as u8,
        ptrace::Outcome::Done => 0,
    }
}

/// What a run wrote to its stdout: enough to tell whether two runs wrote the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Captured {
    bytes: u64,
    hash: u64,
    /// The pipe was closed on the command before it was done writing: our own stdout's
    /// reader went away (the recorded run), or the second run reached the point where the
    /// first was cut.
    cut: bool,
}

/// A pipe that becomes a command's stdout, read by a thread that keeps a digest of it and
/// (when `echo`) passes it on to ours.
struct Tee {
    write: Option<std::os::fd::OwnedFd>,
    reader: std::thread::JoinHandle<std::io::Result<Captured>>,
}

impl Tee {
    /// With `echo`, what the command writes is passed on to our stdout; when that fails
    /// (its reader went away), the pipe is closed, so the command meets the closed pipe
    /// (SIGPIPE, EPIPE) as it would have untraced, and the bytes passed on are the ones
    /// counted. With `cut_at`, the pipe is closed after that many bytes, as it was in a
    /// recorded run whose reader went away there.
    fn start(echo: bool, cut_at: Option<u64>) -> Result<Tee> {
        use std::hash::Hasher;
        use std::io::{Read, Write};
        let (read, write) =
            std::io::pipe().context("cannot make a pipe for the command's stdout")?;
        let reader = std::thread::spawn(move || {
            // A closed stdout must fail this thread's write with EPIPE, not end sysfence
            // by SIGPIPE: that would close the listener and fail every later call of the
            // command with ENOSYS. SIGPIPE is sent to the writing thread, so blocking it
            // here is enough; the rest of sysfence keeps its default.
            // SAFETY: a signal set on the stack, this thread's mask.
            unsafe {
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, libc::SIGPIPE);
                libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            }
            let mut read = read;
            // SipHash with fixed keys: the same bytes give the same digest in both runs.
            #[allow(deprecated)]
            let mut hash = std::hash::SipHasher::new();
            let mut bytes = 0u64;
            let mut cut = false;
            let mut out = echo.then(std::io::stdout);
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let want = match cut_at {
                    Some(limit) if bytes >= limit => {
                        cut = true;
                        break;
                    }
                    Some(limit) => buf.len().min((limit - bytes) as usize),
                    None => buf.len(),
                };
                let n = match read.read(&mut buf[..want]) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                };
                // A reader of ours that went away closes the command's pipe, as its
                // own stdout would have been closed untraced.
                if let Some(o) = &mut out
                    && (o.write_all(&buf[..n]).is_err() || o.flush().is_err())
                {
                    cut = true;
                    break;
                }
                hash.write(&buf[..n]);
                bytes += n as u64;
            }
            Ok(Captured {
                bytes,
                hash: hash.finish(),
                cut,
            })
        });
        Ok(Tee {
            write: Some(write.into()),
            reader,
        })
    }

    fn write_fd(&self) -> std::os::fd::RawFd {
        use std::os::fd::AsRawFd;
        self.write.as_ref().map_or(-1, |w| w.as_raw_fd())
    }

    /// Closes our end and waits for the command's side to close (every process holding
    /// it gone).
    fn finish(mut self) -> Result<Captured> {
        self.write = None;
        self.reader
            .join()
            .map_err(|_| anyhow::anyhow!("the stdout reader failed"))?
            .context("cannot read the command's stdout")
    }
}

/// The second run's outcome, against the recorded one.
struct Verdict {
    recorded: Ran,
    verified: Ran,
    /// Calls the profile did not allow, by (name, ABI), with counts.
    denied: BTreeMap<(String, String), u64>,
}

/// Runs `exec` again under `policy`, enforced: every call the profile does not allow is
/// notified, answered as the profile answers it, and counted.
fn verify(policy: &Policy, exec: &Exec, recorded: &Ran) -> Result<Verdict> {
    let target = Target {
        arches: policy.target_arches(),
        foreign_action: Action::Notify,
    };
    let program = seccomp::compile(&policy.complain_variant(), &target)?;
    // A recorded run whose reader went away had its pipe closed there: so has this one.
    let cut_at = recorded.stdout.filter(|c| c.cut).map(|c| c.bytes);
    let tee = Tee::start(false, cut_at)?;
    let null = std::fs::File::open("/dev/null").context("cannot open /dev/null")?;
    use std::os::fd::AsRawFd;
    let launch = Launch {
        path: &exec.c_path,
        argv: &exec.argv,
        envp: &exec.envp,
        no_new_privs: !has_cap_sys_admin(),
        stdin: Some(null.as_raw_fd()),
        stdout: Some(tee.write_fd()),
    };
    let mut denied = BTreeMap::new();
    let outcome = complain::run_complain(policy, &program, &launch, |call| {
        let arch = call
            .arch
            .map_or_else(|| "unknown ABI".to_string(), |a| a.to_string());
        *denied.entry((call.name.clone(), arch)).or_insert(0) += 1;
        Answer::enforcing(call.action)
    })
    .with_context(|| format!("cannot verify the profile on {}", exec.path.display()))?;
    if let Some(err) = &outcome.exec_error {
        bail!(
            "verify: cannot execute {} a second time: {}",
            exec.path.display(),
            error_text(err)
        );
    }
    let stdout = Some(tee.finish()?);
    Ok(Verdict {
        recorded: *recorded,
        verified: Ran {
            code: status_code(outcome.status),
            stdout,
        },
        denied,
    })
}

impl Verdict {
    fn same(&self) -> bool {
        self.recorded.code == self.verified.code && self.recorded.stdout == self.verified.stdout
    }

    fn print(&self) {
        for ((name, arch), count) in &self.denied {
            diag!("sysfence: verify: the profile denied {name} ({arch}) {count} time(s)");
        }
        let bytes = |r: &Ran| r.stdout.map_or(0, |c| c.bytes);
        if self.recorded.stdout.is_some_and(|c| c.cut) {
            diag!(
                "sysfence: verify: the reader of the recorded run's stdout went away after {} bytes: the second run's stdout is closed there too",
                bytes(&self.recorded)
            );
        }
        if self.same() {
            diag!(
                "sysfence: verify: under the profile the command exited {} and wrote {} bytes to stdout, as in the recorded run",
                self.verified.code,
                bytes(&self.verified)
            );
            return;
        }
        if self.recorded.code != self.verified.code {
            diag!(
                "sysfence: verify: FAILED: under the profile the command exited {}, in the recorded run {}",
                self.verified.code,
                self.recorded.code
            );
        }
        if self.recorded.stdout != self.verified.stdout {
            diag!(
                "sysfence: verify: FAILED: stdout differs: {} bytes under the profile, {} in the recorded run",
                bytes(&self.verified),
                bytes(&self.recorded)
            );
        }
    }

    fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "exit_status": self.verified.code,
            "recorded_exit_status": self.recorded.code,
            "stdout_bytes": self.verified.stdout.map(|c| c.bytes),
            "recorded_stdout_bytes": self.recorded.stdout.map(|c| c.bytes),
            "recorded_stdout_cut": self.recorded.stdout.is_some_and(|c| c.cut),
            "same": self.same(),
            "denied": self.denied.iter().map(|((name, arch), count)| serde_json::json!({
                "syscall": name, "arch": arch, "count": count,
            })).collect::<Vec<_>>(),
        })
    }
}

/// What the summary says, on stderr and in --json-summary.
struct Summary<'a> {
    args: &'a Args,
    backend: Backend,
    recording: &'a Recording,
    policy: &'a Policy,
    per_abi: bool,
    code: u8,
    /// The runtime whose init's calls were added, and the calls added.
    runtime: Option<(&'static str, Vec<&'static str>)>,
}

/// Per ABI: the calls used, and how many of the ABI's calls the profile allows.
struct AbiCounts {
    arch: Arch,
    used: Vec<String>,
    allowed: usize,
    total: usize,
}

impl AbiCounts {
    fn blocked(&self) -> usize {
        self.total - self.allowed
    }

    fn percent_blocked(&self) -> f64 {
        100.0 * self.blocked() as f64 / self.total as f64
    }
}

impl Summary<'_> {
    /// The runtime whose calls made `call` unconditional, if they did.
    fn widened_by(&self, call: &str) -> Option<&'static str> {
        let (name, added) = self.runtime.as_ref()?;
        added.contains(&call).then_some(*name)
    }

    fn abis(&self) -> Vec<AbiCounts> {
        self.recording
            .abis()
            .into_iter()
            .map(|arch| {
                // A call is allowed when some rule allows it on this ABI, with conditions
                // or not.
                let allowed: BTreeSet<&str> = self
                    .policy
                    .rules
                    .iter()
                    .filter(|r| r.action == Action::Allow && r.applies_to(arch))
                    .map(|r| r.syscall.as_str())
                    .collect();
                let entries = arch.table().entries();
                AbiCounts {
                    arch,
                    used: self.recording.names(arch),
                    allowed: entries.iter().filter(|s| allowed.contains(s.name)).count(),
                    total: entries.len(),
                }
            })
            .collect()
    }

    fn print(&self) {
        for abi in self.abis() {
            let arch = abi.arch;
            diag!(
                "sysfence: {arch}: {} syscalls used: {}",
                abi.used.len(),
                abi.used.join(", ")
            );
            diag!(
                "sysfence: {arch}: the profile allows {} and blocks {} of {arch}'s {} syscalls ({:.0}%)",
                abi.allowed,
                abi.blocked(),
                abi.total,
                abi.percent_blocked()
            );
        }
        if self.recording.abis().len() > 1 && !self.per_abi {
            diag!(
                "sysfence: this format shares one list of names across its ABIs: each ABI used allows the union of their calls (--format bpf keeps each ABI's set apart)"
            );
        }
        for c in self.recording.conditions() {
            let (call, arch, arg) = (c.rule.syscall, c.arch, c.rule.arg);
            if let Some(runtime) = self.widened_by(call) {
                diag!(
                    "sysfence: {arch}: {call} allowed with any argument {arg}: --runtime {runtime}'s init calls it with its own (the command's were: {})",
                    c.value_names().join(", ")
                );
                continue;
            }
            match &c.values {
                Some(_) => diag!(
                    "sysfence: {arch}: {call} allowed only with argument {arg} (masked {:#x}) as seen: {}",
                    c.rule.mask,
                    c.value_names().join(", ")
                ),
                None => diag!(
                    "sysfence: {arch}: {call} allowed with any argument {arg}: {}",
                    if call == "clone" {
                        "clone3 ran, so not every clone's flags were seen"
                    } else {
                        "every value that matters was seen"
                    }
                ),
            }
        }
        for arch in self.recording.abis() {
            if self.recording.records_arguments()
                && self.recording.names(arch).iter().any(|n| n == "socketcall")
            {
                diag!(
                    "sysfence: {arch}: socketcall allowed with any argument: the socket domain and every other argument sit behind its pointer, which seccomp cannot read, so the sockets this ABI opens through it are not limited to the domains seen"
                );
            }
        }
        let weakening = self.recording.weakening();
        if !weakening.is_empty() {
            diag!(
                "sysfence: the command used calls that weaken a sandbox, now allowed: {}",
                weakening.join(", ")
            );
        }
        if weakening.iter().any(|n| n.starts_with("io_uring")) {
            diag!(
                "sysfence: io_uring performs opens, reads, writes and connects that no seccomp filter sees"
            );
        }
        if let Some(path) = &self.args.output {
            diag!(
                "sysfence: profile written to {} ({})",
                path.display(),
                value_name(&self.args.format)
            );
        }
    }

    fn to_json(&self, verdict: Option<&Verdict>) -> serde_json::Value {
        let abis: Vec<_> = self
            .abis()
            .into_iter()
            .map(|a| {
                serde_json::json!({
                    "arch": policy::docker::scmp_arch_name(a.arch),
                    "used": a.used,
                    "allowed": a.allowed,
                    "blocked": a.blocked(),
                    "total": a.total,
                    "blocked_percent": (a.percent_blocked() * 10.0).round() / 10.0,
                })
            })
            .collect();
        let conditions: Vec<_> = self
            .recording
            .conditions()
            .into_iter()
            .map(|c| {
                serde_json::json!({
                    "arch": policy::docker::scmp_arch_name(c.arch),
                    "syscall": c.rule.syscall,
                    "arg": c.rule.arg,
                    "mask": c.rule.mask,
                    "values": c.values,
                    "names": c.values.as_ref().map(|_| c.value_names()),
                    "widened_by_runtime": self.widened_by(c.rule.syscall).is_some(),
                })
            })
            .collect();
        let weakening = self.recording.weakening();
        serde_json::json!({
            "command": self.args.command.iter().map(|a| a.to_string_lossy()).collect::<Vec<_>>(),
            "pids": self.args.pids,
            "backend": value_name(&self.backend),
            "format": value_name(&self.args.format),
            "output": self.args.output.as_ref().map(|p| p.display().to_string()),
            "default_action": self.policy.default_action.docker_name(),
            "exit_status": self.code,
            "abis": abis,
            "union_across_abis": self.recording.abis().len() > 1 && !self.per_abi,
            "conditions": conditions,
            "weakening": weakening,
            "io_uring": weakening.iter().any(|n| n.starts_with("io_uring")),
            "runtime": self.runtime.as_ref().map(|(name, added)| serde_json::json!({
                "name": name, "added": added,
            })),
            "verify": verdict.map(Verdict::to_json),
        })
    }
}

/// The name a value has on the command line.
fn value_name(v: &impl clap::ValueEnum) -> String {
    v.to_possible_value()
        .map_or_else(String::new, |p| p.get_name().to_string())
}

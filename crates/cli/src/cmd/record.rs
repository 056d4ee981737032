//! `sysfence record`: run a command, see every syscall it and its children make (from
//! before its execve), and write the tightest profile that still lets it run.

use super::profile::{OutputFormat, export, resource_name};
use super::profile_io::{ResolveArgs, load_policy};
use super::record_runtime::{self, RuntimeArg};
use super::run::{Exec, exit_code};
use crate::output::{check_document_target, diag, refuse_binary_to_terminal, write_document};
use anyhow::{Context, Result, bail};
use policy::{Action, Policy};
use record::Recording;
use seccomp::Target;
use seccomp::complain;
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

The command runs once, for real: its input is read and its side effects happen. Calls
are recorded from before its execve, through every child and thread, whatever it execs.
Exit status: the command's.")]
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
    /// How calls are seen: notify (a seccomp user-notification supervisor from before
    /// execve; the default for a command) or ptrace (the tracer, counting instead of
    /// printing; the default and the only one for -p, as no filter can be put into a
    /// running process).
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
    /// The command and its arguments.
    #[arg(
        required_unless_present = "pids",
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

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    if args.output.is_none() && args.format == OutputFormat::Bpf {
        refuse_binary_to_terminal("--format bpf")?;
    }
    // The profile is written at the end: a target that cannot take it costs no run.
    if let Some(path) = &args.output {
        check_document_target(path)?;
    }
    // A profile to merge into is read first: a bad one costs no run.
    let existing = match &args.merge {
        Some(file) => Some(load_policy(file, &args.resolve)?),
        None => None,
    };
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
    let (recording, code) = match backend {
        Backend::Notify => {
            let Some(exec) = Exec::prepare(&args.command)? else {
                return Ok(ExitCode::from(127));
            };
            record_notified(&exec)?
        }
        Backend::Ptrace => record_traced(&args)?,
    };
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
        (None, None) => "profile".to_string(),
    };
    let runtime = record_runtime::chosen(args.runtime, args.format);
    record_runtime::admit(runtime, &mut policy, per_abi);
    let bytes = export(&policy, args.format, &name)?;
    write_document(args.output.as_deref(), &bytes)?;
    summarise(&recording, &policy, per_abi);
    Ok(code)
}

/// Records `exec` through a user-notification supervisor; returns what it called and its
/// exit status.
fn record_notified(exec: &Exec) -> Result<(Recording, ExitCode)> {
    // Every call of every ABI goes to the supervisor, which notes it and lets it run: a
    // policy that allows nothing, in complain mode.
    let watch_all = Policy::new(Action::Errno(1), Arch::callable());
    let target = Target {
        arches: watch_all.target_arches(),
        foreign_action: Action::Notify,
    };
    let program = seccomp::compile(&watch_all.complain_variant(), &target)?;
    let mut recording = Recording::new();
    // As root (CAP_SYS_ADMIN) the filter needs no NO_NEW_PRIVS, which would disable
    // setuid programs in the recorded run.
    // SAFETY: geteuid takes no arguments and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let outcome = complain::run_complain(
        &watch_all,
        &program,
        &exec.c_path,
        &exec.argv,
        &exec.envp,
        !root,
        |call| {
            if let Some(arch) = call.arch {
                recording.note(arch, call.nr);
            }
        },
    )
    .with_context(|| format!("cannot record {}", exec.path.display()))?;
    Ok((recording, exit_code(outcome.status)))
}

/// Records with the ptrace tracer, following every child and thread: a command it starts,
/// or the processes of -p until a signal ends the recording (they are detached and run
/// on); returns what was called and the exit status (0 for -p).
fn record_traced(args: &Args) -> Result<(Recording, ExitCode)> {
    let target = if args.pids.is_empty() {
        ptrace::Target::Command(args.command.clone())
    } else {
        ptrace::Target::Attach(args.pids.clone())
    };
    let mut recording = Recording::new();
    let outcome = ptrace::TracerBuilder::new()
        .follow_forks(true)
        .build()
        .run(target, &mut recording)?;
    let code = match outcome {
        ptrace::Outcome::Exited(code) => ExitCode::from(code as u8),
        ptrace::Outcome::Killed(sig) => ExitCode::from(128 + sig as u8),
        // -p ends this way: the recording is complete.
        ptrace::Outcome::Interrupted(_) if !args.pids.is_empty() => ExitCode::SUCCESS,
        ptrace::Outcome::Interrupted(sig) => ExitCode::from(128 + sig as u8),
        ptrace::Outcome::Done => ExitCode::SUCCESS,
    };
    Ok((recording, code))
}

/// The summary on stderr: what was used, how much the profile blocks, what weakens it.
fn summarise(recording: &Recording, policy: &Policy, per_abi: bool) {
    for arch in recording.abis() {
        let total = arch.table().entries().len();
        let allowed = arch
            .table()
            .entries()
            .iter()
            .filter(|s| policy.evaluate(arch, s.name, &[0; 6]) == Action::Allow)
            .count();
        let blocked = total - allowed;
        diag!(
            "sysfence: {arch}: {} syscalls used, {allowed} allowed; the profile blocks {blocked} of {arch}'s {total} ({:.0}%)",
            recording.names(arch).len(),
            100.0 * blocked as f64 / total as f64
        );
    }
    if recording.abis().len() > 1 && !per_abi {
        diag!(
            "sysfence: this format shares one list of names across its ABIs: each ABI used allows the union of their calls (--format bpf keeps each ABI's set apart)"
        );
    }
    let weakening = recording.weakening();
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
}

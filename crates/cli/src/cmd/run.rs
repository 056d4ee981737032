//! `sysfence run`: execute a command under a seccomp profile (or, with `--complain`, report
//! what the profile would block while letting everything run).

use super::profile::compile_for;
use super::profile_io::{ResolveArgs, import_policy, print_warnings, read_profile};
use crate::output::{diag, error_text, open_stream_file};
use anyhow::{Context, Result, bail};
use policy::Policy;
use seccomp::complain::{self, WouldBlock};
use seccomp::{Program, Target, install};
use std::ffi::{CString, OsString};
use std::io::Write;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `sysfence run`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  sysfence run --profile default.json -- /bin/ls /
  sysfence run --profile strict.json --complain --log blocked.jsonl -- ./server")]
pub struct Args {
    /// The profile to enforce (moby JSON, OCI linux.seccomp or config.json, Kubernetes
    /// SeccompProfile), or a raw BPF program (as `profile compile` writes), installed as given.
    #[arg(long, value_name = "FILE")]
    profile: PathBuf,
    /// Let every syscall run; report each one the profile would have blocked (name, pid,
    /// count) at exit.
    #[arg(long)]
    complain: bool,
    /// With --complain: also write each would-be-blocked syscall as a JSON line to FILE.
    #[arg(long, value_name = "FILE", requires = "complain")]
    log: Option<PathBuf>,
    /// Run the command in new PID and mount namespaces with a private /proc, under a small
    /// init of sysfence's as PID 1 (it forwards SIGINT/SIGTERM/SIGHUP/SIGQUIT, reaps
    /// orphans and exits with the command's status, as `docker run --init`): the command
    /// cannot see, ptrace or write the memory of any process outside, so no unfiltered
    /// process of its user can be made to run what the profile denies.
    #[arg(long, conflicts_with = "complain")]
    isolate: bool,
    #[command(flatten)]
    resolve: ResolveArgs,
    /// The command and its arguments.
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    command: Vec<OsString>,
}

/// Runs the subcommand: on success without --complain it never returns (the command
/// replaces sysfence); with --complain it returns the command's exit status.
pub fn run(args: Args) -> Result<ExitCode> {
    let filter = load_filter(&args)?;
    let Some(Exec {
        path,
        c_path,
        argv,
        envp,
    }) = Exec::prepare(&args.command)?
    else {
        return Ok(ExitCode::from(127));
    };
    let (program, extra) = match filter {
        Filter::Profile(policy) if args.complain => {
            warn_about_escapes(Some(&policy), None, &args);
            return complain(&args, &policy, &path, &c_path, &argv, &envp);
        }
        Filter::Profile(policy) => {
            let (program, extra) = program_and_flags(&policy, &args.profile)?;
            warn_about_escapes(Some(&policy), Some(&program), &args);
            (program, extra)
        }
        Filter::Bpf(program) => {
            warn_about_escapes(None, Some(&program), &args);
            (program, 0)
        }
    };
    if args.isolate {
        let status = seccomp::isolate::run_isolated(&program, extra, &c_path, &argv, &envp)?;
        return Ok(exit_code(status));
    }
    let err = install::exec_filtered(&program, extra, &c_path, &argv, &envp);
    // Under the filter now (unless the kernel refused it): report without relying on much
    // more than write(2).
    diag!(
        "sysfence: cannot run {} under {}: {err}{}",
        path.display(),
        args.profile.display(),
        match err.raw_os_error() {
            Some(1) => " (does the profile allow execve?)",
            Some(22) => " (did the kernel refuse the filter?)",
            _ => "",
        }
    );
    Ok(ExitCode::from(126))
}

/// `run --complain`: runs the command with every syscall allowed and reports what the
/// profile would have blocked; returns the command's exit status.
fn complain(
    args: &Args,
    policy: &Policy,
    path: &Path,
    c_path: &CString,
    argv: &[CString],
    envp: &[CString],
) -> Result<ExitCode> {
    // Calls of other ABIs are reported too, not killed: complain mode lets everything run.
    let target = Target {
        arches: policy.target_arches(),
        foreign_action: policy::Action::Notify,
    };
    let program = seccomp::compile(&policy.complain_variant(), &target)
        .with_context(|| format!("{}: syscalls", args.profile.display()))?;
    // The log is a stream: opened before the command starts (a path that cannot be
    // created costs no run), written line by line as calls are seen, so `tail -f` works.
    let mut log = match &args.log {
        Some(file) => Some(open_stream_file(file, false)?),
        None => None,
    };
    let log_name = args.log.as_ref().map(|f| f.display().to_string());
    let launch = seccomp::install::Launch {
        path: c_path,
        argv,
        envp,
        no_new_privs: true,
        stdin: None,
        stdout: None,
    };
    let outcome = complain::run_complain(policy, &program, &launch, |e| {
        if let (Some(out), Some(name)) = (log.as_mut(), &log_name)
            && let Err(err) = out.write_all(json_line(e).as_bytes())
        {
            diag!("sysfence: {name}: {}", error_text(&err));
        }
        complain::Answer::Continue
    })
    .with_context(|| format!("cannot run {} in complain mode", path.display()))?;
    report(&outcome.counts);
    Ok(exit_code(outcome.status))
}

/// Says what the filter does not stop: calls that reach other processes of the user
/// (unless --isolate), and TRACE/NOTIFY answers the program can give itself (named from
/// the profile's rules where there is one, else from the program).
fn warn_about_escapes(policy: Option<&Policy>, program: Option<&Program>, args: &Args) {
    let file = args.profile.display();
    let arches = policy.map_or_else(|| vec![syscalls::Arch::native()], |p| p.target_arches());
    let fix = "use SCMP_ACT_ERRNO or SCMP_ACT_KILL_PROCESS";
    let (rules, default) = match (policy, program) {
        (Some(policy), _) => {
            let (rules, default) = seccomp::escapes::no_denials(policy);
            (rules, default.then_some(policy.default_action))
        }
        (None, Some(program)) => {
            let found = seccomp::escapes::no_denial_calls(program, &arches);
            let calls = found.calls.into_iter().map(|(n, a)| (n.to_string(), a));
            (calls.collect(), found.default)
        }
        (None, None) => (Vec::new(), None),
    };
    for (name, action) in &rules {
        diag!(
            "sysfence: warning: {file}: {name} -> {} denies nothing: the program can answer it itself (fork a tracer, or install a listener on top); {fix}",
            action.docker_name()
        );
    }
    if let Some(action) = default {
        diag!(
            "sysfence: warning: {file}: the default action {} denies nothing: the program can answer it itself; {fix}",
            action.docker_name()
        );
    }
    if args.isolate {
        return;
    }
    // Complain mode compiles only its own variant: the enforced program is made here.
    let compiled = match (program, policy) {
        (None, Some(policy)) => compile_for(policy).ok(),
        _ => None,
    };
    let Some(program) = program.or(compiled.as_ref()) else {
        return;
    };
    let calls = seccomp::escapes::allowed_cross_process_calls(program, &arches);
    if !calls.is_empty() {
        diag!(
            "sysfence: warning: {file} allows {}: the command can use them on other processes of its user, which this filter does not govern; add --isolate (a PID namespace of its own, as Docker gives a container) or deny them",
            calls.join(", ")
        );
    }
}

/// What `--profile` holds: a profile to compile, or a raw BPF program to install as given.
enum Filter {
    Profile(Policy),
    Bpf(Program),
}

/// Reads `--profile`: raw BPF (told apart as `profile disasm` does) or a profile, which
/// must target this machine's ABI.
fn load_filter(args: &Args) -> Result<Filter> {
    let file = &args.profile;
    let bytes = read_profile(file)?;
    if !policy::is_profile_text(&bytes) {
        if args.complain {
            bail!(
                "{}: raw BPF: --complain needs a profile (JSON or YAML) to report what it would block",
                file.display()
            );
        }
        let program =
            Program::from_bytes(&bytes).with_context(|| format!("{}: raw BPF", file.display()))?;
        return Ok(Filter::Bpf(program));
    }
    let (policy, warnings) = import_policy(&bytes, file, &args.resolve)?;
    print_warnings(file, &warnings);
    let native = syscalls::Arch::native();
    if !policy.target_arches().contains(&native) {
        bail!(
            "{}: architectures: the profile does not target {native}, this machine's ABI, so the command's first syscall would kill it: add {} to its architectures",
            file.display(),
            policy::docker::scmp_arch_name(native)
        );
    }
    Ok(Filter::Profile(policy))
}

/// The compiled program and the install flags the profile asks for.
fn program_and_flags(policy: &Policy, file: &Path) -> Result<(Program, u32)> {
    let mut extra = 0;
    for (i, name) in policy.flags.iter().enumerate() {
        extra |= install::flags::for_profile(name).with_context(|| {
            format!(
                "{}: flags[{i}]: flag {} is not one `run` applies: use SECCOMP_FILTER_FLAG_LOG or SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                file.display(),
                policy::docker::shown(name)
            )
        })?;
    }
    let program = compile_for(policy).with_context(|| format!("{}: syscalls", file.display()))?;
    Ok((program, extra))
}

fn json_line(e: &WouldBlock) -> String {
    let v = serde_json::json!({
        "v": 1,
        "pid": e.pid,
        "tid": e.tid,
        "arch": e.arch.map(|a| a.name()),
        "nr": e.nr,
        "syscall": e.name,
        "action": e.action.to_string(),
        "args": e.args,
    });
    format!("{v}\n")
}

fn report(counts: &complain::Counts) {
    if counts.is_empty() {
        diag!("sysfence: the profile would have blocked no syscall");
        return;
    }
    let total: u64 = counts.values().sum();
    diag!("sysfence: the profile would have blocked {total} calls:");
    diag!("{:>8}  {:>8}  SYSCALL", "COUNT", "PID");
    for ((name, pid), n) in counts {
        diag!("{n:>8}  {pid:>8}  {name}");
    }
}

/// A command ready to exec: found as execvp finds it, its argv and our environment as C
/// strings, all made before any filter goes in (so they cost no filtered calls).
pub(super) struct Exec {
    /// The program's path.
    pub path: PathBuf,
    /// The same, as a C string.
    pub c_path: CString,
    /// Its arguments.
    pub argv: Vec<CString>,
    /// Its environment (ours).
    pub envp: Vec<CString>,
}

impl Exec {
    /// Prepares `command`; `None` (after saying why) when it cannot be found, which a
    /// shell, env and docker run answer with 127.
    pub fn prepare(command: &[OsString]) -> Result<Option<Exec>> {
        let path = match find_program(&command[0]) {
            Ok(path) => path,
            Err(err) => {
                diag!("sysfence: {err:#}");
                return Ok(None);
            }
        };
        let c_path = CString::new(path.as_os_str().as_bytes())?;
        let argv = command
            .iter()
            .map(|a| CString::new(a.clone().into_vec()))
            .collect::<Result<Vec<_>, _>>()
            .context("an argument contains a NUL byte")?;
        let envp = std::env::vars_os()
            .map(|(k, v)| {
                let mut kv = k.into_vec();
                kv.push(b'=');
                kv.extend(v.into_vec());
                CString::new(kv)
            })
            .collect::<Result<Vec<_>, _>>()
            .context("the environment contains a NUL byte")?;
        Ok(Some(Exec {
            path,
            c_path,
            argv,
            envp,
        }))
    }
}

/// The shell's view of a wait status: the exit code, or 128 + the signal.
pub(super) fn exit_code(status: i32) -> ExitCode {
    ExitCode::from(status_code(status))
}

/// A raw wait status as a shell's `$?`: the exit code, or 128 + the signal.
pub(super) fn status_code(status: i32) -> u8 {
    let code = if status & 0x7f == 0 {
        (status >> 8) & 0xff
    } else {
        128 + (status & 0x7f)
    };
    code as u8
}

/// Finds COMMAND as execvp would: a path with a slash as given, else the first executable
/// match in $PATH. Done before the filter goes in, so the search costs no filtered calls.
fn find_program(command: &OsString) -> Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let as_path = Path::new(command);
    if command.as_bytes().contains(&b'/') {
        if !as_path.exists() {
            bail!("{}: no such file", as_path.display());
        }
        return Ok(as_path.to_path_buf());
    }
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join(as_path);
        if let Ok(meta) = candidate.metadata()
            && meta.is_file()
            && meta.permissions().mode() & 0o111 != 0
        {
            return Ok(candidate);
        }
    }
    bail!("{}: command not found in PATH", as_path.display())
}

//! `sysfence`: the command-line front end. Argument parsing and wiring only; every
//! behaviour lives in a library crate.

mod cmd;
mod output;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// See and fence Linux system calls.
#[derive(Parser)]
#[command(name = "sysfence", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Look up syscalls by name, number or %class, for any supported ABI.
    Syscalls(cmd::syscalls::Args),
    /// Trace the system calls and signals of a command or running processes, as strace does.
    Trace(Box<cmd::trace::Args>),
    /// Show, convert, compile and disassemble seccomp profiles.
    Profile(cmd::profile::Args),
    /// Run a command under a seccomp profile (or report what it would block).
    Run(cmd::run::Args),
    /// Run a command and write the seccomp profile it needs.
    Record(cmd::record::Args),
    /// Loaded kernel modules (lsmod's view) and what /sys/module says about one.
    Modules(cmd::modules::Args),
    /// Open files and sockets of processes, as lsof lists them.
    Files(cmd::files::Args),
    /// Kernel seccomp/BPF/LSM support and every process's seccomp state and profile.
    Status(cmd::status::Args),
    /// The seccomp filters a process runs under: listing, raw BPF, or a rebuilt profile.
    Dump(cmd::dump::Args),
    /// Watch the whole machine's syscalls with eBPF, filtered in the kernel.
    Watch(cmd::watch::Args),
    /// Detection rules: list them, check rule files, run them over a recorded stream.
    Rules(cmd::rules::Args),
}

/// Reports a command-line error. Under `trace` it is strace's: an unknown option gets
/// strace's message, and every usage error exits with 1, as strace's; the other
/// subcommands keep clap's status 2.
fn usage_error(err: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let under_trace = std::env::args_os().nth(1).is_some_and(|a| a == "trace");
    if !under_trace
        || matches!(
            err.kind(),
            ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
        )
    {
        err.exit();
    }
    let unknown = match (err.kind(), err.get(ContextKind::InvalidArg)) {
        (ErrorKind::UnknownArgument, Some(ContextValue::String(arg))) => Some(arg.clone()),
        _ => None,
    };
    match unknown {
        None if err.kind() == ErrorKind::MissingRequiredArgument => {
            output::diag!("sysfence: must have PROG [ARGS] or -p PID");
        }
        Some(arg) if arg.starts_with("--") => {
            let name = arg.split('=').next().unwrap_or(&arg);
            output::diag!("sysfence: unrecognized option '{name}'");
        }
        Some(arg) => {
            let letter = arg.trim_start_matches('-').chars().next().unwrap_or('?');
            output::diag!("sysfence: invalid option -- '{letter}'");
        }
        None => {
            // clap's first line is the problem; its usage and "--help" lines are
            // replaced by strace's "Try" line.
            let text = err.render().to_string();
            let first = text.lines().next().unwrap_or_default();
            output::diag!("sysfence: {}", first.trim_start_matches("error: "));
        }
    }
    output::diag!("Try 'sysfence trace -h' for more information.");
    ExitCode::from(1)
}

fn main() -> ExitCode {
    // Rust ignores SIGPIPE: restore the default, so that `sysfence ... | head` ends quietly
    // as a Unix tool does. A SIGCHLD our parent ignored would have the kernel reap our
    // children unseen (waits fail with ECHILD or never end): take the default, as strace
    // does. Commands we start get both back as we inherited them (events::inherited).
    // SAFETY: setting signals' dispositions before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        libc::signal(libc::SIGCHLD, libc::SIG_DFL);
    }
    let args = cmd::files::rewrite_plus_options(std::env::args_os().collect());
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    let result = match cli.command {
        Command::Syscalls(args) => cmd::syscalls::run(args),
        Command::Trace(args) => cmd::trace::run(*args),
        Command::Profile(args) => cmd::profile::run(args),
        Command::Run(args) => cmd::run::run(args),
        Command::Record(args) => cmd::record::run(args),
        Command::Modules(args) => cmd::modules::run(args),
        Command::Files(args) => cmd::files::run(args),
        Command::Status(args) => cmd::status::run(args),
        Command::Dump(args) => cmd::dump::run(args),
        Command::Watch(args) => cmd::watch::run(args),
        Command::Rules(args) => cmd::rules::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            output::diag!("sysfence: {err:#}");
            ExitCode::from(1)
        }
    }
}

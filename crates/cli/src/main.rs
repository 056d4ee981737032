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
    Trace(cmd::trace::Args),
    /// Show, convert, compile and disassemble seccomp profiles.
    Profile(cmd::profile::Args),
    /// Run a command under a seccomp profile (or report what it would block).
    Run(cmd::run::Args),
}

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, and an ignored signal stays ignored across exec: restore the
    // default, so that `sysfence ... | head` ends quietly as a Unix tool does and a
    // command that `run` execs gets the disposition it would have had without us.
    // SAFETY: setting a signal's disposition before any thread exists.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Syscalls(args) => cmd::syscalls::run(args),
        Command::Trace(args) => cmd::trace::run(args),
        Command::Profile(args) => cmd::profile::run(args),
        Command::Run(args) => cmd::run::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            output::diag!("sysfence: {err:#}");
            ExitCode::from(1)
        }
    }
}

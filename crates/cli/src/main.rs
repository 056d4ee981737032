//! `sysfence`: the command-line front end. Argument parsing and wiring only; every
//! behaviour lives in a library crate.

mod cmd;

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
            eprintln!("sysfence: {err:#}");
            ExitCode::from(1)
        }
    }
}

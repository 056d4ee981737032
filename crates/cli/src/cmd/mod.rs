//! One module per subcommand.

pub mod dump;
pub mod files;
pub mod modules;
pub mod profile;
mod profile_io;
pub mod record;
mod record_runtime;
pub mod rules;
pub mod run;
pub mod status;
pub mod syscalls;
pub mod trace;
mod trace_args;
mod trace_ebpf;
mod trace_rules;
pub mod watch;

//! One module per subcommand.

pub mod syscalls;
pub mod trace;

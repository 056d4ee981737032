//! One module per subcommand.

pub mod syscalls;

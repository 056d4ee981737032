// Placeholder until scripts/gen-syscalls runs.
use crate::{Errno, Signal, Syscall};
pub(crate) static X86_64: &[Syscall] = &[];
pub(crate) static I386: &[Syscall] = &[];
pub(crate) static X32: &[Syscall] = &[];
pub(crate) static AARCH64: &[Syscall] = &[];
pub(crate) static ERRNOS: &[Errno] = &[];
pub(crate) static ERRNO_ALIASES: &[(&str, i32)] = &[];
pub(crate) static SIGNALS: &[Signal] = &[];

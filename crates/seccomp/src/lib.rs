//! Seccomp filters: our own BPF compiler (a pure function from a [`policy::Policy`] and the
//! target ABIs to a [`Program`]), a disassembler, an emulator, and the small unsafe module
//! that installs filters.

#![warn(missing_docs)]

pub mod bpf;
mod compile;
pub mod complain;
pub mod disasm;
pub mod emulator;
pub mod escapes;
pub mod install;
pub mod isolate;
pub mod lint;
pub mod multiplex;
pub mod verify;

pub use bpf::{Insn, Program};
pub use compile::{
    ArchRules, CompileError, Resolved, ResolvedRule, Target, compile, lower, resolve,
};
pub use emulator::{Run, SeccompData, run};

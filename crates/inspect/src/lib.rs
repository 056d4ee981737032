//! /proc and /sys readers: what the running kernel supports, each process's seccomp
//! state and filters, open files and sockets (lsof's questions), and kernel modules.
//! The CLI only formats what these return.

#![warn(missing_docs)]

pub mod container;
pub mod decisions;
pub mod decompile;
pub mod files;
pub mod filters;
pub mod kernel;
pub mod listing;
pub mod modules;
pub mod profiles;
pub mod seccomp_state;
pub mod sockets;
pub mod status;
pub(crate) mod sys;
pub mod taint;
pub mod users;

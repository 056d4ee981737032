//! /proc and /sys readers: what the running kernel supports, each process's seccomp
//! state and filters, open files and sockets (lsof's questions), and kernel modules.
//! The CLI only formats what these return.

#![warn(missing_docs)]

pub mod files;
pub mod modules;
pub mod sockets;
mod sys;
pub mod taint;
pub mod users;

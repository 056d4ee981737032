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

/// An OS error as strerror(3) words it, without Rust's " (os error N)".
pub(crate) fn os_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

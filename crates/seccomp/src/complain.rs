//! Complain mode: run a program under the complain variant of a policy and record each
//! syscall the real policy would have blocked, letting it run.

use crate::Program;
use crate::install::{self, Notification, Supervised};
use policy::{Action, Policy};
use std::collections::BTreeMap;
use std::ffi::{CStr, CString};
use std::io;
use std::time::Duration;
use syscalls::Arch;

/// One syscall the policy would have blocked, as notified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WouldBlock {
    /// The calling thread.
    pub pid: u32,
    /// The ABI of the call (None for an ABI sysfence does not know).
    pub arch: Option<Arch>,
    /// The syscall number as the kernel saw it.
    pub nr: u32,
    /// Its name, or `nr_N` when the table has none.
    pub name: String,
    /// What the real policy answers.
    pub action: Action,
    /// The arguments.
    pub args: [u64; 6],
}

/// Per (name, pid): how many times the policy would have blocked it.
pub type Counts = BTreeMap<(String, u32), u64>;

/// What a complain-mode run produced.
#[derive(Debug)]
pub struct ComplainRun {
    /// The program's raw wait status.
    pub status: i32,
    /// Calls the policy would have blocked, counted by (name, pid).
    pub counts: Counts,
}

/// Runs `path` under `policy`'s complain variant (compiled as `program`, with calls of other
/// ABIs notified rather than killed), calling `on_block`
/// for each would-be-blocked syscall, and returns the wait status and the counts.
pub fn run_complain(
    policy: &Policy,
    program: &Program,
    path: &CStr,
    argv: &[CString],
    envp: &[CString],
    mut on_block: impl FnMut(&WouldBlock),
) -> io::Result<ComplainRun> {
    let Supervised { pid, listener } = install::spawn_supervised(program, path, argv, envp)?;
    let mut counts = Counts::new();
    let mut status = None;
    let mut quiet = 0u32;
    loop {
        match install::receive(&listener, Duration::from_millis(50)) {
            Ok(Some(n)) => {
                quiet = 0;
                let event = describe(policy, &n);
                install::respond_continue(&listener, n.id)?;
                *counts.entry((event.name.clone(), event.pid)).or_default() += 1;
                on_block(&event);
            }
            Ok(None) => {
                if status.is_none() {
                    status = install::try_wait_child(pid)?;
                } else {
                    quiet += 1;
                    // The program is gone; a descendant may linger under the filter.
                    if quiet > 4 {
                        break;
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => break,
            Err(e) => return Err(e),
        }
    }
    let status = match status {
        Some(s) => s,
        None => install::wait_child(pid)?,
    };
    Ok(ComplainRun { status, counts })
}

fn describe(policy: &Policy, n: &Notification) -> WouldBlock {
    let nr = n.nr as u32;
    let arch = Arch::from_audit(n.arch, nr);
    let name = arch
        .and_then(|a| a.table().lookup_nr(nr))
        .map_or_else(|| format!("nr_{nr}"), |s| s.name.to_string());
    let action = match arch {
        Some(a) if policy.target_arches().contains(&a) => policy.evaluate(a, &name, &n.args),
        _ => Action::KillProcess,
    };
    WouldBlock {
        pid: n.pid,
        arch,
        nr,
        name,
        action,
        args: n.args,
    }
}

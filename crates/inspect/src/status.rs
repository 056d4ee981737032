//! `status`'s table of processes: each one's seccomp state, container, and the profile
//! its filters decide as (moby's default, one of --profiles, or `unknown` with the
//! fingerprint that groups processes under the same filters).

use crate::container::{self, Container};
use crate::decisions;
use crate::filters::{self, ReadFiltersError};
use crate::profiles::KnownProfile;
use crate::seccomp_state::{self, ProcessSeccomp};
use crate::users::Users;
use serde::Serialize;
use std::collections::HashMap;

/// What the filters of a process were recognised as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Recognised {
    /// Mode 0 or 1: no filter to recognise.
    None,
    /// The stack decides as this known profile.
    Known {
        /// The profile's name.
        name: String,
        /// The stack's fingerprint.
        fingerprint: String,
    },
    /// No known profile decides alike.
    Unknown {
        /// The stack's fingerprint.
        fingerprint: String,
        /// The known profile deciding the fewest calls otherwise, for orientation only:
        /// the process is not named after it.
        nearest: Option<Nearest>,
    },
    /// The filters could not be read.
    Unreadable {
        /// Why, in a few words (the PROFILE column's).
        reason: String,
        /// Why, with what to do about it.
        detail: String,
    },
}

impl Recognised {
    /// The PROFILE column: `moby-default`, `unknown`, `-`, or `? (why)`.
    pub fn column(&self) -> String {
        match self {
            Recognised::None => "-".into(),
            Recognised::Known { name, .. } => name.clone(),
            Recognised::Unknown { .. } => "unknown".into(),
            Recognised::Unreadable { reason, .. } => format!("? ({reason})"),
        }
    }

    /// The fingerprint, when the filters were read.
    pub fn fingerprint(&self) -> Option<&str> {
        match self {
            Recognised::Known { fingerprint, .. } | Recognised::Unknown { fingerprint, .. } => {
                Some(fingerprint)
            }
            _ => None,
        }
    }
}

/// How far a stack is from a known profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Nearest {
    /// The profile's name.
    pub name: String,
    /// How many (ABI, nr) calls the two decide otherwise, for some probed argument value.
    pub differing_calls: usize,
}

/// One row of `status`'s process table.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessStatus {
    /// The process id.
    pub pid: i32,
    /// Its effective user's name.
    pub user: String,
    /// Its command name.
    pub comm: String,
    /// Its seccomp state, per thread.
    pub seccomp: ProcessSeccomp,
    /// Whether its threads differ in mode or filter count.
    pub threads_differ: bool,
    /// Its container, from its cgroup.
    pub container: Option<Container>,
    /// What its filters are.
    pub profile: Recognised,
}

/// Why `status` could not list what was asked.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// A PID asked for does not exist.
    #[error(
        "process {0} does not exist (it has exited, or the PID is mistyped; `ps -e` lists them)"
    )]
    NoSuchProcess(i32),
    /// /proc could not be listed.
    #[error("cannot list /proc: {0} (is procfs mounted?)")]
    Proc(String),
}

/// Reads the rows of `pids` (every process when `None`), mode ≥ 1 only when
/// `filtered_only`, recognising filters against `known`.
pub fn processes(
    pids: Option<&[i32]>,
    filtered_only: bool,
    known: &[KnownProfile],
) -> Result<Vec<ProcessStatus>, StatusError> {
    let users = Users::load();
    let all: Vec<i32> = match pids {
        Some(p) => {
            for &pid in p {
                if seccomp_state::read(pid).is_none() {
                    return Err(StatusError::NoSuchProcess(pid));
                }
            }
            p.to_vec()
        }
        None => {
            let mut v: Vec<i32> = procfs::process::all_processes()
                .map_err(|e| StatusError::Proc(e.to_string()))?
                .filter_map(|p| p.ok().map(|p| p.pid))
                .collect();
            v.sort_unstable();
            v
        }
    };
    let mut cache = Recognizer {
        known,
        by_bytes: HashMap::new(),
    };
    let mut rows = Vec::new();
    for pid in all {
        let Some(state) = seccomp_state::read(pid) else {
            continue;
        };
        if filtered_only && state.main.mode == 0 {
            continue;
        }
        let profile = cache.recognise(&state);
        rows.push(ProcessStatus {
            pid,
            user: users.name(state.euid),
            comm: procfs::process::Process::new(pid)
                .and_then(|p| p.stat())
                .map(|s| s.comm)
                .unwrap_or_default(),
            threads_differ: state.threads_differ(),
            container: container::of_process(pid),
            seccomp: state,
            profile,
        });
    }
    Ok(rows)
}

/// Recognises stacks, once per distinct set of filter bytes.
struct Recognizer<'a> {
    known: &'a [KnownProfile],
    by_bytes: HashMap<Vec<u8>, Recognised>,
}

impl Recognizer<'_> {
    /// Recognises the main thread's filters, or, when only other threads have some
    /// (installed without TSYNC), the first filtered thread's.
    fn recognise(&mut self, state: &ProcessSeccomp) -> Recognised {
        let Some(task) = state.tasks.iter().find(|t| t.mode == 2) else {
            return Recognised::None;
        };
        if state.pid == std::process::id() as i32 {
            return Recognised::Unreadable {
                reason: "sysfence itself".into(),
                detail: "sysfence cannot trace itself; `sysfence dump` from another process can read its filters".into(),
            };
        }
        // A filtered sysfence is refused every filter (EACCES): no process is seized for it.
        if crate::sys::own_seccomp_mode().is_some_and(|m| m != 0) {
            return Recognised::Unreadable {
                reason: "sysfence is filtered".into(),
                detail: ReadFiltersError::SelfFiltered {
                    mode: crate::sys::own_seccomp_mode().unwrap_or(2),
                }
                .to_string(),
            };
        }
        let filters = match filters::read_filters(task.tid) {
            Ok(f) => f,
            Err(e) => {
                return Recognised::Unreadable {
                    reason: short_reason(&e),
                    detail: e.to_string(),
                };
            }
        };
        let bytes: Vec<u8> = filters.iter().flat_map(|f| f.program.to_bytes()).collect();
        if let Some(r) = self.by_bytes.get(&bytes) {
            return r.clone();
        }
        let programs: Vec<&seccomp::Program> = filters.iter().map(|f| &f.program).collect();
        let r = match decisions::fingerprint(&programs) {
            Err(e) => Recognised::Unreadable {
                reason: "invalid program".into(),
                detail: format!("the kernel holds a program the emulator cannot run: {e}"),
            },
            Ok(fingerprint) => recognise(&programs, self.known, fingerprint),
        };
        self.by_bytes.insert(bytes, r.clone());
        r
    }
}

fn short_reason(e: &ReadFiltersError) -> String {
    match e {
        ReadFiltersError::Gone { .. } | ReadFiltersError::Zombie { .. } => "exited".into(),
        ReadFiltersError::Traced { tracer, .. } => format!("traced by {tracer}"),
        ReadFiltersError::SelfFiltered { .. } => "sysfence is filtered".into(),
        ReadFiltersError::NoCapSysAdmin { .. } => "needs CAP_SYS_ADMIN".into(),
        ReadFiltersError::NoPermission { .. } => "cannot attach".into(),
        ReadFiltersError::NoStop { .. } => "did not stop".into(),
        other => other.to_string(),
    }
}

/// The first known profile deciding as `programs` do; else `Unknown` with the nearest.
fn recognise(
    programs: &[&seccomp::Program],
    known: &[KnownProfile],
    fingerprint: String,
) -> Recognised {
    let mut nearest: Option<Nearest> = None;
    for k in known {
        let Ok(diffs) = decisions::differences(programs, &[&k.program], usize::MAX) else {
            continue;
        };
        if diffs.is_empty() {
            return Recognised::Known {
                name: k.name.clone(),
                fingerprint,
            };
        }
        let calls: std::collections::BTreeSet<(u32, u32)> =
            diffs.iter().map(|(d, _)| (d.arch, d.nr)).collect();
        if nearest
            .as_ref()
            .is_none_or(|n| calls.len() < n.differing_calls)
        {
            nearest = Some(Nearest {
                name: k.name.clone(),
                differing_calls: calls.len(),
            });
        }
    }
    Recognised::Unknown {
        fingerprint,
        nearest,
    }
}

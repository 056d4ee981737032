//! The process table the engine builds from the stream itself: fork links a child to its
//! parent, exec sets the executable and comm, the exit of a group leader removes it. It
//! gives rules `executable`, `parent.*` and ancestry offline, and it is bounded: past its
//! cap the least recently seen quarter is evicted, and entries idle longer than the
//! expiry go at the next sweep, so a fork bomb cannot grow it without limit.

use events::IdMap;
use std::sync::Arc;

/// What the table knows about one process.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProcessInfo {
    /// The parent's pid (0 when unknown).
    pub ppid: i64,
    /// The comm (the executable's basename, at most 15 bytes, as the kernel keeps it).
    pub comm: Arc<str>,
    /// The executable's path, as exec named it (empty when unknown).
    pub executable: Arc<str>,
    /// The fds known to be sockets (from socket, accept and connect; carried by dup).
    pub sockets: Vec<i64>,
}

/// Where processes that existed before the stream began are looked up: /proc for a live
/// watch ([`ProcLookup`]), nothing offline ([`NoLookup`]).
pub trait ProcessLookup {
    /// The process `pid`, if it exists.
    fn lookup(&self, pid: i64) -> Option<ProcessInfo>;
}

/// The lookup of an offline replay: processes before the stream are unknown.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLookup;

impl ProcessLookup for NoLookup {
    fn lookup(&self, _pid: i64) -> Option<ProcessInfo> {
        None
    }
}

/// The lookup of a live watch: /proc/PID/stat (ppid), comm and exe.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcLookup;

impl ProcessLookup for ProcLookup {
    fn lookup(&self, pid: i64) -> Option<ProcessInfo> {
        let dir = format!("/proc/{pid}");
        let stat = std::fs::read_to_string(format!("{dir}/stat")).ok()?;
        // The comm is between the first '(' and the last ')'; it may hold either.
        let close = stat.rfind(')')?;
        let comm = Arc::from(&stat[stat.find('(')? + 1..close]);
        let ppid = stat[close + 1..].split_whitespace().nth(1)?.parse().ok()?;
        let executable = std::fs::read_link(format!("{dir}/exe"))
            .map(|p| Arc::from(p.to_string_lossy().as_ref()))
            .unwrap_or_else(|_| Arc::from(""));
        Some(ProcessInfo {
            ppid,
            comm,
            executable,
            sockets: Vec::new(),
        })
    }
}

/// One ancestor in an alert's ancestry.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Ancestor {
    /// Its pid.
    pub pid: i64,
    /// Its comm.
    pub comm: String,
    /// Its executable's path (empty when unknown).
    pub executable: String,
}

#[derive(Debug, Clone)]
struct Entry {
    info: ProcessInfo,
    last_seen: f64,
    touched: u64,
}

/// The bounded process table.
pub struct ProcessTable {
    entries: IdMap<i64, Entry>,
    cap: usize,
    idle: f64,
    clock: u64,
    last_sweep: f64,
    lookup: Box<dyn ProcessLookup + Send>,
}

/// How many processes the table keeps by default.
pub const DEFAULT_PROCESS_CAP: usize = 32_768;
/// How long (stream seconds) an unseen process is kept by default.
pub const DEFAULT_PROCESS_IDLE: f64 = 3600.0;
/// How many sockets per process are remembered.
pub const MAX_SOCKETS: usize = 64;
/// How deep ancestry goes.
pub const MAX_ANCESTRY: usize = 16;

impl ProcessTable {
    /// An empty table keeping at most `cap` processes, each at most `idle` seconds unseen.
    pub fn new(cap: usize, idle: f64, lookup: Box<dyn ProcessLookup + Send>) -> Self {
        ProcessTable {
            entries: IdMap::default(),
            cap: cap.max(1),
            idle,
            clock: 0,
            last_sweep: 0.0,
            lookup,
        }
    }

    /// How many processes it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The process `pid`, from the table or else the lookup (then remembered).
    pub fn get(&mut self, pid: i64, ts: f64) -> Option<&ProcessInfo> {
        if !self.entries.contains_key(&pid) {
            let info = self.lookup.lookup(pid)?;
            self.insert(pid, info, ts);
        }
        self.entries.get(&pid).map(|e| &e.info)
    }

    /// The process `pid` without consulting the lookup.
    pub fn known(&self, pid: i64) -> Option<&ProcessInfo> {
        self.entries.get(&pid).map(|e| &e.info)
    }

    /// The process `pid` to change, created (from the lookup, else empty) when unknown.
    pub fn entry(&mut self, pid: i64, ts: f64) -> &mut ProcessInfo {
        if !self.entries.contains_key(&pid) {
            let info = self.lookup.lookup(pid).unwrap_or_default();
            self.insert(pid, info, ts);
        }
        self.clock += 1;
        let entry = self.entries.get_mut(&pid).expect("inserted above");
        entry.last_seen = ts;
        entry.touched = self.clock;
        &mut entry.info
    }

    /// Records that `pid` forked `child`: the child starts as a copy of its parent.
    pub fn fork(&mut self, pid: i64, child: i64, ts: f64) {
        let mut info = self.entry(pid, ts).clone();
        info.ppid = pid;
        self.insert(child, info, ts);
    }

    /// Records that `pid` executed `filename`.
    pub fn exec(&mut self, pid: i64, filename: &str, comm: Option<&str>, ts: f64) {
        let entry = self.entry(pid, ts);
        if *entry.executable != *filename {
            entry.executable = Arc::from(filename);
        }
        let comm = match comm {
            Some(c) if !c.is_empty() => c.to_string(),
            _ => basename(filename).chars().take(15).collect(),
        };
        if *entry.comm != *comm {
            entry.comm = Arc::from(comm);
        }
    }

    /// Forgets `pid` (its group exited).
    pub fn exit(&mut self, pid: i64) {
        self.entries.remove(&pid);
    }

    /// The parent of `pid` and theirs, nearest first, at most [`MAX_ANCESTRY`] deep.
    pub fn ancestry(&mut self, pid: i64, ts: f64) -> Vec<Ancestor> {
        let mut out = Vec::new();
        let mut at = self.get(pid, ts).map_or(0, |p| p.ppid);
        while at > 0 && out.len() < MAX_ANCESTRY && !out.iter().any(|a: &Ancestor| a.pid == at) {
            let Some(info) = self.get(at, ts) else {
                out.push(Ancestor {
                    pid: at,
                    comm: String::new(),
                    executable: String::new(),
                });
                break;
            };
            out.push(Ancestor {
                pid: at,
                comm: info.comm.to_string(),
                executable: info.executable.to_string(),
            });
            at = info.ppid;
        }
        out
    }

    fn insert(&mut self, pid: i64, info: ProcessInfo, ts: f64) {
        self.clock += 1;
        self.entries.insert(
            pid,
            Entry {
                info,
                last_seen: ts,
                touched: self.clock,
            },
        );
        if self.entries.len() > self.cap {
            self.evict_oldest();
        }
        if ts - self.last_sweep > self.idle / 4.0 {
            self.last_sweep = ts;
            let horizon = ts - self.idle;
            self.entries.retain(|_, e| e.last_seen >= horizon);
        }
    }

    /// Drops the least recently touched quarter: amortised O(1) per insert.
    fn evict_oldest(&mut self) {
        let mut ages: Vec<u64> = self.entries.values().map(|e| e.touched).collect();
        let keep = self.cap - self.cap / 4;
        let cut = ages.len() - keep;
        let (_, threshold, _) = ages.select_nth_unstable(cut);
        let threshold = *threshold;
        self.entries.retain(|_, e| e.touched >= threshold);
    }
}

/// The last component of a path.
pub fn basename(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fork_bomb_stays_under_the_cap() {
        let mut table = ProcessTable::new(1000, 3600.0, Box::new(NoLookup));
        table.exec(1, "/sbin/init", None, 0.0);
        for child in 2..1_000_002 {
            let ts = child as f64 * 1e-6;
            table.fork(1, child, ts);
            table.exec(child, "/bin/true", None, ts);
            if child % 3 != 0 {
                table.exit(child);
            }
            assert!(table.len() <= 1000);
        }
        assert!(table.len() <= 1000);
        assert_eq!(table.known(1).map(|p| &*p.executable), Some("/sbin/init"));
    }

    #[test]
    fn idle_processes_expire() {
        let mut table = ProcessTable::new(100, 10.0, Box::new(NoLookup));
        table.entry(5, 0.0);
        table.entry(6, 100.0);
        assert!(table.known(5).is_none());
    }

    #[test]
    fn ancestry_follows_fork_links() {
        let mut table = ProcessTable::new(100, 3600.0, Box::new(NoLookup));
        table.exec(10, "/usr/sbin/nginx", None, 0.0);
        table.fork(10, 11, 0.0);
        table.exec(11, "/bin/sh", None, 0.0);
        table.fork(11, 12, 0.0);
        let chain = table.ancestry(12, 0.0);
        assert_eq!(chain.iter().map(|a| a.pid).collect::<Vec<_>>(), [11, 10]);
        assert_eq!(chain[1].comm, "nginx");
    }

    #[test]
    fn proc_lookup_finds_this_process() {
        let me = ProcLookup.lookup(std::process::id() as i64).unwrap();
        assert!(me.ppid > 0);
        assert!(!me.executable.is_empty());
    }
}

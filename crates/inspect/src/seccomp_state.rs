//! Each process's seccomp state, per thread: mode, filter count and NoNewPrivs, from
//! /proc/PID/task/TID/status, read with the `procfs` crate, except `Seccomp_filters`
//! (Linux 5.9+), which it does not parse.

use serde::Serialize;

/// One task's seccomp state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TaskSeccomp {
    /// The thread id.
    pub tid: i32,
    /// 0 disabled, 1 strict, 2 filter.
    pub mode: u32,
    /// How many filters the task runs under (`Seccomp_filters`, Linux 5.9+; 0 before).
    pub filters: u32,
    /// Whether no_new_privs is set.
    pub no_new_privs: bool,
}

/// A process's seccomp state: its main thread's, and whether its threads differ (a
/// filter installed without TSYNC, or strict mode entered by one thread).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProcessSeccomp {
    /// The process id.
    pub pid: i32,
    /// The main thread's state.
    pub main: TaskSeccomp,
    /// Every thread's state (the main thread first).
    pub tasks: Vec<TaskSeccomp>,
    /// The process's TracerPid (0 when not traced).
    pub tracer_pid: i32,
    /// Its effective uid.
    pub euid: u32,
}

impl ProcessSeccomp {
    /// Whether some thread's mode or filter count differs from the main thread's.
    pub fn threads_differ(&self) -> bool {
        self.tasks
            .iter()
            .any(|t| (t.mode, t.filters) != (self.main.mode, self.main.filters))
    }
}

/// Parses a status file (`tid` names the task); `None` when it has no `Seccomp` line.
pub fn parse_status(tid: i32, text: &str) -> Option<TaskSeccomp> {
    use procfs::FromBufRead;
    let status = procfs::process::Status::from_buf_read(text.as_bytes()).ok()?;
    Some(TaskSeccomp {
        tid,
        mode: status.seccomp?,
        filters: seccomp_filters(text).unwrap_or(0),
        no_new_privs: status.nonewprivs.unwrap_or(0) != 0,
    })
}

/// The `Seccomp_filters:` line, which `procfs` does not parse.
pub fn seccomp_filters(text: &str) -> Option<u32> {
    text.lines()
        .find_map(|l| l.strip_prefix("Seccomp_filters:"))
        .and_then(|v| v.trim().parse().ok())
}

/// Reads `pid`'s state; `None` when the process is gone (or its status unreadable).
pub fn read(pid: i32) -> Option<ProcessSeccomp> {
    use procfs::FromBufRead;
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let main = parse_status(pid, &text)?;
    let status = procfs::process::Status::from_buf_read(text.as_bytes()).ok()?;
    let (tracer_pid, euid) = (status.tracerpid, status.euid);
    let mut tids: Vec<i32> = std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    tids.sort_unstable();
    let mut tasks = vec![main];
    for tid in tids.into_iter().filter(|&t| t != pid) {
        let path = format!("/proc/{pid}/task/{tid}/status");
        if let Some(t) = std::fs::read_to_string(path)
            .ok()
            .and_then(|s| parse_status(tid, &s))
        {
            tasks.push(t);
        }
    }
    Some(ProcessSeccomp {
        pid,
        main,
        tasks,
        tracer_pid,
        euid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_real_status_file_parses_with_the_filter_count() {
        let text = std::fs::read_to_string("/proc/self/status").unwrap();
        let t = parse_status(1, &text).unwrap();
        assert_eq!(Some(t.mode), crate::sys::own_seccomp_mode());
        assert_eq!(t.filters, seccomp_filters(&text).unwrap_or(0));
        assert_eq!(seccomp_filters("Name:\tx\nSeccomp_filters:\t3\n"), Some(3));
        assert_eq!(seccomp_filters("Name:\tx\n"), None);
        assert!(parse_status(1, "Name:\tx\n").is_none());
    }
}

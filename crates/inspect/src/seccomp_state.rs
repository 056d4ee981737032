//! Each process's seccomp state, per thread: mode, filter count and NoNewPrivs, from the
//! `Seccomp`, `Seccomp_filters` and `NoNewPrivs` lines of /proc/PID/task/TID/status.

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
}

impl ProcessSeccomp {
    /// Whether some thread's mode or filter count differs from the main thread's.
    pub fn threads_differ(&self) -> bool {
        self.tasks
            .iter()
            .any(|t| (t.mode, t.filters) != (self.main.mode, self.main.filters))
    }
}

/// Parses the seccomp lines of a status file (`tid` names the task).
pub fn parse_status(tid: i32, text: &str) -> Option<TaskSeccomp> {
    let field = |name: &str| -> Option<u32> {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            (k == name).then(|| v.trim().parse().ok()).flatten()
        })
    };
    Some(TaskSeccomp {
        tid,
        mode: field("Seccomp")?,
        filters: field("Seccomp_filters").unwrap_or(0),
        no_new_privs: field("NoNewPrivs").unwrap_or(0) != 0,
    })
}

/// Reads `pid`'s state; `None` when the process is gone (or its status unreadable).
pub fn read(pid: i32) -> Option<ProcessSeccomp> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let main = parse_status(pid, &status)?;
    let tracer_pid = status
        .lines()
        .find_map(|l| l.strip_prefix("TracerPid:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_parse() {
        let text = "Name:\tsleep\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t3\n";
        let t = parse_status(7, text).unwrap();
        assert_eq!((t.tid, t.mode, t.filters, t.no_new_privs), (7, 2, 3, true));
        assert!(parse_status(7, "Name:\tx\n").is_none());
    }
}

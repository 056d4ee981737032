//! The `-c` summary table, in strace's layout.

use crate::decode::Decoder;
use events::{Event, EventKind, IdMap, Sink};
use std::io::{self, Write};
use std::sync::Arc;
use syscalls::Arch;

/// The column `-S` sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// Total time, descending (the default).
    Time,
    /// Number of calls, descending.
    Calls,
    /// Number of errors, descending.
    Errors,
    /// Syscall name.
    Name,
    /// Syscall number (no sorting).
    Nothing,
}

impl std::str::FromStr for SortBy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "time" | "time_total" | "total_time" => SortBy::Time,
            "calls" | "count" => SortBy::Calls,
            "errors" | "error" => SortBy::Errors,
            "name" | "syscall" | "syscall_name" => SortBy::Name,
            "nothing" | "none" => SortBy::Nothing,
            _ => {
                return Err(format!(
                    "unknown sort key `{s}`: use time, calls, errors, name or nothing"
                ));
            }
        })
    }
}

#[derive(Default, Clone, Copy)]
struct Row {
    calls: u64,
    errors: u64,
    ns: u64,
}

/// Counts syscalls and prints the table when tracing ends.
pub struct SummarySink {
    decoder: Arc<Decoder>,
    out: Box<dyn Write + Send>,
    wall: bool,
    sort: SortBy,
    rows: IdMap<(Arch, u32), Row>,
}

impl SummarySink {
    /// A summary measuring system time (or wall time with `wall`, `-w`).
    pub fn new(
        decoder: Arc<Decoder>,
        out: Box<dyn Write + Send>,
        wall: bool,
        sort: SortBy,
    ) -> SummarySink {
        SummarySink {
            decoder,
            out,
            wall,
            sort,
            rows: IdMap::default(),
        }
    }

    /// Adds `calls` calls of `nr` on `arch`, `errors` of them failed, taking `ns` in all
    /// (a source that counts in the kernel hands its counts over so).
    pub fn add(&mut self, arch: Arch, nr: u32, calls: u64, errors: u64, ns: u64) {
        let row = self.rows.entry((arch, nr)).or_default();
        row.calls += calls;
        row.errors += errors;
        row.ns += ns;
    }

    /// The table as text.
    pub fn table(&self) -> String {
        let mut rows: Vec<((Arch, u32), Row)> = self.rows.iter().map(|(k, v)| (*k, *v)).collect();
        rows.sort_by_key(|((a, nr), _)| (*a, *nr));
        let name = |k: &(Arch, u32)| self.decoder.name(k.0, k.1);
        match self.sort {
            SortBy::Time => rows.sort_by_key(|r| std::cmp::Reverse(r.1.ns)),
            SortBy::Calls => rows.sort_by_key(|r| std::cmp::Reverse(r.1.calls)),
            SortBy::Errors => rows.sort_by_key(|r| std::cmp::Reverse(r.1.errors)),
            SortBy::Name => rows.sort_by_key(|a| name(&a.0)),
            SortBy::Nothing => {}
        }
        let total: Row = rows.iter().fold(Row::default(), |acc, (_, r)| Row {
            calls: acc.calls + r.calls,
            errors: acc.errors + r.errors,
            ns: acc.ns + r.ns,
        });
        let dashes = "------ ----------- ----------- --------- --------- ----------------\n";
        let mut s = String::from("% time     seconds  usecs/call     calls    errors syscall\n");
        s.push_str(dashes);
        let line = |pct: f64, r: &Row, name: &str| {
            let errors = if r.errors == 0 {
                String::new()
            } else {
                r.errors.to_string()
            };
            let per_call = (r.ns / 1000).checked_div(r.calls).unwrap_or(0);
            format!(
                "{pct:6.2} {:>11.6} {per_call:>11} {:>9} {errors:>9} {name}\n",
                r.ns as f64 / 1e9,
                r.calls
            )
        };
        for (k, r) in &rows {
            let pct = if total.ns == 0 {
                0.0
            } else {
                r.ns as f64 * 100.0 / total.ns as f64
            };
            s.push_str(&line(pct, r, &name(k)));
        }
        s.push_str(dashes);
        s.push_str(&line(100.0, &total, "total"));
        s
    }
}

impl Sink for SummarySink {
    fn event(&mut self, ev: &Event) -> io::Result<()> {
        if let EventKind::SyscallExit(exit) = &ev.kind
            && let Some(res) = exit.result
        {
            let ns = if self.wall {
                ev.ts.mono_ns.saturating_sub(exit.entry.ts.mono_ns)
            } else {
                exit.system_ns.unwrap_or(0)
            };
            let row = self
                .rows
                .entry((exit.entry.arch, exit.entry.nr))
                .or_default();
            row.calls += 1;
            row.errors += u64::from(res.is_error);
            row.ns += ns;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        let table = self.table();
        self.out.write_all(table.as_bytes())?;
        self.out.flush()
    }
}

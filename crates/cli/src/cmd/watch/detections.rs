//! The detection rules of a watch: what they pull into the kernel's selection, and the
//! engine each event is fed to, as the JSON line `--output json` prints.

use super::{ABIS, Lifecycle, lifecycle_flag, selected};
use anyhow::Result;
use detect::{Alert, Engine, Limits, ProcLookup, RuleSet};
use ebpf::Record;
use std::collections::HashSet;
use std::path::PathBuf;
use syscalls::Arch;

/// The rules a watch runs, and the events they need captured.
pub(super) struct Detections {
    engine: Engine,
    /// The syscalls the rules need, by ABI and number.
    pub calls: HashSet<(Arch, u32)>,
    /// The lifecycle records they need.
    pub lifecycle: Lifecycle,
    /// Whether a rule names the ring buffer's `lost` reports.
    lost: bool,
    /// How many rules run.
    pub rules: usize,
    /// The alerts of the event just fed, to be printed right after it.
    pub alerts: Vec<Alert>,
}

impl Detections {
    /// The built-in rules (unless `no_default`) and those of `files`; `None` when that
    /// leaves no rule, so that the watch is exactly one without rules. A file that
    /// cannot be read or compiled is an error naming it (`FILE:LINE: problem`).
    pub fn load(no_default: bool, files: &[PathBuf]) -> Result<Option<Detections>> {
        let mut set = if no_default {
            RuleSet::new()
        } else {
            RuleSet::builtin()
        };
        for file in files {
            crate::cmd::rules::load(&mut set, file)?;
        }
        if set.is_empty() {
            return Ok(None);
        }
        let mut calls = HashSet::new();
        let mut lifecycle = Lifecycle::default();
        let mut lost = false;
        for name in set.events_needed() {
            match name {
                // An exit record is an `exit` event, or `killed` when a signal ended it.
                "killed" => lifecycle.exit = true,
                "lost" => lost = true,
                _ => {
                    match lifecycle_flag(&mut lifecycle, name) {
                        Some(flag) => *flag = true,
                        // A name of none of the watched ABIs (an aarch64 call) has nothing to
                        // capture here.
                        None => calls.extend(ABIS.iter().filter_map(|&arch| {
                            arch.table().lookup_name(name).map(|s| (arch, s.nr))
                        })),
                    }
                }
            }
        }
        Ok(Some(Detections {
            rules: set.len(),
            engine: Engine::with(set, Box::new(ProcLookup), Limits::default()),
            calls,
            lifecycle,
            lost,
            alerts: Vec::new(),
        }))
    }

    /// Whether a rule needs this record.
    pub fn wants(&self, r: &Record) -> bool {
        selected(Some(&self.calls), &self.lifecycle, r)
    }

    /// Whether a rule needs the ring buffer's `lost` reports.
    pub fn wants_lost(&self) -> bool {
        self.lost
    }

    /// Feeds one event's JSON line (without its newline); its alerts are left in
    /// `alerts`.
    pub fn feed(&mut self, line: &[u8]) {
        // The line is the watch's own serialization: always UTF-8, always an event.
        if let Ok(line) = std::str::from_utf8(line) {
            let _ = self.engine.process(line, &mut self.alerts);
        }
    }

    /// How many alerts fired.
    pub fn fired(&self) -> u64 {
        self.engine.stats().alerts
    }
}

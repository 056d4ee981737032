//! `sysfence trace --rules FILE`: the detection rules over a ptrace trace, fed each event
//! as the JSON line `trace --json` prints, their alerts printed on the trace's output.

use detect::{Alert, Engine, Limits, ProcLookup, RuleSet};
use events::{Event, Sink};
use render::JsonSink;
use std::io::{self, Write};

/// A sink that runs rules over the events and writes their alerts.
pub(super) struct RulesSink {
    /// Makes each event's JSON object, filtered as the --json printer filters.
    json: JsonSink,
    engine: Engine,
    line: Vec<u8>,
    alerts: Vec<Alert>,
    out: Box<dyn Write + Send>,
    /// Alerts as JSON objects (--json) rather than strace-style lines.
    as_json: bool,
}

impl RulesSink {
    /// Runs `set` over the objects `json` makes, writing alerts to `out`.
    pub fn new(set: RuleSet, json: JsonSink, out: Box<dyn Write + Send>, as_json: bool) -> Self {
        RulesSink {
            json,
            // The traced processes are alive while traced: /proc tells their comm,
            // executable and parent (ptrace's events do not carry them).
            engine: Engine::with(set, Box::new(ProcLookup), Limits::default()),
            line: Vec::new(),
            alerts: Vec::new(),
            out,
            as_json,
        }
    }
}

/// The strace-style line of an alert, as strace marks what is no syscall (`+++ ... +++`).
fn alert_line(alert: &Alert) -> String {
    format!(
        "[pid {}] +++ ALERT {} {} {}: {} +++",
        alert.pid, alert.rule.id, alert.rule.severity, alert.rule.name, alert.summary
    )
}

impl Sink for RulesSink {
    fn event(&mut self, ev: &Event) -> io::Result<()> {
        let Some(obj) = self.json.object(ev) else {
            return Ok(());
        };
        self.line.clear();
        serde_json::to_writer(&mut self.line, &obj)?;
        // Our own serialization: always UTF-8, always an event.
        if let Ok(line) = std::str::from_utf8(&self.line) {
            let _ = self.engine.process(line, &mut self.alerts);
        }
        for alert in self.alerts.drain(..) {
            let text = if self.as_json {
                alert.to_json()
            } else {
                alert_line(&alert)
            };
            self.out.write_all(text.as_bytes())?;
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn idle(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

//! Alerts are events: a JSON line in the stream's schema (`"type": "alert"`) carrying the
//! rule, the events that triggered it as they were given and the process's ancestry, and
//! a line for watch's table (TIME UID COMM PID TID RET EVENT ARGS).

use crate::process::Ancestor;
use crate::rule::Severity;
use serde::Serialize;
use serde_json::value::RawValue;
use std::fmt::Write as _;

/// The rule an alert names.
#[derive(Debug, Clone, Serialize)]
pub struct AlertRule {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its severity.
    pub severity: Severity,
    /// Its MITRE ATT&CK techniques.
    pub mitre: Vec<String>,
    /// Its tags.
    pub tags: Vec<String>,
}

/// One detection.
#[derive(Debug, Clone, Serialize)]
pub struct Alert {
    /// Always 1.
    pub v: u32,
    /// Always `alert`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The time of the last triggering event.
    pub ts: f64,
    /// Its process.
    pub pid: i64,
    /// Its thread.
    pub tid: i64,
    /// The rule.
    pub rule: AlertRule,
    /// The triggering events, in order, exactly as the stream gave them.
    pub events: Vec<Box<RawValue>>,
    /// The process's parent and theirs, nearest first.
    pub ancestry: Vec<Ancestor>,
    /// The process's comm.
    pub comm: String,
    /// Its executable (empty when unknown).
    pub executable: String,
    /// Its real uid, where the stream gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<i64>,
    /// Its parent's pid (0 when unknown).
    pub ppid: i64,
    /// Its container's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// What the rule looked at, `field=value`, for the table's ARGS column.
    #[serde(skip)]
    pub summary: String,
}

impl Alert {
    /// The JSON line, without its newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an alert always serialises")
    }

    /// The line for watch's table output, in its columns; TIME as watch prints it
    /// (HH:MM:SS.micro, UTC), EVENT `ALERT:<id>`, ARGS the rule's name and key fields.
    pub fn to_table_line(&self) -> String {
        let secs = self.ts.max(0.0);
        let day = secs % 86_400.0;
        let mut time = String::new();
        let _ = write!(
            time,
            "{:02}:{:02}:{:09.6}",
            (day / 3600.0) as u64,
            (day % 3600.0 / 60.0) as u64,
            day % 60.0
        );
        let uid = self.uid.map_or_else(|| "-".to_string(), |u| u.to_string());
        format!(
            "{:<15} {:<6} {:<16} {:<7} {:<7} {:<14} {:<16} {} [{}] {}",
            time,
            uid,
            self.comm,
            self.pid,
            self.tid,
            self.rule.severity,
            format!("ALERT:{}", self.rule.id),
            self.rule.name,
            self.rule.mitre.join(","),
            self.summary
        )
    }
}

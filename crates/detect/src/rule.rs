//! The rule file format: YAML, a list of rules, each either a single `condition` over one
//! event or a `sequence` of steps over several. Loading checks every field and reports a
//! problem as `FILE:LINE: problem`, the line of the rule or of the field at fault.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a detection is, Falco's and Tracee's scale folded into five levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; rarely an attack alone.
    Info,
    /// Suspicious in most settings.
    Low,
    /// Usually an attack step.
    Medium,
    /// An attack step with few benign explanations.
    High,
    /// Compromise in progress.
    Critical,
}

impl Severity {
    /// The lowercase name used in YAML and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// One rule as written in YAML, before compiling.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// A stable identifier (`SF-R001`), unique across every loaded file.
    pub id: String,
    /// A short title, shown in alerts.
    pub name: String,
    /// What the behaviour is and why it matters.
    #[serde(default)]
    pub description: String,
    /// How bad it is.
    pub severity: Severity,
    /// MITRE ATT&CK technique ids (`T1059.004`).
    #[serde(default)]
    pub mitre: Vec<String>,
    /// Free labels; the built-in rules carry their provenance here (`tracee:TRC-1`).
    #[serde(default)]
    pub tags: Vec<String>,
    /// The events the rule needs (syscall names or event types): chooses probes and
    /// lets the engine skip the rule for every other event. Required without `sequence`.
    #[serde(default)]
    pub events: Vec<String>,
    /// A CEL expression over one event; true raises the alert.
    #[serde(default)]
    pub condition: Option<String>,
    /// Several events that together make the behaviour.
    #[serde(default)]
    pub sequence: Option<SequenceSpec>,
}

/// A stateful rule: steps that must match in order, joined by a key, within a time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SequenceSpec {
    /// What joins the steps: `process` (the same pid, the default), `tree` (the pid of
    /// the first step or any of its descendants) or `key` (each step's `key` value).
    #[serde(default)]
    pub scope: Scope,
    /// How long the whole sequence may take, as `30s`, `5m`, `1h` or `500ms`.
    pub within: String,
    /// The steps, at least two.
    pub steps: Vec<StepSpec>,
}

/// What joins the steps of a sequence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Every step in the same process.
    #[default]
    Process,
    /// Later steps in the first step's process or any of its descendants.
    Tree,
    /// Steps joined by the value of their `key` expression, in any process.
    Key,
}

/// One step of a sequence.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// The events this step matches.
    pub events: Vec<String>,
    /// A CEL condition over the event (default: true).
    #[serde(default)]
    pub condition: Option<String>,
    /// Under `scope: key`, a CEL expression whose value joins this step to the others.
    #[serde(default)]
    pub key: Option<String>,
}

/// A rule file that could not be loaded: where and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {problem}")]
pub struct RuleError {
    /// The file as the user named it (`<built-in>/NAME.yaml` for built-ins).
    pub file: String,
    /// 1-based line of the rule or field at fault.
    pub line: usize,
    /// What is wrong, and how to fix it where that is not obvious.
    pub problem: String,
}

/// Parses a rule file's text into specs, with the line each rule starts on.
pub fn parse_file(file: &str, text: &str) -> Result<Vec<(usize, RuleSpec)>, RuleError> {
    let specs: Vec<RuleSpec> = yaml_serde::from_str(text).map_err(|err| RuleError {
        file: file.to_string(),
        line: err.location().map_or(1, |l| l.line()),
        problem: yaml_problem(&err),
    })?;
    let starts = rule_starts(text);
    Ok(specs
        .into_iter()
        .enumerate()
        .map(|(i, spec)| (starts.get(i).copied().unwrap_or(1), spec))
        .collect())
}

/// The YAML error's message without the position yaml_serde appends (we print our own).
fn yaml_problem(err: &yaml_serde::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The line of each top-level list item (`- ` in column 0): where each rule starts.
fn rule_starts(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("- ") || *l == "-")
        .map(|(i, _)| i + 1)
        .collect()
}

/// The line of `field:` inside the rule starting at `start`, or `start` when absent.
pub fn field_line(text: &str, start: usize, field: &str) -> usize {
    field_line_nth(text, start, field, 0)
}

/// The line of the `nth` (0-based) `field:` inside the rule starting at `start`.
pub fn field_line_nth(text: &str, start: usize, field: &str, nth: usize) -> usize {
    let key = format!("{field}:");
    text.lines()
        .enumerate()
        .skip(start.saturating_sub(1))
        .take_while(|(i, l)| *i + 1 == start || !(l.starts_with("- ") || *l == "-"))
        .filter(|(_, l)| l.trim_start().trim_start_matches("- ").starts_with(&key))
        .nth(nth)
        .map_or(start, |(i, _)| i + 1)
}

/// Parses a duration as `within:` writes it: a number and `ms`, `s`, `m` or `h`.
pub fn parse_duration(text: &str) -> Option<f64> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = text.strip_suffix('h') {
        (n, 3600.0)
    } else {
        return None;
    };
    let value: f64 = number.trim().parse().ok()?;
    (value.is_finite() && value > 0.0).then_some(value * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_the_four_units() {
        assert_eq!(parse_duration("30s"), Some(30.0));
        assert_eq!(parse_duration("5m"), Some(300.0));
        assert_eq!(parse_duration("1h"), Some(3600.0));
        assert_eq!(parse_duration("500ms"), Some(0.5));
        assert_eq!(parse_duration("-1s"), None);
        assert_eq!(parse_duration("10"), None);
    }

    #[test]
    fn a_field_is_found_inside_its_own_rule_only() {
        let text = "- id: a\n  name: x\n- id: b\n  condition: y\n";
        assert_eq!(field_line(text, 1, "condition"), 1);
        assert_eq!(field_line(text, 3, "condition"), 4);
    }
}

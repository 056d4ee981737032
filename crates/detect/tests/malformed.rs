//! Malformed rule files: each problem reported as FILE:LINE: problem, never a panic.

use detect::RuleSet;

fn error(text: &str) -> String {
    let mut set = RuleSet::new();
    set.add_file("my.yaml", text)
        .map(|_| ())
        .unwrap_err()
        .to_string()
}

const GOOD: &str =
    "- id: T-1\n  name: test\n  severity: low\n  events: [openat]\n  condition: path == \"/x\"\n";

#[test]
fn a_good_file_loads() {
    let mut set = RuleSet::new();
    set.add_file("my.yaml", GOOD).unwrap();
    assert_eq!(set.len(), 1);
}

#[test]
fn yaml_syntax_errors_name_the_line() {
    let e = error("- id: T-1\n  name: [unclosed\n  severity: low\n");
    assert!(e.starts_with("my.yaml:"), "{e}");
    assert!(!e.starts_with("my.yaml:1:"), "{e}");
}

#[test]
fn unknown_fields_and_bad_severities_name_the_line() {
    let e = error(&GOOD.replace("  severity: low\n", "  severity: low\n  sevrity: x\n"));
    assert!(
        e.starts_with("my.yaml:4:") && e.contains("unknown field `sevrity`"),
        "{e}"
    );
    let e = error(&GOOD.replace("severity: low", "severity: urgent"));
    assert!(e.starts_with("my.yaml:3:") && e.contains("urgent"), "{e}");
}

#[test]
fn cel_syntax_errors_name_the_condition_line() {
    let e = error(&GOOD.replace("path == \"/x\"", "path == && 1"));
    assert!(
        e.starts_with("my.yaml:5: rule T-1: CEL syntax error"),
        "{e}"
    );
}

#[test]
fn unknown_variables_are_errors() {
    let e = error(&GOOD.replace("path ==", "pathname =="));
    assert!(
        e.starts_with("my.yaml:5:") && e.contains("unknown variable \"pathname\""),
        "{e}"
    );
    // A macro's own variable is no unknown one.
    let mut set = RuleSet::new();
    set.add_file(
        "ok.yaml",
        &GOOD.replace("path == \"/x\"", "\"[1, 2].exists(x, x == pid)\""),
    )
    .unwrap();
}

#[test]
fn unknown_functions_are_errors() {
    let e = error(&GOOD.replace("path == \"/x\"", "basname(path) == \"x\""));
    assert!(
        e.starts_with("my.yaml:5:") && e.contains("unknown function \"basname\""),
        "{e}"
    );
    let mut set = RuleSet::new();
    let standard = "\"size(path) > 2 && path.matches('^/') && string(pid) != '' && int(uid) >= 0\"";
    set.add_file("ok.yaml", &GOOD.replace("path == \"/x\"", standard))
        .unwrap();
}

#[test]
fn unknown_event_names_are_errors_with_a_suggestion() {
    let e = error(&GOOD.replace("[openat]", "[opennat]"));
    assert!(
        e.starts_with("my.yaml:4:") && e.contains("\"opennat\" is no syscall"),
        "{e}"
    );
    assert!(e.contains("did you mean"), "{e}");
}

#[test]
fn structural_problems_are_errors() {
    let two = format!("{GOOD}{GOOD}");
    let e = error(&two);
    assert!(
        e.starts_with("my.yaml:6:") && e.contains("used by another rule"),
        "{e}"
    );
    let e = error(&GOOD.replace("  events: [openat]\n", ""));
    assert!(
        e.starts_with("my.yaml:1:") && e.contains("`events` is empty"),
        "{e}"
    );
    let e = error("- id: T-2\n  name: n\n  severity: low\n");
    assert!(e.contains("needs a `condition` or a `sequence`"), "{e}");
    let seq = "- id: S\n  name: n\n  severity: low\n  sequence:\n    within: 10x\n    steps:\n      - events: [exec]\n      - events: [exec]\n";
    let e = error(seq);
    assert!(
        e.starts_with("my.yaml:5:") && e.contains("no duration"),
        "{e}"
    );
    let e = error(
        &seq.replace("10x", "10s")
            .replace("within", "scope: key\n    within"),
    );
    assert!(
        e.starts_with("my.yaml:8:") && e.contains("needs a `key`"),
        "{e}"
    );
    let one = "- id: S\n  name: n\n  severity: low\n  sequence:\n    within: 1s\n    steps:\n      - events: [exec]\n";
    assert!(error(one).contains("at least two steps"));
}

#[test]
fn mutated_rule_files_never_panic() {
    let sources: Vec<&str> = [
        include_str!("../rules/execution.yaml"),
        include_str!("../rules/files.yaml"),
        include_str!("../rules/containers.yaml"),
    ]
    .to_vec();
    // A small deterministic generator: no dependency, the same mutations every run.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let junk = [
        "(", ")", "\"", ":", "- ", "\n", "[", "]", "&&", "||", "'", "\\", "{", "\t", "é", "\u{0}",
    ];
    for round in 0..400 {
        let mut text = sources[round % sources.len()].as_bytes().to_vec();
        for _ in 0..(1 + next() % 4) {
            let at = (next() as usize) % text.len();
            match next() % 3 {
                0 => {
                    let end = (at + (next() % 16) as usize).min(text.len());
                    text.drain(at..end);
                }
                1 => {
                    let j = junk[(next() as usize) % junk.len()];
                    text.splice(at..at, j.bytes());
                }
                _ => text.truncate(at.max(1)),
            }
        }
        let text = String::from_utf8_lossy(&text);
        let mut set = RuleSet::new();
        if let Err(e) = set.add_file("fuzz.yaml", &text) {
            assert!(e.to_string().starts_with("fuzz.yaml:"), "{e}");
            assert!(e.line >= 1);
        }
    }
}

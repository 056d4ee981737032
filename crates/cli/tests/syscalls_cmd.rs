//! `sysfence syscalls` as a user runs it.

use assert_cmd::Command;
use predicates::prelude::*;

fn sysfence() -> Command {
    Command::cargo_bin("sysfence").unwrap()
}

/// The first data row's cells, split on runs of spaces.
fn first_row(out: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(out);
    let row = text.lines().nth(1).expect("a data row");
    let nr_and_name: Vec<&str> = row.split_whitespace().take(2).collect();
    nr_and_name.iter().map(|s| s.to_string()).collect()
}

#[test]
fn openat_is_257_on_x86_64() {
    let out = sysfence().args(["syscalls", "openat"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(first_row(&out.stdout), ["257", "openat"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.trim_start().starts_with("NR"), "header first: {text}");
    assert!(text.contains("path filename") && text.contains("%file"));
}

#[test]
fn i386_number_5_is_open() {
    let out = sysfence()
        .args(["syscalls", "--arch", "i386", "5"])
        .output()
        .unwrap();
    assert_eq!(first_row(&out.stdout), ["5", "open"]);
}

#[test]
fn x32_numbers_show_bit_30_and_accept_both_spellings() {
    for query in ["openat", "0x40000101", "257", "1073742081"] {
        let out = sysfence()
            .args(["syscalls", "--arch", "x32", query])
            .output()
            .unwrap();
        assert!(out.status.success(), "{query}");
        assert_eq!(first_row(&out.stdout), ["0x40000101", "openat"], "{query}");
    }
}

#[test]
fn network_class_lists_socket_calls() {
    let out = sysfence().args(["syscalls", "%network"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let names: Vec<&str> = text
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    for name in ["socket", "connect", "accept4", "sendmsg"] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert!(!names.contains(&"openat"));
}

#[test]
fn json_output_parses_and_carries_the_signature() {
    let out = sysfence()
        .args(["syscalls", "--json", "openat", "%signal"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let rows = rows.as_array().unwrap();
    assert_eq!(rows[0]["nr"], 257);
    assert_eq!(rows[0]["name"], "openat");
    assert_eq!(rows[0]["args"][1]["kind"], "path");
    assert_eq!(rows[0]["args"][2]["set"], "open_flags");
    assert!(rows.iter().any(|r| r["name"] == "rt_sigaction"));
}

#[test]
fn whole_table_without_query() {
    let out = sysfence()
        .args(["syscalls", "--arch", "aarch64", "--json"])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(rows.as_array().unwrap().len() > 300);
}

#[test]
fn unknown_name_suggests_the_closest() {
    sysfence()
        .args(["syscalls", "openatt"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("did you mean `openat`"));
}

#[test]
fn name_of_another_arch_says_where_it_exists() {
    sysfence()
        .args(["syscalls", "--arch", "aarch64", "open"])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("does not exist on aarch64")
                .and(predicate::str::contains("x86_64")),
        );
}

#[test]
fn missing_number_and_bad_arch_are_clear_errors() {
    sysfence()
        .args(["syscalls", "999"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "x86_64 has no syscall numbered 999",
        ));
    sysfence()
        .args(["syscalls", "--arch", "mips", "read"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown architecture `mips`"));
    sysfence()
        .args(["syscalls", "%bogus"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("unknown syscall class `%bogus`"));
}

//! Paths print whole, as strace prints them (its printpath: up to PATH_MAX), never cut at
//! `-s`: getcwd's result, mount's source, mq_open's name. Each is compared with strace's
//! line for the same run.

mod common;

use common::{STRACE, fixture, require, sysfence};
use std::path::Path;
use std::process::Command;

/// The lines of `tracer OPTIONS -e trace=EXPR PROGRAM` run in `dir` that name `call`.
fn call_lines(
    tracer: &mut Command,
    dir: &Path,
    options: &[&str],
    expr: &str,
    program: &Path,
) -> Vec<String> {
    let out = tracer
        .current_dir(dir)
        .args(options)
        .args(["-e", expr])
        .arg(program)
        .output()
        .expect("the tracer runs");
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    let calls: Vec<&str> = expr.trim_start_matches("trace=").split(',').collect();
    text.lines()
        .filter(|l| calls.iter().any(|c| l.starts_with(&format!("{c}("))))
        .map(str::to_string)
        .collect()
}

/// A directory under `root` whose path is longer than 100 characters.
fn long_directory(root: &Path) -> std::path::PathBuf {
    let dir = root
        .join("a-directory-whose-path-is-longer-than-strace-s-default-of-32")
        .join("and-longer-than-a-hundred-characters-too");
    std::fs::create_dir_all(&dir).expect("making the long directory");
    assert!(dir.as_os_str().len() > 100, "{}", dir.display());
    dir
}

#[test]
fn getcwd_of_a_directory_longer_than_100_characters_prints_whole_as_strace_prints_it() {
    let Some(strace) = require(STRACE) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = long_directory(tmp.path());
    let pwd = Path::new("/bin/pwd");
    let whole = format!("getcwd(\"{}\", ", dir.display());
    // Not even a tiny -s cuts a path.
    for options in [&[][..], &["-s", "4"]] {
        let mut ours = sysfence();
        ours.arg("trace");
        let ours = call_lines(&mut ours, &dir, options, "trace=getcwd", pwd);
        let theirs = call_lines(
            &mut Command::new(&strace),
            &dir,
            options,
            "trace=getcwd",
            pwd,
        );
        assert!(
            ours.iter().any(|l| l.starts_with(&whole)),
            "{options:?}: no line starting {whole} in {ours:#?}"
        );
        assert_eq!(ours, theirs, "{options:?}");
    }
}

#[test]
fn mount_sources_and_message_queue_names_print_whole_as_strace_prints_them() {
    let Some(strace) = require(STRACE) else {
        return;
    };
    let prog = fixture("trace_long_paths");
    let here = Path::new("/");
    let expr = "trace=mount,mq_open";
    let mut ours = sysfence();
    ours.arg("trace");
    let ours = call_lines(&mut ours, here, &[], expr, &prog);
    let theirs = call_lines(&mut Command::new(&strace), here, &[], expr, &prog);
    let source = format!("/nonexistent/sysfence-long-mount-source-{}", "x".repeat(80));
    let queue = format!("/sysfence-long-queue-name-{}", "x".repeat(74));
    assert_eq!(ours.len(), 2, "{ours:#?}");
    assert!(
        ours[0].starts_with(&format!("mount(\"{source}\", ")),
        "{ours:#?}"
    );
    assert!(
        ours[1].starts_with(&format!("mq_open(\"{queue}\", ")),
        "{ours:#?}"
    );
    assert_eq!(ours, theirs);
}

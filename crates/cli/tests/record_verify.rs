//! `sysfence record --args`, `--verify`, `--json-summary`, and the fallback to ptrace for
//! a command with a seccomp listener of its own, in the kernel as root.

mod common;

use common::{record, run_under};

use common::fixture;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// With --args, socket is allowed only with the domains seen: the program that opened
/// AF_UNIX and AF_INET runs as recorded; the variant that also opens AF_PACKET gets EPERM
/// for that call only.
#[test]
fn argument_conditions_allow_the_socket_domains_seen_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("sockets.json");
    let sockets = fixture("record_sockets");
    let sockets = sockets.to_str().unwrap();
    let recorded = record(&["--args", "-o", profile.to_str().unwrap()], &[sockets]);
    assert!(recorded.status.success(), "{recorded:?}");
    let summary = text(&recorded.stderr);
    assert!(
        summary.contains("socket allowed only with argument 0") && summary.contains("AF_INET"),
        "the summary names the conditioned calls: {summary}"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&profile).unwrap()).unwrap();
    let socket_rules: Vec<&serde_json::Value> = doc["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["names"].as_array().unwrap().iter().any(|n| n == "socket"))
        .collect();
    assert_eq!(
        socket_rules.len(),
        2,
        "one rule per domain: {socket_rules:?}"
    );
    assert!(socket_rules.iter().all(|r| r["args"][0]["index"] == 0));

    let same = run_under(&profile, &[sockets]);
    assert_eq!(text(&same.stdout), "AF_UNIX ok\nAF_INET ok\n", "{same:?}");
    assert_eq!(same.status.code(), Some(0));
    let packet = run_under(&profile, &[sockets, "packet"]);
    assert_eq!(
        text(&packet.stdout),
        "AF_UNIX ok\nAF_INET ok\nAF_PACKET errno 1\n",
        "{packet:?}"
    );
    assert_eq!(packet.status.code(), Some(1));
    // Without --args the name alone is allowed: AF_PACKET goes through.
    let names_only = dir.path().join("names.json");
    let out = record(&["-o", names_only.to_str().unwrap()], &[sockets]);
    assert!(out.status.success(), "{out:?}");
    let packet = run_under(&names_only, &[sockets, "packet"]);
    assert_eq!(packet.status.code(), Some(0), "{packet:?}");
}

/// With --args clone3 answers ENOSYS in the recorded run and in the profile, so glibc
/// falls back to clone, whose thread flags are then conditioned: a threaded program runs.
#[test]
fn with_arguments_threads_come_from_clone_and_run_under_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("threads.json");
    let threads = fixture("seccomp_threads");
    let threads = threads.to_str().unwrap();
    let recorded = record(&["--args", "-o", profile.to_str().unwrap()], &[threads]);
    assert!(recorded.status.success(), "{recorded:?}");
    let summary = text(&recorded.stderr);
    assert!(
        summary.contains("clone allowed only with argument 0") && summary.contains("CLONE_THREAD"),
        "{summary}"
    );
    let doc = std::fs::read_to_string(&profile).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    let clone3 = doc["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["names"].as_array().unwrap().iter().any(|n| n == "clone3"))
        .expect("a clone3 rule");
    assert_eq!(clone3["action"], "SCMP_ACT_ERRNO");
    assert_eq!(clone3["errnoRet"], 38);
    let under = run_under(&profile, &[threads]);
    assert_eq!(under.status.code(), Some(0), "{under:?}");
    assert_eq!(under.stdout, recorded.stdout);
}

/// --verify runs the command again under the profile, enforced, and says it behaved as
/// recorded; the command's output is shown once, from the recorded run.
#[test]
fn verify_confirms_a_profile_under_which_the_command_behaves_as_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("ls.json");
    let summary = dir.path().join("summary.json");
    let out = record(
        &[
            "--verify",
            "-o",
            profile.to_str().unwrap(),
            "--json-summary",
            summary.to_str().unwrap(),
        ],
        &["ls", "/"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let listing = std::process::Command::new("ls").arg("/").output().unwrap();
    assert_eq!(text(&out.stdout), text(&listing.stdout), "shown once");
    assert!(
        text(&out.stderr).contains("as in the recorded run"),
        "{out:?}"
    );
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(s["verify"]["same"], true, "{s}");
    assert_eq!(s["verify"]["denied"], serde_json::json!([]));
    assert_eq!(s["verify"]["stdout_bytes"], listing.stdout.len());
    assert_eq!(s["backend"], "notify");
    assert_eq!(s["format"], "docker");
    assert_eq!(s["exit_status"], 0);
    assert_eq!(s["abis"][0]["arch"], "SCMP_ARCH_X86_64");
    let used: Vec<&str> = s["abis"][0]["used"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        used.contains(&"execve") && used.contains(&"getdents64"),
        "{used:?}"
    );
    assert!(s["abis"][0]["blocked_percent"].as_f64().unwrap() > 80.0);
}

/// A command whose second run needs a call the profile does not allow (here: its first
/// run leaves a file behind, and the second then opens an AF_PACKET socket, a domain the
/// --args profile never saw): --verify names the denied call with its count and exits 1,
/// as the output and exit status differ.
#[test]
fn verify_reports_a_call_the_profile_denies_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.json");
    let marker = dir.path().join("second-run");
    let sockets = fixture("record_sockets");
    let script = format!(
        "if [ -e {m} ]; then exec {s} packet; else : > {m}; exec {s}; fi",
        m = marker.display(),
        s = sockets.display()
    );
    let out = record(
        &["--args", "--verify", "-o", profile.to_str().unwrap()],
        &["sh", "-c", &script],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("the profile denied socket (x86_64) 1 time(s)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("FAILED: under the profile the command exited 1, in the recorded run 0"),
        "{stderr}"
    );
    assert!(stderr.contains("FAILED: stdout differs"), "{stderr}");
    // The profile is written all the same.
    assert!(std::fs::metadata(&profile).unwrap().len() > 0);
}

#[test]
fn verify_is_refused_for_a_running_process() {
    let out = common::sysfence()
        .args(["record", "--verify", "-p", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(text(&out.stderr).contains("--verify"), "{out:?}");
}

/// A command that installs a seccomp listener of its own (here `sysfence run --complain`)
/// gets EBUSY under the notify recorder's filter: the recorder stops it, says so, and
/// records it again with ptrace, where its listener works.
#[test]
fn a_command_with_its_own_listener_is_recorded_with_ptrace() {
    let dir = tempfile::tempdir().unwrap();
    let inner = dir.path().join("inner.json");
    std::fs::write(&inner, r#"{"defaultAction": "SCMP_ACT_ERRNO"}"#).unwrap();
    let profile = dir.path().join("outer.json");
    let summary = dir.path().join("s.json");
    let sysfence = env!("CARGO_BIN_EXE_sysfence");
    let out = record(
        &[
            "-o",
            profile.to_str().unwrap(),
            "--json-summary",
            summary.to_str().unwrap(),
        ],
        &[
            sysfence,
            "run",
            "--complain",
            "--profile",
            inner.to_str().unwrap(),
            "--",
            "true",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        text(&out.stderr).contains("installs a seccomp listener of its own"),
        "{out:?}"
    );
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(s["backend"], "ptrace");
    let used = s["abis"][0]["used"].as_array().unwrap();
    assert!(used.iter().any(|n| n == "seccomp"), "{used:?}");
}

/// A command that cannot be executed (a directory; a script whose interpreter is missing)
/// gets an error that says why, and no profile: nothing ran, so nothing was recorded.
#[test]
fn a_command_that_cannot_be_executed_gets_an_error_and_no_profile() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("script");
    std::fs::write(&script, "#!/nonexistent/interpreter\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let subdir = dir.path().join("a-directory");
    std::fs::create_dir(&subdir).unwrap();
    for (command, says) in [
        (&script, "No such file or directory"),
        (&subdir, "Permission denied"),
    ] {
        let profile = dir.path().join("p.json");
        let out = record(
            &["-o", profile.to_str().unwrap()],
            &[command.to_str().unwrap()],
        );
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!("cannot execute {}: {says}", command.display())),
            "{stderr}"
        );
        assert!(
            !profile.exists(),
            "no profile for a run that never happened"
        );
    }
}

//! Defects found in review of `sysfence record`, each kept as a test: a closed stdout
//! under --verify, root without CAP_SYS_ADMIN, -o and --json-summary naming one file,
//! --merge with a different --default-action, a terminal's Ctrl-C given twice.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `sysfence record --verify ... | head -1`: the reader of our stdout goes away. The
/// recording goes on (sysfence is not killed by SIGPIPE, which would leave the command
/// with every later call failing ENOSYS once the listener closes): the command sees a
/// closed pipe as it would untraced, goes on with the rest of its work, and the profile
/// and the verdict are written.
#[test]
fn verify_survives_a_reader_that_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p.json");
    let marker = dir.path().join("after");
    let script = format!(
        "seq 1 200000; echo seq-ended-$? >&2; touch {}",
        marker.display()
    );
    let shell = format!(
        "{} record --verify -o {} -- sh -c '{}' | head -1; echo \"status ${{PIPESTATUS[0]}}\" >&2",
        env!("CARGO_BIN_EXE_sysfence"),
        profile.display(),
        script
    );
    let out = Command::new("bash")
        .args(["-c", &shell])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert_eq!(text(&out.stdout), "1\n", "{err}");
    // As untraced: seq dies of SIGPIPE (141) and the shell goes on.
    assert!(
        err.contains("seq-ended-141"),
        "seq met the closed pipe: {err}"
    );
    assert!(
        marker.exists(),
        "the command went on after the pipe closed: {err}"
    );
    assert!(profile.exists(), "the profile was written: {err}");
    assert!(
        err.contains("verify: under the profile the command exited 0"),
        "the verdict was given: {err}"
    );
    assert!(err.contains("status 0"), "{err}");
}

/// `yes` under --verify with a reader that reads one line: untraced, yes ends by SIGPIPE;
/// recorded, it must too (a tee that kept reading would let it run for ever), and the
/// second run, cut where the first was, ends the same way.
#[test]
fn verify_of_yes_piped_into_head_ends() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("yes.json");
    let shell = format!(
        "timeout 20 {} record --verify -o {} -- yes | head -1; echo \"status ${{PIPESTATUS[0]}}\" >&2",
        env!("CARGO_BIN_EXE_sysfence"),
        profile.display(),
    );
    let started = Instant::now();
    let out = Command::new("bash")
        .args(["-c", &shell])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(started.elapsed() < Duration::from_secs(15), "{err}");
    assert_eq!(text(&out.stdout), "y\n", "{err}");
    assert!(profile.exists(), "{err}");
    assert!(
        err.contains("status 141"),
        "yes ended by SIGPIPE as untraced: {err}"
    );
    assert!(
        err.contains("verify: under the profile the command exited 141"),
        "{err}"
    );
}

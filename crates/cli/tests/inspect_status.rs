//! `sysfence status` on real processes under real filters: `sysfence run --profile`,
//! stacked filters, moby's default, strict mode, a filter on one thread.

mod common;
use common::processes::{Running, json_of, moby_default, sleep_under, status_field, wait_filtered};
use common::{fixture, sysfence};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A small profile: everything allowed but `deny` (EPERM).
fn write_profile(dir: &Path, name: &str, deny: &str) -> PathBuf {
    let path = dir.join(name);
    let text = format!(
        r#"{{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
            "syscalls": [{{"names": ["{deny}"], "action": "SCMP_ACT_ERRNO"}}]}}"#
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn status_json(args: &[&str]) -> serde_json::Value {
    json_of("status", args)
}

fn row(doc: &serde_json::Value, pid: i32) -> serde_json::Value {
    doc["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["pid"] == pid)
        .unwrap_or_else(|| panic!("no row for {pid} in {doc:#}"))
        .clone()
}

/// Whether `pid` stays stopped (State T or t) for a second: a target must never be left
/// so (another test's `status` may stop it for a moment).
fn stopped(pid: i32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline {
        let state = status_field(pid, "State").unwrap_or_default();
        if !(state.starts_with('T') || state.starts_with('t')) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    true
}

#[test]
fn a_process_under_sysfence_run_shows_mode_2_and_its_filter_count() {
    let dir = tempfile::tempdir().unwrap();
    let p = write_profile(dir.path(), "no-uname.json", "uname");
    let one = sleep_under(&[&p]);
    let two = sleep_under(&[&p, &p]);
    let doc = status_json(&[&one.pid().to_string(), &two.pid().to_string()]);
    for (proc_, filters) in [(&one, 1), (&two, 2)] {
        let r = row(&doc, proc_.pid());
        assert_eq!(r["seccomp"]["main"]["mode"], 2, "{r:#}");
        assert_eq!(r["seccomp"]["main"]["filters"], filters, "{r:#}");
        assert_eq!(r["seccomp"]["main"]["no_new_privs"], true);
        assert_eq!(r["threads_differ"], false);
        assert_eq!(r["profile"]["kind"], "unknown", "{r:#}");
        assert!(!stopped(proc_.pid()), "status left {} stopped", proc_.pid());
    }
    // No kernel section when PIDs are named.
    assert!(doc.get("kernel").is_none());
    let text = sysfence()
        .args(["status", &one.pid().to_string()])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(&one.pid().to_string()))
        .unwrap();
    assert!(
        line.contains("2 filter") && line.contains("sleep"),
        "{text}"
    );
}

#[test]
fn processes_under_the_same_profile_share_a_fingerprint_and_are_named_from_profiles_dir() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_profile(dir.path(), "no-uname.json", "uname");
    let b = write_profile(dir.path(), "no-getcwd.json", "getcwd");
    let (a1, a2, b1) = (sleep_under(&[&a]), sleep_under(&[&a]), sleep_under(&[&b]));
    let pids: Vec<String> = [&a1, &a2, &b1]
        .iter()
        .map(|r| r.pid().to_string())
        .collect();
    let args: Vec<&str> = pids.iter().map(String::as_str).collect();
    let doc = status_json(&args);
    let fp = |r: &Running| row(&doc, r.pid())["profile"]["fingerprint"].clone();
    assert!(fp(&a1).is_string());
    assert_eq!(fp(&a1), fp(&a2));
    assert_ne!(fp(&a1), fp(&b1));
    let group = doc["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["fingerprint"] == fp(&a1))
        .unwrap()
        .clone();
    assert_eq!(group["pids"], serde_json::json!([a1.pid(), a2.pid()]));
    // With the profiles' directory, each is named by its file.
    let mut named = vec!["--profiles", dir.path().to_str().unwrap()];
    named.extend(&args);
    let doc = status_json(&named);
    assert_eq!(row(&doc, a1.pid())["profile"]["name"], "no-uname.json");
    assert_eq!(row(&doc, a2.pid())["profile"]["name"], "no-uname.json");
    assert_eq!(row(&doc, b1.pid())["profile"]["name"], "no-getcwd.json");
}

#[test]
fn a_process_under_mobys_default_is_named_moby_default() {
    let moby = sleep_under(&[&moby_default()]);
    let doc = status_json(&[&moby.pid().to_string()]);
    let r = row(&doc, moby.pid());
    assert_eq!(r["profile"]["kind"], "known", "{r:#}");
    assert_eq!(r["profile"]["name"], "moby-default");
    let known = doc["known_profiles"].as_array().unwrap();
    assert_eq!(known[0]["name"], "moby-default");
    assert_eq!(known[0]["fingerprint"], r["profile"]["fingerprint"]);
    // A stack of moby's default over another filter decides otherwise: not named so.
    let dir = tempfile::tempdir().unwrap();
    let other = write_profile(dir.path(), "no-uname.json", "uname");
    let stacked = sleep_under(&[&other, &moby_default()]);
    let doc = status_json(&[&stacked.pid().to_string()]);
    assert_eq!(row(&doc, stacked.pid())["profile"]["kind"], "unknown");
}

#[test]
fn a_strict_mode_process_shows_mode_1() {
    let child = Command::new(fixture("inspect_strict"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut strict = Running(child);
    let mut line = String::new();
    BufReader::new(strict.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n");
    let doc = status_json(&[&strict.pid().to_string()]);
    let r = row(&doc, strict.pid());
    assert_eq!(r["seccomp"]["main"]["mode"], 1);
    assert_eq!(r["profile"]["kind"], "none");
    // --filtered keeps mode 1 and 2 only: the strict process, not an unfiltered one.
    let plain = Running(
        Command::new("sleep")
            .arg("120")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let filtered = status_json(&[
        "--filtered",
        &strict.pid().to_string(),
        &plain.pid().to_string(),
    ]);
    let pids: Vec<i64> = filtered["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["pid"].as_i64().unwrap())
        .collect();
    assert_eq!(pids, [i64::from(strict.pid())]);
}

#[test]
fn a_filter_on_one_thread_marks_the_process() {
    let child = Command::new(fixture("inspect_thread_filter"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut p = Running(child);
    let mut line = String::new();
    BufReader::new(p.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ready\n");
    let doc = status_json(&[&p.pid().to_string()]);
    let r = row(&doc, p.pid());
    assert_eq!(r["threads_differ"], true, "{r:#}");
    let modes: Vec<i64> = r["seccomp"]["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["mode"].as_i64().unwrap())
        .collect();
    assert_eq!(modes, [0, 2]);
    // The filtered thread's filter is read and fingerprinted (it allows everything).
    assert_eq!(r["profile"]["kind"], "unknown", "{r:#}");
    let out = sysfence()
        .args(["status", &p.pid().to_string()])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("* threads differ"), "{text}");
}

#[test]
fn status_without_pids_reports_the_kernel_and_every_process() {
    let doc = status_json(&[]);
    let k = &doc["kernel"];
    assert_eq!(k["seccomp_strict"], true);
    assert_eq!(k["seccomp_filter"], true);
    // The actions the kernel lists are the ones it says are available.
    let listed = std::fs::read_to_string("/proc/sys/kernel/seccomp/actions_avail").unwrap();
    for a in k["actions"].as_array().unwrap() {
        let name = a["name"].as_str().unwrap();
        let in_list = listed.split_whitespace().any(|w| w == name);
        assert_eq!(a["available"] == true, in_list, "{name}: {a}");
        assert_eq!(a["listed"] == true, in_list, "{name}: {a}");
    }
    assert_eq!(
        k["btf_vmlinux_bytes"].is_u64(),
        Path::new("/sys/kernel/btf/vmlinux").exists()
    );
    let source = k["config"]["source"].as_str();
    if Path::new("/proc/config.gz").exists() {
        assert_eq!(source, Some("/proc/config.gz"));
    }
    assert!(!k["lsms"]["names"].as_array().unwrap().is_empty());
    let me = std::process::id() as i32;
    let r = row(&doc, me);
    assert_eq!(r["seccomp"]["main"]["mode"], 0);
}

#[test]
fn status_bad_input_names_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.json"), "{\"defaultAction\": 7}").unwrap();
    let missing = dir.path().join("nope");
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec!["2147483646".into()],
            "process 2147483646 does not exist".into(),
        ),
        (
            vec!["--profiles".into(), missing.display().to_string()],
            format!("--profiles {}", missing.display()),
        ),
        (
            vec!["--profiles".into(), dir.path().display().to_string()],
            "broken.json".into(),
        ),
    ];
    for (args, want) in cases {
        let out = sysfence().arg("status").args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains(&want) && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}

/// A runc container, deleted (killed) when the test ends.
struct Container {
    runc: PathBuf,
    id: String,
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new(&self.runc)
            .args(["delete", "-f", &self.id])
            .output();
    }
}

#[test]
fn a_runc_containers_process_shows_its_container_and_filter() {
    use sysfence_fixtures::tools::{BUSYBOX, RUNC, require};
    let (Some(runc), Some(busybox)) = (require(RUNC), require(BUSYBOX)) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle");
    std::fs::create_dir_all(bundle.join("rootfs/bin")).unwrap();
    std::fs::copy(&busybox, bundle.join("rootfs/bin/busybox")).unwrap();
    assert!(
        Command::new(&runc)
            .arg("spec")
            .current_dir(&bundle)
            .status()
            .unwrap()
            .success()
    );
    let oci = dir.path().join("seccomp.json");
    let converted = sysfence()
        .args(["profile", "convert"])
        .arg(moby_default())
        .args(["--format", "oci", "-o"])
        .arg(&oci)
        .status()
        .unwrap();
    assert!(converted.success());
    let path = bundle.join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["process"]["terminal"] = false.into();
    config["process"]["args"] = serde_json::json!(["/bin/busybox", "sleep", "120"]);
    config["root"]["readonly"] = false.into();
    config["linux"]["seccomp"] =
        serde_json::from_str(&std::fs::read_to_string(&oci).unwrap()).unwrap();
    std::fs::write(&path, config.to_string()).unwrap();
    let id = format!("sysfence-status-{}", std::process::id());
    let container = Container {
        runc: runc.clone(),
        id: id.clone(),
    };
    let started = Command::new(&runc)
        .args(["run", "-d", "--bundle"])
        .arg(&bundle)
        .arg(&id)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(started.success(), "runc run -d failed");
    let state = Command::new(&runc).args(["state", &id]).output().unwrap();
    let state: serde_json::Value = serde_json::from_slice(&state.stdout).unwrap();
    let pid = state["pid"].as_i64().unwrap() as i32;
    wait_filtered(pid, "busybox", 1);
    let doc = status_json(&[&pid.to_string()]);
    let r = row(&doc, pid);
    assert_eq!(r["container"]["runtime"], "runc", "{r:#}");
    assert_eq!(r["container"]["id"], id.as_str());
    assert_eq!(r["seccomp"]["main"]["mode"], 2);
    // runc's filter is libseccomp's build of the same profile: named moby's default if it
    // decides alike, else unknown with moby's default as the nearest.
    match r["profile"]["kind"].as_str().unwrap() {
        "known" => assert_eq!(r["profile"]["name"], "moby-default"),
        "unknown" => assert_eq!(r["profile"]["nearest"]["name"], "moby-default", "{r:#}"),
        other => panic!("{other}: {r:#}"),
    }
    drop(container);
}

#[test]
fn status_says_why_filters_could_not_be_read() {
    use sysfence_fixtures::tools::{SETPRIV, require};
    let target = sleep_under(&[&moby_default()]);
    let pid = target.pid().to_string();
    // Without CAP_SYS_ADMIN the kernel refuses the filters (EACCES).
    if let Some(setpriv) = require(SETPRIV) {
        let out = Command::new(setpriv)
            .args(["--bounding-set", "-sys_admin"])
            .arg(env!("CARGO_BIN_EXE_sysfence"))
            .args(["status", &pid])
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("? (needs CAP_SYS_ADMIN)"), "{text}");
        assert!(text.contains("run it as root"), "{text}");
    }
    // Under a filter of its own, sysfence reads none, and says so.
    let dir = tempfile::tempdir().unwrap();
    let allow_all = dir.path().join("allow-all.json");
    std::fs::write(&allow_all, r#"{"defaultAction": "SCMP_ACT_ALLOW"}"#).unwrap();
    let out = sysfence()
        .arg("run")
        .arg("--profile")
        .arg(&allow_all)
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_sysfence"))
        .args(["status", &pid, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let r = row(&doc, target.pid());
    assert_eq!(r["profile"]["kind"], "unreadable", "{r:#}");
    assert_eq!(r["profile"]["reason"], "sysfence is filtered");
    assert!(
        r["profile"]["detail"].as_str().unwrap().contains("EACCES"),
        "{r:#}"
    );
}

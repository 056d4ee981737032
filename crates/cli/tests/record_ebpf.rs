//! `sysfence record --backend ebpf` against `--backend notify`: the same profile for the
//! record corpus' programs (every ABI they use: a `gcc -m32` program's i386 calls too),
//! and the program runs under it. Real eBPF and a real seccomp supervisor, as root.

mod common;

use common::{record, run_under};
use std::path::Path;

/// The names the profile allows, per architecture, sorted.
fn allowed(profile: &Path) -> Vec<(String, String)> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(profile).unwrap()).unwrap();
    let mut names: Vec<(String, String)> = v["syscalls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            let arches = r["includes"]["arches"].to_string();
            r["names"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |n| (arches.clone(), n.as_str().unwrap().to_string()))
        })
        .collect();
    names.sort();
    names
}

/// Records `command` with both backends; the profiles allow the same calls, and the
/// command runs under the eBPF one as it runs untraced.
fn same_profile(command: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let (notify, ebpf) = (dir.path().join("notify.json"), dir.path().join("ebpf.json"));
    let n = record(
        &["--backend", "notify", "-o", notify.to_str().unwrap()],
        command,
    );
    let e = record(
        &["--backend", "ebpf", "-o", ebpf.to_str().unwrap()],
        command,
    );
    assert_eq!(n.status, e.status, "{n:?}\n{e:?}");
    assert_eq!(
        n.stdout, e.stdout,
        "{command:?}: the recorded runs printed alike"
    );
    assert_eq!(allowed(&notify), allowed(&ebpf), "{command:?}");
    let plain = std::process::Command::new(command[0])
        .args(&command[1..])
        .output()
        .unwrap();
    let enforced = run_under(&ebpf, command);
    assert_eq!(enforced.status, plain.status, "{enforced:?}");
    assert_eq!(enforced.stdout, plain.stdout, "{enforced:?}");
}

#[test]
fn ls_gets_the_same_profile() {
    same_profile(&["ls", "-la", "/usr/bin/dd", "/etc/hostname"]);
}

#[test]
fn a_shell_pipeline_gets_the_same_profile() {
    same_profile(&["sh", "-c", "echo hi | wc -c; cat /etc/os-release | head -1"]);
}

#[test]
fn python_threads_get_the_same_profile() {
    same_profile(&[
        "/usr/bin/python3",
        "-c",
        "import threading\nt=[threading.Thread(target=print) for i in range(3)]\n[x.start() for x in t]\n[x.join() for x in t]",
    ]);
}

/// A `gcc -m32` program's calls are i386 calls, recorded under SCMP_ARCH_X86 by both.
#[test]
fn a_32_bit_program_gets_the_same_profile() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("abi.c");
    std::fs::write(
        &source,
        "#include <stdio.h>\n#include <unistd.h>\nint main(void){printf(\"%d\\n\", getppid() > 0); return 0;}\n",
    )
    .unwrap();
    let Some(program) = common::build_c(
        source.to_str().unwrap(),
        &dir.path().join("abi32"),
        &["-m32"],
    ) else {
        return;
    };
    same_profile(&[program.to_str().unwrap()]);
}

/// --args is the other backends': the probes count calls, not their values.
#[test]
fn args_are_refused_with_the_backends_that_have_them() {
    let out = record(
        &["--backend", "ebpf", "--args", "-o", "/dev/null"],
        &["true"],
    );
    assert!(!out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--backend notify or ptrace"),
        "{out:?}"
    );
}

/// `record --container ID` of a runc busybox container made with `runc create` and
/// recorded from before `runc start`: the profile holds what the container and runc's
/// init did in it, and the same container runs under it (OCI format, as its
/// config.json's linux.seccomp) as it runs with no filter.
#[test]
fn a_recorded_container_runs_under_its_profile() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let work = [
        "/bin/busybox",
        "sh",
        "-c",
        "echo hi; ls / > /dev/null; cat /proc/self/status > /dev/null",
    ];
    let Some(recorded) = common::runc::Container::new(
        dir.path(),
        "recorded",
        serde_json::Value::Null,
        false,
        &work,
    ) else {
        return;
    };
    assert!(recorded.create().success());
    let profile = dir.path().join("container.json");
    let mut rec = common::sysfence()
        .args([
            "record",
            "--format",
            "oci",
            "--container",
            &recorded.id,
            "-o",
        ])
        .arg(&profile)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(rec.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("sysfence: recording container") {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "record ended: {line}"
        );
    }
    assert!(recorded.start().status.success());
    let status = rec.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(status.success(), "{rest}");
    let names: Vec<String> = allowed(&profile).into_iter().map(|(_, n)| n).collect();
    for call in ["execve", "write", "getdents64"] {
        assert!(names.iter().any(|n| n == call), "{call}: {names:?}");
    }
    assert!(!names.iter().any(|n| n == "reboot"), "{names:?}");
    let seccomp: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&profile).unwrap()).unwrap();
    let Some(enforced) =
        common::runc::Container::new(dir.path(), "enforced", seccomp, false, &work)
    else {
        return;
    };
    let out = enforced.run();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hi\n", "{out:?}");
}

/// A container that is not there, another backend, a cgroup that is not there: each an
/// error that says what is wrong, before anything is attached.
#[test]
fn bad_container_requests_are_refused() {
    for (args, says) in [
        (
            vec!["--container", "no-such-container-sysfence"],
            "no running container has that id",
        ),
        (
            vec!["--container", "x", "--backend", "notify"],
            "record with --backend ebpf",
        ),
        (vec!["--cgroup", "/no/such/cgroup"], "no such cgroup"),
    ] {
        let out = common::sysfence()
            .arg("record")
            .args(&args)
            .args(["-o", "/dev/null"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{args:?}: {out:?}"
        );
    }
}

/// i386's socketcall is recorded as socketcall (the call a seccomp filter sees), not as
/// the sub-calls the probes otherwise tell it as: the same profile as notify's.
#[test]
fn an_i386_socketcall_program_gets_the_same_profile() {
    let dir = tempfile::tempdir().unwrap();
    let Some(program) = common::socketcall_connect(dir.path(), "sc32") else {
        return;
    };
    same_profile(&[program.to_str().unwrap(), "9"]);
    let profile = dir.path().join("p.json");
    let out = record(
        &["--backend", "ebpf", "-o", profile.to_str().unwrap()],
        &[program.to_str().unwrap(), "9"],
    );
    assert!(out.status.success(), "{out:?}");
    assert!(
        allowed(&profile).iter().any(|(_, n)| n == "socketcall"),
        "{:?}",
        allowed(&profile)
    );
}

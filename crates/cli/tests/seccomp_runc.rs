//! A real client: runc runs a busybox container under our OCI export of moby's default
//! profile. Allowed commands work; a syscall the exported profile denies fails with EPERM.

mod common;

use common::{BUSYBOX, RUNC, require};
use std::path::{Path, PathBuf};
use std::process::Command;

const MOBY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../policy/tests/data/moby/default.json"
);

/// The programs these tests run: runc, and the static busybox that is a container's
/// whole root file system.
struct Tools {
    runc: PathBuf,
    busybox: PathBuf,
}

/// Both tools, or None after a loud skip for each one missing (a failure under CI).
fn tools() -> Option<Tools> {
    let (runc, busybox) = (require(RUNC), require(BUSYBOX));
    Some(Tools {
        runc: runc?,
        busybox: busybox?,
    })
}

/// A bundle with a busybox-static rootfs and runc's default config running `script`.
fn bundle(tools: &Tools, dir: &Path, seccomp: serde_json::Value, script: &str) -> PathBuf {
    let bundle = dir.join("bundle");
    let bin = bundle.join("rootfs/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(bundle.join("rootfs/tmp")).unwrap();
    std::fs::copy(&tools.busybox, bin.join("busybox")).expect("copying busybox");
    let status = Command::new(&tools.runc)
        .arg("spec")
        .current_dir(&bundle)
        .status()
        .expect("runc runs");
    assert!(status.success());
    let path = bundle.join("config.json");
    let mut config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    config["process"]["terminal"] = false.into();
    config["process"]["args"] = serde_json::json!(["/bin/busybox", "sh", "-c", script]);
    config["root"]["readonly"] = false.into();
    config["linux"]["seccomp"] = seccomp;
    std::fs::write(&path, config.to_string()).unwrap();
    bundle
}

/// Converts `profile` to OCI with `sysfence profile convert`.
fn oci_export(dir: &Path, profile: &Path) -> serde_json::Value {
    let out = dir.join("seccomp.json");
    let o = Command::new(env!("CARGO_BIN_EXE_sysfence"))
        .args(["profile", "convert"])
        .arg(profile)
        .args(["--format", "oci", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap()
}

/// Runs the container of `bundle` as `id`: its exit code, stdout and stderr.
fn runc_run(tools: &Tools, bundle: &Path, id: &str) -> (i32, String, String) {
    let o = Command::new(&tools.runc)
        .args(["run", "--bundle"])
        .arg(bundle)
        .arg(id)
        .output()
        .unwrap();
    let _ = Command::new(&tools.runc)
        .args(["delete", "-f", id])
        .output();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

const SCRIPT: &str = "/bin/busybox echo hello; /bin/busybox ls / >/dev/null && echo listed; \
                      /bin/busybox mkdir /tmp/made && echo made; echo done";

#[test]
fn runc_enforces_our_oci_export() {
    let Some(tools) = tools() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let id = format!("sysfence-test-{}", std::process::id());

    // moby's default as exported: everything the script does is allowed.
    let seccomp = oci_export(dir.path(), Path::new(MOBY));
    assert_eq!(seccomp["defaultAction"], "SCMP_ACT_ERRNO");
    let b = bundle(&tools, dir.path(), seccomp, SCRIPT);
    let (code, out, err) = runc_run(&tools, &b, &format!("{id}-a"));
    assert_eq!(
        (code, out.as_str()),
        (0, "hello\nlisted\nmade\ndone\n"),
        "{err}"
    );

    // The same profile with mkdir/mkdirat denied (EPERM): only that step fails.
    let mut moby: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(MOBY).unwrap()).unwrap();
    moby["syscalls"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1
        }));
    let denying = dir.path().join("deny-mkdir.json");
    std::fs::write(&denying, moby.to_string()).unwrap();
    let seccomp = oci_export(dir.path(), &denying);
    std::fs::remove_dir_all(dir.path().join("bundle")).unwrap();
    let b = bundle(&tools, dir.path(), seccomp, SCRIPT);
    let (code, out, err) = runc_run(&tools, &b, &format!("{id}-b"));
    assert_eq!((code, out.as_str()), (0, "hello\nlisted\ndone\n"), "{err}");
    assert!(err.contains("Operation not permitted"), "{err}");
}

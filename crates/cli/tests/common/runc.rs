//! A runc container for tests: a busybox-static root file system under runc's default
//! config.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use sysfence_fixtures::tools::{BUSYBOX, RUNC, require};

/// A runc bundle: a busybox-static root file system and runc's default config, running
/// `args` under `seccomp`, as a container named after the test and this process; the
/// container is deleted when dropped.
pub struct Container {
    runc: PathBuf,
    bundle: PathBuf,
    /// The container's id.
    pub id: String,
}

impl Container {
    pub fn new(
        dir: &Path,
        name: &str,
        seccomp: serde_json::Value,
        no_new_privileges: bool,
        args: &[&str],
    ) -> Option<Container> {
        let (runc, busybox) = (require(RUNC)?, require(BUSYBOX)?);
        let bundle = dir.join(name);
        let bin = bundle.join("rootfs/bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::copy(&busybox, bin.join("busybox")).expect("copying busybox");
        let spec = Command::new(&runc)
            .arg("spec")
            .current_dir(&bundle)
            .status()
            .expect("runc runs");
        assert!(spec.success());
        let path = bundle.join("config.json");
        let mut config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        config["process"]["terminal"] = false.into();
        config["process"]["args"] = args.into();
        config["process"]["noNewPrivileges"] = no_new_privileges.into();
        config["linux"]["seccomp"] = seccomp;
        std::fs::write(&path, config.to_string()).unwrap();
        let id = format!("sysfence-{name}-{}", std::process::id());
        Some(Container { runc, bundle, id })
    }

    /// `runc run`: how it ended, what the container printed and what runc said.
    pub fn run(&self) -> Output {
        Command::new(&self.runc)
            .args(["run", "--bundle"])
            .arg(&self.bundle)
            .arg(&self.id)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
}

impl Container {
    /// `runc create`: the container made, its init waiting for `start` (its stdio is
    /// /dev/null: the container keeps what runc create is given).
    pub fn create(&self) -> std::process::ExitStatus {
        Command::new(&self.runc)
            .args(["create", "--bundle"])
            .arg(&self.bundle)
            .arg(&self.id)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap()
    }

    /// `runc start`: the created container's process runs.
    pub fn start(&self) -> Output {
        Command::new(&self.runc)
            .args(["start", &self.id])
            .output()
            .unwrap()
    }

    /// `runc state`: the container's status and its process's pid (in the host's pid
    /// namespace), while runc knows it.
    pub fn state(&self) -> Option<(String, u32)> {
        let out = Command::new(&self.runc)
            .args(["state", &self.id])
            .output()
            .unwrap();
        let state: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
        Some((
            state["status"].as_str()?.to_string(),
            u32::try_from(state["pid"].as_u64()?).ok()?,
        ))
    }

    /// Created, started and waited for until its process ended (at most 10 s): that
    /// process's host pid.
    pub fn run_detached(&self) -> u32 {
        assert!(self.create().success(), "runc create {}", self.id);
        let (_, pid) = self.state().expect("runc state of a created container");
        let started = self.start();
        assert!(started.status.success(), "runc start: {started:?}");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while self.state().is_some_and(|(status, _)| status != "stopped") {
            assert!(
                std::time::Instant::now() < deadline,
                "{} never stopped",
                self.id
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        pid
    }

    /// The container's root file system.
    pub fn rootfs(&self) -> PathBuf {
        self.bundle.join("rootfs")
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new(&self.runc)
            .args(["delete", "-f", &self.id])
            .output();
    }
}

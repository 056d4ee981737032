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
}

impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new(&self.runc)
            .args(["delete", "-f", &self.id])
            .output();
    }
}

//! The profiles a filter can be recognised as: moby's default (embedded, resolved as
//! Docker resolves it on this host) and every profile in a `--profiles DIR`.

use policy::docker::Resolve;
use seccomp::Program;
use std::path::{Path, PathBuf};
use syscalls::Arch;

/// moby's default seccomp profile (profiles/seccomp/default.json), as the policy crate's
/// tests carry it.
pub const MOBY_DEFAULT_JSON: &str = include_str!("../../policy/tests/data/moby/default.json");

/// The name `status` gives a filter that decides as moby's default.
pub const MOBY_DEFAULT_NAME: &str = "moby-default";

/// A profile compiled for this host, to compare filters with.
#[derive(Debug, Clone)]
pub struct KnownProfile {
    /// The name shown (`moby-default`, or the file name under --profiles).
    pub name: String,
    /// Where it came from.
    pub source: String,
    /// Its program.
    pub program: Program,
}

/// Why the known profiles could not be loaded; says which file and what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ProfilesError {
    /// The directory cannot be listed.
    #[error(
        "--profiles {dir}: {} (give a directory of seccomp profiles: moby JSON, OCI, Kubernetes SeccompProfile, or raw BPF as `profile compile` writes)",
        crate::os_text(.error)
    )]
    Dir {
        /// The directory.
        dir: PathBuf,
        /// The OS error.
        error: std::io::Error,
    },
    /// A file in it cannot be read, imported or compiled.
    #[error("--profiles {dir}: {file}: {problem}")]
    File {
        /// The directory.
        dir: PathBuf,
        /// The file.
        file: String,
        /// What went wrong.
        problem: String,
    },
}

/// The running kernel's (major, minor), for moby's `minKernel`.
pub fn running_kernel() -> (u32, u32) {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let mut parts = release.trim().split(['.', '-']);
    let mut next = || parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (next(), next())
}

/// How Docker resolves a profile for a container here: the host's ABI, Docker's default
/// capabilities, the running kernel.
pub fn docker_resolve() -> Resolve {
    Resolve::docker_default(Arch::native(), running_kernel())
}

/// moby's default, compiled as sysfence compiles it for this host.
pub fn moby_default() -> KnownProfile {
    let imported = policy::docker::import(MOBY_DEFAULT_JSON, "default.json", &docker_resolve())
        .expect("moby's default profile imports");
    let p = &imported.policy;
    let program = seccomp::compile(p, &seccomp::Target::for_policy(p))
        .expect("moby's default profile compiles");
    KnownProfile {
        name: MOBY_DEFAULT_NAME.into(),
        source: "moby profiles/seccomp/default.json (embedded)".into(),
        program,
    }
}

/// Every profile in `dir` (files only, sorted by name), compiled for this host; a raw
/// BPF file is taken as it is.
pub fn load_dir(dir: &Path) -> Result<Vec<KnownProfile>, ProfilesError> {
    let entries = std::fs::read_dir(dir).map_err(|error| ProfilesError::Dir {
        dir: dir.to_path_buf(),
        error,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let resolve = docker_resolve();
    files
        .iter()
        .map(|file| {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let fail = |problem: String| ProfilesError::File {
                dir: dir.to_path_buf(),
                file: name.clone(),
                problem,
            };
            let bytes = std::fs::read(file).map_err(|e| fail(e.to_string()))?;
            let program = if policy::is_profile_text(&bytes) {
                let imported =
                    policy::load_bytes(&bytes, &name, &resolve).map_err(|e| fail(e.to_string()))?;
                let p = &imported.policy;
                seccomp::compile(p, &seccomp::Target::for_policy(p))
                    .map_err(|e| fail(e.to_string()))?
            } else {
                Program::from_bytes(&bytes).map_err(|e| fail(e.to_string()))?
            };
            Ok(KnownProfile {
                name,
                source: file.display().to_string(),
                program,
            })
        })
        .collect()
}

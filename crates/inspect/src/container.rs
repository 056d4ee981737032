//! Which container a process is in, from its cgroup path: the runtime's naming of the
//! cgroup (`docker-ID.scope`, `/docker/ID`, `cri-containerd-ID.scope`, `crio-ID.scope`,
//! `libpod-ID.scope`, runc's `/ID`) gives the runtime and the container id.

use serde::Serialize;

/// A container a process runs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Container {
    /// `docker`, `containerd`, `cri-o`, `podman`, `kubernetes` or `runc`.
    pub runtime: &'static str,
    /// The container id as the runtime names it.
    pub id: String,
}

impl Container {
    /// `docker:0123456789ab` (ids of 64 hex digits shortened to 12, as docker ps shows).
    pub fn short(&self) -> String {
        let id = if self.id.len() == 64 && is_hex(&self.id) {
            &self.id[..12]
        } else {
            &self.id
        };
        format!("{}:{id}", self.runtime)
    }
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The directories where runc keeps a state directory per container it runs (its
/// `--root`: the default, Docker's and containerd's).
pub const RUNC_ROOTS: [&str; 3] = [
    "/run/runc",
    "/run/docker/runtime-runc/moby",
    "/run/containerd/runc/default",
];

/// The container of process `pid`, from its cgroup paths (read with `procfs`); a plain
/// runc container (whose cgroup is just `/ID`) is recognised by runc's state directory
/// for that id.
pub fn of_process(pid: i32) -> Option<Container> {
    let groups = procfs::process::Process::new(pid).ok()?.cgroups().ok()?;
    let paths: Vec<String> = groups.0.into_iter().map(|g| g.pathname).collect();
    from_paths(&paths).or_else(|| runc_container(&paths, &RUNC_ROOTS))
}

/// The container named by a process's cgroup paths; `None` for a host process. The most
/// specific (last) path segment that a runtime names wins.
pub fn from_paths(paths: &[String]) -> Option<Container> {
    paths.iter().find_map(|p| from_path(p))
}

/// A cgroup path segment that names a container runc runs: `ROOT/SEGMENT/state.json`
/// exists under one of `roots`.
pub fn runc_container(paths: &[String], roots: &[&str]) -> Option<Container> {
    paths
        .iter()
        .flat_map(|path| path.rsplit('/'))
        .filter(|seg| !seg.is_empty() && !seg.contains(".."))
        .find_map(|seg| {
            roots
                .iter()
                .any(|root| {
                    std::path::Path::new(root)
                        .join(seg)
                        .join("state.json")
                        .is_file()
                })
                .then(|| Container {
                    runtime: "runc",
                    id: seg.to_string(),
                })
        })
}

/// The container a cgroup v2 path (`/ID`, `/system.slice/docker-ID.scope`) belongs to.
pub fn of_cgroup_path(path: &str) -> Option<Container> {
    let paths = [path.to_string()];
    from_paths(&paths).or_else(|| runc_container(&paths, &RUNC_ROOTS))
}

/// Where the cgroup v2 hierarchy is mounted (`/sys/fs/cgroup`, or
/// `/sys/fs/cgroup/unified` on a hybrid machine), from /proc/self/mountinfo.
pub fn cgroup2_mount() -> Option<std::path::PathBuf> {
    let info = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    info.lines().find_map(|line| {
        let (fields, rest) = line.split_once(" - ")?;
        (rest.split_whitespace().next() == Some("cgroup2")).then(|| {
            fields
                .split_whitespace()
                .nth(4)
                .map(std::path::PathBuf::from)
        })?
    })
}

/// Every cgroup v2 directory below `root`: its id (the directory's inode number, which
/// is what the kernel reports as a task's cgroup id) and its path from `root` (`/ID`).
pub fn cgroups(root: &std::path::Path) -> Vec<(u64, String)> {
    use std::os::unix::fs::MetadataExt;
    let mut out = Vec::new();
    let mut dirs = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if !meta.is_dir() {
                continue;
            }
            let path = format!("{rel}/{}", entry.file_name().to_string_lossy());
            out.push((meta.ino(), path.clone()));
            dirs.push((entry.path(), path));
        }
    }
    out
}

fn from_path(path: &str) -> Option<Container> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    for (i, seg) in segments.iter().enumerate().rev() {
        let seg = seg.strip_suffix(".scope").unwrap_or(seg);
        let prefixed = [
            ("docker-", "docker"),
            ("cri-containerd-", "containerd"),
            ("crio-", "cri-o"),
            ("libpod-", "podman"),
            ("runc-", "runc"),
        ];
        for (prefix, runtime) in prefixed {
            if let Some(id) = seg.strip_prefix(prefix)
                && is_hex(id)
            {
                return Some(Container {
                    runtime,
                    id: id.to_string(),
                });
            }
        }
        let parent = i.checked_sub(1).map(|p| segments[p]);
        let runtime = match parent {
            Some("docker") => Some("docker"),
            Some(p) if p.starts_with("kubepods") || p.starts_with("pod") => Some("kubernetes"),
            Some("lxc.payload") | Some("libpod_parent") => Some("podman"),
            _ => None,
        };
        if let Some(runtime) = runtime
            && seg.len() >= 12
            && is_hex(seg)
        {
            return Some(Container {
                runtime,
                id: seg.to_string(),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The paths of a /proc/PID/cgroup text (`hierarchy:controllers:path` lines).
    fn paths(text: &str) -> Vec<String> {
        text.lines()
            .filter_map(|l| l.splitn(3, ':').nth(2))
            .map(str::to_string)
            .collect()
    }

    fn from_cgroup(text: &str) -> Option<Container> {
        from_paths(&paths(text))
    }

    const ID: &str = "4f1c3c1e9b0a5d7e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

    #[test]
    fn runtimes_name_their_cgroups() {
        let cases = [
            (format!("0::/system.slice/docker-{ID}.scope"), "docker"),
            (format!("12:pids:/docker/{ID}"), "docker"),
            (
                format!("0::/kubepods.slice/kubepods-besteffort.slice/cri-containerd-{ID}.scope"),
                "containerd",
            ),
            (format!("0::/machine.slice/crio-{ID}.scope"), "cri-o"),
            (format!("0::/user.slice/libpod-{ID}.scope"), "podman"),
            (
                format!("0::/kubepods/besteffort/pod1234/{ID}"),
                "kubernetes",
            ),
        ];
        for (line, runtime) in cases {
            let c = from_cgroup(&line).unwrap_or_else(|| panic!("{line}"));
            assert_eq!((c.runtime, c.id.as_str()), (runtime, ID), "{line}");
        }
        assert_eq!(
            from_cgroup(&format!("0::/docker/{ID}")).unwrap().short(),
            format!("docker:{}", &ID[..12])
        );
    }

    #[test]
    fn a_runc_container_is_known_by_its_state_directory() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("web1")).unwrap();
        std::fs::write(root.path().join("web1/state.json"), "{}").unwrap();
        let roots = [root.path().to_str().unwrap()];
        let c = runc_container(&paths("9:name=systemd:/web1\n0::/web1\n"), &roots).unwrap();
        assert_eq!((c.runtime, c.id.as_str()), ("runc", "web1"));
        assert_eq!(runc_container(&paths("0::/other\n"), &roots), None);
    }

    #[test]
    fn host_processes_have_none() {
        assert_eq!(
            from_cgroup("0::/\n4:memory:/process_api/c398a5dcad1b4fefe03d99e45b98da38\n"),
            None
        );
        assert_eq!(
            from_cgroup("0::/user.slice/user-0.slice/session-1.scope"),
            None
        );
    }
}

//! Kernel modules: the loaded ones as `/proc/modules` lists them (lsmod's view) and what
//! `/sys/module/NAME` tells about one (modinfo's view for a loaded module), read below a
//! root directory so a fixture tree tests the parsers exactly.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Why module information could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ModulesError {
    /// A file could not be read.
    #[error("{path}: {}", crate::os_text(.error))]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        error: io::Error,
    },
    /// A `/proc/modules` line is not in the kernel's format.
    #[error(
        "{path}:{line}: {problem} (expected `NAME SIZE REFCOUNT USERS STATE ADDRESS [TAINTS]`)"
    )]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// `modules NAME` named a module /sys/module does not have.
    #[error(
        "no module named `{name}` in {dir} (neither loaded nor built in; `sysfence modules` lists them)"
    )]
    NoSuchModule {
        /// The name asked for.
        name: String,
        /// The directory looked in.
        dir: PathBuf,
    },
}

/// A module's life-cycle state, as the kernel prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModuleState {
    /// Loaded and initialised.
    Live,
    /// Being loaded (its init is running).
    Loading,
    /// Being removed.
    Unloading,
}

/// One line of `/proc/modules`: a loaded module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadedModule {
    /// The module's name (underscores, as the kernel keeps it).
    pub name: String,
    /// Memory it takes, in bytes.
    pub size: u64,
    /// Its reference count; `None` on kernels without module unloading (`-`).
    pub refcount: Option<u64>,
    /// The modules that use it; `[permanent]` when it cannot be unloaded.
    pub users: Vec<String>,
    /// Its state.
    pub state: ModuleState,
    /// Its text address, as printed (zero unless kptr_restrict allows it).
    pub address: String,
    /// Its taint letters (`O` out of tree, `E` unsigned...), without the parentheses.
    pub taints: String,
}

/// Where a machine's module information lives: `/proc/modules` and `/sys/module` under
/// `root` (`/` on the live system, a fixture tree in tests).
#[derive(Debug, Clone)]
pub struct ModuleTree {
    root: PathBuf,
}

impl Default for ModuleTree {
    fn default() -> ModuleTree {
        ModuleTree::live()
    }
}

impl ModuleTree {
    /// The running system's tree.
    pub fn live() -> ModuleTree {
        ModuleTree::at("/")
    }

    /// The tree below `root`, which holds `proc/modules` and `sys/module`.
    pub fn at(root: impl Into<PathBuf>) -> ModuleTree {
        ModuleTree { root: root.into() }
    }

    /// The `/proc/modules` file of this tree.
    pub fn proc_modules(&self) -> PathBuf {
        self.root.join("proc/modules")
    }

    /// The `/sys/module` directory of this tree.
    pub fn sys_module(&self) -> PathBuf {
        self.root.join("sys/module")
    }

    /// The loaded modules, or `None` when the kernel has no loadable-module support (no
    /// `/proc/modules`, as with CONFIG_MODULES unset).
    pub fn loaded(&self) -> Result<Option<Vec<LoadedModule>>, ModulesError> {
        let path = self.proc_modules();
        match fs::read_to_string(&path) {
            Ok(text) => parse_proc_modules(&text, &path).map(Some),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(ModulesError::Read { path, error }),
        }
    }

    /// Every name under `/sys/module`: loaded modules and built-in ones that have
    /// parameters or a version, sorted.
    pub fn sys_names(&self) -> Result<Vec<String>, ModulesError> {
        let dir = self.sys_module();
        let entries = fs::read_dir(&dir).map_err(|error| ModulesError::Read {
            path: dir.clone(),
            error,
        })?;
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        names.sort();
        Ok(names)
    }

    /// The built-in modules: names under `/sys/module` that `/proc/modules` does not list
    /// (all of them when there is no `/proc/modules`).
    pub fn builtin(&self) -> Result<Vec<ModuleInfo>, ModulesError> {
        let loaded: Vec<String> = self
            .loaded()?
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.name)
            .collect();
        self.sys_names()?
            .into_iter()
            .filter(|n| !loaded.contains(n))
            .map(|n| self.info(&n))
            .collect()
    }

    /// What `/sys/module/NAME` holds about one module. `-` and `_` are the same in module
    /// names, as modprobe treats them.
    pub fn info(&self, name: &str) -> Result<ModuleInfo, ModulesError> {
        let canonical = name.replace('-', "_");
        let dir = self.sys_module().join(&canonical);
        if !dir.is_dir() {
            return Err(ModulesError::NoSuchModule {
                name: name.to_string(),
                dir: self.sys_module(),
            });
        }
        let attr = |file: &str| read_attribute(&dir.join(file));
        let parameters = read_parameters(&dir.join("parameters"))?;
        let holders = list_dir(&dir.join("holders"));
        let initstate = attr("initstate")?;
        Ok(ModuleInfo {
            builtin: initstate.is_none() && !dir.join("refcnt").exists(),
            name: canonical,
            version: attr("version")?,
            srcversion: attr("srcversion")?,
            refcnt: attr("refcnt")?.and_then(|v| v.parse().ok()),
            initstate,
            taint: attr("taint")?,
            coresize: attr("coresize")?.and_then(|v| v.parse().ok()),
            holders,
            parameters,
        })
    }
}

/// What `/sys/module/NAME` says about a module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModuleInfo {
    /// The module's name.
    pub name: String,
    /// Whether it is built into the kernel (no `initstate`, no `refcnt`) rather than loaded.
    pub builtin: bool,
    /// `version`, when the module declares MODULE_VERSION.
    pub version: Option<String>,
    /// `srcversion`: a checksum of its sources (loaded modules only).
    pub srcversion: Option<String>,
    /// `refcnt` (loaded modules only).
    pub refcnt: Option<u64>,
    /// `initstate`: `live`, `coming` or `going` (loaded modules only).
    pub initstate: Option<String>,
    /// `taint`: its taint letters, empty when clean (loaded modules only).
    pub taint: Option<String>,
    /// `coresize` in bytes (loaded modules only).
    pub coresize: Option<u64>,
    /// `holders/`: the modules that use it.
    pub holders: Vec<String>,
    /// `parameters/`: each readable parameter's value (`None` when it is write-only or
    /// reading it fails, as with a parameter only root may read).
    pub parameters: BTreeMap<String, Option<String>>,
}

/// Parses the text of `/proc/modules` (`path` names it in errors).
pub fn parse_proc_modules(text: &str, path: &Path) -> Result<Vec<LoadedModule>, ModulesError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            parse_line(l).map_err(|problem| ModulesError::Malformed {
                path: path.to_path_buf(),
                line: i + 1,
                problem,
            })
        })
        .collect()
}

fn parse_line(line: &str) -> Result<LoadedModule, String> {
    let fields: Vec<&str> = line.split_ascii_whitespace().collect();
    if !(6..=7).contains(&fields.len()) {
        return Err(format!("{} fields, not 6 or 7", fields.len()));
    }
    let size = fields[1]
        .parse()
        .map_err(|_| format!("size `{}` is not a number", fields[1]))?;
    let refcount = match fields[2] {
        "-" => None,
        n => Some(
            n.parse()
                .map_err(|_| format!("reference count `{n}` is not a number"))?,
        ),
    };
    let users = match fields[3] {
        "-" => Vec::new(),
        list => list
            .split(',')
            .filter(|u| !u.is_empty())
            .map(str::to_string)
            .collect(),
    };
    let state = match fields[4] {
        "Live" => ModuleState::Live,
        "Loading" => ModuleState::Loading,
        "Unloading" => ModuleState::Unloading,
        s => return Err(format!("state `{s}` is not Live, Loading or Unloading")),
    };
    if !fields[5].starts_with("0x") {
        return Err(format!("address `{}` does not start with 0x", fields[5]));
    }
    let taints = match fields.get(6) {
        None => String::new(),
        Some(t) => t
            .strip_prefix('(')
            .and_then(|t| t.strip_suffix(')'))
            .ok_or_else(|| format!("taint `{t}` is not in parentheses"))?
            // `+` (loading) and `-` (unloading) repeat the state, which has its own field.
            .replace(['+', '-'], ""),
    };
    Ok(LoadedModule {
        name: fields[0].to_string(),
        size,
        refcount,
        users,
        state,
        address: fields[5].to_string(),
        taints,
    })
}

/// A sysfs attribute's value without its newline; `None` when the file does not exist.
fn read_attribute(path: &Path) -> Result<Option<String>, ModulesError> {
    match fs::read_to_string(path) {
        Ok(v) => Ok(Some(v.trim_end_matches('\n').to_string())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(ModulesError::Read {
            path: path.to_path_buf(),
            error,
        }),
    }
}

fn read_parameters(dir: &Path) -> Result<BTreeMap<String, Option<String>>, ModulesError> {
    let mut out = BTreeMap::new();
    for name in list_dir(dir) {
        let value = fs::read_to_string(dir.join(&name))
            .ok()
            .map(|v| v.trim_end_matches('\n').to_string());
        out.insert(name, value);
    }
    Ok(out)
}

/// The sorted names in `dir`; empty when it does not exist.
fn list_dir(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_without_taint_and_users_parses() {
        let m = parse_line("crc32c_intel 24576 0 - Live 0x0000000000000000").unwrap();
        assert_eq!(m.users, Vec::<String>::new());
        assert_eq!(m.refcount, Some(0));
        assert_eq!(m.taints, "");
    }

    #[test]
    fn bad_lines_name_the_problem() {
        let e = parse_line("x 12 0 - Sleeping 0x0").unwrap_err();
        assert!(e.contains("Sleeping"), "{e}");
        let e = parse_line("x twelve 0 - Live 0x0").unwrap_err();
        assert!(e.contains("twelve"), "{e}");
        assert!(parse_line("x 1 2").is_err());
    }
}

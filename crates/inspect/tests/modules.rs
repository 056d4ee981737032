//! The module readers on a fixture tree in the documented `/proc/modules` format, and on
//! the running machine.

use inspect::modules::{LoadedModule, ModuleState, ModuleTree, ModulesError};
use std::path::PathBuf;

fn fixture() -> ModuleTree {
    ModuleTree::at(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/modules"))
}

fn module(
    name: &str,
    size: u64,
    refcount: u64,
    users: &[&str],
    state: ModuleState,
    address: &str,
    taints: &str,
) -> LoadedModule {
    LoadedModule {
        name: name.into(),
        size,
        refcount: Some(refcount),
        users: users.iter().map(|u| u.to_string()).collect(),
        state,
        address: address.into(),
        taints: taints.into(),
    }
}

#[test]
fn proc_modules_fixture_parses_exactly() {
    use ModuleState::*;
    let loaded = fixture()
        .loaded()
        .unwrap()
        .expect("the fixture has proc/modules");
    let want = vec![
        module(
            "nf_nat",
            61440,
            3,
            &["nft_chain_nat", "xt_MASQUERADE", "xt_nat"],
            Live,
            "0xffffffffc0a3f000",
            "",
        ),
        module(
            "nft_chain_nat",
            12288,
            7,
            &[],
            Live,
            "0xffffffffc0a39000",
            "",
        ),
        module(
            "xt_MASQUERADE",
            16384,
            1,
            &[],
            Live,
            "0xffffffffc0a34000",
            "",
        ),
        module("xt_nat", 16384, 2, &[], Live, "0x0000000000000000", ""),
        module(
            "vboxdrv",
            696320,
            2,
            &["vboxnetadp", "vboxnetflt"],
            Live,
            "0x0000000000000000",
            "OE",
        ),
        module(
            "zfs",
            6307840,
            0,
            &["[permanent]"],
            Live,
            "0xffffffffc1200000",
            "POE",
        ),
        module(
            "bogus_loader",
            8192,
            0,
            &[],
            Loading,
            "0x0000000000000000",
            "E",
        ),
    ];
    assert_eq!(loaded, want);
}

#[test]
fn sys_module_fixture_gives_version_parameters_holders_and_taint() {
    let info = fixture().info("vboxdrv").unwrap();
    assert!(!info.builtin);
    assert_eq!(info.version.as_deref(), Some("7.0.10"));
    assert_eq!(info.srcversion.as_deref(), Some("4A1B2C3D4E5F60718293A4B"));
    assert_eq!(info.refcnt, Some(2));
    assert_eq!(info.coresize, Some(696320));
    assert_eq!(info.initstate.as_deref(), Some("live"));
    assert_eq!(info.taint.as_deref(), Some("OE"));
    assert_eq!(info.holders, ["vboxnetadp", "vboxnetflt"]);
    let params: Vec<(&str, Option<&str>)> = info
        .parameters
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_deref()))
        .collect();
    assert_eq!(
        params,
        [("force_async_tsc", Some("0")), ("group", Some("vboxusers"))]
    );
}

#[test]
fn builtins_are_the_sys_module_names_proc_modules_does_not_list() {
    let builtin = fixture().builtin().unwrap();
    let names: Vec<&str> = builtin.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["bridge", "printk"]);
    assert!(builtin.iter().all(|m| m.builtin));
    assert_eq!(builtin[0].version.as_deref(), Some("2.3"));
    assert_eq!(builtin[1].parameters.len(), 2);
}

#[test]
fn dashes_and_underscores_name_the_same_module_and_unknown_names_say_so() {
    let tree = fixture();
    assert_eq!(tree.info("bogus-loader").unwrap().name, "bogus_loader");
    let err = tree.info("no_such_mod").unwrap_err();
    assert!(matches!(err, ModulesError::NoSuchModule { .. }));
    assert!(err.to_string().contains("no_such_mod"), "{err}");
}

#[test]
fn a_malformed_line_is_located() {
    let err = inspect::modules::parse_proc_modules(
        "ok 1 0 - Live 0x0\nbroken line\n",
        std::path::Path::new("proc/modules"),
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("proc/modules:2: "), "{err}");
}

#[test]
fn the_running_kernel_reads_as_its_proc_and_sys_say() {
    let tree = ModuleTree::live();
    let loaded = tree.loaded().unwrap();
    let sys: Vec<String> = std::fs::read_dir("/sys/module")
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let builtin = tree.builtin().unwrap();
    match loaded {
        // No loadable-module support: every /sys/module entry is a built-in.
        None => {
            assert!(!std::path::Path::new("/proc/modules").exists());
            assert_eq!(builtin.len(), sys.len());
        }
        Some(mods) => {
            assert_eq!(builtin.len() + mods.len(), sys.len());
            for m in &mods {
                assert!(sys.contains(&m.name), "{} not in /sys/module", m.name);
            }
        }
    }
    // Every parameter value is what the file holds.
    for m in builtin.iter().take(20) {
        for (p, v) in &m.parameters {
            let file = format!("/sys/module/{}/parameters/{p}", m.name);
            let direct = std::fs::read_to_string(&file).ok();
            assert_eq!(
                v.as_deref(),
                direct.as_deref().map(|d| d.trim_end_matches('\n'))
            );
        }
    }
}

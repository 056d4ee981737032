//! `sysfence modules` on the running machine.

mod common;
use common::sysfence;

#[test]
fn modules_lists_every_sys_module_entry_and_says_when_modules_cannot_be_loaded() {
    let out = sysfence().arg("modules").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let no_proc_modules = !std::path::Path::new("/proc/modules").exists();
    assert_eq!(
        text.contains("no loadable-module support"),
        no_proc_modules,
        "{text}"
    );
    for entry in std::fs::read_dir("/sys/module").unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().next() == Some(&name)),
            "{name} missing from:\n{text}"
        );
    }
}

#[test]
fn modules_json_has_the_documented_fields() {
    let out = sysfence().args(["modules", "--json"]).output().unwrap();
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let supported = doc["loadable_modules_supported"].as_bool().unwrap();
    assert_eq!(supported, std::path::Path::new("/proc/modules").exists());
    let builtin = doc["builtin"].as_array().unwrap();
    assert!(!builtin.is_empty());
    assert!(doc["loaded"].is_array());
}

#[test]
fn modules_name_prints_the_parameters_sys_module_holds() {
    // The first built-in with parameters, whatever the kernel's config.
    let (name, params) = std::fs::read_dir("/sys/module")
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            let params: Vec<(String, String)> = std::fs::read_dir(e.path().join("parameters"))
                .ok()?
                .filter_map(|p| {
                    let p = p.ok()?;
                    let v = std::fs::read_to_string(p.path()).ok()?;
                    Some((p.file_name().into_string().ok()?, v.trim_end().to_string()))
                })
                .collect();
            (!params.is_empty()).then(|| (e.file_name().into_string().unwrap(), params))
        })
        .next()
        .expect("some module under /sys/module has readable parameters");
    let out = sysfence().args(["modules", &name]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for (p, v) in &params {
        let want = format!("parm:       {p}={v}");
        assert!(
            text.lines().any(|l| l == want),
            "{want} missing from:\n{text}"
        );
    }
    let out = sysfence()
        .args(["modules", &name, "--json"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["name"], name.as_str());
    assert_eq!(doc["parameters"][&params[0].0], params[0].1.as_str());
}

#[test]
fn modules_of_an_unknown_name_fails_naming_it() {
    let out = sysfence()
        .args(["modules", "no_such_module_anywhere"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no_such_module_anywhere") && err.contains("sysfence modules"),
        "{err}"
    );
}

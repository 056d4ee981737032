//! `sysfence modules`: loaded kernel modules as lsmod shows them, and what
//! /sys/module/NAME holds about one, as modinfo would.

use anyhow::Result;
use inspect::modules::{LoadedModule, ModuleInfo, ModuleState, ModuleTree};
use inspect::taint::{Taint, decode_letters};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `sysfence modules`.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  sysfence modules                 # what lsmod shows, plus state and taint
  sysfence modules nf_conntrack    # version, parameters, holders, refcnt, taint
  sysfence modules --json")]
pub struct Args {
    /// A module (loaded or built in) to describe from /sys/module/NAME.
    #[arg(value_name = "NAME")]
    name: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    let tree = ModuleTree::live();
    let mut out = std::io::stdout().lock();
    match &args.name {
        Some(name) => {
            let info = tree.info(name)?;
            if args.json {
                serde_json::to_writer_pretty(&mut out, &InfoJson::new(&info))?;
                writeln!(out)?;
            } else {
                print_info(&mut out, &info)?;
            }
        }
        None => {
            let loaded = tree.loaded()?;
            let builtin = tree.builtin()?;
            if args.json {
                let doc = ListJson {
                    loadable_modules_supported: loaded.is_some(),
                    loaded: loaded.iter().flatten().map(LoadedJson::new).collect(),
                    builtin: builtin.iter().map(|m| m.name.as_str()).collect(),
                };
                serde_json::to_writer_pretty(&mut out, &doc)?;
                writeln!(out)?;
            } else {
                print_list(&mut out, loaded.as_deref(), &builtin)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_list(
    out: &mut impl Write,
    loaded: Option<&[LoadedModule]>,
    builtin: &[ModuleInfo],
) -> Result<()> {
    match loaded {
        None => writeln!(
            out,
            "This kernel has no loadable-module support (no /proc/modules: it was built \
             without CONFIG_MODULES); everything is built in. Built-in modules in /sys/module:"
        )?,
        Some(mods) => {
            writeln!(out, "{:<19} {:>8}  Used by", "Module", "Size")?;
            for m in mods {
                let used = m.refcount.map_or("-".to_string(), |n| n.to_string());
                let mut line = format!("{:<19} {:>8}  {used}", m.name, m.size);
                if !m.users.is_empty() {
                    line.push(' ');
                    line.push_str(&m.users.join(","));
                }
                if m.state != ModuleState::Live {
                    line.push_str(&format!("  [{}]", state_name(m.state)));
                }
                if !m.taints.is_empty() {
                    line.push_str(&format!("  ({})", m.taints));
                }
                writeln!(out, "{line}")?;
            }
            writeln!(out)?;
            writeln!(out, "Built-in modules in /sys/module:")?;
        }
    }
    writeln!(out, "{:<24} {:<12} PARAMETERS", "NAME", "VERSION")?;
    for m in builtin {
        let line = format!(
            "{:<24} {:<12} {}",
            m.name,
            m.version.as_deref().unwrap_or("-"),
            m.parameters.len()
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn state_name(s: ModuleState) -> &'static str {
    match s {
        ModuleState::Live => "live",
        ModuleState::Loading => "loading",
        ModuleState::Unloading => "unloading",
    }
}

fn print_info(out: &mut impl Write, m: &ModuleInfo) -> Result<()> {
    let row = |out: &mut dyn Write, key: &str, value: &str| writeln!(out, "{key:<12}{value}");
    row(out, "name:", &m.name)?;
    row(out, "builtin:", if m.builtin { "yes" } else { "no" })?;
    let optional = [
        ("version:", m.version.clone()),
        ("srcversion:", m.srcversion.clone()),
        ("initstate:", m.initstate.clone()),
        ("refcnt:", m.refcnt.map(|n| n.to_string())),
        ("coresize:", m.coresize.map(|n| n.to_string())),
    ];
    for (key, value) in optional {
        if let Some(v) = value {
            row(out, key, &v)?;
        }
    }
    if let Some(t) = &m.taint {
        let text = if t.is_empty() {
            "none".to_string()
        } else {
            describe_taints(&decode_letters(t))
        };
        row(out, "taint:", &text)?;
    }
    if !m.holders.is_empty() {
        row(out, "holders:", &m.holders.join(","))?;
    }
    for (p, v) in &m.parameters {
        let v = v.as_deref().unwrap_or("(unreadable)");
        row(out, "parm:", &format!("{p}={v}"))?;
    }
    Ok(())
}

fn describe_taints(taints: &[Taint]) -> String {
    taints
        .iter()
        .map(|t| format!("{} ({})", t.letter, t.meaning))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `modules --json`.
#[derive(Serialize)]
struct ListJson<'a> {
    loadable_modules_supported: bool,
    loaded: Vec<LoadedJson<'a>>,
    builtin: Vec<&'a str>,
}

#[derive(Serialize)]
struct LoadedJson<'a> {
    #[serde(flatten)]
    module: &'a LoadedModule,
    taint_flags: Vec<Taint>,
}

impl LoadedJson<'_> {
    fn new(module: &LoadedModule) -> LoadedJson<'_> {
        LoadedJson {
            module,
            taint_flags: decode_letters(&module.taints),
        }
    }
}

/// `modules NAME --json`.
#[derive(Serialize)]
struct InfoJson<'a> {
    #[serde(flatten)]
    info: &'a ModuleInfo,
    taint_flags: Vec<Taint>,
}

impl InfoJson<'_> {
    fn new(info: &ModuleInfo) -> InfoJson<'_> {
        InfoJson {
            info,
            taint_flags: decode_letters(info.taint.as_deref().unwrap_or("")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> ModuleTree {
        ModuleTree::at(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../inspect/tests/fixtures/modules"
        ))
    }

    #[test]
    fn loaded_modules_print_as_lsmod_prints_them_with_state_and_taint() {
        let tree = fixture();
        let loaded = tree.loaded().unwrap().unwrap();
        let builtin = tree.builtin().unwrap();
        let mut out = Vec::new();
        print_list(&mut out, Some(&loaded), &builtin).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Module                  Size  Used by");
        assert_eq!(
            lines[1],
            "nf_nat                 61440  3 nft_chain_nat,xt_MASQUERADE,xt_nat"
        );
        assert_eq!(lines[2], "nft_chain_nat          12288  7");
        assert!(lines.contains(&"vboxdrv               696320  2 vboxnetadp,vboxnetflt  (OE)"));
        assert!(lines.contains(&"bogus_loader            8192  0  [loading]  (E)"));
        assert!(text.contains("Built-in modules in /sys/module:"));
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("bridge ") && l.contains("2.3"))
        );
    }

    #[test]
    fn module_info_prints_parameters_and_decoded_taint() {
        let info = fixture().info("vboxdrv").unwrap();
        let mut out = Vec::new();
        print_info(&mut out, &info).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("parm:       group=vboxusers\n"), "{text}");
        assert!(text.contains("taint:      O (externally-built"), "{text}");
        assert!(
            text.contains("holders:    vboxnetadp,vboxnetflt\n"),
            "{text}"
        );
    }
}

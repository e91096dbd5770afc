//! Every generated systemd unit passes `systemd-analyze verify` with no findings, inside
//! a root that holds the machine's own system units, the node's generated units, and a
//! stand-in for each program and unit the node's bootstrap script installs; every
//! `Exec*=` path is absolute.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::specs::{self, report, require};
use common::text;
use kubeplan::render::Artifact;

const UNIT_SUFFIXES: [&str; 4] = [".service", ".socket", ".timer", ".path"];

fn is_unit(path: &str) -> bool {
    UNIT_SUFFIXES.iter().any(|s| path.ends_with(s))
}

/// The programs a unit runs: the first word of every `Exec*=` line, without the
/// `-@:+!` prefixes systemd allows.
fn exec_paths(unit: &str) -> Vec<String> {
    unit.lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(key, _)| key.trim().starts_with("Exec"))
        .filter_map(|(_, value)| value.split_whitespace().next())
        .map(|w| w.trim_start_matches(['-', '@', ':', '+', '!']).to_owned())
        .collect()
}

/// The units a unit names in its dependencies.
fn dependencies(unit: &str) -> Vec<String> {
    const KEYS: [&str; 6] = ["Requires", "Wants", "BindsTo", "After", "Before", "PartOf"];
    unit.lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(key, _)| KEYS.contains(&key.trim()))
        .flat_map(|(_, value)| value.split_whitespace().map(str::to_owned))
        .collect()
}

/// A root with the machine's system units, made once; each node's check fills
/// `etc/systemd/system` and the stand-in programs anew.
struct Root {
    dir: tempfile::TempDir,
    system_units: BTreeSet<String>,
}

impl Root {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let host = Path::new("/usr/lib/systemd/system");
        assert!(
            host.is_dir(),
            "no /usr/lib/systemd/system; install systemd with: apt-get install -y systemd (scripts/test.sh does this)"
        );
        let target = dir.path().join("usr/lib/systemd/system");
        std::fs::create_dir_all(dir.path().join("usr/lib/systemd")).unwrap();
        let out = Command::new("cp")
            .arg("-a")
            .arg(host)
            .arg(dir.path().join("usr/lib/systemd"))
            .output()
            .expect("cp runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let system_units = std::fs::read_dir(&target)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        Root { dir, system_units }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Puts one node's units in place, with a stand-in for every program they run and
    /// every unit they depend on that the node's packages provide.
    fn install(&self, units: &[&Artifact], bootstrap: &str, node: &str) -> Vec<String> {
        let etc = self.path().join("etc/systemd/system");
        let _ = std::fs::remove_dir_all(&etc);
        std::fs::create_dir_all(&etc).unwrap();
        let mut names = Vec::new();
        let ours: BTreeSet<String> = units.iter().map(|a| file_name(&a.path)).collect();
        for a in units {
            let name = file_name(&a.path);
            std::fs::write(etc.join(&name), text(a)).unwrap();
            for program in exec_paths(text(a)) {
                assert!(
                    program.starts_with('/'),
                    "{node}/{name}: Exec path {program:?} is not absolute"
                );
                let base = program.rsplit('/').next().unwrap();
                assert!(
                    bootstrap.contains(base),
                    "{node}/{name} runs {program}, which the node's bootstrap.sh never installs"
                );
                stub_program(&self.path().join(program.trim_start_matches('/')));
            }
            for dep in dependencies(text(a)) {
                if self.system_units.contains(&dep) || ours.contains(&dep) {
                    continue;
                }
                let package = dep.rsplit_once('.').map_or(dep.as_str(), |(n, _)| n);
                assert!(
                    bootstrap.contains(package),
                    "{node}/{name} depends on {dep}, which the node's bootstrap.sh never installs"
                );
                let program = format!("usr/bin/{package}d");
                stub_program(&self.path().join(&program));
                std::fs::write(
                    etc.join(&dep),
                    format!("[Unit]\nDescription=stand-in for {dep}\n\n[Service]\nExecStart=/{program}\n"),
                )
                .unwrap();
            }
            names.push(name);
        }
        names
    }
}

fn stub_program(path: &PathBuf) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn file_name(path: &str) -> String {
    path.rsplit('/').next().unwrap().to_owned()
}

/// `systemd-analyze verify` of `units` inside `root`: everything it printed, and whether
/// it succeeded.
fn verify(root: &Path, units: &[String]) -> (bool, String) {
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(format!("--root={}", root.display()))
        .args(units)
        .output()
        .expect("systemd-analyze runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn every_unit_passes_systemd_analyze_verify() {
    require("systemd-analyze", "apt-get install -y systemd");
    let root = Root::new();
    let mut by_node: BTreeMap<(String, String), Vec<&Artifact>> = BTreeMap::new();
    let mut bootstraps: BTreeMap<(String, String), &str> = BTreeMap::new();
    for (spec, a) in specs::artifacts() {
        let Some((folder, file)) = a.path.rsplit_once('/') else {
            continue;
        };
        let key = (spec.name.clone(), folder.to_owned());
        if is_unit(file) {
            by_node.entry(key).or_default().push(a);
        } else if file == "bootstrap.sh" {
            bootstraps.insert(key, text(a));
        }
    }
    assert!(!by_node.is_empty(), "the examples generate systemd units");
    let mut checked = 0;
    let mut failures = Vec::new();
    for (key, units) in &by_node {
        let node = format!("{}/{}", key.0, key.1);
        let bootstrap = bootstraps
            .get(key)
            .unwrap_or_else(|| panic!("{node} has units but no bootstrap.sh"));
        let names = root.install(units, bootstrap, &node);
        let (ok, text) = verify(root.path(), &names);
        if !ok || !text.trim().is_empty() {
            failures.push(format!("{node}: {}\n{text}", names.join(" ")));
        }
        checked += names.len();
    }
    assert!(
        failures.is_empty(),
        "systemd-analyze verify:\n{}",
        failures.join("\n")
    );
    report(
        "systemd-analyze verify",
        checked,
        &format!("units on {} nodes, no findings", by_node.len()),
    );
}

#[test]
fn a_misspelt_directive_is_a_finding() {
    require("systemd-analyze", "apt-get install -y systemd");
    let root = Root::new();
    let content = "[Unit]\nDescription=x\n\n[Service]\nType=oneshot\nExecStart=/usr/sbin/ethtool -K eth0 tso off\nRemainAfterExti=yes\n\n[Install]\nWantedBy=multi-user.target\n";
    let unit = Artifact {
        path: "n/broken.service".into(),
        content: kubeplan::render::Content::Rendered(content.into()),
        sha256: kubeplan::hash::sha256_hex(content.as_bytes()),
        mode: 0o644,
        step: "s".into(),
        node: None,
    };
    let names = root.install(&[&unit], "apt-get install ethtool", "n");
    let (_, text) = verify(root.path(), &names);
    assert!(
        text.contains("Unknown key 'RemainAfterExti'"),
        "systemd-analyze said: {text}"
    );
}

//! Every artifact of every example passes the checker of its kind: `shellcheck` and
//! `bash -n` for bash, a JSON parser for JSON. A missing checker fails with the command
//! that installs it; it never skips.

use std::path::{Path, PathBuf};
use std::process::Command;

use kubeplan::render::Artifact;
use kubeplan::spec::VarInputs;

fn example_artifacts() -> Vec<(String, Artifact)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut all = Vec::new();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let out = kubeplan::compile(&dir, &VarInputs::default(), None)
            .unwrap()
            .output
            .expect("example validates");
        all.extend(out.artifacts.into_iter().map(|a| (name.clone(), a)));
    }
    for (name, spec) in platform_variants() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.hcl"), spec).unwrap();
        let out = kubeplan::compile(dir.path(), &VarInputs::default(), None)
            .unwrap()
            .output
            .unwrap_or_else(|| panic!("{name} validates"));
        all.extend(out.artifacts.into_iter().map(|a| (name.to_owned(), a)));
    }
    all
}

/// The GCE example moved to AWS and Azure, so each cloud's network script is checked too,
/// and the three-node example on Docker (vxlan and host-gw).
fn platform_variants() -> Vec<(&'static str, String)> {
    let gce = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/gce-host-gw/main.hcl"),
    )
    .unwrap();
    let aws = gce
        .replace("\"gce\"", "\"aws\"")
        .replace("  cloud {\n    network = \"kubeplan-vpc\"\n  }\n", "")
        .replace("\"gce-win-2022-a\"", "\"i-0abc123def4567890\"");
    let azure = gce.replace("\"gce\"", "\"azure\"").replace(
        "    network = \"kubeplan-vpc\"\n",
        "    resource_group  = \"rg-k8s\"\n    virtual_network = \"vnet-k8s\"\n    subnet          = \"nodes\"\n",
    );
    let three_node = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/three-node/main.hcl"),
    )
    .unwrap();
    let docker = three_node.replace("\"containerd\"", "\"docker\"");
    let docker_host_gw = docker.replace("\"vxlan\"", "\"host-gw\"");
    vec![
        ("gce-host-gw@aws", aws),
        ("gce-host-gw@azure", azure),
        ("three-node@docker", docker),
        ("three-node@docker-host-gw", docker_host_gw),
    ]
}

fn require(tool: &str, install: &str) {
    let found = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{tool} is not installed; install it with: {install} (scripts/test.sh does this)"
    );
}

fn write_temp(dir: &Path, a: &Artifact) -> PathBuf {
    let path = dir.join(a.path.replace('/', "__"));
    std::fs::write(&path, &a.content).unwrap();
    path
}

#[test]
fn every_bash_script_is_clean_under_shellcheck_and_bash_n() {
    require("shellcheck", "apt-get install -y shellcheck");
    let tmp = tempfile::tempdir().unwrap();
    let scripts: Vec<_> = example_artifacts()
        .into_iter()
        .filter(|(_, a)| a.path.ends_with(".sh"))
        .collect();
    assert!(
        scripts.len() >= 4,
        "expected the examples to generate bash scripts"
    );
    for (example, a) in &scripts {
        let path = write_temp(tmp.path(), a);
        let out = Command::new("shellcheck")
            .arg("--shell=bash")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "shellcheck on {example}/{}:\n{}",
            a.path,
            String::from_utf8_lossy(&out.stdout)
        );
        let out = Command::new("bash").arg("-n").arg(&path).output().unwrap();
        assert!(
            out.status.success(),
            "bash -n on {example}/{}:\n{}",
            a.path,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            a.content.starts_with("#!/usr/bin/env bash\n"),
            "{example}/{} has a shebang",
            a.path
        );
        assert_eq!(a.mode, 0o755, "{example}/{} is executable", a.path);
    }
    eprintln!("shellcheck: {} scripts checked", scripts.len());
}

#[test]
fn every_json_artifact_parses() {
    let json: Vec<_> = example_artifacts()
        .into_iter()
        .filter(|(_, a)| a.path.ends_with(".json") || a.path.ends_with(".conflist"))
        .collect();
    assert!(!json.is_empty());
    for (example, a) in &json {
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&a.content);
        assert!(parsed.is_ok(), "{example}/{}: {:?}", a.path, parsed.err());
    }
    eprintln!("json: {} files parsed", json.len());
}

#[test]
fn windows_cni_configs_keep_pods_services_and_hosts_out_of_snat() {
    for (example, a) in example_artifacts().into_iter().filter(|(_, a)| {
        a.path.ends_with("10-flannel.json") || a.path.ends_with("10-l2bridge.json")
    }) {
        let v: serde_json::Value = serde_json::from_str(&a.content).unwrap();
        // HCN (v2) plugins take AdditionalArgs with Settings.Exceptions; Docker's win-overlay
        // and win-bridge (v1) take policies with an ExceptionList.
        let policies = v["delegate"]["AdditionalArgs"]
            .as_array()
            .or(v["AdditionalArgs"].as_array())
            .or(v["delegate"]["policies"].as_array())
            .unwrap_or_else(|| panic!("{example}/{}: no policies", a.path));
        let nat = policies
            .iter()
            .find(|p| p["Value"]["Type"] == "OutBoundNAT")
            .expect("an OutBoundNAT policy");
        let exceptions = nat["Value"]["Settings"]["Exceptions"]
            .as_array()
            .or(nat["Value"]["ExceptionList"].as_array())
            .unwrap_or_else(|| panic!("{example}/{}: no exceptions", a.path));
        assert_eq!(
            exceptions.len(),
            3,
            "{example}/{}: service, cluster and management CIDRs",
            a.path
        );
        assert!(
            exceptions.contains(&"10.96.0.0/12".into()),
            "{example}/{}",
            a.path
        );
    }
}

#[test]
fn the_vmxnet3_unit_is_the_seed_unit_for_the_node_interface() {
    let units: Vec<_> = example_artifacts()
        .into_iter()
        .filter(|(_, a)| a.path.ends_with("disable_hw_offloading.service"))
        .collect();
    let count = |example: &str| units.iter().filter(|(e, _)| e == example).count();
    assert_eq!(count("three-node"), 2, "one per Linux node of three-node");
    assert_eq!(count("calico-ha"), 6, "one per Linux node of calico-ha");
    assert_eq!(count("three-node@docker"), 2);
    assert_eq!(
        units.len(),
        12,
        "only the vSphere examples and variants have the unit"
    );
    for (_, a) in units {
        assert!(a
            .content
            .contains("ExecStart=/usr/sbin/ethtool -K ens192 tx-udp_tnl-segmentation off\n"));
        assert!(a
            .content
            .contains("ExecStart=/usr/sbin/ethtool -K ens192 tx-udp_tnl-csum-segmentation off\n"));
        assert!(
            a.content.contains("Type=oneshot\n")
                && a.content.contains("WantedBy=multi-user.target\n")
        );
        assert_eq!(a.mode, 0o644);
    }
}

#[test]
fn every_yaml_artifact_parses_and_names_its_kind() {
    let yaml: Vec<_> = example_artifacts()
        .into_iter()
        .filter(|(_, a)| a.path.ends_with(".yaml") || a.path.ends_with(".yml"))
        .collect();
    assert!(!yaml.is_empty());
    for (example, a) in &yaml {
        let docs = yaml_rust2::YamlLoader::load_from_str(&a.content)
            .unwrap_or_else(|e| panic!("{example}/{}: {e}", a.path));
        assert!(!docs.is_empty(), "{example}/{}", a.path);
        for doc in docs {
            assert!(
                doc["apiVersion"].as_str().is_some() && doc["kind"].as_str().is_some(),
                "{example}/{}: every document has apiVersion and kind",
                a.path
            );
        }
    }
    eprintln!("yaml: {} files parsed", yaml.len());
}

#[test]
fn each_windows_release_gets_an_iis_sample_with_its_own_image_tag() {
    let samples: Vec<_> = example_artifacts()
        .into_iter()
        .filter(|(e, a)| e == "host-gw" && a.path.starts_with("_cluster/workloads/"))
        .map(|(_, a)| a)
        .collect();
    let paths: Vec<&str> = samples.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "_cluster/workloads/iis-ltsc2019.yaml",
            "_cluster/workloads/iis-ltsc2022.yaml"
        ]
    );
    for (a, tag, build) in [
        (&samples[0], "ltsc2019", "10.0.17763"),
        (&samples[1], "ltsc2022", "10.0.20348"),
    ] {
        assert!(a.content.contains(&format!(
            "image: \"mcr.microsoft.com/windows/servercore/iis:windowsservercore-{tag}\""
        )));
        assert!(a.content.contains("kubernetes.io/os: windows\n"));
        assert!(a
            .content
            .contains(&format!("node.kubernetes.io/windows-build: \"{build}\"")));
    }
}

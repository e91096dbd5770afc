//! Every artifact of every example and test spec passes the checker of its kind:
//! `shellcheck` and `bash -n` for bash, a JSON parser for JSON, a YAML parser for YAML;
//! plus what the seeds require of particular files. A missing checker fails with the
//! command that installs it; it never skips.

mod common;

use std::process::Command;

use common::specs::{self, report, require, write_temp};
use common::text;

#[test]
fn every_bash_script_is_clean_under_shellcheck_and_bash_n() {
    require("shellcheck", "apt-get install -y shellcheck");
    let tmp = tempfile::tempdir().unwrap();
    let scripts: Vec<_> = specs::artifacts()
        .filter(|(_, a)| a.path.ends_with(".sh"))
        .collect();
    assert!(
        scripts.len() >= 4,
        "expected the examples to generate bash scripts"
    );
    for (spec, a) in &scripts {
        let example = &spec.name;
        let path = write_temp(tmp.path(), example, a);
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
            text(a).starts_with("#!/usr/bin/env bash\n"),
            "{example}/{} has a shebang",
            a.path
        );
        assert_eq!(a.mode, 0o755, "{example}/{} is executable", a.path);
    }
    report("shellcheck", scripts.len(), "bash scripts, no findings");
    report("bash -n", scripts.len(), "bash scripts parsed");
}

#[test]
fn every_json_artifact_parses() {
    let json: Vec<_> = specs::artifacts()
        .filter(|(_, a)| a.path.ends_with(".json") || a.path.ends_with(".conflist"))
        .collect();
    assert!(!json.is_empty());
    for (spec, a) in &json {
        let example = &spec.name;
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(text(a));
        assert!(parsed.is_ok(), "{example}/{}: {:?}", a.path, parsed.err());
    }
    report("serde_json", json.len(), "JSON files parsed");
}

#[test]
fn windows_cni_configs_keep_pods_services_and_hosts_out_of_snat() {
    for (spec, a) in specs::artifacts().filter(|(_, a)| {
        a.path.ends_with("10-flannel.json") || a.path.ends_with("10-l2bridge.json")
    }) {
        let example = &spec.name;
        let v: serde_json::Value = serde_json::from_str(text(a)).unwrap();
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
    let units: Vec<_> = specs::artifacts()
        .filter(|(_, a)| a.path.ends_with("disable_hw_offloading.service"))
        .collect();
    let count = |example: &str| units.iter().filter(|(s, _)| s.name == example).count();
    assert_eq!(count("three-node"), 2, "one per Linux node of three-node");
    assert_eq!(count("calico-ha"), 6, "one per Linux node of calico-ha");
    assert_eq!(count("three-node@docker"), 2);
    for spec in specs::all() {
        let vsphere = spec.spec.contains("platform               = \"vsphere\"");
        let linux_nodes = spec
            .artifacts
            .iter()
            .filter(|a| !a.path.starts_with('_') && a.path.ends_with("/bootstrap.sh"))
            .count();
        assert_eq!(
            count(&spec.name),
            if vsphere { linux_nodes } else { 0 },
            "{}: one unit per Linux node on vSphere, none elsewhere",
            spec.name
        );
    }
    for (_, a) in units {
        assert!(
            text(a).contains("ExecStart=/usr/sbin/ethtool -K ens192 tx-udp_tnl-segmentation off\n")
        );
        assert!(text(a)
            .contains("ExecStart=/usr/sbin/ethtool -K ens192 tx-udp_tnl-csum-segmentation off\n"));
        assert!(
            text(a).contains("Type=oneshot\n") && text(a).contains("WantedBy=multi-user.target\n")
        );
        assert_eq!(a.mode, 0o644);
    }
}

/// The API groups and kinds kubeadm and the API server accept, by Kubernetes minor
/// release: `(apiVersion, kinds, first minor, first minor without it)`. The CRD groups
/// are served once Calico's operator manifest (which bootstrap.sh applies first) is in.
const ACCEPTED: &[(&str, &[&str], u32, Option<u32>)] = &[
    (
        "v1",
        &[
            "ConfigMap",
            "Namespace",
            "Service",
            "ServiceAccount",
            "Secret",
        ],
        0,
        None,
    ),
    ("apps/v1", &["DaemonSet", "Deployment"], 9, None),
    (
        "rbac.authorization.k8s.io/v1",
        &["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
        8,
        None,
    ),
    ("node.k8s.io/v1", &["RuntimeClass"], 20, None),
    // kubeadm's config API: v1beta3 from 1.22, v1beta4 from 1.31 (v1beta3 then deprecated).
    (
        "kubeadm.k8s.io/v1beta3",
        &[
            "InitConfiguration",
            "ClusterConfiguration",
            "JoinConfiguration",
        ],
        22,
        None,
    ),
    (
        "kubeadm.k8s.io/v1beta4",
        &[
            "InitConfiguration",
            "ClusterConfiguration",
            "JoinConfiguration",
        ],
        31,
        None,
    ),
    (
        "kubelet.config.k8s.io/v1beta1",
        &["KubeletConfiguration"],
        10,
        None,
    ),
    (
        "kubeproxy.config.k8s.io/v1alpha1",
        &["KubeProxyConfiguration"],
        10,
        None,
    ),
    (
        "operator.tigera.io/v1",
        &["Installation", "APIServer"],
        0,
        None,
    ),
    (
        "crd.projectcalico.org/v1",
        &["FelixConfiguration", "IPAMConfig", "IPPool"],
        0,
        None,
    ),
];

/// Why `apiVersion`/`kind` is not accepted at Kubernetes 1.`minor`, if it is not.
fn refused(api_version: &str, kind: &str, minor: u32) -> Option<String> {
    let Some((_, kinds, from, until)) = ACCEPTED.iter().find(|(v, ..)| *v == api_version) else {
        return Some(format!(
            "apiVersion {api_version} is not one kubeadm or Kubernetes serves"
        ));
    };
    if !kinds.contains(&kind) {
        return Some(format!("{api_version} has no kind {kind}"));
    }
    if minor < *from || until.is_some_and(|u| minor >= u) {
        return Some(format!(
            "{api_version} is not served by Kubernetes 1.{minor}"
        ));
    }
    None
}

#[test]
fn every_yaml_document_has_an_api_version_and_kind_its_kubernetes_accepts() {
    let yaml: Vec<_> = specs::artifacts()
        .filter(|(_, a)| a.path.ends_with(".yaml") || a.path.ends_with(".yml"))
        .collect();
    assert!(!yaml.is_empty());
    let mut documents = 0;
    let mut failures = Vec::new();
    for (spec, a) in &yaml {
        let minor: u32 = spec
            .kubernetes_version
            .split('.')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let docs = yaml_rust2::YamlLoader::load_from_str(text(a))
            .unwrap_or_else(|e| panic!("{}/{}: {e}", spec.name, a.path));
        assert!(!docs.is_empty(), "{}/{}", spec.name, a.path);
        for doc in docs {
            documents += 1;
            let (Some(api_version), Some(kind)) =
                (doc["apiVersion"].as_str(), doc["kind"].as_str())
            else {
                failures.push(format!(
                    "{}/{}: a document without apiVersion and kind",
                    spec.name, a.path
                ));
                continue;
            };
            if let Some(why) = refused(api_version, kind, minor) {
                failures.push(format!(
                    "{}/{} (Kubernetes {}): {why}",
                    spec.name, a.path, spec.kubernetes_version
                ));
            }
            // kubeadm picks its config API by release: v1beta4 from 1.31.
            if api_version.starts_with("kubeadm.k8s.io/") {
                let want = if minor >= 31 {
                    "kubeadm.k8s.io/v1beta4"
                } else {
                    "kubeadm.k8s.io/v1beta3"
                };
                if api_version != want {
                    failures.push(format!(
                        "{}/{}: {api_version} at Kubernetes {}, expected {want}",
                        spec.name, a.path, spec.kubernetes_version
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    report(
        "yaml-rust2 + apiVersion/kind",
        yaml.len(),
        &format!("YAML files, {documents} documents accepted by their Kubernetes version"),
    );
}

#[test]
fn an_api_version_kubernetes_does_not_serve_is_refused() {
    assert!(refused("kubeadm.k8s.io/v1beta4", "InitConfiguration", 30).is_some());
    assert!(refused("kubeadm.k8s.io/v1beta4", "InitConfiguration", 31).is_none());
    assert!(refused("extensions/v1beta1", "DaemonSet", 30).is_some());
    assert!(refused("apps/v1", "Daemonset", 30).is_some());
}

#[test]
fn each_windows_release_gets_an_iis_sample_with_its_own_image_tag() {
    let samples: Vec<_> = specs::artifacts()
        .filter(|(s, a)| s.name == "host-gw" && a.path.starts_with("_cluster/workloads/"))
        .map(|(_, a)| a)
        .collect();
    let paths: Vec<&str> = samples.iter().map(|a| a.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "_cluster/workloads/iis-ltsc2022.yaml",
            "_cluster/workloads/iis-ltsc2025.yaml"
        ]
    );
    // microsoft/iis-docker README: windowsservercore-ltsc2025 for Windows Server 2025.
    for (a, tag, build) in [
        (&samples[0], "ltsc2022", "10.0.20348"),
        (&samples[1], "ltsc2025", "10.0.26100"),
    ] {
        assert!(text(a).contains(&format!(
            "image: \"mcr.microsoft.com/windows/servercore/iis:windowsservercore-{tag}\""
        )));
        assert!(text(a).contains("kubernetes.io/os: windows\n"));
        assert!(text(a).contains(&format!("node.kubernetes.io/windows-build: \"{build}\"")));
    }
}

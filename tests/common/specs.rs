//! Every spec the checker tests compile: each example under `examples/`, and the test
//! specs derived from them (other clouds, the Docker runtime, the ends of the supported
//! Kubernetes range, a state with removed nodes so the cleanup scripts are generated).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kubeplan::render::Artifact;
use kubeplan::spec::VarInputs;
use kubeplan::state::{NodeRecord, State};

/// A `releases` block accepting unchecked every file the matrix's versions download with no
/// published checksum (KP059), for specs that vouch for no SHA-256: flanneld.exe,
/// windows-container-networking's archive, Docker and cri-dockerd, Open vSwitch.
pub const ACCEPT_UNCHECKED: &str = r#"  releases {
    flannel {
      unverified = ["flanneld.exe"]
    }
    windows_cni {
      unverified = ["windows-container-networking-cni-amd64-v0.3.1.zip"]
    }
    cri_dockerd {
      unverified = ["cri-dockerd-0.4.3.win.amd64.zip", "cri-dockerd-0.4.3.amd64.tgz"]
    }
    docker {
      unverified = ["docker-28.5.2.zip"]
    }
    openvswitch {
      unverified = ["openvswitch-hyperv-2.7.0-certified.msi", "ovn_cni.exe"]
    }
  }
"#;
/// One compiled spec.
pub struct Compiled {
    /// The example's name, or `example@variant` for a test spec.
    pub name: String,
    /// The spec's `main.hcl`.
    pub spec: String,
    /// `MAJOR.MINOR.PATCH` of the cluster.
    pub kubernetes_version: String,
    pub artifacts: Vec<Artifact>,
}

pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// The examples' names, sorted.
pub fn example_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(examples_dir())
        .expect("examples/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.join("main.hcl").is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

pub fn example_spec(name: &str) -> String {
    std::fs::read_to_string(examples_dir().join(name).join("main.hcl")).expect("example spec")
}

/// The mirror block of the `@mirror` variants (docs/spec.md#mirror).
pub const MIRROR: &str = r#"  mirror {
    kubernetes_binaries = "https://mirror.corp.example/dl-k8s"
    kubernetes_packages = "https://mirror.corp.example/pkgs-k8s"
    github_releases     = "https://mirror.corp.example/github"
    docker_downloads    = "https://mirror.corp.example/docker"
    container_registry  = "registry.corp.example"
  }
"#;

/// Every example and test spec, compiled once per test binary.
pub fn all() -> &'static [Compiled] {
    static ALL: OnceLock<Vec<Compiled>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all: Vec<Compiled> = example_names()
            .into_iter()
            .map(|name| {
                let spec = example_spec(&name);
                compile(name, spec, &VarInputs::default(), None)
            })
            .collect();
        for (name, spec, inputs) in variants() {
            all.push(compile(name, spec, &inputs, None));
        }
        for example in ["three-node", "host-gw", "gce-host-gw", "calico-ha", "ovn"] {
            all.push(with_removed_nodes(example));
        }
        all
    })
}

/// Every artifact of every spec, with the spec's name.
pub fn artifacts() -> impl Iterator<Item = (&'static Compiled, &'static Artifact)> {
    all()
        .iter()
        .flat_map(|c| c.artifacts.iter().map(move |a| (c, a)))
}

/// Compiles `spec` as the `main.hcl` of a temporary directory.
pub fn compile(name: String, spec: String, inputs: &VarInputs, prior: Option<&State>) -> Compiled {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("main.hcl"), &spec).expect("write spec");
    let compiled = kubeplan::compile(dir.path(), inputs, prior).expect("renders");
    let Some(out) = compiled.output else {
        panic!("{name} does not validate: {:?}", compiled.diagnostics);
    };
    Compiled {
        kubernetes_version: out.cluster.kubernetes_version.to_string(),
        name,
        spec,
        artifacts: out.artifacts,
    }
}

/// The test specs: the GCE example moved to AWS and Azure, so each cloud's network
/// script is generated; three-node on Docker (vxlan and host-gw), and with a node named
/// `cp`; three-node at the
/// oldest supported Kubernetes, at the first release of kubeadm's v1beta4 API and at a
/// recent release.
pub fn variants() -> Vec<(String, String, VarInputs)> {
    let gce = example_spec("gce-host-gw");
    let aws = gce
        .replace("\"gce\"", "\"aws\"")
        .replace("  cloud {\n    network = \"kubeplan-vpc\"\n  }\n", "")
        .replace("\"gce-win-2022-a\"", "\"i-0abc123def4567890\"");
    let azure = gce.replace("\"gce\"", "\"azure\"").replace(
        "    network = \"kubeplan-vpc\"\n",
        "    resource_group  = \"rg-k8s\"\n    virtual_network = \"vnet-k8s\"\n    subnet          = \"nodes\"\n",
    );
    let three_node = example_spec("three-node");
    // Docker and cri-dockerd publish no checksums: the variant accepts them unchecked (KP059).
    let docker = three_node.replace("\"containerd\"", "\"docker\"").replace(
        "    windows_cni {\n",
        "    cri_dockerd {\n      unverified = [\"cri-dockerd-0.4.3.win.amd64.zip\", \"cri-dockerd-0.4.3.amd64.tgz\"]\n    }\n    docker {\n      unverified = [\"docker-28.5.2.zip\"]\n    }\n    windows_cni {\n",
    );
    let docker_host_gw = docker.replace("\"vxlan\"", "\"host-gw\"");
    // An air-gapped site: every kind of download and image from its own store.
    let with_mirror =
        |spec: &str| spec.replacen("  releases {\n", &format!("{MIRROR}\n  releases {{\n"), 1);
    let mirror = with_mirror(&three_node);
    let calico_mirror = with_mirror(&example_spec("calico-ha"));
    // A node named after a command: `NODE_NAME=cp` reads to shellcheck as a command's
    // output forgotten (SC2209) unless the value is quoted.
    let command_name = three_node.replace("\"worker-1\"", "\"cp\"");
    // Windows Server 2019, which Kubernetes 1.35 still runs (warned): the KB4489899 check
    // of flannel VXLAN on 2019.
    let ltsc2019 = three_node.replace("\"ltsc2022\"", "\"ltsc2019\"");
    // containerd 1.7 pinned: its config version 2 layout (1.35 is the last minor on 1.x).
    let containerd_1_7 = three_node.replacen(
        "  releases {\n",
        "  releases {\n    containerd {\n      version = \"1.7.28\"\n    }\n",
        1,
    );
    let version = |v: &str| VarInputs {
        vars: vec![format!("k8s_version={v}")],
        ..VarInputs::default()
    };
    let none = VarInputs::default;
    vec![
        ("gce-host-gw@aws".into(), aws, none()),
        ("gce-host-gw@azure".into(), azure, none()),
        ("three-node@docker".into(), docker, none()),
        ("three-node@mirror".into(), mirror, none()),
        ("calico-ha@mirror".into(), calico_mirror, none()),
        ("three-node@docker-host-gw".into(), docker_host_gw, none()),
        ("three-node@command-name".into(), command_name, none()),
        ("three-node@ltsc2019".into(), ltsc2019, none()),
        ("three-node@containerd-1.7".into(), containerd_1_7, none()),
        (
            "three-node@1.24.0".into(),
            three_node.clone(),
            version("1.24.0"),
        ),
        (
            "three-node@1.31.0".into(),
            three_node.clone(),
            version("1.31.0"),
        ),
        (
            "three-node@1.34.1".into(),
            three_node.clone(),
            version("1.34.1"),
        ),
        ("three-node@1.37.0".into(), three_node, version("1.37.0")),
    ]
}

/// An example whose last apply knew two more nodes, one Linux and one Windows: the
/// compile writes their cleanup scripts.
fn with_removed_nodes(example: &str) -> Compiled {
    let spec = example_spec(example);
    let first = compile(example.into(), spec.clone(), &VarInputs::default(), None);
    let mut nodes: BTreeMap<String, NodeRecord> = BTreeMap::new();
    for (name, os, address) in [
        ("gone-linux", "linux", "10.0.0.250"),
        ("gone-win", "windows", "10.0.0.251"),
    ] {
        nodes.insert(
            name.into(),
            NodeRecord {
                os: os.into(),
                address: address.into(),
                pod_cidr: None,
                inputs: None,
                facts: None,
            },
        );
    }
    let prior = State {
        format_version: kubeplan::state::FORMAT_VERSION,
        lineage: "test".into(),
        cluster: None,
        serial: 1,
        spec_hash: String::new(),
        artifacts: BTreeMap::new(),
        windows_support: Some(true),
        nodes,
        removed_nodes: BTreeMap::new(),
        facts: None,
        checksum: None,
    };
    let compiled = compile(
        format!("{example}@removed"),
        spec,
        &VarInputs::default(),
        Some(&prior),
    );
    assert!(
        compiled.artifacts.len() > first.artifacts.len(),
        "{example}: the removed nodes get cleanup scripts"
    );
    compiled
}

/// Writes `a` into `dir` under a flat name that keeps its extension.
pub fn write_temp(dir: &Path, spec: &str, a: &Artifact) -> PathBuf {
    let path = dir.join(format!(
        "{}__{}",
        spec.replace('@', "_"),
        a.path.replace('/', "__")
    ));
    std::fs::write(&path, super::text(a)).expect("write artifact");
    path
}

/// Fails with the install command when `tool --version` does not run.
pub fn require(tool: &str, install: &str) {
    let found = std::process::Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{tool} is not installed; install it with: {install} (scripts/test.sh does this)"
    );
}

/// Records how many artifacts a checker saw, for the summary `scripts/test.sh` prints.
pub fn report(checker: &str, count: usize, what: &str) {
    eprintln!("{checker}: {count} {what}");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("checks");
    std::fs::create_dir_all(&dir).expect("checks dir");
    std::fs::write(
        dir.join(format!("{}.txt", checker.replace([' ', '/'], "_"))),
        format!("{checker}: {count} {what}\n"),
    )
    .expect("write check count");
}

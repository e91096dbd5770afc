//! One case per diagnostic code: a small change to a small cluster spec written here
//! ([`BASE`]), the code it must raise, and where the diagnostic must point: the first
//! place the given text occurs in the changed spec, so that a case names what it points
//! at instead of a line and column.

mod common;

use common::{line_col as at, line_col_after as at_after, three_node_spec, SpecDir};
use kubeplan::diagnostic::{Code, Severity};
use kubeplan::spec::VarInputs;

/// The spec every case changes: one Linux control plane, one Linux worker and one Windows
/// worker on vSphere with flannel VXLAN (examples/three-node as it was written; the
/// example can change without moving these cases).
const BASE: &str = r#"variable "k8s_version" {
  description = "The Kubernetes release every node installs"
  default     = "1.35.8"
}

cluster "demo" {
  kubernetes_version     = var.k8s_version
  container_runtime      = "containerd"
  control_plane_endpoint = "10.0.0.10:6443"
  platform               = "vsphere"

  # Test hashes the spec vouches for: the two files whose publishers release no checksum.
  releases {
    flannel {
      sha256 = { "flanneld.exe" = "1111111111111111111111111111111111111111111111111111111111111111" }
    }
    windows_cni {
      sha256 = { "windows-container-networking-cni-amd64-v0.3.1.zip" = "2222222222222222222222222222222222222222222222222222222222222222" }
    }
  }

  network {
    plugin       = "flannel"
    mode         = "vxlan"
    cluster_cidr = "10.244.0.0/16"
    service_cidr = "10.96.0.0/12"

    vxlan {
      vni  = 4096
      port = 4789
    }
  }
}

node "cp-1" {
  os        = "linux"
  distro    = "ubuntu-22.04"
  roles     = ["controlplane", "etcd", "worker"]
  address   = "10.0.0.10"
  interface = "ens192"
}

node "worker-1" {
  os        = "linux"
  distro    = "ubuntu-22.04"
  roles     = ["worker"]
  address   = "10.0.0.11"
  interface = "ens192"
}

node "win-1" {
  os              = "windows"
  windows_version = "ltsc2022"
  roles           = ["worker"]
  address         = "10.0.0.21"
  interface       = "Ethernet0"
}
"#;

/// Diagnostics of a spec as (code, severity, "line:column" or "-").
fn diagnostics(text: &str) -> Vec<(Code, Severity, String)> {
    let spec = SpecDir::new(text);
    let compiled = kubeplan::compile(spec.path(), &VarInputs::default(), None).expect("renders");
    compiled
        .diagnostics
        .0
        .iter()
        .map(|d| {
            let at = d.span.as_ref().map_or("-".to_owned(), |s| {
                let p = compiled.sources.position(s);
                format!("{}:{}", p.line, p.column)
            });
            (d.code, d.severity, at)
        })
        .collect()
}

/// The spec with `from` (which must occur) replaced by `to`, once.
fn edit(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "the base spec holds {from:?}");
    BASE.replacen(from, to, 1)
}

/// The messages and hints of the diagnostics with `code`, one line each.
fn said(text: &str, code: Code) -> String {
    let spec = SpecDir::new(text);
    let compiled = kubeplan::compile(spec.path(), &VarInputs::default(), None).expect("renders");
    compiled
        .diagnostics
        .0
        .iter()
        .filter(|d| d.code == code)
        .map(|d| format!("{} ({})\n", d.message, d.help.as_deref().unwrap_or("")))
        .collect()
}

/// Asserts a diagnostic `code` at the first `needle` in `text` ("-": one without a place).
#[track_caller]
fn expect(text: &str, code: Code, needle: &str) {
    let want = if needle == "-" {
        "-".to_owned()
    } else {
        at(text, needle)
    };
    let found = diagnostics(text);
    assert!(
        found.iter().any(|(c, _, a)| *c == code && *a == want),
        "expected {} at {needle:?} ({want}), got {found:?}",
        code.as_str()
    );
}

#[test]
fn the_examples_raise_nothing() {
    assert_eq!(diagnostics(&three_node_spec()), vec![]);
}

#[test]
fn kp001_syntax() {
    expect(
        &edit("node \"cp-1\" {", "node \"cp-1\" {{"),
        Code::Syntax,
        "{\n  os",
    );
}

#[test]
fn kp002_unknown_attribute_lists_the_valid_ones() {
    expect(
        &edit(
            "  interface = \"ens192\"\n}",
            "  interface = \"ens192\"\n  hostname = \"x\"\n}",
        ),
        Code::UnknownAttribute,
        "hostname",
    );
}

#[test]
fn kp003_unknown_block() {
    expect(
        &edit("    vxlan {", "    geneve {"),
        Code::UnknownBlock,
        "geneve",
    );
}

#[test]
fn kp004_wrong_type() {
    expect(
        &edit("roles     = [\"worker\"]", "roles     = \"worker\""),
        Code::WrongType,
        "\"worker\"\n",
    );
    expect(
        &edit("vni  = 4096", "vni  = \"lots\""),
        Code::WrongType,
        "\"lots\"",
    );
}

#[test]
fn kp005_missing_attribute() {
    expect(
        &edit("  address   = \"10.0.0.11\"\n", ""),
        Code::MissingAttribute,
        "node \"worker-1\"",
    );
}

#[test]
fn kp006_invalid_keyword() {
    expect(
        &edit(
            "platform               = \"vsphere\"",
            "platform               = \"openstack\"",
        ),
        Code::InvalidValue,
        "\"openstack\"",
    );
}

#[test]
fn kp007_duplicate_block_and_variable() {
    expect(
        &edit("    vxlan {", "    vxlan {}\n    vxlan {"),
        Code::Duplicate,
        "vxlan {\n",
    );
    expect(
        &edit(
            "cluster \"demo\"",
            "variable \"k8s_version\" {}\n\ncluster \"demo\"",
        ),
        Code::Duplicate,
        "\"k8s_version\" {}",
    );
}

#[test]
fn an_attribute_set_twice_is_a_syntax_error() {
    expect(
        &edit(
            "  os        = \"linux\"\n  distro",
            "  os        = \"linux\"\n  os        = \"linux\"\n  distro",
        ),
        Code::Syntax,
        "os        = \"linux\"\n  distro",
    );
}

#[test]
fn kp008_undefined_variable() {
    expect(
        &edit("var.k8s_version", "var.k8s"),
        Code::Evaluation,
        "var.k8s",
    );
}

#[test]
fn kp009_variable_without_value() {
    expect(
        &edit("  default     = \"1.35.8\"\n", ""),
        Code::VariableValue,
        "\"k8s_version\"",
    );
}

#[test]
fn kp011_exactly_one_cluster() {
    let text = BASE.to_owned();
    let start = text.find("cluster \"demo\"").unwrap();
    let end = text.find("node \"cp-1\"").unwrap();
    let without = format!("{}{}", &text[..start], &text[end..]);
    expect(&without, Code::ClusterBlock, "-");
}

#[test]
fn kp012_windows_is_worker_only() {
    expect(
        &edit(
            "roles           = [\"worker\"]",
            "roles           = [\"worker\", \"etcd\"]",
        ),
        Code::WindowsRole,
        "\"etcd\"]",
    );
}

#[test]
fn kp013_a_linux_control_plane_with_etcd() {
    expect(
        &edit(
            "roles     = [\"controlplane\", \"etcd\", \"worker\"]",
            "roles     = [\"worker\"]",
        ),
        Code::NoControlPlane,
        "\"demo\"",
    );
}

#[test]
fn kp014_a_linux_worker() {
    let text = edit(
        "roles     = [\"controlplane\", \"etcd\", \"worker\"]",
        "roles     = [\"controlplane\", \"etcd\"]",
    );
    let text = text.replacen(
        "node \"worker-1\" {\n  os        = \"linux\"",
        "node \"worker-1\" {\n  os        = \"windows\"\n  windows_version = \"ltsc2022\"",
        1,
    );
    let text = text.replacen(
        "  distro    = \"ubuntu-22.04\"\n  roles     = [\"worker\"]",
        "  roles     = [\"worker\"]",
        1,
    );
    expect(&text, Code::NoLinuxWorker, "\"demo\"");
}

#[test]
fn kp015_unknown_windows_version_lists_the_known_ones() {
    expect(
        &edit(
            "windows_version = \"ltsc2022\"",
            "windows_version = \"2012r2\"",
        ),
        Code::WindowsVersion,
        "\"2012r2\"",
    );
}

#[test]
fn kp016_vxlan_vni_must_be_4096_with_windows() {
    expect(
        &edit("vni  = 4096", "vni  = 1"),
        Code::VxlanVni,
        "1\n      port",
    );
}

#[test]
fn kp017_vxlan_port_must_be_4789_with_windows() {
    expect(&edit("port = 4789", "port = 8472"), Code::VxlanPort, "8472");
}

#[test]
fn vxlan_values_are_free_without_windows_support() {
    let text = BASE.to_owned();
    let linux_only = text
        .split("node \"win-1\"")
        .next()
        .unwrap()
        .replace("vni  = 4096", "vni  = 1");
    // Windows support is on by default, so it can be used later: the VNI must fit it.
    assert!(diagnostics(&linux_only)
        .iter()
        .any(|(c, _, _)| *c == Code::VxlanVni));
    let opted_out = linux_only.replace(
        "platform               = \"vsphere\"",
        "platform               = \"vsphere\"\n  windows_support        = false",
    );
    assert_eq!(diagnostics(&opted_out), vec![]);
}

#[test]
fn kp018_cidr_syntax_and_host_bits() {
    expect(
        &edit("\"10.244.0.0/16\"", "\"10.244.0.0/33\""),
        Code::CidrSyntax,
        "\"10.244.0.0/33\"",
    );
    expect(
        &edit("\"10.244.0.0/16\"", "\"10.244.1.0/16\""),
        Code::CidrSyntax,
        "\"10.244.1.0/16\"",
    );
}

#[test]
fn kp019_overlapping_cidrs() {
    expect(
        &edit(
            "service_cidr = \"10.96.0.0/12\"",
            "service_cidr = \"10.240.0.0/12\"",
        ),
        Code::CidrOverlap,
        "\"10.240.0.0/12\"",
    );
}

#[test]
fn kp020_address_inside_a_cidr() {
    expect(
        &edit(
            "address         = \"10.0.0.21\"",
            "address         = \"10.244.3.4\"",
        ),
        Code::AddressInCidr,
        "\"10.244.3.4\"",
    );
}

#[test]
fn kp021_duplicate_names_and_addresses() {
    expect(
        &edit("node \"worker-1\"", "node \"cp-1\""),
        Code::DuplicateNode,
        "\"cp-1\" {\n  os        = \"linux\"\n  distro    = \"ubuntu-22.04\"\n  roles     = [\"w",
    );
    expect(
        &edit(
            "address         = \"10.0.0.21\"",
            "address         = \"10.0.0.11\"",
        ),
        Code::DuplicateNode,
        "\"10.0.0.11\"\n  interface  ",
    );
}

#[test]
fn kp022_node_names_are_dns_labels() {
    expect(
        &edit("node \"worker-1\"", "node \"worker_1\""),
        Code::NodeName,
        "\"worker_1\"",
    );
}

#[test]
fn kp023_interface_names() {
    expect(
        &edit(
            "interface = \"ens192\"\n}\n\nnode \"worker-1\"",
            "interface = \"ens192; reboot\"\n}\n\nnode \"worker-1\"",
        ),
        Code::InterfaceName,
        "\"ens192;",
    );
    expect(
        &edit(
            "interface       = \"Ethernet0\"",
            "interface       = \"Ethernet'0\"",
        ),
        Code::InterfaceName,
        "\"Ethernet'0\"",
    );
    // A leading dash would read as an option to ethtool or ip.
    expect(
        &edit(
            "interface = \"ens192\"\n}\n\nnode \"worker-1\"",
            "interface = \"-ens192\"\n}\n\nnode \"worker-1\"",
        ),
        Code::InterfaceName,
        "\"-ens192\"",
    );
    let fine = edit(
        "interface       = \"Ethernet0\"",
        "interface       = \"vEthernet (Ethernet 2)\"",
    );
    assert_eq!(diagnostics(&fine), vec![]);
}

#[test]
fn kp024_os_attributes() {
    expect(
        &edit(
            "  distro    = \"ubuntu-22.04\"\n  roles     = [\"worker\"]",
            "  roles     = [\"worker\"]",
        ),
        Code::OsAttributes,
        "\"worker-1\"",
    );
    expect(
        &edit(
            "windows_version = \"ltsc2022\"",
            "windows_version = \"ltsc2022\"\n  distro = \"ubuntu-22.04\"",
        ),
        Code::OsAttributes,
        "\"ubuntu-22.04\"\n  roles      ",
    );
}

#[test]
fn kp025_kubernetes_version() {
    let version = |v: &str| {
        edit(
            "default     = \"1.35.8\"",
            &format!("default     = \"{v}\""),
        )
    };
    expect(
        &version("latest"),
        Code::KubernetesVersion,
        "var.k8s_version",
    );
    // No such release: refused with every release the matrix knows.
    let unknown = version("1.40.0");
    expect(&unknown, Code::KubernetesVersion, "var.k8s_version");
    let refusal = said(&unknown, Code::KubernetesVersion);
    assert!(
        refusal.contains("Kubernetes 1.40.0 is not a release kubeplan knows"),
        "{refusal}"
    );
    assert!(
        refusal.contains("1.24.0–1.24.17") && refusal.contains("1.35.0–1.35.8"),
        "{refusal}"
    );
    expect(
        &version("1.23.9"),
        Code::KubernetesVersion,
        "var.k8s_version",
    );
    // A patch newer than the matrix's newest: refused, unless the spec says to accept it.
    let newer = version("1.35.99");
    expect(&newer, Code::KubernetesVersion, "var.k8s_version");
    assert!(said(&newer, Code::KubernetesVersion).contains("allow_newer_patch = true"));
    let allowed = newer.replacen(
        "  releases {\n",
        "  releases {\n    allow_newer_patch = true\n",
        1,
    );
    assert_eq!(diagnostics(&allowed), vec![]);
}

#[test]
fn kp055_an_end_of_life_minor_warns_with_its_date() {
    // 1.33 reached end of life on 2026-06-28, a day that stays in the past.
    let spec = edit("default     = \"1.35.8\"", "default     = \"1.33.13\"");
    let found = diagnostics(&spec);
    assert!(
        found.contains(&(
            Code::EndOfLife,
            Severity::Warning,
            at(&spec, "var.k8s_version")
        )),
        "{found:?}"
    );
    assert!(
        said(&spec, Code::EndOfLife).contains("Kubernetes 1.33 reached end of life on 2026-06-28")
    );
    assert!(
        found.iter().all(|(_, s, _)| *s == Severity::Warning),
        "{found:?}"
    );
}

#[test]
fn kp056_containerd_the_minor_does_not_run_on_is_refused() {
    let pin = |k8s: &str, containerd: &str| {
        edit(
            "default     = \"1.35.8\"",
            &format!("default     = \"{k8s}\""),
        )
        .replacen(
            "  releases {\n",
            &format!(
                "  releases {{\n    containerd {{\n      version = \"{containerd}\"\n    }}\n"
            ),
            1,
        )
    };
    // containerd's RELEASES.md: 1.36 needs 2.3.0+ or 2.2.0+; 1.35 runs on 1.7.28+ but no 2.0.
    let old = pin("1.36.4", "1.7.22");
    expect(&old, Code::ComponentVersion, "\"1.7.22\"");
    // Linux nodes take their distribution's containerd, which kubeplan cannot check: from
    // 1.36, which needs containerd 2, a warning says so.
    let linux = diagnostics(&pin("1.36.4", "2.3.4"));
    assert_eq!(
        linux,
        vec![(
            Code::ComponentVersion,
            Severity::Warning,
            at(&old, "var.k8s_version")
        )]
    );
    assert!(said(&old, Code::ComponentVersion).contains("2.3.0+ or 2.2.0+"));
    expect(
        &pin("1.35.8", "2.0.11"),
        Code::ComponentVersion,
        "\"2.0.11\"",
    );
    assert_eq!(diagnostics(&pin("1.35.8", "1.7.28")), vec![]);
    assert!(diagnostics(&pin("1.36.4", "2.2.7"))
        .iter()
        .all(|(_, s, _)| *s == Severity::Warning));
    // A pin that is not a release tag never reaches a URL.
    expect(
        &pin("1.35.8", "2.3.4/../x"),
        Code::InvalidValue,
        "\"2.3.4/../x\"",
    );
}

#[test]
fn kp057_a_distribution_that_boots_cgroup_v1_is_refused_from_1_35() {
    let distro = |k8s: &str, d: &str| {
        edit(
            "default     = \"1.35.8\"",
            &format!("default     = \"{k8s}\""),
        )
        .replacen(
            "distro    = \"ubuntu-22.04\"",
            &format!("distro    = \"{d}\""),
            1,
        )
    };
    let spec = distro("1.35.8", "ubuntu-20.04");
    expect(&spec, Code::NodeRequirement, "\"ubuntu-20.04\"");
    assert!(said(&spec, Code::NodeRequirement).contains("cgroup v2"));
    expect(
        &distro("1.36.4", "rocky-8.10"),
        Code::NodeRequirement,
        "\"rocky-8.10\"",
    );
    // Before 1.35 the kubelet still starts on cgroup v1.
    assert!(!diagnostics(&distro("1.34.11", "ubuntu-20.04"))
        .iter()
        .any(|(c, _, _)| *c == Code::NodeRequirement));
    // A family the matrix does not know the default of is a warning.
    let sles = distro("1.35.8", "sles-15-sp6");
    assert!(diagnostics(&sles).contains(&(
        Code::NodeRequirement,
        Severity::Warning,
        at(&sles, "\"sles-15-sp6\"")
    )));
}

#[test]
fn kp026_endpoint() {
    expect(
        &edit("\"10.0.0.10:6443\"", "\"10.0.0.10\""),
        Code::Endpoint,
        "\"10.0.0.10\"",
    );
}

#[test]
fn kp027_ca_cert_hash() {
    expect(
        &edit(
            "  }\n}\n\nnode \"cp-1\"",
            "  }\n  join {\n    ca_cert_hash = \"sha256:abc\"\n  }\n}\n\nnode \"cp-1\"",
        ),
        Code::CaCertHash,
        "\"sha256:abc\"",
    );
}

/// The base spec's hash for flanneld.exe.
const FLANNEL_PIN: &str = r#"    flannel {
      sha256 = { "flanneld.exe" = "1111111111111111111111111111111111111111111111111111111111111111" }
    }
"#;

/// What an OVN cluster with Docker on Windows accepts unverified.
const OVN_ACKS: &str = r#"    cri_dockerd {
      unverified = ["cri-dockerd-0.4.3.win.amd64.zip", "cri-dockerd-0.4.3.amd64.tgz"]
    }
    docker {
      unverified = ["docker-28.5.2.zip"]
    }
    openvswitch {
      unverified = ["openvswitch-hyperv-2.7.0-certified.msi", "ovn_cni.exe"]
    }
"#;

#[test]
fn kp059_every_download_is_verified_or_accepted_unverified_by_name() {
    // No hash for flanneld.exe: its publisher releases none, so validate refuses it where
    // the spec would vouch for it, the cluster's name when it has no flannel block.
    let bare = edit(FLANNEL_PIN, "");
    expect(&bare, Code::UnverifiedDownload, "\"demo\"");
    let reason = said(&bare, Code::UnverifiedDownload);
    assert!(reason.contains("nothing verifies flanneld.exe (https://github.com/flannel-io/flannel/releases/download/v"), "{reason}");
    assert!(
        reason.contains("flannel { unverified = [\"flanneld.exe\"] }"),
        "{reason}"
    );
    let other = edit(
        FLANNEL_PIN,
        "    flannel {\n      version = \"0.28.9\"\n    }\n",
    );
    expect(&other, Code::UnverifiedDownload, "flannel {");
    // Accepted by name: nothing to say here (downloads.tsv and the node say it).
    let accepted = edit(
        FLANNEL_PIN,
        "    flannel {\n      unverified = [\"flanneld.exe\"]\n    }\n",
    );
    assert_eq!(diagnostics(&accepted), vec![]);
    // An entry naming a file no node downloads does nothing, and is said to.
    let stale = edit("\"flanneld.exe\" =", "\"flanneld-amd64\" =");
    let found = diagnostics(&stale);
    assert!(
        found.contains(&(
            Code::UnverifiedDownload,
            Severity::Error,
            at(&stale, "flannel {")
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            Code::UnverifiedDownload,
            Severity::Warning,
            at(&stale, "flannel {")
        )),
        "{found:?}"
    );
    assert!(said(&stale, Code::UnverifiedDownload)
        .contains("the files of flannel it downloads: flanneld.exe"));
    let typo = edit(
        FLANNEL_PIN,
        "    flannel {\n      unverified = [\"flanneld.exe\", \"flanneld\"]\n    }\n",
    );
    assert_eq!(
        diagnostics(&typo),
        vec![(
            Code::UnverifiedDownload,
            Severity::Warning,
            at(&typo, "\"flanneld\"")
        )]
    );
}

#[test]
fn kp049_ovn_with_windows_nodes() {
    // OVN's Windows nodes download Docker, cri-dockerd and OVS, whose publishers release no
    // checksum, and no flanneld.exe.
    let ovn = |from: &str, to: &str| {
        edit("plugin       = \"flannel\"", "plugin       = \"ovn\"")
            .replacen("\"containerd\"", "\"docker\"", 1)
            .replacen(FLANNEL_PIN, OVN_ACKS, 1)
            .replacen(from, to, 1)
    };
    expect(
        &ovn("\"docker\"", "\"containerd\""),
        Code::Ovn,
        "\"containerd\"",
    );
    expect(
        &ovn("mode         = \"vxlan\"", "mode         = \"host-gw\""),
        Code::Ovn,
        "\"host-gw\"",
    );
    expect(
        &ovn("distro    = \"ubuntu-22.04\"", "distro    = \"rocky-9.4\""),
        Code::Ovn,
        "\"rocky-9.4\"",
    );
    // OVS on Windows and Docker on Windows are upstream's legacy: warned, with the reason.
    let legacy = ovn("", "");
    assert_eq!(
        diagnostics(&legacy),
        vec![
            (Code::Legacy, Severity::Warning, at(&legacy, "\"docker\"")),
            (Code::Legacy, Severity::Warning, at(&legacy, "\"ovn\"")),
        ]
    );
    let reasons = said(&legacy, Code::Legacy);
    assert!(
        reasons.contains("Docker cannot run HostProcess containers"),
        "{reasons}"
    );
    assert!(
        reasons.contains("Open vSwitch deprecated Windows in 3.7.0"),
        "{reasons}"
    );
}

#[test]
fn kp029_roles() {
    expect(
        &edit("roles     = [\"worker\"]", "roles     = []"),
        Code::Roles,
        "[]\n  address",
    );
    expect(
        &edit(
            "roles     = [\"worker\"]",
            "roles     = [\"worker\", \"worker\"]",
        ),
        Code::Roles,
        "\"worker\"]\n  address   = \"10.0.0.11\"",
    );
    expect(
        &edit(
            "roles     = [\"worker\"]",
            "roles     = [\"etcd\", \"worker\"]",
        ),
        Code::Roles,
        "[\"etcd\",",
    );
}

#[test]
fn kp030_address() {
    expect(
        &edit("address   = \"10.0.0.11\"", "address   = \"10.0.0.300\""),
        Code::Address,
        "\"10.0.0.300\"",
    );
}

#[test]
fn kp031_management_cidr() {
    expect(
        &edit(
            "service_cidr = \"10.96.0.0/12\"",
            "service_cidr = \"10.96.0.0/12\"\n    management_cidr = \"10.0.0.0/28\"",
        ),
        Code::ManagementCidr,
        "\"10.0.0.21\"",
    );
}

#[test]
fn kp032_long_windows_names_warn() {
    let text = edit("node \"win-1\"", "node \"win-with-a-long-name\"");
    let found = diagnostics(&text);
    assert_eq!(
        found,
        vec![(
            Code::WindowsHostname,
            Severity::Warning,
            at(&text, "\"win-with-a-long-name\"")
        )]
    );
}

#[test]
fn kp033_distro() {
    expect(
        &edit(
            "distro    = \"ubuntu-22.04\"",
            "distro    = \"gentoo-2.15\"",
        ),
        Code::Distro,
        "\"gentoo-2.15\"",
    );
}

#[test]
fn kp034_block_labels() {
    expect(
        &edit("node \"cp-1\" {", "node {"),
        Code::BlockLabels,
        "node {",
    );
}

#[test]
fn kp035_cluster_cidr_too_small() {
    expect(
        &edit("\"10.244.0.0/16\"", "\"10.244.0.0/23\""),
        Code::ClusterCidrSize,
        "\"10.244.0.0/23\"",
    );
}

/// A Windows pool appended to the base spec.
fn with_pool(body: &str) -> String {
    format!("{BASE}\nnode_pool \"win\" {{\n{body}}}\n")
}

const POOL: &str = "  count           = 3\n  address_range   = \"10.0.1.0/29\"\n  os              = \"windows\"\n  windows_version = \"ltsc2019\"\n  roles           = [\"worker\"]\n  interface       = \"Ethernet0\"\n";

#[test]
fn kp036_node_pool() {
    // Lines 52-53 are the pool header and its count.
    expect(
        &with_pool(&POOL.replace("count           = 3", "count           = 0")),
        Code::NodePool,
        "0\n  address_range",
    );
    expect(
        &with_pool(&POOL.replace("count           = 3", "count           = 7")),
        Code::NodePool,
        "\"10.0.1.0/29\"",
    );
    let names = kubeplan::compile(
        SpecDir::new(&with_pool(POOL)).path(),
        &VarInputs::default(),
        None,
    )
    .expect("renders")
    .output
    .expect("valid")
    .cluster
    .nodes
    .iter()
    .map(|n| format!("{}={}", n.name, n.address))
    .collect::<Vec<_>>();
    assert_eq!(
        &names[3..],
        ["win-01=10.0.1.1", "win-02=10.0.1.2", "win-03=10.0.1.3"]
    );
}

#[test]
fn kp037_labels() {
    let worker = "  interface = \"ens192\"\n}\n\nnode \"win-1\"";
    expect(
        &edit(worker, "  interface = \"ens192\"\n  labels = { \"node-role.kubernetes.io/ingress\" = \"\" }\n}\n\nnode \"win-1\""),
        Code::Labels,
        "{ \"node-role.kubernetes.io/ingress\"",
    );
    expect(
        &edit(
            worker,
            "  interface = \"ens192\"\n  labels = { tier = \"$(reboot)\" }\n}\n\nnode \"win-1\"",
        ),
        Code::Labels,
        "{ tier",
    );
}

#[test]
fn kp038_taints() {
    expect(
        &edit(
            "  interface = \"ens192\"\n}\n\nnode \"win-1\"",
            "  interface = \"ens192\"\n  taints = [\"gpu=true:NoSchedule\", \"dedicated=db:Sometimes\"]\n}\n\nnode \"win-1\"",
        ),
        Code::Taints,
        "\"dedicated=db:Sometimes\"]",
    );
}

#[test]
fn kp039_resources_below_the_minimums() {
    expect(
        &edit(
            "  interface       = \"Ethernet0\"\n}",
            "  interface       = \"Ethernet0\"\n  resources {\n    cpus    = 4\n    disk_gb = 40\n  }\n}",
        ),
        Code::Resources,
        "40\n  }",
    );
}

#[test]
fn kp040_windows_support_is_chosen_at_creation() {
    expect(
        &edit(
            "  platform               = \"vsphere\"",
            "  platform               = \"vsphere\"\n  windows_support        = false",
        ),
        Code::WindowsSupport,
        "\"windows\"",
    );
    // A state written without Windows support refuses a spec that turns it on.
    let spec = SpecDir::new(BASE);
    let mut state: kubeplan::state::State = serde_json::from_str(
        r#"{"format_version":1,"lineage":"x","serial":1,"spec_hash":"","artifacts":{},"windows_support":false}"#,
    )
    .unwrap();
    state.serial = 1;
    let compiled = kubeplan::compile(spec.path(), &VarInputs::default(), Some(&state)).unwrap();
    let d = &compiled.diagnostics.0[0];
    assert_eq!(d.code, Code::WindowsSupport);
    assert!(compiled.output.is_none());
    // At the cluster block, which does not set windows_support.
    let want = at(BASE, "cluster \"demo\"");
    let line = want.split(':').next().and_then(|l| l.parse().ok());
    assert_eq!(
        d.span.as_ref().map(|s| compiled.sources.position(s).line),
        line
    );
}

#[test]
fn kp053_a_state_of_another_cluster_is_refused() {
    let spec = SpecDir::new(BASE);
    let state = |cluster: &str| {
        let cluster = match cluster {
            "" => String::new(),
            name => format!(r#","cluster":"{name}""#),
        };
        serde_json::from_str::<kubeplan::state::State>(&format!(
            r#"{{"format_version":1,"lineage":"x","serial":1,"spec_hash":"","artifacts":{{}}{cluster}}}"#
        ))
        .unwrap()
    };
    let compile = |s: &kubeplan::state::State| {
        kubeplan::compile(spec.path(), &VarInputs::default(), Some(s)).unwrap()
    };
    let compiled = compile(&state("prod"));
    assert!(compiled.output.is_none());
    let d = &compiled.diagnostics.0[0];
    assert_eq!(d.code, Code::OtherCluster);
    assert!(
        d.message.contains("\"prod\"") && d.message.contains("\"demo\""),
        "{}",
        d.message
    );
    assert!(d.help.as_deref().unwrap_or_default().contains("--state"));
    let place = d.span.as_ref().map(|s| compiled.sources.position(s));
    assert_eq!(
        place.map(|p| format!("{}:{}", p.line, p.column)),
        Some(at(BASE, "\"demo\""))
    );
    // The same cluster, and a state written before the name was recorded, are accepted.
    assert!(compile(&state("demo")).output.is_some());
    assert!(compile(&state("")).output.is_some());
}

/// The state an apply of `text` leaves: format 5, with the facts of the cluster it built.
fn applied(text: &str) -> kubeplan::state::State {
    let spec = SpecDir::new(text);
    let compiled = kubeplan::compile(spec.path(), &VarInputs::default(), None).unwrap();
    let record = compiled.output.expect("the applied spec is valid").record;
    serde_json::from_value(serde_json::json!({
        "format_version": 5, "lineage": "x", "serial": 1, "spec_hash": "", "artifacts": {},
        "cluster": record.cluster, "facts": record.facts,
    }))
    .unwrap()
}

/// (code, "line:column", message, hint) of `text` compiled against `state`.
fn judged(text: &str, state: &kubeplan::state::State) -> Vec<(Code, String, String, String)> {
    let spec = SpecDir::new(text);
    let compiled = kubeplan::compile(spec.path(), &VarInputs::default(), Some(state)).unwrap();
    assert_eq!(
        compiled.output.is_none(),
        compiled.diagnostics.has_errors(),
        "an error stops the compile"
    );
    compiled
        .diagnostics
        .0
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| {
            let p = compiled.sources.position(d.span.as_ref().expect("located"));
            let help = d.help.clone().unwrap_or_default();
            (
                d.code,
                format!("{}:{}", p.line, p.column),
                d.message.clone(),
                help,
            )
        })
        .collect()
}

#[test]
fn kp060_what_a_running_cluster_cannot_change_is_refused_naming_the_recorded_value() {
    let state = applied(BASE);
    assert!(judged(BASE, &state).is_empty(), "the applied spec itself");
    for (from, to, needle, recorded) in [
        (
            "cluster_cidr = \"10.244.0.0/16\"",
            "cluster_cidr = \"10.245.0.0/16\"",
            "\"10.245.0.0/16\"",
            "cluster_cidr = \"10.244.0.0/16\"",
        ),
        (
            "service_cidr = \"10.96.0.0/12\"",
            "service_cidr = \"10.112.0.0/12\"",
            "\"10.112.0.0/12\"",
            "service_cidr = \"10.96.0.0/12\"",
        ),
        (
            "mode         = \"vxlan\"",
            "mode         = \"host-gw\"",
            "\"host-gw\"",
            "mode = \"vxlan\"",
        ),
        (
            "control_plane_endpoint = \"10.0.0.10:6443\"",
            "control_plane_endpoint = \"10.0.0.10:7443\"",
            "\"10.0.0.10:7443\"",
            "control_plane_endpoint = \"10.0.0.10:6443\"",
        ),
    ] {
        let text = edit(from, to);
        let found = judged(&text, &state);
        let kp060: Vec<_> = found.iter().filter(|f| f.0 == Code::LiveChange).collect();
        assert_eq!(kp060.len(), 1, "{to}: {found:?}");
        let (_, place, message, help) = kp060[0];
        assert_eq!(*place, at(&text, needle), "{to}");
        assert!(
            message.contains(recorded) && message.contains("recorded in the state"),
            "{message}"
        );
        assert!(help.contains(&format!("keep {recorded}")), "{help}");
    }
    // A state written before it kept the facts (format 4) judges nothing.
    let mut old = state.clone();
    old.facts = None;
    assert!(judged(&edit("10.244.0.0/16", "10.245.0.0/16"), &old).is_empty());
}

#[test]
fn kp061_a_skipped_minor_or_a_downgrade_is_refused() {
    let state = applied(BASE); // 1.35.8
    let version = |v: &str| {
        edit(
            "default     = \"1.35.8\"",
            &format!("default     = \"{v}\""),
        )
    };
    let place = at(BASE, "var.k8s_version");
    // The next minor, and a later patch of the same one, are upgrades kubeadm makes.
    for next in ["1.36.0", "1.36.4", "1.35.8"] {
        assert!(judged(&version(next), &state).is_empty(), "{next}");
    }
    let skip = judged(&version("1.37.0"), &state);
    assert_eq!(skip.len(), 1, "{skip:?}");
    let (code, at_, message, help) = &skip[0];
    assert_eq!((*code, at_.as_str()), (Code::UpgradeStep, place.as_str()));
    assert!(
        message.contains("1.35.8") && message.contains("skips 1.36"),
        "{message}"
    );
    assert!(help.contains("kubernetes_version = \"1.36."), "{help}");
    for down in ["1.35.7", "1.34.11"] {
        let found = judged(&version(down), &state);
        assert!(
            found.iter().any(|(c, a, m, _)| *c == Code::UpgradeStep
                && *a == place
                && m.contains("no downgrade")),
            "{down}: {found:?}"
        );
    }
}

#[test]
fn kp041_vmxnet3_fix_kept_where_the_bug_is_known() {
    expect(
        &edit(
            "  distro    = \"ubuntu-22.04\"\n  roles     = [\"worker\"]",
            "  distro    = \"rhel-8.6\"\n  vmxnet3_offload_fix = false\n  roles     = [\"worker\"]",
        ),
        Code::Vmxnet3,
        "false",
    );
}

#[test]
fn kp042_aws_dhcp_domain_name_warns() {
    let spec = edit(
        "\"vsphere\"",
        "\"aws\"\n  dhcp_domain_name = \"corp.example.com ec2.internal\"",
    );
    let found = diagnostics(&spec);
    assert!(
        found.contains(&(
            Code::DhcpDomain,
            Severity::Warning,
            at(&spec, "\"corp.example.com ec2.internal\"")
        )),
        "{found:?}"
    );
}

#[test]
fn kp043_pod_cidr() {
    let host_gw = |node: &str| {
        edit("mode         = \"vxlan\"", "mode         = \"host-gw\"").replacen(
            "  interface = \"ens192\"\n}\n\nnode \"win-1\"",
            &format!("  interface = \"ens192\"\n{node}}}\n\nnode \"win-1\""),
            1,
        )
    };
    expect(
        &host_gw("  pod_cidr = \"10.10.0.0/24\"\n"),
        Code::PodCidr,
        "\"10.10.0.0/24\"",
    );
    expect(
        &edit(
            "cluster_cidr = \"10.244.0.0/16\"",
            "cluster_cidr = \"10.244.0.0/16\"\n    node_cidr_mask = 16",
        ),
        Code::PodCidr,
        "16\n    service_cidr",
    );
    expect(
        &edit(
            "  interface = \"ens192\"\n}\n\nnode \"win-1\"",
            "  interface = \"ens192\"\n  pod_cidr = \"10.244.9.0/24\"\n}\n\nnode \"win-1\"",
        ),
        Code::PodCidr,
        "\"10.244.9.0/24\"",
    );
}

/// The base spec with a second control-plane node.
fn two_control_planes(endpoint: &str) -> String {
    edit(
        "node \"worker-1\" {",
        "node \"cp-2\" {\n  os        = \"linux\"\n  distro    = \"ubuntu-22.04\"\n  roles     = [\"controlplane\", \"etcd\"]\n  address   = \"10.0.0.12\"\n  interface = \"ens192\"\n}\n\nnode \"worker-1\" {",
    )
    .replace("\"10.0.0.10:6443\"", endpoint)
}

#[test]
fn kp044_ha_control_plane_behind_one_node() {
    expect(
        &two_control_planes("\"10.0.0.10:6443\""),
        Code::HaEndpoint,
        "\"10.0.0.10:6443\"",
    );
}

#[test]
fn kp045_even_etcd_members_warn() {
    let found = diagnostics(&two_control_planes("\"k8s.example.com:6443\""));
    assert_eq!(
        found,
        vec![(
            Code::EtcdQuorum,
            Severity::Warning,
            at(
                &two_control_planes("\"k8s.example.com:6443\""),
                "[\"controlplane\", \"etcd\"]"
            )
        )]
    );
}

#[test]
fn kp046_cloud_settings() {
    // A cloud block off the clouds.
    expect(
        &edit(
            "  platform               = \"vsphere\"",
            "  platform               = \"vsphere\"\n  cloud {\n    network = \"vpc\"\n  }",
        ),
        Code::Cloud,
        "cloud",
    );
    // An Azure attribute on GCE.
    expect(
        &edit(
            "  platform               = \"vsphere\"",
            "  platform               = \"gce\"\n  cloud {\n    resource_group = \"rg\"\n  }",
        ),
        Code::Cloud,
        "\"rg\"",
    );
    // A name gcloud would read as an option.
    expect(
        &edit(
            "  platform               = \"vsphere\"",
            "  platform               = \"gce\"\n  cloud {\n    network = \"--help\"\n  }",
        ),
        Code::Cloud,
        "\"--help\"",
    );
    // An EC2 instance id that is not one.
    expect(
        &edit("\"vsphere\"", "\"aws\"").replacen(
            "  interface = \"ens192\"\n",
            "  interface = \"ens192\"\n  instance_id = \"i-12; reboot\"\n",
            1,
        ),
        Code::Cloud,
        "\"i-12;",
    );
    // host-gw on Azure without the names its route table needs.
    expect(
        &edit("\"vsphere\"", "\"azure\"").replacen(
            "mode         = \"vxlan\"",
            "mode         = \"host-gw\"",
            1,
        ),
        Code::Cloud,
        "\"azure\"",
    );
}

#[test]
fn kp047_calico_with_windows_nodes() {
    let calico = |from: &str, to: &str| {
        edit("plugin       = \"flannel\"", "plugin       = \"calico\"").replacen(from, to, 1)
    };
    // Two Linux nodes: Typha wants three (a warning only).
    let found = diagnostics(&calico("", ""));
    assert_eq!(
        found,
        vec![(
            Code::Calico,
            Severity::Warning,
            at(&calico("", ""), "\"calico\"")
        )]
    );
    expect(
        &calico("\"containerd\"", "\"docker\""),
        Code::Calico,
        "\"docker\"",
    );
    expect(
        &calico("mode         = \"vxlan\"", "mode         = \"host-gw\""),
        Code::Calico,
        "\"host-gw\"",
    );
    // Calico for Windows lists 1809 and 2022 (tigera/docs), not 2025 (calico #11691).
    let ltsc2025 = calico(
        "windows_version = \"ltsc2022\"",
        "windows_version = \"ltsc2025\"",
    );
    expect(&ltsc2025, Code::Calico, "\"ltsc2025\"");
    assert!(said(&ltsc2025, Code::Calico).contains("does not support Windows Server ltsc2025"));
    expect(
        &calico(
            "windows_version = \"ltsc2022\"",
            "windows_version = \"20H2\"",
        ),
        Code::Calico,
        "\"20H2\"",
    );
    expect(
        &calico("default     = \"1.35.8\"", "default     = \"1.24.0\""),
        Code::Calico,
        "var.k8s_version",
    );
    expect(
        &calico(
            "cluster_cidr = \"10.244.0.0/16\"",
            "cluster_cidr = \"10.0.0.0/8\"\n    node_cidr_mask = 16",
        ),
        Code::Calico,
        "16\n    service_cidr",
    );
}

#[test]
fn kp048_windows_releases_before_1809() {
    for old in ["1803", "ltsc2016", "1709"] {
        expect(
            &edit(
                "windows_version = \"ltsc2022\"",
                &format!("windows_version = \"{old}\""),
            ),
            Code::WindowsRelease,
            &format!("\"{old}\""),
        );
    }
}

/// The matrix judges Windows Server 2019 and 20H2 per minor: listed up to 1.34; from 1.35
/// (kubernetes/website PR #53724) 2019 is warned and 20H2 refused.
#[test]
fn kp048_windows_2019_and_20h2_as_each_minor_lists_them() {
    let on = |k8s: &str, windows: &str| {
        edit(
            "default     = \"1.35.8\"",
            &format!("default     = \"{k8s}\""),
        )
        .replacen(
            "windows_version = \"ltsc2022\"",
            &format!("windows_version = \"{windows}\""),
            1,
        )
    };
    let windows_release = |spec: &str| -> Vec<Severity> {
        diagnostics(spec)
            .into_iter()
            .filter(|(c, _, _)| *c == Code::WindowsRelease)
            .map(|(_, s, _)| s)
            .collect()
    };
    assert_eq!(
        windows_release(&on("1.35.8", "ltsc2019")),
        [Severity::Warning]
    );
    assert!(
        said(&on("1.35.8", "ltsc2019"), Code::WindowsRelease).contains("past upstream's support")
    );
    assert_eq!(windows_release(&on("1.33.13", "ltsc2019")), []);
    assert_eq!(windows_release(&on("1.35.8", "20H2")), [Severity::Error]);
    // 1.33 listed 20H2, whose support Microsoft ended on 2022-08-09: a warning, not an error.
    let sac = on("1.33.13", "20H2");
    assert_eq!(windows_release(&sac), [Severity::Warning]);
    assert!(said(&sac, Code::WindowsRelease).contains("2022-08-09"));
    // Windows Server 2025 from 1.35 on; before, upstream did not list it.
    assert_eq!(windows_release(&on("1.35.8", "ltsc2025")), []);
    assert_eq!(windows_release(&on("1.36.4", "2025")), []);
    assert_eq!(
        windows_release(&on("1.34.11", "ltsc2025")),
        [Severity::Error]
    );
}

#[test]
fn kp050_host_gw_across_subnets_warns() {
    let spec = edit("mode         = \"vxlan\"", "mode         = \"host-gw\"").replacen(
        "\"10.0.0.21\"",
        "\"10.0.7.21\"",
        1,
    );
    let found = diagnostics(&spec);
    assert!(
        found.contains(&(Code::L2Segment, Severity::Warning, at(&spec, "\"host-gw\""))),
        "{found:?}"
    );
}

#[test]
fn kp052_host_gw_windows_pod_subnets_smaller_than_a_24() {
    let spec = edit(
        "mode         = \"vxlan\"",
        "mode         = \"host-gw\"\n    node_cidr_mask = 26",
    );
    expect(&spec, Code::BridgeGateway, "26\n    cluster_cidr");
    // A /24 or larger starts at a.b.c.0, where sdnbridge's a.b.c.2 lies.
    let spec = edit(
        "mode         = \"vxlan\"",
        "mode         = \"host-gw\"\n    node_cidr_mask = 23",
    );
    assert!(!diagnostics(&spec)
        .iter()
        .any(|(c, _, _)| *c == Code::BridgeGateway));
}

#[test]
fn every_code_has_a_case_here() {
    let source = include_str!("rules.rs");
    for code in Code::ALL {
        if *code == Code::Input {
            continue; // unreadable files and state: covered in tests/cli.rs
        }
        let name = format!("Code::{code:?}");
        assert!(source.contains(&name), "no case for {}", code.as_str());
    }
}

#[test]
fn locals_and_functions_feed_attributes() {
    let spec = edit(
        "cluster \"demo\" {",
        "locals {\n  net  = \"10.0.0.0/24\"\n  cp   = cidrhost(local.net, 10)\n  port = 6443\n}\n\ncluster \"demo\" {",
    )
    .replace("\"10.0.0.10:6443\"", "format(\"%s:%d\", local.cp, local.port)")
    .replace("address   = \"10.0.0.10\"", "address   = local.cp");
    let out = kubeplan::compile(SpecDir::new(&spec).path(), &VarInputs::default(), None)
        .unwrap()
        .output
        .expect("valid");
    assert_eq!(out.cluster.endpoint.to_string(), "10.0.0.10:6443");
    assert_eq!(out.cluster.nodes[0].address.to_string(), "10.0.0.10");
    // A local that names an undefined one is KP008 at its value.
    let broken = edit(
        "cluster \"demo\" {",
        "locals {\n  a = local.missing\n}\n\ncluster \"demo\" {",
    );
    expect(&broken, Code::Evaluation, "local.missing");
}

#[test]
fn kp051_sensitive_values_reach_no_attribute() {
    let secret = "\nvariable \"nic\" {\n  default   = \"s3cr3t;reboot\"\n  sensitive = true\n}\n\nlocals {\n  nic_again = \"${var.nic}\"\n}\n";
    let spec = BASE
        .to_owned()
        .replacen("\"vsphere\"", "var.nic", 1)
        .replacen("interface = \"ens192\"", "interface = local.nic_again", 2)
        + secret;
    let found = diagnostics(&spec);
    assert!(
        found.contains(&(Code::Sensitive, Severity::Error, at(&spec, "var.nic"))),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            Code::Sensitive,
            Severity::Error,
            at_after(&spec, "node \"worker-1\"", "local.nic_again")
        )),
        "{found:?}"
    );
    // Decoding stops at KP051, so no later check quotes the value it refuses (the
    // platform check would); tests/secrets.rs checks the mask of every message.
    let dir = SpecDir::new(&spec);
    let compiled = kubeplan::compile(dir.path(), &VarInputs::default(), None).unwrap();
    let human = kubeplan::diagnostic::render_human(&compiled.sources, &compiled.diagnostics.0);
    let json = serde_json::to_string(&kubeplan::diagnostic::to_json(
        &compiled.sources,
        &compiled.diagnostics.0,
    ))
    .unwrap();
    for text in [&human, &json] {
        assert!(!text.contains("s3cr3t"), "{text}");
        assert!(!text.contains("KP004"), "{text}");
    }
    // Declared and not used: fine.
    assert_eq!(diagnostics(&(BASE.to_owned() + secret)), vec![]);
}

#[test]
fn kp008_arithmetic_without_a_finite_result_is_an_error_not_a_panic() {
    // hcl-rs panics on these; the fuzzer found the first (tests/fuzz-regressions/).
    for expr in ["1 / 0", "7 % 0", "1e308 * 10"] {
        let spec = BASE.replace(
            "control_plane_endpoint = \"10.0.0.10:6443\"",
            &format!("control_plane_endpoint = \"10.0.0.10:${{{expr}}}\""),
        );
        let found = diagnostics(&spec);
        assert!(
            found
                == [(
                    Code::Evaluation,
                    Severity::Error,
                    at(&spec, "\"10.0.0.10:$")
                )],
            "{expr}: {found:?}"
        );
    }
}

#[test]
fn kp054_limits() {
    // A value past 1,000,000 units, at the expression (docs/spec.md#limits).
    let ten = "[0,1,2,3,4,5,6,7,8,9]";
    let spec = format!(
        "{}locals {{\n  l = [for a in {ten} : [for b in {ten} : [for c in {ten} : {ten}]]]\n  big = [for a in local.l : [for b in local.l : 1]]\n}}\n",
        BASE.to_owned()
    );
    expect(&spec, Code::Limit, "[for a in local.l");
    // More than 5,000 nodes, at the pool's count.
    expect(
        &with_pool(&POOL.replace("count           = 3", "count           = 5000")),
        Code::Limit,
        "5000",
    );
}

//! One case per diagnostic code: a small change to the three-node example, the code it
//! must raise, and where (`line:column` in main.hcl) the diagnostic must point.

mod common;

use common::{three_node_spec, SpecDir};
use kubeplan::diagnostic::{Code, Severity};
use kubeplan::spec::VarInputs;

/// Diagnostics of a spec as (code, severity, "line:column" or "-").
fn diagnostics(text: &str) -> Vec<(Code, Severity, String)> {
    let spec = SpecDir::new(text);
    let compiled = kubeplan::compile(spec.path(), &VarInputs::default()).expect("renders");
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

/// Replaces `from` (which must occur) in the three-node spec.
fn edit(from: &str, to: &str) -> String {
    let spec = three_node_spec();
    assert!(spec.contains(from), "the example holds {from:?}");
    spec.replacen(from, to, 1)
}

#[track_caller]
fn expect(text: &str, code: Code, at: &str) {
    let found = diagnostics(text);
    assert!(
        found.iter().any(|(c, _, a)| *c == code && a == at),
        "expected {} at {at}, got {found:?}",
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
        "29:14",
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
        "35:3",
    );
}

#[test]
fn kp003_unknown_block() {
    expect(
        &edit("    vxlan {", "    geneve {"),
        Code::UnknownBlock,
        "22:5",
    );
}

#[test]
fn kp004_wrong_type() {
    expect(
        &edit("roles     = [\"worker\"]", "roles     = \"worker\""),
        Code::WrongType,
        "40:15",
    );
    expect(
        &edit("vni  = 4096", "vni  = \"lots\""),
        Code::WrongType,
        "23:14",
    );
}

#[test]
fn kp005_missing_attribute() {
    expect(
        &edit("  address   = \"10.0.0.11\"\n", ""),
        Code::MissingAttribute,
        "37:1",
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
        "14:28",
    );
}

#[test]
fn kp007_duplicate_block_and_variable() {
    expect(
        &edit("    vxlan {", "    vxlan {}\n    vxlan {"),
        Code::Duplicate,
        "23:5",
    );
    expect(
        &edit(
            "cluster \"demo\"",
            "variable \"k8s_version\" {}\n\ncluster \"demo\"",
        ),
        Code::Duplicate,
        "10:10",
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
        "31:3",
    );
}

#[test]
fn kp008_undefined_variable() {
    expect(
        &edit("var.k8s_version", "var.k8s"),
        Code::Evaluation,
        "11:28",
    );
}

#[test]
fn kp009_variable_without_value() {
    expect(
        &edit("  default     = \"1.29.4\"\n", ""),
        Code::VariableValue,
        "5:10",
    );
}

#[test]
fn kp011_exactly_one_cluster() {
    let text = three_node_spec();
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
        "48:32",
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
        "10:9",
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
    expect(&text, Code::NoLinuxWorker, "10:9");
}

#[test]
fn kp015_unknown_windows_version_lists_the_known_ones() {
    expect(
        &edit(
            "windows_version = \"ltsc2019\"",
            "windows_version = \"2012r2\"",
        ),
        Code::WindowsVersion,
        "47:21",
    );
}

#[test]
fn kp016_vxlan_vni_must_be_4096_with_windows() {
    expect(&edit("vni  = 4096", "vni  = 1"), Code::VxlanVni, "23:14");
}

#[test]
fn kp017_vxlan_port_must_be_4789_with_windows() {
    expect(
        &edit("port = 4789", "port = 8472"),
        Code::VxlanPort,
        "24:14",
    );
}

#[test]
fn vxlan_values_are_free_without_windows_nodes() {
    let text = three_node_spec();
    let linux_only = text
        .split("node \"win-1\"")
        .next()
        .unwrap()
        .replace("vni  = 4096", "vni  = 1");
    assert!(diagnostics(&linux_only)
        .iter()
        .all(|(c, _, _)| *c != Code::VxlanVni));
}

#[test]
fn kp018_cidr_syntax_and_host_bits() {
    expect(
        &edit("\"10.244.0.0/16\"", "\"10.244.0.0/33\""),
        Code::CidrSyntax,
        "19:20",
    );
    expect(
        &edit("\"10.244.0.0/16\"", "\"10.244.1.0/16\""),
        Code::CidrSyntax,
        "19:20",
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
        "20:20",
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
        "49:21",
    );
}

#[test]
fn kp021_duplicate_names_and_addresses() {
    expect(
        &edit("node \"worker-1\"", "node \"cp-1\""),
        Code::DuplicateNode,
        "37:6",
    );
    expect(
        &edit(
            "address         = \"10.0.0.21\"",
            "address         = \"10.0.0.11\"",
        ),
        Code::DuplicateNode,
        "49:21",
    );
}

#[test]
fn kp022_node_names_are_dns_labels() {
    expect(
        &edit("node \"worker-1\"", "node \"worker_1\""),
        Code::NodeName,
        "37:6",
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
        "34:15",
    );
    expect(
        &edit(
            "interface       = \"Ethernet0\"",
            "interface       = \"Ethernet'0\"",
        ),
        Code::InterfaceName,
        "50:21",
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
        "37:6",
    );
    expect(
        &edit(
            "windows_version = \"ltsc2019\"",
            "windows_version = \"ltsc2019\"\n  distro = \"ubuntu-22.04\"",
        ),
        Code::OsAttributes,
        "48:12",
    );
}

#[test]
fn kp025_kubernetes_version() {
    expect(
        &edit("default     = \"1.29.4\"", "default     = \"1.23.9\""),
        Code::KubernetesVersion,
        "11:28",
    );
    expect(
        &edit("default     = \"1.29.4\"", "default     = \"latest\""),
        Code::KubernetesVersion,
        "11:28",
    );
}

#[test]
fn kp026_endpoint() {
    expect(
        &edit("\"10.0.0.10:6443\"", "\"10.0.0.10\""),
        Code::Endpoint,
        "13:28",
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
        "28:20",
    );
}

#[test]
fn kp028_what_is_not_generated_yet() {
    expect(
        &edit("plugin       = \"flannel\"", "plugin       = \"calico\""),
        Code::Unsupported,
        "17:20",
    );
    expect(
        &edit("\"containerd\"", "\"docker\""),
        Code::Unsupported,
        "12:28",
    );
    expect(
        &edit(
            "windows_version = \"ltsc2019\"",
            "windows_version = \"1803\"",
        ),
        Code::Unsupported,
        "47:21",
    );
}

#[test]
fn kp029_roles() {
    expect(
        &edit("roles     = [\"worker\"]", "roles     = []"),
        Code::Roles,
        "40:15",
    );
    expect(
        &edit(
            "roles     = [\"worker\"]",
            "roles     = [\"worker\", \"worker\"]",
        ),
        Code::Roles,
        "40:26",
    );
    expect(
        &edit(
            "roles     = [\"worker\"]",
            "roles     = [\"etcd\", \"worker\"]",
        ),
        Code::Roles,
        "40:15",
    );
}

#[test]
fn kp030_address() {
    expect(
        &edit("address   = \"10.0.0.11\"", "address   = \"10.0.0.300\""),
        Code::Address,
        "41:15",
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
        "50:21",
    );
}

#[test]
fn kp032_long_windows_names_warn() {
    let text = edit("node \"win-1\"", "node \"win-with-a-long-name\"");
    let found = diagnostics(&text);
    assert_eq!(
        found,
        vec![(Code::WindowsHostname, Severity::Warning, "45:6".to_owned())]
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
        "31:15",
    );
}

#[test]
fn kp034_block_labels() {
    expect(
        &edit("node \"cp-1\" {", "node {"),
        Code::BlockLabels,
        "29:1",
    );
}

#[test]
fn kp035_cluster_cidr_too_small() {
    expect(
        &edit("\"10.244.0.0/16\"", "\"10.244.0.0/24\""),
        Code::ClusterCidrSize,
        "19:20",
    );
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

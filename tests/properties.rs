//! Properties over generated specs (proptest): clusters of 1–3 control-plane nodes,
//! 0–3 Linux and 0–4 Windows workers, across Kubernetes versions, runtimes, platforms,
//! network plugins and modes, distros and Windows releases. Many combinations are
//! refused by a rule; for those that validate:
//! - compiling never panics, and a spec that validates renders;
//! - rendering is deterministic (same artifacts, byte for byte, twice);
//! - after applying, the plan is empty;
//!
//! and every spec file under tests/fuzz-regressions/ (inputs the fuzzer once crashed
//! on) compiles without a panic.

mod common;

use std::path::Path;

use kubeplan::spec::VarInputs;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[derive(Clone, Debug)]
struct Node {
    os: &'static str,
    distro: &'static str,
    windows_version: &'static str,
    interface: &'static str,
}

#[derive(Clone, Debug)]
struct Cluster {
    version: &'static str,
    runtime: &'static str,
    platform: &'static str,
    plugin: &'static str,
    mode: &'static str,
    control_planes: Vec<Node>,
    linux: Vec<Node>,
    windows: Vec<Node>,
    labels: bool,
    taint: bool,
}

fn linux() -> impl Strategy<Value = Node> {
    (
        prop::sample::select(vec![
            "ubuntu-22.04",
            "ubuntu-20.04",
            "debian-12",
            "rhel-8.6",
            "rocky-9.2",
            "sles-15.5",
        ]),
        prop::sample::select(vec!["eth0", "ens192", "enp1s0"]),
    )
        .prop_map(|(distro, interface)| Node {
            os: "linux",
            distro,
            windows_version: "",
            interface,
        })
}

fn windows() -> impl Strategy<Value = Node> {
    (
        prop::sample::select(vec![
            "ltsc2019", "ltsc2022", "ltsc2019", "ltsc2022", "1809", "20H2", "ltsc2016",
        ]),
        prop::sample::select(vec!["Ethernet", "Ethernet0", "Ethernet 2"]),
    )
        .prop_map(|(windows_version, interface)| Node {
            os: "windows",
            distro: "",
            windows_version,
            interface,
        })
}

fn cluster() -> impl Strategy<Value = Cluster> {
    (
        (
            prop::sample::select(vec!["1.24.17", "1.27.3", "1.29.4", "1.31.2", "1.34.1"]),
            prop::sample::select(vec!["containerd", "containerd", "docker"]),
            prop::sample::select(vec!["bare-metal", "bare-metal", "vsphere", "aws", "gce"]),
            prop::sample::select(vec![
                "flannel", "flannel", "flannel", "flannel", "flannel", "flannel", "calico", "ovn",
            ]),
            prop::sample::select(vec!["vxlan", "vxlan", "host-gw", "l3-upstream"]),
        ),
        (
            prop::collection::vec(linux(), 1..=3),
            prop::collection::vec(linux(), 0..=3),
            prop::collection::vec(windows(), 0..=4),
            any::<bool>(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (version, runtime, platform, plugin, mode),
                (control_planes, linux, windows, labels, taint),
            )| Cluster {
                version,
                runtime,
                platform,
                plugin,
                mode,
                control_planes,
                linux,
                windows,
                labels,
                taint,
            },
        )
}

impl Cluster {
    fn hcl(&self) -> String {
        // One control plane: its own address; several: a load balancer's.
        let endpoint = if self.control_planes.len() == 1 {
            "10.0.0.10:6443"
        } else {
            "10.0.0.5:6443"
        };
        let mut s = format!(
            "cluster \"prop\" {{\n  kubernetes_version     = \"{}\"\n  container_runtime      = \"{}\"\n  control_plane_endpoint = \"{endpoint}\"\n  platform               = \"{}\"\n\n{}\n  network {{\n    plugin       = \"{}\"\n    mode         = \"{}\"\n    cluster_cidr = \"10.244.0.0/16\"\n    service_cidr = \"10.96.0.0/12\"\n  }}\n}}\n",
            self.version,
            self.runtime,
            self.platform,
            common::specs::ACCEPT_UNCHECKED,
            self.plugin,
            self.mode
        );
        let groups = [
            (
                "cp",
                &self.control_planes,
                "[\"controlplane\", \"etcd\", \"worker\"]",
                10,
            ),
            ("linux", &self.linux, "[\"worker\"]", 20),
            ("win", &self.windows, "[\"worker\"]", 30),
        ];
        for (prefix, nodes, roles, base) in groups {
            for (i, n) in nodes.iter().enumerate() {
                s += &format!(
                    "\nnode \"{prefix}-{}\" {{\n  os        = \"{}\"\n  roles     = {roles}\n  address   = \"10.0.0.{}\"\n  interface = \"{}\"\n",
                    i + 1,
                    n.os,
                    base + i,
                    n.interface
                );
                if n.os == "linux" {
                    s += &format!("  distro    = \"{}\"\n", n.distro);
                } else {
                    s += &format!("  windows_version = \"{}\"\n", n.windows_version);
                }
                if self.labels && prefix != "cp" {
                    s += "  labels    = { \"example.com/pool\" = \"p1\" }\n";
                }
                if self.taint && prefix == "win" {
                    s += "  taints    = [\"os=windows:NoSchedule\"]\n";
                }
                s += "}\n";
            }
        }
        s
    }
}

fn compile(text: &str) -> kubeplan::Compiled {
    kubeplan::compile_texts(
        vec![("main.hcl".to_owned(), text.to_owned())],
        &VarInputs::default(),
        None,
    )
    .unwrap_or_else(|e| panic!("a template failed to render: {e}\n{text}"))
}

fn config() -> Config {
    Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    }
}

#[test]
fn a_spec_that_validates_renders_deterministically_and_plans_empty_after_apply() {
    let (valid, refused) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    TestRunner::new(config())
        .run(&cluster(), |c| {
            let text = c.hcl();
            let first = compile(&text);
            let Some(out) = first.output.as_ref() else {
                prop_assert!(first.diagnostics.has_errors(), "no output and no error");
                refused.set(refused.get() + 1);
                return Ok(());
            };
            valid.set(valid.get() + 1);
            prop_assert!(!out.artifacts.is_empty());
            let again = compile(&text);
            let again = again.output.as_ref().unwrap();
            prop_assert_eq!(
                &out.artifacts,
                &again.artifacts,
                "render is not deterministic"
            );

            let dir = tempfile::tempdir().unwrap();
            let (out_dir, state_path) = (dir.path().join("out"), dir.path().join("state.json"));
            // The out dir is opened at each read: it does not exist until the apply.
            let read =
                |p: &str| kubeplan::plan::OnDisk::read(&kubeplan::outdir::Root::open(&out_dir), p);
            let plan = kubeplan::plan::diff(&out.artifacts, None, read);
            let target = kubeplan::apply::Target {
                out_dir: &out_dir,
                state_path: &state_path,
                force: false,
            };
            kubeplan::apply::apply(
                &plan,
                &out.artifacts,
                None,
                &out.spec_hash,
                &out.record,
                &target,
            )
            .unwrap();
            let state = kubeplan::state::load(&state_path).unwrap().unwrap();
            let recompiled = kubeplan::compile_texts(
                vec![("main.hcl".to_owned(), text.clone())],
                &VarInputs::default(),
                Some(&state),
            )
            .unwrap();
            let recompiled = recompiled.output.unwrap();
            let after = kubeplan::plan::diff(&recompiled.artifacts, Some(&state), read);
            prop_assert!(
                after.is_empty(),
                "plan after apply is not empty:\n{}",
                kubeplan::plan::render_human(&after)
            );
            Ok(())
        })
        .unwrap();
    // The property means something only if the generator reaches valid specs often.
    let (valid, refused) = (valid.get(), refused.get());
    common::specs::report(
        "proptest (generated clusters)",
        valid + refused,
        &format!("generated specs: {valid} validated, rendered twice identically and planned empty after apply; {refused} refused by a rule"),
    );
    assert!(
        valid * 4 >= valid + refused,
        "only {valid} of {} generated specs validate",
        valid + refused
    );
}

#[test]
fn any_edit_of_an_example_compiles_without_a_panic() {
    let examples: Vec<String> = common::specs::example_names()
        .iter()
        .map(|n| common::specs::example_spec(n))
        .collect();
    let edit = (
        0..examples.len(),
        any::<prop::sample::Index>(),
        0usize..40,
        "[ -~\n]{0,12}",
    );
    TestRunner::new(Config {
        cases: 256,
        ..config()
    })
    .run(&edit, |(example, at, cut, insert)| {
        let text = &examples[example];
        let mut start = at.index(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + cut).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let edited = format!("{}{insert}{}", &text[..start], &text[end..]);
        let compiled = compile(&edited);
        prop_assert!(compiled.output.is_some() || compiled.diagnostics.has_errors());
        // Both renderers handle every span the diagnostics carry.
        let _ = kubeplan::diagnostic::render_human(&compiled.sources, &compiled.diagnostics.0);
        let _ = kubeplan::json_output::Document::new(
            "validate",
            &compiled.sources,
            &compiled.diagnostics.0,
        )
        .to_json();
        Ok(())
    })
    .unwrap();
}

#[test]
fn every_input_the_fuzzer_crashed_on_compiles_without_a_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let compiled = compile(&text);
        assert!(
            compiled.output.is_some() || compiled.diagnostics.has_errors(),
            "{}",
            path.display()
        );
        count += 1;
    }
    assert!(
        count >= 1,
        "tests/fuzz-regressions/ holds the fuzzer's findings"
    );
}

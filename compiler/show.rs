//! `kubeplan show`: the state as people read it.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use crate::state::{NodeRecord, State};

/// The state's history, its nodes (and removed ones), and its artifacts counted by step.
pub fn render(state: &State, path: &Path) -> String {
    let mut out = String::new();
    let support = match state.windows_support {
        Some(true) => "on",
        Some(false) => "off",
        None => "not recorded",
    };
    let _ = writeln!(out, "State {}", path.display());
    let _ = writeln!(out, "  lineage          {}", state.lineage);
    let _ = writeln!(out, "  serial           {}", state.serial);
    let _ = writeln!(out, "  format_version   {}", state.format_version);
    let _ = writeln!(out, "  spec sha256      {}", state.spec_hash);
    let _ = writeln!(out, "  windows support  {support}");
    if let Some(f) = &state.facts {
        let _ = writeln!(
            out,
            "  kubernetes       {} ({})",
            f.kubernetes_version, f.container_runtime
        );
        let _ = writeln!(out, "  endpoint         {}", f.control_plane_endpoint);
        let _ = writeln!(
            out,
            "  network          {} {}, cluster CIDR {} (/{} per node), service CIDR {}",
            f.network_plugin, f.network_mode, f.cluster_cidr, f.node_cidr_mask, f.service_cidr
        );
    }
    nodes(&mut out, "Nodes", &state.nodes);
    nodes(
        &mut out,
        "Removed nodes (cleanup scripts kept in _cleanup/NODE/)",
        &state.removed_nodes,
    );
    let mut steps: BTreeMap<&str, usize> = BTreeMap::new();
    for record in state.artifacts.values() {
        *steps.entry(record.step.as_str()).or_default() += 1;
    }
    let _ = writeln!(
        out,
        "\nArtifacts: {} (kubeplan state list prints their paths)",
        state.artifacts.len()
    );
    let width = steps.keys().map(|s| s.len()).max().unwrap_or(0);
    for (step, n) in steps {
        let _ = writeln!(out, "  {step:<width$}  {n}");
    }
    out
}

fn nodes(out: &mut String, title: &str, nodes: &BTreeMap<String, NodeRecord>) {
    if nodes.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}: {}", nodes.len());
    let width = nodes.keys().map(String::len).max().unwrap_or(0);
    for (name, r) in nodes {
        let _ = write!(out, "  {name:<width$}  {:<7}  {}", r.os, r.address);
        if let Some(f) = &r.facts {
            let _ = write!(
                out,
                "  {} Kubernetes {}",
                f.os_release, f.kubernetes_version
            );
        }
        if let Some(cidr) = &r.pod_cidr {
            let _ = write!(out, "  pod CIDR {cidr}");
        }
        out.push('\n');
    }
}

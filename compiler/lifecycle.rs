//! What a spec change does to each node of the running cluster: the node facts the last
//! apply recorded (`state::NodeFacts`) against the ones this spec gives, each node's
//! change classified as Kubernetes and kubeadm allow it (docs/lifecycle.md). The plan
//! shows these beside the file changes; what kubeplan cannot do to a running cluster at
//! all is refused earlier, by `validate::live`.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::state::{ClusterRecord, NodeFacts, NodeRecord, State};

/// What happens to one node, from the least to the most disruptive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeAction {
    /// A node new to the spec joins the cluster.
    Join,
    /// Labels or taints: changed on the Node object, the machine is not touched.
    InPlace,
    /// The Kubernetes release or a component's version.
    Upgrade,
    /// What a joined node cannot change: it is cleaned up and bootstrapped afresh.
    Replace,
    /// A node gone from the spec is cleaned up (`_cleanup/NODE/`).
    Remove,
}

impl NodeAction {
    fn symbol(self) -> &'static str {
        match self {
            NodeAction::Join => "+",
            NodeAction::InPlace | NodeAction::Upgrade => "~",
            NodeAction::Replace => "-/+",
            NodeAction::Remove => "-",
        }
    }

    fn word(self) -> &'static str {
        match self {
            NodeAction::Join => "join",
            NodeAction::InPlace => "update in place",
            NodeAction::Upgrade => "upgrade",
            NodeAction::Replace => "must be replaced",
            NodeAction::Remove => "remove",
        }
    }
}

/// One recorded fact of a node that the spec changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FactChange {
    /// `kubernetes_version`, `address`, `labels`, `components.containerd`, …
    pub fact: String,
    /// As recorded; `null` for a fact the state did not hold.
    pub before: Option<String>,
    /// As the spec says; `null` for one it no longer gives.
    pub after: Option<String>,
}

/// The change to one node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeChange {
    pub node: String,
    pub action: NodeAction,
    /// The facts that decide it (none for a join or a removal).
    pub changes: Vec<FactChange>,
}

/// Every node the spec changes against `previous`, in the order the cluster takes them:
/// control-plane nodes, Linux workers, Windows workers, then the removed nodes. Without
/// a state there is no running cluster, and nothing to say; a node whose facts the state
/// does not hold (format 4 and older) is judged by nothing but its presence.
pub fn classify(previous: Option<&State>, record: &ClusterRecord) -> Vec<NodeChange> {
    let Some(previous) = previous else {
        return Vec::new();
    };
    let mut out: Vec<(u8, NodeChange)> = Vec::new();
    for (name, now) in &record.nodes {
        let change = match previous.nodes.get(name) {
            None => Some(NodeChange {
                node: name.clone(),
                action: NodeAction::Join,
                changes: Vec::new(),
            }),
            Some(before) => judge(name, before, now),
        };
        if let Some(change) = change {
            out.push((rank(now), change));
        }
    }
    for name in previous.nodes.keys() {
        if !record.nodes.contains_key(name) {
            let change = NodeChange {
                node: name.clone(),
                action: NodeAction::Remove,
                changes: Vec::new(),
            };
            out.push((4, change));
        }
    }
    out.sort_by(|(ra, a), (rb, b)| (ra, &a.node).cmp(&(rb, &b.node)));
    out.into_iter().map(|(_, c)| c).collect()
}

/// Control planes first, then Linux workers, then Windows workers: the order of the
/// version skew policy (no kubelet newer than an API server).
fn rank(r: &NodeRecord) -> u8 {
    let control_plane = r
        .facts
        .as_ref()
        .is_some_and(|f| f.roles.iter().any(|role| role == "controlplane"));
    match (control_plane, r.os.as_str()) {
        (true, _) => 1,
        (false, "linux") => 2,
        _ => 3,
    }
}

/// The change to a node in both the state and the spec, if any.
fn judge(name: &str, before: &NodeRecord, now: &NodeRecord) -> Option<NodeChange> {
    let (Some(was), Some(is)) = (&before.facts, &now.facts) else {
        return None;
    };
    let mut changes: Vec<(NodeAction, FactChange)> = Vec::new();
    let mut differ = |action: NodeAction, fact: &str, a: Option<String>, b: Option<String>| {
        if a != b {
            let change = FactChange {
                fact: fact.to_owned(),
                before: a,
                after: b,
            };
            changes.push((action, change));
        }
    };
    let some = |s: &str| Some(s.to_owned());
    use NodeAction::{InPlace, Replace, Upgrade};
    // A pod subnet kubeplan planned is the node's spec.podCIDR, which cannot change.
    let planned = before.pod_cidr.is_some() && now.pod_cidr.is_some();
    let facts = [
        (Replace, "os", some(&before.os), some(&now.os)),
        (
            Replace,
            "os_release",
            some(&was.os_release),
            some(&is.os_release),
        ),
        (
            Replace,
            "address",
            some(&before.address),
            some(&now.address),
        ),
        (
            Replace,
            "interface",
            some(&was.interface),
            some(&is.interface),
        ),
        (Replace, "roles", list(&was.roles), list(&is.roles)),
        (
            Replace,
            "pod_cidr",
            before.pod_cidr.clone().filter(|_| planned),
            now.pod_cidr.clone().filter(|_| planned),
        ),
        (
            Replace,
            "container_runtime",
            some(&was.container_runtime),
            some(&is.container_runtime),
        ),
        (
            Upgrade,
            "kubernetes_version",
            some(&was.kubernetes_version),
            some(&is.kubernetes_version),
        ),
    ];
    for (action, fact, a, b) in facts {
        differ(action, fact, a, b);
    }
    components(was, is, &mut differ);
    differ(InPlace, "labels", pairs(&was.labels), pairs(&is.labels));
    differ(InPlace, "taints", list(&was.taints), list(&is.taints));
    let action = changes.iter().map(|(a, _)| *a).max()?;
    Some(NodeChange {
        node: name.to_owned(),
        action,
        changes: changes.into_iter().map(|(_, c)| c).collect(),
    })
}

/// Each component whose version differs, as `components.NAME`.
fn components(
    was: &NodeFacts,
    is: &NodeFacts,
    differ: &mut impl FnMut(NodeAction, &str, Option<String>, Option<String>),
) {
    let mut names: Vec<&String> = was.components.keys().chain(is.components.keys()).collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        differ(
            NodeAction::Upgrade,
            &format!("components.{name}"),
            was.components.get(name).cloned(),
            is.components.get(name).cloned(),
        );
    }
}

/// `k=v, k2=v2`, or none for no labels.
fn pairs(map: &BTreeMap<String, String>) -> Option<String> {
    let text: Vec<String> = map.iter().map(|(k, v)| format!("{k}={v}")).collect();
    list(&text)
}

fn list(items: &[String]) -> Option<String> {
    (!items.is_empty()).then(|| items.join(", "))
}

/// The plan's per-node summary, before its file changes: one line a node, then what
/// kubeplan does not generate yet for these actions. Empty when no node changes.
pub fn render_human(changes: &[NodeChange]) -> String {
    let mut out = String::new();
    if changes.is_empty() {
        return out;
    }
    out.push_str("Node changes:\n\n");
    for c in changes {
        let _ = write!(
            out,
            "  {} {}: {}",
            c.action.symbol(),
            c.node,
            c.action.word()
        );
        let facts: Vec<String> = c
            .changes
            .iter()
            .map(|f| {
                let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_owned());
                format!("{} {} → {}", f.fact, shown(&f.before), shown(&f.after))
            })
            .collect();
        if !facts.is_empty() {
            let _ = write!(out, " ({})", facts.join("; "));
        }
        out.push('\n');
    }
    let count = |a: NodeAction| changes.iter().filter(|c| c.action == a).count();
    let counted: Vec<String> = [
        (NodeAction::Join, "to join"),
        (NodeAction::InPlace, "to update in place"),
        (NodeAction::Upgrade, "to upgrade"),
        (NodeAction::Replace, "to replace"),
        (NodeAction::Remove, "to remove"),
    ]
    .iter()
    .filter(|(a, _)| count(*a) > 0)
    .map(|(a, what)| format!("{} {what}", count(*a)))
    .collect();
    let _ = writeln!(out, "\nNodes: {}.", counted.join(", "));
    if changes.iter().any(|c| {
        matches!(
            c.action,
            NodeAction::InPlace | NodeAction::Upgrade | NodeAction::Replace
        )
    }) {
        out.push_str(
            "Note: kubeplan writes no relabel, upgrade or replacement steps yet: the files below\nare what a node bootstrapped afresh runs. docs/lifecycle.md says how to carry these\nchanges out on the running nodes.\n",
        );
    }
    out.push('\n');
    out
}

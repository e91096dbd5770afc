//! `graph::build`: the steps of bringing the cluster up and the order they must run in.
//!
//! The first control-plane node's `kubeadm init` comes first, then the CNI manifest, then
//! every Linux worker's join, then each Windows worker's preparation and join (seeds 000
//! and 001: the Linux control plane must exist before any Windows node is added). A
//! barrier step sits between the Linux joins and the Windows nodes so the edges grow
//! linearly with the node count.

use petgraph::algo::toposort;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::cluster::Cluster;
use crate::model::NodeName;

/// What a step does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    /// The cloud told about pod subnets (routed modes on AWS, GCE, Azure), from a workstation.
    Cloud,
    /// `kubeadm init` on the first control-plane node.
    Init,
    /// The CNI manifest applied from the first control-plane node.
    Cni,
    /// Another control-plane node's `kubeadm join --control-plane`, one at a time (each
    /// adds an etcd member).
    ControlPlaneJoin,
    /// A Linux node's `kubeadm join`.
    LinuxJoin,
    /// Every Linux node has joined: the point Windows nodes wait for.
    LinuxReady,
    /// A Windows node's features, runtime, binaries and HNS network.
    WindowsPrepare,
    /// A Windows node's `kubeadm join` and its services.
    WindowsJoin,
    /// A node removed from the spec: drained, deleted and reset.
    Cleanup,
    /// The sample Windows workloads, once every Windows node has joined.
    Workloads,
}

impl StepKind {
    fn word(self) -> &'static str {
        match self {
            StepKind::Cloud => "cloud",
            StepKind::Init => "init",
            StepKind::Cni => "cni",
            StepKind::ControlPlaneJoin | StepKind::LinuxJoin => "join",
            StepKind::LinuxReady => "linux-ready",
            StepKind::WindowsPrepare => "prepare",
            StepKind::WindowsJoin => "join",
            StepKind::Cleanup => "cleanup",
            StepKind::Workloads => "workloads",
        }
    }
}

/// One step of the bring-up, on one node (or on none, for the barrier).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    /// Stable address, e.g. `init/cp-1`, `join/win-1`, `linux-ready`.
    pub id: String,
    pub kind: StepKind,
    pub node: Option<NodeName>,
}

impl Step {
    /// A step of `kind` on `node`, with its stable id.
    pub fn new(kind: StepKind, node: Option<&NodeName>) -> Self {
        let id = match node {
            Some(n) => format!("{}/{}", kind.word(), n),
            None => kind.word().to_owned(),
        };
        Step {
            id,
            kind,
            node: node.cloned(),
        }
    }
}

/// The step DAG and one topological order of it.
#[derive(Clone, Debug)]
pub struct Graph {
    pub dag: DiGraph<Step, ()>,
    order: Vec<NodeIndex>,
}

impl Graph {
    /// Steps in the order they run.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.order.iter().map(|i| &self.dag[*i])
    }

    /// The graph in Graphviz DOT, nodes in run order, edges sorted.
    pub fn to_dot(&self) -> String {
        let mut out = String::from("digraph kubeplan {\n  rankdir=LR;\n  node [shape=box];\n");
        for step in self.steps() {
            let label = match &step.node {
                Some(n) => format!("{}\\n{}", step.kind.word(), n),
                None => step.kind.word().to_owned(),
            };
            out.push_str(&format!("  \"{}\" [label=\"{}\"];\n", step.id, label));
        }
        let mut rank = vec![0; self.dag.node_count()];
        for (r, i) in self.order.iter().enumerate() {
            rank[i.index()] = r;
        }
        let mut edges: Vec<(usize, usize, &str, &str)> = self
            .dag
            .raw_edges()
            .iter()
            .map(|e| {
                let (a, b) = (e.source(), e.target());
                (
                    rank[a.index()],
                    rank[b.index()],
                    self.dag[a].id.as_str(),
                    self.dag[b].id.as_str(),
                )
            })
            .collect();
        edges.sort();
        for (_, _, a, b) in edges {
            out.push_str(&format!("  \"{a}\" -> \"{b}\";\n"));
        }
        out.push_str("}\n");
        out
    }
}

/// Builds the step graph of a validated cluster and of the nodes removed from it. A
/// removed node is cleaned up once the control plane exists, before any node joins (so
/// a replacement may reuse its address).
pub fn build(cluster: &Cluster, removed: &[NodeName]) -> Graph {
    let mut dag = DiGraph::new();
    let first = cluster.first_control_plane();
    let cloud = cluster
        .needs_cloud_routes()
        .then(|| dag.add_node(Step::new(StepKind::Cloud, None)));
    let init = dag.add_node(Step::new(StepKind::Init, Some(&first.name)));
    if let Some(cloud) = cloud {
        dag.add_edge(cloud, init, ());
    }
    let cni = dag.add_node(Step::new(StepKind::Cni, Some(&first.name)));
    dag.add_edge(init, cni, ());
    for name in removed {
        let cleanup = dag.add_node(Step::new(StepKind::Cleanup, Some(name)));
        dag.add_edge(init, cleanup, ());
    }
    let mut before_workers = cni;
    for node in cluster
        .nodes
        .iter()
        .filter(|n| n.is_control_plane() && n.name != first.name)
    {
        let join = dag.add_node(Step::new(StepKind::ControlPlaneJoin, Some(&node.name)));
        dag.add_edge(before_workers, join, ());
        before_workers = join;
    }
    let ready = dag.add_node(Step::new(StepKind::LinuxReady, None));
    let mut linux_joins = 0;
    for node in cluster
        .nodes
        .iter()
        .filter(|n| !n.is_windows() && !n.is_control_plane())
    {
        let join = dag.add_node(Step::new(StepKind::LinuxJoin, Some(&node.name)));
        dag.add_edge(before_workers, join, ());
        dag.add_edge(join, ready, ());
        linux_joins += 1;
    }
    if linux_joins == 0 {
        dag.add_edge(before_workers, ready, ());
    }
    let mut windows_joins = Vec::new();
    for node in cluster.nodes.iter().filter(|n| n.is_windows()) {
        let prepare = dag.add_node(Step::new(StepKind::WindowsPrepare, Some(&node.name)));
        let join = dag.add_node(Step::new(StepKind::WindowsJoin, Some(&node.name)));
        dag.add_edge(ready, prepare, ());
        dag.add_edge(prepare, join, ());
        windows_joins.push(join);
    }
    if !windows_joins.is_empty() {
        let workloads = dag.add_node(Step::new(StepKind::Workloads, None));
        for join in windows_joins {
            dag.add_edge(join, workloads, ());
        }
    }
    Graph {
        order: run_order(&dag),
        dag,
    }
}

/// Steps by depth (the longest chain of steps before them), then in the order they were
/// added, which follows the spec. Steps of one depth do not depend on each other.
fn run_order(dag: &DiGraph<Step, ()>) -> Vec<NodeIndex> {
    // Every edge points from an earlier-added step to a later one, so there is no cycle.
    let topo = toposort(dag, None).expect("steps are added in dependency order");
    let mut depth = vec![0usize; dag.node_count()];
    for i in &topo {
        for next in dag.neighbors(*i) {
            depth[next.index()] = depth[next.index()].max(depth[i.index()] + 1);
        }
    }
    let mut order: Vec<NodeIndex> = dag.node_indices().collect();
    order.sort_by_key(|i| (depth[i.index()], i.index()));
    order
}

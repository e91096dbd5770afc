//! Per-node pod CIDRs where kubeplan plans them (host-gw, l3-upstream, ovn): pinned with
//! `pod_cidr`, kept from the last apply, or the lowest free subnet of `node_cidr_mask`
//! bits in `cluster_cidr`. A node keeps its subnet for its whole life: Kubernetes never
//! changes a node's `podCIDR`, so adding or removing other nodes must not move it.

use std::collections::{BTreeMap, HashSet};

use ipnet::Ipv4Net;

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::spec::Spec;
use crate::state::State;

/// Each node's pod CIDR in spec order; `None` everywhere in vxlan mode.
pub(super) fn allocate(
    spec: &Spec,
    prior: Option<&State>,
    diags: &mut Diagnostics,
) -> Vec<Option<Ipv4Net>> {
    let net = &spec.cluster.network;
    let mut out = vec![None; spec.nodes.len()];
    let planned = crate::network::Kind::select(net.plugin.value, net.mode.value)
        .is_some_and(|k| k.get().plans_pod_subnets());
    if !planned {
        for n in &spec.nodes {
            if let Some(p) = &n.pod_cidr {
                diags.push(
                    Diagnostic::error(Code::PodCidr, Some(p.span.clone()), format!("node {:?} pins pod_cidr in {} mode", n.name.value.as_str(), net.mode.value))
                        .with_help("in vxlan mode the controller manager gives each node its pod subnet; pod_cidr applies to host-gw, l3-upstream and ovn"),
                );
            }
        }
        return out;
    }
    let cluster = net.cluster_cidr.value;
    let mask = net.node_cidr_mask.value;
    if mask <= cluster.prefix_len() || mask > crate::validate::MAX_NODE_CIDR_MASK {
        return out; // reported by the network rules
    }
    let slot_size = 1u32 << (32 - mask);
    let base = u32::from(cluster.network());
    let slots = 1u64 << (mask - cluster.prefix_len());
    let slot_of = |addr: u32| (addr - base) / slot_size;
    let mut taken: HashSet<u32> = HashSet::new();
    let mut claimed: Vec<(Ipv4Net, &str)> = Vec::new();

    // 1. Pinned subnets, which must lie in the cluster CIDR and not overlap each other.
    for (i, n) in spec.nodes.iter().enumerate() {
        let Some(p) = &n.pod_cidr else { continue };
        let name = n.name.value.as_str();
        if !cluster.contains(&p.value) {
            diags.push(
                Diagnostic::error(
                    Code::PodCidr,
                    Some(p.span.clone()),
                    format!(
                        "pod_cidr {} of node {name:?} is outside cluster_cidr {cluster}",
                        p.value
                    ),
                )
                .with_help("a node's pod subnet is part of the cluster CIDR; pick one inside it"),
            );
            continue;
        }
        if let Some((other, other_name)) = claimed
            .iter()
            .find(|(c, _)| c.contains(&p.value.network()) || p.value.contains(&c.network()))
        {
            diags.push(
                Diagnostic::error(
                    Code::CidrOverlap,
                    Some(p.span.clone()),
                    format!(
                        "pod_cidr {} of node {name:?} overlaps {other} of node {other_name:?}",
                        p.value
                    ),
                )
                .with_help("every node needs its own pod subnet"),
            );
            continue;
        }
        claimed.push((p.value, name));
        let first = slot_of(u32::from(p.value.network()));
        let last = slot_of(u32::from(p.value.broadcast()));
        taken.extend(first..=last);
        out[i] = Some(p.value);
    }

    // 2. Subnets the last apply gave, when they still fit.
    let before: BTreeMap<&str, Ipv4Net> = prior
        .map(|s| {
            s.nodes
                .iter()
                .filter_map(|(name, r)| Some((name.as_str(), r.pod_cidr.as_deref()?.parse().ok()?)))
                .collect()
        })
        .unwrap_or_default();
    for (i, n) in spec.nodes.iter().enumerate() {
        if out[i].is_some() || n.pod_cidr.is_some() {
            continue;
        }
        let Some(kept) = before.get(n.name.value.as_str()) else {
            continue;
        };
        let slot = slot_of(u32::from(kept.network()));
        if kept.prefix_len() == mask && cluster.contains(kept) && taken.insert(slot) {
            out[i] = Some(*kept);
        }
    }

    // 3. The lowest free subnet for every other node, in spec order.
    let mut next = 0u64;
    for (i, n) in spec.nodes.iter().enumerate() {
        if out[i].is_some() || n.pod_cidr.is_some() {
            continue;
        }
        while next < slots && taken.contains(&(next as u32)) {
            next += 1;
        }
        if next >= slots {
            diags.push(
                Diagnostic::error(
                    Code::ClusterCidrSize,
                    Some(net.cluster_cidr.span.clone()),
                    format!(
                        "cluster_cidr {cluster} has no free /{mask} left for node {:?}",
                        n.name.value.as_str()
                    ),
                )
                .with_help("use a larger cluster_cidr or a longer node_cidr_mask"),
            );
            return out;
        }
        taken.insert(next as u32);
        let addr = std::net::Ipv4Addr::from(base + next as u32 * slot_size);
        out[i] = Some(Ipv4Net::new(addr, mask).expect("mask checked above"));
        next += 1;
    }
    out
}

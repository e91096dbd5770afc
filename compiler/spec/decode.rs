//! Decodes the evaluated HCL bodies into the typed [`Spec`], block by block.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use hcl::edit::structure::{Block, Body};
use hcl::eval::Context;
use ipnet::Ipv4Net;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, FileId, Span};
use crate::model::{NetworkMode, NodeName, Platform, Runtime};
use crate::network::Plugin;
use crate::spec::reader::{BodyReader, Schema};
use crate::spec::{
    block_label, CloudSpec, ClusterSpec, MirrorSpec, NetworkSpec, NodeSpec, PinSpec, ReleasesSpec,
    ResourcesSpec, Spanned, Spec, Variable,
};

const TOP: Schema = Schema {
    name: "top-level",
    attributes: &[],
    blocks: &["variable", "locals", "cluster", "node", "node_pool"],
};

const CLUSTER: Schema = Schema {
    name: "cluster",
    attributes: &[
        "kubernetes_version",
        "container_runtime",
        "control_plane_endpoint",
        "platform",
        "linux_worker_taint",
        "windows_support",
        "dhcp_domain_name",
    ],
    blocks: &["network", "join", "cloud", "releases", "mirror"],
};

const MIRROR: Schema = Schema {
    name: "mirror",
    attributes: &[
        "kubernetes_binaries",
        "kubernetes_packages",
        "github_releases",
        "docker_downloads",
        "container_registry",
    ],
    blocks: &[],
};

const RELEASES: Schema = Schema {
    name: "releases",
    attributes: &["allow_newer_patch"],
    blocks: &crate::releases::PINNABLE,
};

const PIN: Schema = Schema {
    name: "component",
    attributes: &["version", "sha256", "unverified"],
    blocks: &[],
};

const CLOUD: Schema = Schema {
    name: "cloud",
    attributes: &[
        "network",
        "resource_group",
        "virtual_network",
        "subnet",
        "route_table",
    ],
    blocks: &[],
};

const NETWORK: Schema = Schema {
    name: "network",
    attributes: &[
        "plugin",
        "mode",
        "cluster_cidr",
        "service_cidr",
        "management_cidr",
        "node_cidr_mask",
    ],
    blocks: &["vxlan"],
};

const VXLAN: Schema = Schema {
    name: "vxlan",
    attributes: &["vni", "port"],
    blocks: &[],
};

const JOIN: Schema = Schema {
    name: "join",
    attributes: &["ca_cert_hash"],
    blocks: &[],
};

const NODE: Schema = Schema {
    name: "node",
    attributes: &[
        "os",
        "distro",
        "windows_version",
        "roles",
        "address",
        "interface",
        "labels",
        "taints",
        "pod_cidr",
        "vmxnet3_offload_fix",
        "instance_id",
    ],
    blocks: &["resources"],
};

const NODE_POOL: Schema = Schema {
    name: "node_pool",
    attributes: &[
        "count",
        "address_range",
        "os",
        "distro",
        "windows_version",
        "roles",
        "interface",
        "labels",
        "taints",
        "vmxnet3_offload_fix",
    ],
    blocks: &["resources"],
};

const RESOURCES: Schema = Schema {
    name: "resources",
    attributes: &["cpus", "memory_gb", "disk_gb"],
    blocks: &[],
};

/// Every block schema of the spec language, for documentation checks.
pub(crate) const SCHEMAS: [&Schema; 11] = [
    &TOP, &CLUSTER, &NETWORK, &VXLAN, &JOIN, &CLOUD, &RELEASES, &PIN, &NODE, &NODE_POOL, &RESOURCES,
];

/// Flannel's Windows backend only accepts this VNI; it is also the default.
pub const DEFAULT_VXLAN_VNI: u32 = 4096;
/// The IANA VXLAN port, the only one Windows overlay networking uses.
pub const DEFAULT_VXLAN_PORT: u16 = 4789;
/// The most nodes a spec may describe: what Kubernetes supports in one cluster ("No more than
/// 5,000 nodes", kubernetes/website content/en/docs/setup/best-practices/cluster-large.md,
/// "Considerations for large clusters"). Checked before a pool's nodes are made, so a count
/// of 10^9 is a diagnostic, not 656 GB of allocation.
pub const MAX_NODES: u64 = 5000;

/// Each node's pod CIDR is a /24 unless `node_cidr_mask` says otherwise (kubeadm's default).
pub const DEFAULT_NODE_CIDR_MASK: u8 = 24;

/// Everything a block decoder needs besides the block itself.
struct Decoder<'a> {
    ctx: &'a Context<'a>,
    var_names: Vec<String>,
}

/// Decodes every top-level block; `None` when a required part could not be read.
pub(super) fn spec(
    bodies: &[(FileId, Body)],
    ctx: &Context,
    variables: BTreeMap<String, Variable>,
    diags: &mut Diagnostics,
) -> Option<Spec> {
    let d = Decoder {
        ctx,
        var_names: variables.keys().cloned().collect(),
    };
    let mut clusters = Vec::new();
    let mut nodes = Vec::new();
    let mut node_ok = true;
    for (file, body) in bodies {
        let top = Span {
            file: *file,
            range: 0..0,
        };
        BodyReader::new(*file, body, top, &TOP, ctx, diags, &d.var_names);
        for block in body.get_blocks("cluster") {
            clusters.push(d.cluster(*file, block, diags));
        }
        for block in body.blocks() {
            let decoded = match block.ident.as_str() {
                "node" => d.node(*file, block, diags).map(|n| vec![n]),
                "node_pool" => d.node_pool(*file, block, nodes.len() as u64, diags),
                _ => continue,
            };
            match decoded {
                Some(n) if nodes.len() as u64 == MAX_NODES && n.len() == 1 => {
                    diags.push(too_many_nodes(n[0].name.span.clone(), MAX_NODES + 1));
                    node_ok = false;
                }
                Some(n) => nodes.extend(n),
                None => node_ok = false,
            }
        }
    }
    let cluster = match clusters.len() {
        1 => clusters.pop().flatten(),
        0 => {
            diags.push(
                Diagnostic::error(Code::ClusterBlock, None, "the spec has no cluster block")
                    .with_help(
                        "add cluster \"NAME\" { kubernetes_version = ..., network { ... } }",
                    ),
            );
            None
        }
        n => {
            diags.push(
                Diagnostic::error(
                    Code::ClusterBlock,
                    None,
                    format!("the spec has {n} cluster blocks"),
                )
                .with_help("one spec describes one cluster; keep one cluster block per directory"),
            );
            None
        }
    };
    Some(Spec {
        cluster: cluster?,
        nodes: node_ok.then_some(nodes)?,
        variables,
    })
}

impl Decoder<'_> {
    fn reader<'b, 'd>(
        &'b self,
        file: FileId,
        body: &'b Body,
        header: Span,
        schema: &'b Schema,
        diags: &'d mut Diagnostics,
    ) -> BodyReader<'b, 'd> {
        BodyReader::new(file, body, header, schema, self.ctx, diags, &self.var_names)
    }

    fn cluster(&self, file: FileId, block: &Block, diags: &mut Diagnostics) -> Option<ClusterSpec> {
        let label = block_label(file, block, diags)?;
        let name = dns_label(label, "cluster", diags);
        let mut r = self.reader(file, &block.body, header_span(file, block), &CLUSTER, diags);
        let kubernetes_version = r
            .parsed(
                "kubernetes_version",
                Code::KubernetesVersion,
                "write a release such as \"1.35.8\" (docs/releases.md lists the known ones)",
                |s| s.parse(),
            )
            .required(&mut r, "kubernetes_version");
        let container_runtime = r
            .keyword::<Runtime>("container_runtime")
            .or_default(&r, Runtime::Containerd);
        let control_plane_endpoint = r
            .parsed(
                "control_plane_endpoint",
                Code::Endpoint,
                "write the API server address as \"10.0.0.10:6443\" or \"k8s.example.com:6443\"",
                |s| s.parse(),
            )
            .required(&mut r, "control_plane_endpoint");
        let platform = r
            .keyword::<Platform>("platform")
            .or_default(&r, Platform::BareMetal);
        let linux_worker_taint = r.boolean("linux_worker_taint").or_default(&r, false);
        let windows_support = r.boolean("windows_support").or_default(&r, true);
        let dhcp_domain_name = r.string("dhcp_domain_name").optional();
        let network_block = r.block("network");
        let join_block = r.block("join");
        let cloud_block = r.block("cloud");
        let releases_block = r.block("releases");
        let mirror_block = r.block("mirror");
        let header = r.header.clone();
        let network = match network_block {
            Some(b) => self.network(file, b, diags),
            None => {
                diags.push(
                    Diagnostic::error(Code::MissingAttribute, Some(header), "cluster block has no network block")
                        .with_help("add network { plugin = \"flannel\" mode = \"vxlan\" cluster_cidr = ... service_cidr = ... }"),
                );
                None
            }
        };
        let ca_cert_hash = join_block.and_then(|b| {
            let mut j = self.reader(file, &b.body, header_span(file, b), &JOIN, diags);
            j.parsed(
                "ca_cert_hash",
                Code::CaCertHash,
                "the control plane's bootstrap.sh prints the hash after kubeadm init",
                |s| s.parse(),
            )
            .optional()
        });
        let cloud = cloud_block.map(|b| {
            let header = header_span(file, b);
            let mut c = self.reader(file, &b.body, header.clone(), &CLOUD, diags);
            CloudSpec {
                header,
                network: c.string("network").optional(),
                resource_group: c.string("resource_group").optional(),
                virtual_network: c.string("virtual_network").optional(),
                subnet: c.string("subnet").optional(),
                route_table: c.string("route_table").optional(),
            }
        });
        let releases = releases_block
            .map(|b| self.releases(file, b, diags))
            .unwrap_or_default();
        let mirror = mirror_block.map(|b| self.mirror(file, b, diags));
        Some(ClusterSpec {
            cloud,
            mirror,
            releases,
            name: name?,
            kubernetes_version: kubernetes_version?,
            container_runtime: container_runtime?,
            control_plane_endpoint: control_plane_endpoint?,
            platform: platform?,
            network: network?,
            ca_cert_hash,
            linux_worker_taint: linux_worker_taint?,
            windows_support: windows_support?,
            dhcp_domain_name,
        })
    }

    /// `releases { allow_newer_patch = true  containerd { version = "2.1.4" } }`.
    fn releases(&self, file: FileId, block: &Block, diags: &mut Diagnostics) -> ReleasesSpec {
        let mut r = self.reader(
            file,
            &block.body,
            header_span(file, block),
            &RELEASES,
            diags,
        );
        let allow_newer_patch = r.boolean("allow_newer_patch").optional();
        let blocks: Vec<(&str, &Block)> = crate::releases::PINNABLE
            .iter()
            .filter_map(|name| Some((*name, r.block(name)?)))
            .collect();
        let mut pins = Vec::new();
        for (name, b) in blocks {
            let header = header_span(file, b);
            let mut p = self.reader(file, &b.body, header.clone(), &PIN, diags);
            let version = p
                .parsed(
                    "version",
                    Code::InvalidValue,
                    "write the release as its publisher tags it, e.g. \"2.3.4\" or \"v0.28.9\"",
                    |s| s.parse(),
                )
                .optional();
            let sha256 = p.string_map("sha256").optional();
            let unverified = p.string_list("unverified").optional();
            let sha256 = sha256.map(|m| sha256s(m, diags)).unwrap_or_default();
            pins.push(PinSpec {
                component: Spanned::new(name.to_owned(), header),
                version,
                sha256,
                unverified: unverified.map(|u| u.value).unwrap_or_default(),
            });
        }
        pins.sort_by_key(|p| p.component.span.range.start);
        ReleasesSpec {
            allow_newer_patch,
            pins,
        }
    }

    /// `mirror { kubernetes_binaries = "https://..."  container_registry = "host/path" }`.
    fn mirror(&self, file: FileId, block: &Block, diags: &mut Diagnostics) -> MirrorSpec {
        let header = header_span(file, block);
        let mut r = self.reader(file, &block.body, header.clone(), &MIRROR, diags);
        let mut base = |key: &str| {
            r.parsed(
                key,
                Code::InvalidValue,
                "write the store's base URL, such as \"https://mirror.corp.example/dl-k8s\"",
                parse_base_url,
            )
            .optional()
        };
        let kubernetes_binaries = base("kubernetes_binaries");
        let kubernetes_packages = base("kubernetes_packages");
        let github_releases = base("github_releases");
        let docker_downloads = base("docker_downloads");
        let container_registry = r
            .parsed(
                "container_registry",
                Code::InvalidValue,
                "write a registry host with an optional port and path, such as \"registry.corp.example\" or \"registry.corp.example:5000/k8s\"",
                parse_registry,
            )
            .optional();
        MirrorSpec {
            header,
            kubernetes_binaries,
            kubernetes_packages,
            github_releases,
            docker_downloads,
            container_registry,
        }
    }

    fn network(&self, file: FileId, block: &Block, diags: &mut Diagnostics) -> Option<NetworkSpec> {
        let mut r = self.reader(file, &block.body, header_span(file, block), &NETWORK, diags);
        let plugin = r
            .keyword::<Plugin>("plugin")
            .or_default(&r, Plugin::default_plugin());
        let mode = r
            .keyword::<NetworkMode>("mode")
            .or_default(&r, NetworkMode::Vxlan);
        let cluster_cidr = r
            .parsed("cluster_cidr", Code::CidrSyntax, CIDR_HINT, parse_cidr)
            .or_default(&r, net(10, 244, 16));
        let service_cidr = r
            .parsed("service_cidr", Code::CidrSyntax, CIDR_HINT, parse_cidr)
            .or_default(&r, net(10, 96, 12));
        let management_cidr = r
            .parsed("management_cidr", Code::CidrSyntax, CIDR_HINT, parse_cidr)
            .optional();
        let node_cidr_mask = r
            .number::<u8>("node_cidr_mask")
            .or_default(&r, DEFAULT_NODE_CIDR_MASK);
        let vxlan = r.block("vxlan");
        let header = r.header.clone();
        let (vxlan_vni, vxlan_port) = match vxlan {
            Some(b) => {
                let mut v = self.reader(file, &b.body, header_span(file, b), &VXLAN, diags);
                (
                    v.number::<u32>("vni").or_default(&v, DEFAULT_VXLAN_VNI),
                    v.number::<u16>("port").or_default(&v, DEFAULT_VXLAN_PORT),
                )
            }
            None => (
                Some(Spanned::new(DEFAULT_VXLAN_VNI, header.clone())),
                Some(Spanned::new(DEFAULT_VXLAN_PORT, header)),
            ),
        };
        Some(NetworkSpec {
            plugin: plugin?,
            mode: mode?,
            cluster_cidr: cluster_cidr?,
            service_cidr: service_cidr?,
            management_cidr,
            node_cidr_mask: node_cidr_mask?,
            vxlan_vni: vxlan_vni?,
            vxlan_port: vxlan_port?,
        })
    }

    fn node(&self, file: FileId, block: &Block, diags: &mut Diagnostics) -> Option<NodeSpec> {
        let label = block_label(file, block, diags)?;
        let name = dns_label(label, "node", diags);
        let mut r = self.reader(file, &block.body, header_span(file, block), &NODE, diags);
        let address = r
            .parsed(
                "address",
                Code::Address,
                "write the node's IPv4 address, e.g. \"10.0.0.21\"",
                |s| {
                    s.parse::<Ipv4Addr>()
                        .map_err(|_| format!("{s:?} is not an IPv4 address"))
                },
            )
            .required(&mut r, "address");
        let pod_cidr = r
            .parsed("pod_cidr", Code::CidrSyntax, CIDR_HINT, parse_cidr)
            .optional();
        let instance_id = r.string("instance_id").optional();
        let common = self.node_common(&mut r);
        let resources = self.resources(file, &mut r);
        let mut node = common?.into_node(name?, address?, resources);
        node.pod_cidr = pod_cidr;
        node.instance_id = instance_id;
        Some(node)
    }

    /// A `node_pool "NAME" { count = N, address_range = CIDR, ... }` block: `count` nodes
    /// named `NAME-01`, `NAME-02`, ... (`NAME-100` after `NAME-99`: raising the count never
    /// renames a node) with addresses taken in order from the range.
    fn node_pool(
        &self,
        file: FileId,
        block: &Block,
        nodes_before: u64,
        diags: &mut Diagnostics,
    ) -> Option<Vec<NodeSpec>> {
        let label = block_label(file, block, diags)?;
        let mut r = self.reader(
            file,
            &block.body,
            header_span(file, block),
            &NODE_POOL,
            diags,
        );
        let count = r.number::<u32>("count").required(&mut r, "count");
        let range = r
            .parsed("address_range", Code::CidrSyntax, CIDR_HINT, parse_cidr)
            .required(&mut r, "address_range");
        let common = self.node_common(&mut r);
        let resources = self.resources(file, &mut r);
        let (count, range, common) = (count?, range?, common?);
        if count.value == 0 {
            diags.push(
                Diagnostic::error(Code::NodePool, Some(count.span), "node_pool count is 0")
                    .with_help("give the pool at least one node, or remove the block"),
            );
            return None;
        }
        let total = nodes_before + u64::from(count.value);
        if total > MAX_NODES {
            diags.push(too_many_nodes(count.span, total));
            return None;
        }
        let hosts = range.value.hosts();
        let size = 1u64 << (32 - u32::from(range.value.prefix_len()));
        let available = if size > 2 { size - 2 } else { size };
        if u64::from(count.value) > available {
            diags.push(
                Diagnostic::error(
                    Code::NodePool,
                    Some(range.span),
                    format!(
                        "address_range {} has {available} host addresses, the pool needs {}",
                        range.value, count.value
                    ),
                )
                .with_help("widen address_range or lower count"),
            );
            return None;
        }
        let mut nodes = Vec::with_capacity(count.value as usize);
        for (i, address) in hosts.take(count.value as usize).enumerate() {
            let generated =
                Spanned::new(format!("{}-{:02}", label.value, i + 1), label.span.clone());
            let name = dns_label(generated, "node_pool", diags)?;
            let mut node = common.clone().into_node(
                name,
                Spanned::new(address, range.span.clone()),
                resources.clone(),
            );
            node.pool = Some(label.value.clone());
            nodes.push(node);
        }
        Some(nodes)
    }

    /// The attributes a node and a node pool share; `name` and `address` are filled in by the caller.
    fn node_common(&self, r: &mut BodyReader<'_, '_>) -> Option<NodeCommon> {
        let os = r.keyword("os").required(r, "os");
        let distro = r
            .parsed(
                "distro",
                Code::Distro,
                &format!(
                    "write FAMILY-VERSION, e.g. ubuntu-22.04; families: {}",
                    crate::model::Distro::accepted_families()
                ),
                |s| s.parse(),
            )
            .optional();
        let windows_version = r.keyword("windows_version").optional();
        let roles = r.keyword_list("roles").required(r, "roles");
        let interface = r.string("interface").required(r, "interface");
        let labels = r.string_map("labels").optional();
        let taints = r.string_list("taints").optional();
        let vmxnet3_offload_fix = r.boolean("vmxnet3_offload_fix").optional();
        Some(NodeCommon {
            os: os?,
            distro,
            windows_version,
            roles: roles?,
            interface: interface?,
            labels,
            taints,
            vmxnet3_offload_fix,
        })
    }

    /// The optional `resources { cpus, memory_gb, disk_gb }` block of a node or pool.
    fn resources(&self, file: FileId, r: &mut BodyReader<'_, '_>) -> Option<ResourcesSpec> {
        let block = r.block("resources")?;
        let mut b = self.reader(
            file,
            &block.body,
            header_span(file, block),
            &RESOURCES,
            r.diags,
        );
        Some(ResourcesSpec {
            cpus: b.number("cpus").optional(),
            memory_gb: b.number("memory_gb").optional(),
            disk_gb: b.number("disk_gb").optional(),
        })
    }
}

/// What a `node` block and a `node_pool` block share.
#[derive(Clone)]
struct NodeCommon {
    os: Spanned<crate::model::Os>,
    distro: Option<Spanned<crate::model::Distro>>,
    windows_version: Option<Spanned<crate::model::WindowsVersion>>,
    roles: Spanned<Vec<Spanned<crate::model::Role>>>,
    interface: Spanned<String>,
    labels: Option<Spanned<Vec<(String, String)>>>,
    taints: Option<Spanned<Vec<Spanned<String>>>>,
    vmxnet3_offload_fix: Option<Spanned<bool>>,
}

impl NodeCommon {
    fn into_node(
        self,
        name: Spanned<NodeName>,
        address: Spanned<Ipv4Addr>,
        resources: Option<ResourcesSpec>,
    ) -> NodeSpec {
        NodeSpec {
            name,
            os: self.os,
            distro: self.distro,
            windows_version: self.windows_version,
            roles: self.roles,
            address,
            interface: self.interface,
            labels: self.labels,
            taints: self.taints,
            resources,
            pod_cidr: None,
            instance_id: None,
            vmxnet3_offload_fix: self.vmxnet3_offload_fix,
            pool: None,
        }
    }
}

/// KP054 for a spec past `MAX_NODES`, at the node or count that goes past it.
fn too_many_nodes(at: Span, total: u64) -> Diagnostic {
    Diagnostic::error(
        Code::Limit,
        Some(at),
        format!("the spec has {total} nodes with this one, over the {MAX_NODES} nodes Kubernetes supports in one cluster"),
    )
    .with_help("Kubernetes supports at most 5,000 nodes per cluster (kubernetes.io: Considerations for large clusters); split the nodes into several clusters")
}

const CIDR_HINT: &str = "write an IPv4 network in CIDR notation, e.g. \"10.244.0.0/16\"";

fn net(a: u8, b: u8, prefix: u8) -> Ipv4Net {
    Ipv4Net::new(Ipv4Addr::new(a, b, 0, 0), prefix).expect("constant prefix is valid")
}

/// Parses `A.B.C.D/N`, refusing host bits (`10.244.1.0/16` is almost always a typo).
pub(crate) fn parse_cidr(s: &str) -> Result<Ipv4Net, String> {
    let n: Ipv4Net = s
        .parse()
        .map_err(|_| format!("{s:?} is not an IPv4 CIDR"))?;
    if n.trunc() != n {
        return Err(format!(
            "{s:?} has host bits set; the network is {}",
            n.trunc()
        ));
    }
    Ok(n)
}

fn dns_label(
    label: Spanned<String>,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Spanned<NodeName>> {
    match label.value.parse::<NodeName>() {
        Ok(n) => Some(Spanned::new(n, label.span)),
        Err(why) => {
            diags.push(
                Diagnostic::error(Code::NodeName, Some(label.span), format!("invalid {what} name: {why}"))
                    .with_help("names are DNS labels: lowercase letters, digits and '-', at most 63 characters"),
            );
            None
        }
    }
}

/// The span of a block's header: its identifier and labels.
fn header_span(file: FileId, block: &Block) -> Span {
    use hcl::edit::Span as _;
    let start = block.ident.span().map_or(0, |r| r.start);
    let end = block
        .labels
        .last()
        .and_then(|l| l.span())
        .or_else(|| block.ident.span())
        .map_or(start, |r| r.end);
    Span {
        file,
        range: start..end,
    }
}

/// A mirror's base URL: `http` or `https`, a host, an optional path, no query, no
/// trailing `/` (taken off), nothing a script would need to quote specially.
fn parse_base_url(s: &str) -> Result<String, String> {
    let trimmed = s.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| format!("{s:?} is not an http:// or https:// URL"))?;
    let host = rest.split('/').next().unwrap_or_default();
    let ok = |c: char| c.is_ascii_alphanumeric() || "-._~/:%".contains(c);
    if host.is_empty() || !rest.chars().all(ok) {
        return Err(format!(
            "{s:?} is not a base URL: a host and a path of letters, digits and -._~/:% only"
        ));
    }
    Ok(trimmed.to_owned())
}

/// A registry prefix for images: `host[:port][/path]`, no scheme, no tag.
fn parse_registry(s: &str) -> Result<String, String> {
    let trimmed = s.trim_end_matches('/');
    let host = trimmed.split('/').next().unwrap_or_default();
    let host_ok = !host.is_empty()
        && host.contains(['.', ':'])
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:".contains(c));
    let path_ok = trimmed[host.len()..]
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-._/".contains(c));
    if s.contains("://") || !host_ok || !path_ok {
        return Err(format!(
            "{s:?} is not a registry such as \"registry.corp.example\" (no scheme; a host with a dot or a port, then an optional lowercase path)"
        ));
    }
    Ok(trimmed.to_owned())
}

/// `sha256 = { "flanneld.exe" = "HEX" }`: 64 hex digits per file, kept lowercase.
fn sha256s(map: Spanned<Vec<(String, String)>>, diags: &mut Diagnostics) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, hash) in map.value {
        let hex = hash.to_ascii_lowercase();
        if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            out.push((name, hex));
        } else {
            diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    Some(map.span.clone()),
                    format!("the SHA-256 of {name:?} is not 64 hex digits"),
                )
                .with_help("write the output of sha256sum (Linux) or Get-FileHash (Windows) for the file you checked"),
            );
        }
    }
    out
}

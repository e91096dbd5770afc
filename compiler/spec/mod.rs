//! `spec::load`: every `*.hcl` file of a directory, plus variable inputs, into a typed,
//! span-carrying [`Spec`].
//!
//! hcl-edit parses (it keeps byte spans); hcl-rs evaluates each expression. Values are
//! parsed into domain types here, so later stages never see raw strings.

mod arithmetic;
pub(crate) mod decode;
mod encoding;
pub mod functions;
pub mod limits;
mod locals;
pub mod reader;
pub mod sensitive;
pub mod variables;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::Path;

use hcl::edit::structure::{Block, BlockLabel, Body};
use hcl::edit::Span as _;
use ipnet::Ipv4Net;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, FileId, SourceMap, Span};
use crate::model::{
    CaCertHash, Distro, Endpoint, KubeVersion, NetworkMode, NodeName, Os, Platform, Role, Runtime,
    WindowsVersion,
};
pub use variables::{VarInputs, Variable};

/// A value and the place in the spec it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a value with its span.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// The whole spec: one cluster, its nodes, and the variables that fed them.
#[derive(Clone, Debug)]
pub struct Spec {
    pub cluster: ClusterSpec,
    pub nodes: Vec<NodeSpec>,
    pub variables: BTreeMap<String, Variable>,
}

/// The `cluster "NAME" { ... }` block.
#[derive(Clone, Debug)]
pub struct ClusterSpec {
    pub name: Spanned<NodeName>,
    pub kubernetes_version: Spanned<KubeVersion>,
    pub container_runtime: Spanned<Runtime>,
    pub control_plane_endpoint: Spanned<Endpoint>,
    pub platform: Spanned<Platform>,
    pub network: NetworkSpec,
    pub ca_cert_hash: Option<Spanned<CaCertHash>>,
    /// Taint Linux workers `cattle.io/os=linux:NoSchedule` so Windows workloads land on Windows.
    pub linux_worker_taint: Spanned<bool>,
    /// Whether the cluster can hold Windows nodes; it must be chosen at creation (seed 001).
    pub windows_support: Spanned<bool>,
    /// The AWS VPC DHCP option set's domain-name, to check it holds a single domain.
    pub dhcp_domain_name: Option<Spanned<String>>,
    /// The `cloud { ... }` block: where the cloud network settings go (aws, gce, azure).
    pub cloud: Option<CloudSpec>,
    /// The `releases { ... }` block: versions the operator pins instead of the matrix's.
    pub releases: ReleasesSpec,
    /// The `mirror { ... }` block: the site's artifact store.
    pub mirror: Option<MirrorSpec>,
}

/// The `mirror { ... }` block of the cluster: bases that replace the default hosts.
#[derive(Clone, Debug)]
pub struct MirrorSpec {
    pub header: Span,
    pub kubernetes_binaries: Option<Spanned<String>>,
    pub kubernetes_packages: Option<Spanned<String>>,
    pub github_releases: Option<Spanned<String>>,
    pub docker_downloads: Option<Spanned<String>>,
    pub container_registry: Option<Spanned<String>>,
}

impl MirrorSpec {
    /// The mirror the scripts use.
    pub fn mirror(&self) -> crate::releases::Mirror {
        let v = |s: &Option<Spanned<String>>| s.as_ref().map(|s| s.value.clone());
        crate::releases::Mirror {
            kubernetes_binaries: v(&self.kubernetes_binaries),
            kubernetes_packages: v(&self.kubernetes_packages),
            github_releases: v(&self.github_releases),
            docker_downloads: v(&self.docker_downloads),
            container_registry: v(&self.container_registry),
        }
    }
}

/// The `releases { ... }` block of the cluster.
#[derive(Clone, Debug, Default)]
pub struct ReleasesSpec {
    /// Accept a patch of a known Kubernetes minor newer than the matrix's newest.
    pub allow_newer_patch: Option<Spanned<bool>>,
    /// `COMPONENT { version = "..." }` blocks, in the order written.
    pub pins: Vec<PinSpec>,
}

/// A `COMPONENT { version = "..."  sha256 = { FILE = "HEX" }  unverified = [FILE] }` block
/// inside `releases`.
#[derive(Clone, Debug)]
pub struct PinSpec {
    /// The component, a name of the release matrix, at the block's header.
    pub component: Spanned<String>,
    /// Another release than the matrix's; `None` keeps the matrix's.
    pub version: Option<Spanned<crate::model::ComponentVersion>>,
    /// The SHA-256 the operator vouches for, per file name (lowercase hex).
    pub sha256: Vec<(String, String)>,
    /// Files the operator accepts without any verification.
    pub unverified: Vec<Spanned<String>>,
}

impl ReleasesSpec {
    /// The operator's version of a component, if the block pins one.
    pub fn pin(&self, component: &str) -> Option<&PinSpec> {
        self.pins.iter().find(|p| p.component.value == component)
    }

    /// The version the block pins for a component, if it pins one.
    pub fn version(&self, component: &str) -> Option<&Spanned<crate::model::ComponentVersion>> {
        self.pin(component).and_then(|p| p.version.as_ref())
    }

    /// The operator's SHA-256 of a component's file.
    pub fn sha256(&self, component: &str, file: &str) -> Option<String> {
        let pin = self.pin(component)?;
        pin.sha256
            .iter()
            .find(|(f, _)| f == file)
            .map(|(_, h)| h.clone())
    }

    /// The block accepts a component's file unverified.
    pub fn unverified(&self, component: &str, file: &str) -> bool {
        self.pin(component)
            .is_some_and(|p| p.unverified.iter().any(|u| u.value == file))
    }
}

/// The `cloud { ... }` block of the cluster: names the cloud network script needs.
#[derive(Clone, Debug)]
pub struct CloudSpec {
    /// The block's header, where errors about the block as a whole point.
    pub header: Span,
    /// GCE: the VPC network the routes go in.
    pub network: Option<Spanned<String>>,
    /// Azure: the resource group of the VMs, the virtual network and the route table.
    pub resource_group: Option<Spanned<String>>,
    /// Azure: the virtual network and subnet the route table is associated with.
    pub virtual_network: Option<Spanned<String>>,
    pub subnet: Option<Spanned<String>>,
    /// Azure: the route table's name.
    pub route_table: Option<Spanned<String>>,
}

impl CloudSpec {
    /// The attribute `name` of the block, when the spec sets it.
    pub fn attribute(&self, name: &str) -> Option<&Spanned<String>> {
        match name {
            "network" => self.network.as_ref(),
            "resource_group" => self.resource_group.as_ref(),
            "virtual_network" => self.virtual_network.as_ref(),
            "subnet" => self.subnet.as_ref(),
            "route_table" => self.route_table.as_ref(),
            _ => None,
        }
    }
}

/// The `network { ... }` block of the cluster.
#[derive(Clone, Debug)]
pub struct NetworkSpec {
    pub plugin: Spanned<crate::network::Plugin>,
    pub mode: Spanned<NetworkMode>,
    pub cluster_cidr: Spanned<Ipv4Net>,
    pub service_cidr: Spanned<Ipv4Net>,
    pub management_cidr: Option<Spanned<Ipv4Net>>,
    /// The prefix length of each node's pod CIDR.
    pub node_cidr_mask: Spanned<u8>,
    pub vxlan_vni: Spanned<u32>,
    pub vxlan_port: Spanned<u16>,
}

/// Without `management_cidr`, a node's host network is taken to be the /24 around its address.
const DEFAULT_MANAGEMENT_PREFIX: u8 = 24;

impl NetworkSpec {
    /// The host network of a node: `management_cidr`, or the /24 around its address.
    pub fn host_network(&self, n: &NodeSpec) -> Ipv4Net {
        match &self.management_cidr {
            Some(m) => m.value,
            None => Ipv4Net::new(n.address.value, DEFAULT_MANAGEMENT_PREFIX)
                .map(|net| net.trunc())
                .expect("24 is a valid IPv4 prefix"),
        }
    }
}

/// A `node "NAME" { ... }` block.
#[derive(Clone, Debug)]
pub struct NodeSpec {
    pub name: Spanned<NodeName>,
    pub os: Spanned<Os>,
    pub distro: Option<Spanned<Distro>>,
    pub windows_version: Option<Spanned<WindowsVersion>>,
    pub roles: Spanned<Vec<Spanned<Role>>>,
    pub address: Spanned<Ipv4Addr>,
    pub interface: Spanned<String>,
    /// Node labels, keys sorted.
    pub labels: Option<Spanned<Vec<(String, String)>>>,
    /// Taints as written, `KEY[=VALUE]:EFFECT`.
    pub taints: Option<Spanned<Vec<Spanned<String>>>>,
    pub resources: Option<ResourcesSpec>,
    /// A pod CIDR pinned for this node (host-gw and l3-upstream).
    pub pod_cidr: Option<Spanned<Ipv4Net>>,
    /// The machine in the cloud: an EC2 instance id on AWS, the VM name on GCE and Azure.
    pub instance_id: Option<Spanned<String>>,
    /// `false` opts a vSphere Linux node out of the vmxnet3 offload unit.
    pub vmxnet3_offload_fix: Option<Spanned<bool>>,
    /// The `node_pool` the node was expanded from.
    pub pool: Option<String>,
}

/// The `resources { ... }` block of a node: what the machine has, checked against the minimums.
#[derive(Clone, Debug, Default)]
pub struct ResourcesSpec {
    pub cpus: Option<Spanned<u32>>,
    pub memory_gb: Option<Spanned<u32>>,
    pub disk_gb: Option<Spanned<u32>>,
}

/// What loading gave: the sources (always, for rendering diagnostics), the spec when
/// it decoded, and every diagnostic found on the way.
#[derive(Debug)]
pub struct Loaded {
    pub sources: SourceMap,
    /// The spec's own `*.hcl` files, in the order read (variable files are not among them).
    pub spec_files: Vec<FileId>,
    pub spec: Option<Spec>,
    pub diagnostics: Diagnostics,
}

/// Every attribute name the spec language accepts, in any block.
pub fn attribute_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = decode::SCHEMAS
        .iter()
        .copied()
        .chain([&variables::VARIABLE])
        .flat_map(|s| s.attributes.iter().copied())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Reads and decodes every `*.hcl` file in `dir` (sorted by name).
pub fn load(dir: &Path, inputs: &VarInputs) -> Loaded {
    let mut diags = Diagnostics::default();
    let mut sources = SourceMap::default();
    let mut files = Vec::new();
    for (name, bytes) in read_dir(dir, &mut diags) {
        match encoding::read(&mut sources, name, bytes, false) {
            Ok(file) => files.push(file),
            Err(d) => diags.push(d),
        }
    }
    decode_files(sources, files, inputs, diags)
}

/// Decodes spec files given as (name, text), in that order: what `load` does once the
/// files are read. Fuzzing and property tests use it without touching the disk.
pub fn load_texts(files: Vec<(String, String)>, inputs: &VarInputs) -> Loaded {
    let mut sources = SourceMap::default();
    let files = files
        .into_iter()
        .map(|(name, text)| sources.add(name, encoding::without_bom(text)))
        .collect();
    decode_files(sources, files, inputs, Diagnostics::default())
}

fn decode_files(
    mut sources: SourceMap,
    files: Vec<FileId>,
    inputs: &VarInputs,
    mut diags: Diagnostics,
) -> Loaded {
    let bodies = parse_files(&files, &sources, &mut diags);
    let spec_files = files;
    if diags.has_errors() {
        return finish(sources, spec_files, None, diags);
    }
    let vars = variables::resolve(&mut sources, &bodies, inputs, &mut diags);
    sources.set_secrets(sensitive::needles(&vars));
    let before = diags.0.len();
    let tainted = sensitive::check(&bodies, &vars, &mut diags);
    let reached = diags.0.len() > before;
    let mut ctx = variables::context(&vars);
    functions::declare(&mut ctx);
    locals::resolve(&bodies, &mut ctx, &tainted, &mut diags);
    if reached {
        // A sensitive value reaches an attribute: decoding would evaluate it and might
        // quote what a function made of it (upper(var.pw)), which no mask recognises.
        return finish(sources, spec_files, None, diags);
    }
    let spec = decode::spec(&bodies, &ctx, vars, &mut diags);
    let spec = if diags.has_errors() { None } else { spec };
    finish(sources, spec_files, spec, diags)
}

fn finish(
    sources: SourceMap,
    spec_files: Vec<FileId>,
    spec: Option<Spec>,
    mut diagnostics: Diagnostics,
) -> Loaded {
    diagnostics.sort();
    Loaded {
        sources,
        spec_files,
        spec,
        diagnostics,
    }
}

/// The `*.hcl` files of `dir`, sorted by name, as (path, bytes).
fn read_dir(dir: &Path, diags: &mut Diagnostics) -> Vec<(String, Vec<u8>)> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    Code::Input,
                    None,
                    format!("cannot read spec directory {}: {e}", dir.display()),
                )
                .with_help("pass the directory that holds the *.hcl files"),
            );
            return Vec::new();
        }
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "hcl") && p.is_file())
        .collect();
    paths.sort();
    if paths.is_empty() {
        diags.push(
            Diagnostic::error(
                Code::Input,
                None,
                format!("no *.hcl files in {}", dir.display()),
            )
            .with_help("a spec is every *.hcl file in the directory; see examples/three-node"),
        );
    }
    let mut files = Vec::new();
    for path in paths {
        match std::fs::read(&path) {
            Ok(bytes) => files.push((path.display().to_string(), bytes)),
            Err(e) => diags.push(Diagnostic::error(
                Code::Input,
                None,
                format!("cannot read {}: {e}", path.display()),
            )),
        }
    }
    files
}

fn parse_files(
    files: &[FileId],
    sources: &SourceMap,
    diags: &mut Diagnostics,
) -> Vec<(FileId, Body)> {
    let mut bodies = Vec::new();
    for &file in files {
        let text = &sources.file(file).text;
        match hcl::edit::parser::parse_body(text) {
            Ok(body) => bodies.push((file, body)),
            Err(e) => diags.push(syntax_error(file, text, &e)),
        }
    }
    bodies
}

/// A KP001 diagnostic for a parse error, pointing at the character the parser stopped at
/// (hcl-edit may give an offset inside a multi-byte character: the fuzzer found one).
pub(crate) fn syntax_error(file: FileId, text: &str, e: &hcl::edit::parser::Error) -> Diagnostic {
    let start = crate::diagnostic::floor_char_boundary(text, e.location().offset().min(text.len()));
    let end = text[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    Diagnostic::error(
        Code::Syntax,
        Some(Span {
            file,
            range: start..end,
        }),
        format!("syntax error: {}", e.message()),
    )
    .with_help("fix the HCL syntax here; blocks look like node \"NAME\" { key = \"value\" }")
}

/// The single label of a block (`node "win-1"`), reported when there is not exactly one.
pub(crate) fn block_label(
    file: FileId,
    block: &Block,
    diags: &mut Diagnostics,
) -> Option<Spanned<String>> {
    let ident = block.ident.as_str();
    match block.labels.as_slice() {
        [label] => {
            let text = match label {
                BlockLabel::String(s) => s.value().clone(),
                BlockLabel::Ident(i) => i.as_str().to_owned(),
            };
            let range = label.span().or_else(|| block.ident.span()).unwrap_or(0..0);
            Some(Spanned::new(text, Span { file, range }))
        }
        _ => {
            let range = block.ident.span().unwrap_or(0..0);
            diags.push(
                Diagnostic::error(
                    Code::BlockLabels,
                    Some(Span { file, range }),
                    format!(
                        "{ident} block needs exactly one label, found {}",
                        block.labels.len()
                    ),
                )
                .with_help(format!("write {ident} \"NAME\" {{ ... }}")),
            );
            None
        }
    }
}

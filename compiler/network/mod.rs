//! `network`: the pod networks kubeplan generates, as one closed type. Each network is a
//! module of its own that owns what sets it apart: the spec words that select it, its
//! rules, the files a node gets for it, its HNS network and tunnel, and the partials of
//! its templates (`templates/{windows,linux,cluster}/network/`). A network is added by
//! writing its module and partials and registering it with one line in [`networks!`].

use crate::cluster::{Cluster, Network, Node};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::{Keyword, NetworkMode, WindowsVersion};
use crate::spec::Spec;

/// What a network is and does; each network's module implements it.
pub trait PodNetwork: Sync {
    /// The spec's `network.plugin` word that selects the network, with [`Self::mode`].
    fn plugin(&self) -> &'static str;

    /// The spec's `network.mode` that selects the network, with [`Self::plugin`].
    fn mode(&self) -> NetworkMode;

    /// How the runbook and the scripts name the network: `flannel vxlan`.
    fn title(&self) -> &'static str;

    /// The name of the network's template partials: `windows/network/NAME.ps1`,
    /// `linux/network/NAME.sh` and `cluster/network/NAME.md`, which the OS templates include
    /// as `windows/network.ps1`, `linux/network.sh` and `cluster/network.md`.
    fn partials(&self) -> &'static str;

    /// The network's own rules. They run for a spec that selects the network, and for one
    /// that names its plugin with a mode no network has when it is the plugin's first.
    fn check(&self, _spec: &Spec, _diags: &mut Diagnostics) {}

    /// The error for a spec that names the network's plugin with a mode no network of
    /// the plugin runs (asked of the plugin's first network).
    fn refuse_mode(&self, spec: &Spec) -> Diagnostic {
        let n = &spec.cluster.network;
        Diagnostic::error(
            Code::InvalidValue,
            Some(n.mode.span.clone()),
            format!("{} does not run in mode {}", self.title(), n.mode.value),
        )
        .with_help(format!("set mode = \"{}\"", self.mode()))
    }

    /// kubeplan plans each node's pod subnet (`_cluster/routes.tsv`), instead of the
    /// controller manager or the network handing them out.
    fn plans_pod_subnets(&self) -> bool {
        self.mode().routes_pod_subnets()
    }

    /// The HNS network a Windows node's pods attach to, which kube-proxy is told about.
    fn hns_network(&self, network: &Network) -> String;

    /// The overlay's tunnel, which every node's firewall lets in; `None` without one.
    fn tunnel(&self, _network: &Network) -> Option<Tunnel> {
        None
    }

    /// kube-proxy runs on Windows nodes (with its RBAC on the cluster); false where the
    /// network balances services itself.
    fn windows_kube_proxy(&self) -> bool {
        true
    }

    /// Ports a Linux node's firewall must let in for the network besides its tunnel.
    fn firewall_ports(&self, _cluster: &Cluster, _node: &Node) -> Vec<Port> {
        Vec::new()
    }

    /// The update build revision a Windows node's preflight insists on, and why.
    fn min_revision(&self, _windows: WindowsVersion) -> Option<(u32, &'static str)> {
        None
    }

    /// The files a node gets for the network, beside its bootstrap script.
    fn files(&self, place: Place) -> Vec<NodeFile>;

    /// The release matrix's components the network installs for its Windows nodes.
    fn components(&self) -> &'static [&'static str] {
        &[]
    }

    /// The matrix's downloads (ids) a Windows node's script fetches for the network.
    fn windows_downloads(&self) -> &'static [&'static str] {
        &[]
    }

    /// The matrix's downloads the first control-plane node fetches for the network.
    fn init_downloads(&self) -> &'static [&'static str] {
        &[]
    }

    /// The images the network runs on Linux nodes and on Windows nodes, at the cluster's
    /// versions, before any mirror.
    fn images(&self, _versions: &crate::render::Versions) -> (Vec<String>, Vec<String>) {
        (Vec::new(), Vec::new())
    }
}

pub use flannel_vxlan::{flannel_cni_image, flannel_image};

/// Registers the networks: one line each, `module::Type`, where the module implements
/// [`PodNetwork`] for its unit type. The order is the order of the words in hints.
macro_rules! networks {
    ($($module:ident::$network:ident,)+) => {
        $(mod $module;)+

        /// Every network kubeplan generates.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Kind {
            $($network,)+
        }

        impl Kind {
            /// Every network, in the order of registration.
            pub const ALL: &'static [Kind] = &[$(Kind::$network,)+];

            /// The network's module.
            pub fn get(self) -> &'static dyn PodNetwork {
                match self {
                    $(Kind::$network => &$module::$network,)+
                }
            }
        }
    };
}

networks! {
    flannel_vxlan::FlannelVxlan,
    flannel_host_gw::FlannelHostGw,
    l3_upstream::L3Upstream,
    calico_vxlan::CalicoVxlan,
    ovn::Ovn,
}

impl Kind {
    /// The network a spec's plugin and mode select.
    pub fn select(plugin: Plugin, mode: NetworkMode) -> Option<Kind> {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.get().plugin() == plugin.0 && k.get().mode() == mode)
    }

    /// The first network registered with the plugin.
    fn first_of(plugin: Plugin) -> Kind {
        Kind::ALL
            .iter()
            .copied()
            .find(|k| k.get().plugin() == plugin.0)
            .expect("a Plugin is parsed only from a registered network's word")
    }
}

/// Runs the rules of the network the spec selects; a plugin with a mode no network has
/// is refused, and its first network's rules run all the same, so that every error of
/// the spec is reported at once.
pub fn check(spec: &Spec, diags: &mut Diagnostics) {
    let n = &spec.cluster.network;
    match Kind::select(n.plugin.value, n.mode.value) {
        Some(kind) => kind.get().check(spec, diags),
        None => {
            let first = Kind::first_of(n.plugin.value).get();
            diags.push(first.refuse_mode(spec));
            first.check(spec, diags);
        }
    }
}

/// The spec's `network.plugin`: the word of a registered network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plugin(&'static str);

impl Plugin {
    /// The plugin of the first registered network, which a spec without `plugin` runs.
    pub fn default_plugin() -> Plugin {
        Plugin(Kind::ALL[0].get().plugin())
    }

    /// The word as written in a spec.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl std::fmt::Display for Plugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl Keyword for Plugin {
    const WHAT: &'static str = "network plugin";

    fn parse(word: &str) -> Option<Self> {
        Kind::ALL
            .iter()
            .map(|k| k.get().plugin())
            .find(|p| *p == word)
            .map(Plugin)
    }

    fn accepted() -> String {
        let mut words: Vec<&str> = Vec::new();
        for k in Kind::ALL {
            if !words.contains(&k.get().plugin()) {
                words.push(k.get().plugin());
            }
        }
        words.join(", ")
    }
}

/// An overlay network's tunnel: its Windows firewall rule and what it lets in.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Tunnel {
    /// The Windows firewall rule's name, `kubeplan-<rule>`.
    pub rule: &'static str,
    pub display: &'static str,
    pub protocol: &'static str,
    pub port: u16,
    /// The VXLAN network identifier, for the VXLAN tunnels.
    pub vni: Option<u32>,
}

/// A port or range a firewall lets in, `PORT/PROTOCOL` as `firewall-cmd --add-port` takes it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Port {
    pub port: String,
    pub what: &'static str,
}

/// Which node a network's files are asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Windows,
    /// A Linux node; `first` for the one that runs `kubeadm init` and the CNI step.
    Linux {
        first: bool,
    },
}

/// A file a node gets for its network, written with mode 0644.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeFile {
    /// Its name in the node's folder.
    pub name: &'static str,
    /// The template it is rendered from.
    pub template: &'static str,
    /// The step it is used in.
    pub step: FileStep,
}

/// The step of a node that uses a network's file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileStep {
    /// The node's own first step: `prepare` on Windows, its init or join on Linux.
    Setup,
    /// The first control-plane node's CNI step.
    Cni,
    /// The join of a Windows node (on Linux, the same step as `Setup`).
    Join,
}

impl NodeFile {
    pub const fn new(name: &'static str, template: &'static str, step: FileStep) -> Self {
        NodeFile {
            name,
            template,
            step,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The three-node example with its network's plugin and mode replaced.
    fn spec(plugin: &str, mode: &str) -> Spec {
        let text = include_str!("../../examples/three-node/main.hcl")
            .replacen(
                "plugin       = \"flannel\"",
                &format!("plugin = \"{plugin}\""),
                1,
            )
            .replacen("mode         = \"vxlan\"", &format!("mode = \"{mode}\""), 1);
        let loaded = crate::spec::load_texts(
            vec![("main.hcl".to_owned(), text)],
            &crate::spec::VarInputs::default(),
        );
        loaded.spec.expect("the edited example decodes")
    }

    #[test]
    fn a_plugin_is_one_of_the_registered_networks_words_in_registration_order() {
        // Each word once, in the order its first network was registered.
        assert!(
            Plugin::accepted().starts_with("flannel, calico, ovn"),
            "{}",
            Plugin::accepted()
        );
        let accepted = Plugin::accepted();
        let words: Vec<&str> = accepted.split(", ").collect();
        let distinct: std::collections::BTreeSet<&str> = words.iter().copied().collect();
        assert_eq!(words.len(), distinct.len(), "{accepted}");
        assert_eq!(Plugin::parse("calico"), Some(Plugin("calico")));
        assert_eq!(Plugin::parse("cilium"), None);
        assert_eq!(Plugin::default_plugin().as_str(), "flannel");
    }

    #[test]
    fn a_plugin_and_mode_select_at_most_one_network() {
        let cases = [
            ("flannel", NetworkMode::Vxlan, Some(Kind::FlannelVxlan)),
            ("flannel", NetworkMode::HostGw, Some(Kind::FlannelHostGw)),
            ("flannel", NetworkMode::L3Upstream, Some(Kind::L3Upstream)),
            ("calico", NetworkMode::Vxlan, Some(Kind::CalicoVxlan)),
            ("calico", NetworkMode::HostGw, None),
            ("ovn", NetworkMode::Vxlan, Some(Kind::Ovn)),
            ("ovn", NetworkMode::L3Upstream, None),
        ];
        for (plugin, mode, kind) in cases {
            let plugin = Plugin::parse(plugin).expect("a registered plugin");
            assert_eq!(Kind::select(plugin, mode), kind, "{plugin} {mode}");
        }
        for kind in Kind::ALL {
            let n = kind.get();
            let plugin = Plugin::parse(n.plugin()).expect("its plugin parses");
            assert_eq!(Kind::select(plugin, n.mode()), Some(*kind), "{kind:?}");
        }
    }

    #[test]
    fn a_mode_the_plugin_does_not_run_is_refused_at_the_mode_with_the_plugins_rules() {
        let calico = spec("calico", "host-gw");
        let mut diags = Diagnostics::default();
        check(&calico, &mut diags);
        let refused: Vec<&Diagnostic> = diags.0.iter().filter(|d| d.code == Code::Calico).collect();
        assert!(
            refused.iter().any(
                |d| d.message == "Calico is generated with VXLAN, not host-gw"
                    && d.span == Some(calico.cluster.network.mode.span.clone())
            ),
            "{refused:?}"
        );
        // The network's other rules ran too: three-node has one Linux node, fewer than Typha wants.
        assert!(
            refused.iter().any(|d| d.message.contains("Typha")),
            "{refused:?}"
        );
    }

    #[test]
    fn a_network_without_its_own_refusal_names_its_title_and_mode() {
        let flannel = spec("flannel", "l3-upstream");
        let d = flannel_vxlan::FlannelVxlan.refuse_mode(&flannel);
        assert_eq!(d.code, Code::InvalidValue);
        assert_eq!(d.message, "flannel vxlan does not run in mode l3-upstream");
        assert_eq!(d.span, Some(flannel.cluster.network.mode.span.clone()));
    }
}

//! The CNI configurations kubeplan writes, as typed structs that mirror each plugin's
//! documented fields and reject any other (`deny_unknown_fields`): a misspelt or invented
//! key is a test failure here, where the plugin itself would silently ignore it.
//!
//! Sources: the CNI spec (`cniVersion`, `name`, `type`, `capabilities`, `ipam`, `dns`,
//! `runtimeConfig`, `prevResult`); containernetworking/plugins (`bridge`, `portmap`,
//! `host-local`, `win-bridge`, `win-overlay`); microsoft/windows-container-networking
//! (`sdnbridge`, `sdnoverlay`); flannel-io/cni-plugin (`flannel`) and flannel's
//! net-conf.json; seed 003 (`ovn_cni.exe`); the Tigera operator's `Installation` and
//! Calico's `FelixConfiguration` and `IPAMConfig` (Calico's CNI config is written by
//! calico-node from these).

#![allow(dead_code)]

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

/// The capabilities a runtime may pass through `runtimeConfig`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    #[serde(rename = "portMappings")]
    pub port_mappings: Option<bool>,
    pub dns: Option<bool>,
    pub bandwidth: Option<bool>,
    #[serde(rename = "ipRanges")]
    pub ip_ranges: Option<bool>,
    pub mac: Option<bool>,
    pub ips: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    pub dst: String,
    pub gw: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub subnet: String,
    #[serde(rename = "rangeStart")]
    pub range_start: Option<String>,
    #[serde(rename = "rangeEnd")]
    pub range_end: Option<String>,
    pub gateway: Option<String>,
}

/// host-local IPAM, and what windows-container-networking reads of the same object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostLocal {
    #[serde(rename = "type")]
    pub kind: HostLocalType,
    pub subnet: Option<String>,
    #[serde(rename = "rangeStart")]
    pub range_start: Option<String>,
    #[serde(rename = "rangeEnd")]
    pub range_end: Option<String>,
    pub gateway: Option<String>,
    pub ranges: Option<Vec<Vec<Range>>>,
    pub routes: Option<Vec<Route>>,
    #[serde(rename = "dataDir")]
    pub data_dir: Option<String>,
    #[serde(rename = "resolvConf")]
    pub resolv_conf: Option<String>,
}

#[derive(Debug, Deserialize)]
pub enum HostLocalType {
    #[serde(rename = "host-local")]
    HostLocal,
}

/// `{"Name": "EndpointPolicy", "Value": {...}}`, as HCN (v2) plugins take it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HcnArg {
    #[serde(rename = "Name")]
    pub name: PolicyKind,
    #[serde(rename = "Value")]
    pub value: HcnPolicy,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
pub enum PolicyKind {
    EndpointPolicy,
}

/// hcsshim's `hcn.EndpointPolicy` and the settings of the kinds kubeplan writes.
#[derive(Debug, Deserialize)]
#[serde(tag = "Type", content = "Settings", deny_unknown_fields)]
pub enum HcnPolicy {
    #[serde(rename = "OutBoundNAT")]
    OutBoundNat(OutBoundNat),
    #[serde(rename = "SDNRoute")]
    SdnRoute(SdnRoute),
    ProviderAddress(ProviderAddress),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutBoundNat {
    #[serde(rename = "VirtualIP")]
    pub virtual_ip: Option<String>,
    #[serde(rename = "Exceptions")]
    pub exceptions: Vec<String>,
    #[serde(rename = "Destinations")]
    pub destinations: Option<Vec<String>>,
    #[serde(rename = "Flags")]
    pub flags: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SdnRoute {
    #[serde(rename = "DestinationPrefix")]
    pub destination_prefix: String,
    #[serde(rename = "NextHop")]
    pub next_hop: Option<String>,
    #[serde(rename = "NeedEncap")]
    pub need_encap: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderAddress {
    #[serde(rename = "ProviderAddress")]
    pub provider_address: String,
}

/// The DNS block of windows-container-networking (containernetworking's `types.DNS`,
/// whose keys Go matches without regard to case).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HcnDns {
    #[serde(rename = "Nameservers", alias = "nameservers")]
    pub nameservers: Option<Vec<String>>,
    #[serde(rename = "Domain", alias = "domain")]
    pub domain: Option<String>,
    #[serde(rename = "Search", alias = "search")]
    pub search: Option<Vec<String>>,
    #[serde(rename = "Options", alias = "options")]
    pub options: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionalFlags {
    #[serde(rename = "localRoutedPortMapping")]
    pub local_routed_port_mapping: Option<bool>,
    #[serde(rename = "allowAclPortMapping")]
    pub allow_acl_port_mapping: Option<bool>,
    #[serde(rename = "forceBridgeGateway")]
    pub force_bridge_gateway: Option<bool>,
    #[serde(rename = "enableDualStack")]
    pub enable_dual_stack: Option<bool>,
    #[serde(rename = "loopbackDSR")]
    pub loopback_dsr: Option<bool>,
    #[serde(rename = "gatewayFromAdditionalRoutes")]
    pub gateway_from_additional_routes: Option<bool>,
}

/// `sdnbridge` / `sdnoverlay`: windows-container-networking's `NetworkConfig`. Inside a
/// flannel delegate, flannel supplies `name` and `cniVersion`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HcnConf {
    #[serde(rename = "cniVersion")]
    pub cni_version: Option<String>,
    pub name: Option<String>,
    pub capabilities: Option<Capabilities>,
    pub ipam: Option<HostLocal>,
    pub dns: Option<HcnDns>,
    #[serde(rename = "optionalFlags")]
    pub optional_flags: Option<OptionalFlags>,
    #[serde(rename = "runtimeConfig")]
    pub runtime_config: Option<Value>,
    #[serde(rename = "additionalRoutes")]
    pub additional_routes: Option<Vec<Route>>,
    #[serde(rename = "AdditionalArgs")]
    pub additional_args: Vec<HcnArg>,
}

/// A v1 (HNS) policy of `win-bridge` / `win-overlay`: hcsshim's `OutboundNatPolicy` and
/// `RoutePolicy`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct V1Arg {
    #[serde(rename = "Name", alias = "name")]
    pub name: PolicyKind,
    #[serde(rename = "Value", alias = "value")]
    pub value: V1Policy,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "Type", deny_unknown_fields)]
pub enum V1Policy {
    #[serde(rename = "OutBoundNAT")]
    OutBoundNat {
        #[serde(rename = "VIP")]
        vip: Option<String>,
        #[serde(rename = "ExceptionList")]
        exception_list: Vec<String>,
    },
    #[serde(rename = "ROUTE")]
    Route {
        #[serde(rename = "DestinationPrefix")]
        destination_prefix: String,
        #[serde(rename = "NextHop")]
        next_hop: Option<String>,
        #[serde(rename = "NeedEncap")]
        need_encap: Option<bool>,
    },
}

/// `win-bridge` / `win-overlay` of containernetworking/plugins (`hns.NetConf`, with
/// win-overlay's `endpointMacPrefix` and win-bridge's `ipMasqNetwork`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WinConf {
    #[serde(rename = "cniVersion")]
    pub cni_version: Option<String>,
    pub name: Option<String>,
    pub capabilities: Option<Capabilities>,
    pub ipam: Option<HostLocal>,
    pub dns: Option<HcnDns>,
    #[serde(rename = "runtimeConfig")]
    pub runtime_config: Option<Value>,
    pub policies: Vec<V1Arg>,
    #[serde(rename = "HcnPolicyArgs")]
    pub hcn_policy_args: Option<Vec<Value>>,
    #[serde(rename = "loopbackDSR")]
    pub loopback_dsr: Option<bool>,
    #[serde(rename = "apiVersion")]
    pub api_version: Option<u32>,
    #[serde(rename = "ipMasq")]
    pub ip_masq: Option<bool>,
    #[serde(rename = "endpointMacPrefix")]
    pub endpoint_mac_prefix: Option<String>,
    #[serde(rename = "ipMasqNetwork")]
    pub ip_masq_network: Option<String>,
}

/// What flannel delegates to on Windows.
#[derive(Debug, Deserialize)]
#[serde(tag = "type")]
pub enum WindowsDelegate {
    #[serde(rename = "sdnoverlay")]
    SdnOverlay(HcnConf),
    #[serde(rename = "sdnbridge")]
    SdnBridge(HcnConf),
    #[serde(rename = "win-overlay")]
    WinOverlay(WinConf),
    #[serde(rename = "win-bridge")]
    WinBridge(WinConf),
}

/// flannel-io/cni-plugin's `NetConf`, on Windows.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsFlannel {
    #[serde(rename = "cniVersion")]
    pub cni_version: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: FlannelType,
    pub capabilities: Option<Capabilities>,
    #[serde(rename = "subnetFile")]
    pub subnet_file: Option<String>,
    #[serde(rename = "dataDir")]
    pub data_dir: Option<String>,
    #[serde(rename = "runtimeConfig")]
    pub runtime_config: Option<Value>,
    pub delegate: WindowsDelegate,
}

#[derive(Debug, Deserialize)]
pub enum FlannelType {
    #[serde(rename = "flannel")]
    Flannel,
}

/// A top-level `sdnbridge` config (the l3-upstream Windows network).
#[derive(Debug, Deserialize)]
#[serde(tag = "type")]
pub enum WindowsBridge {
    #[serde(rename = "sdnbridge")]
    SdnBridge(HcnConf),
}

/// `ovn_cni.exe` as seed 003 configures it (its booleans are strings there).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ovn {
    #[serde(rename = "cniVersion")]
    pub cni_version: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: OvnType,
    pub bridge: String,
    #[serde(rename = "isGateway")]
    pub is_gateway: Option<String>,
    #[serde(rename = "ipMasq")]
    pub ip_masq: Option<String>,
    pub ipam: HostLocal,
}

#[derive(Debug, Deserialize)]
pub enum OvnType {
    #[serde(rename = "ovn_cni.exe")]
    OvnCni,
}

/// A Linux network configuration list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfList {
    #[serde(rename = "cniVersion")]
    pub cni_version: String,
    pub name: String,
    #[serde(rename = "disableCheck")]
    pub disable_check: Option<bool>,
    pub plugins: Vec<LinuxPlugin>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type")]
pub enum LinuxPlugin {
    #[serde(rename = "bridge")]
    Bridge(Bridge),
    #[serde(rename = "portmap")]
    Portmap(Portmap),
    #[serde(rename = "flannel")]
    Flannel(LinuxFlannel),
}

/// containernetworking/plugins' `bridge`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bridge {
    #[serde(rename = "cniVersion")]
    pub cni_version: Option<String>,
    pub name: Option<String>,
    pub capabilities: Option<Capabilities>,
    pub ipam: Option<HostLocal>,
    pub dns: Option<Value>,
    #[serde(rename = "runtimeConfig")]
    pub runtime_config: Option<Value>,
    pub bridge: Option<String>,
    #[serde(rename = "isGateway")]
    pub is_gateway: Option<bool>,
    #[serde(rename = "isDefaultGateway")]
    pub is_default_gateway: Option<bool>,
    #[serde(rename = "forceAddress")]
    pub force_address: Option<bool>,
    #[serde(rename = "ipMasq")]
    pub ip_masq: Option<bool>,
    pub mtu: Option<u32>,
    #[serde(rename = "hairpinMode")]
    pub hairpin_mode: Option<bool>,
    #[serde(rename = "promiscMode")]
    pub promisc_mode: Option<bool>,
    pub vlan: Option<u32>,
    #[serde(rename = "preserveDefaultVlan")]
    pub preserve_default_vlan: Option<bool>,
    pub enabledad: Option<bool>,
    pub macspoofchk: Option<bool>,
}

/// containernetworking/plugins' `portmap`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Portmap {
    #[serde(rename = "cniVersion")]
    pub cni_version: Option<String>,
    pub name: Option<String>,
    pub capabilities: Option<Capabilities>,
    #[serde(rename = "runtimeConfig")]
    pub runtime_config: Option<Value>,
    pub snat: Option<bool>,
    #[serde(rename = "markMasqBit")]
    pub mark_masq_bit: Option<u32>,
    #[serde(rename = "externalSetMarkChain")]
    pub external_set_mark_chain: Option<String>,
    #[serde(rename = "conditionsV4")]
    pub conditions_v4: Option<Vec<String>>,
    #[serde(rename = "conditionsV6")]
    pub conditions_v6: Option<Vec<String>>,
}

/// flannel-io/cni-plugin's `NetConf` on Linux: the delegate is a `bridge` config
/// without its type, name and IPAM, which flannel fills in.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinuxFlannel {
    pub capabilities: Option<Capabilities>,
    #[serde(rename = "subnetFile")]
    pub subnet_file: Option<String>,
    #[serde(rename = "dataDir")]
    pub data_dir: Option<String>,
    #[serde(rename = "runtimeConfig")]
    pub runtime_config: Option<Value>,
    pub delegate: Bridge,
}

/// flannel's `net-conf.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlannelNetConf {
    #[serde(rename = "Network")]
    pub network: String,
    #[serde(rename = "SubnetLen")]
    pub subnet_len: Option<u32>,
    #[serde(rename = "SubnetMin")]
    pub subnet_min: Option<String>,
    #[serde(rename = "SubnetMax")]
    pub subnet_max: Option<String>,
    #[serde(rename = "EnableIPv4")]
    pub enable_ipv4: Option<bool>,
    #[serde(rename = "EnableIPv6")]
    pub enable_ipv6: Option<bool>,
    #[serde(rename = "Backend")]
    pub backend: FlannelBackend,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "Type", deny_unknown_fields)]
pub enum FlannelBackend {
    #[serde(rename = "vxlan")]
    Vxlan {
        #[serde(rename = "VNI")]
        vni: Option<u32>,
        #[serde(rename = "Port")]
        port: Option<u16>,
        #[serde(rename = "GBP")]
        gbp: Option<bool>,
        #[serde(rename = "DirectRouting")]
        direct_routing: Option<bool>,
        #[serde(rename = "MacPrefix")]
        mac_prefix: Option<String>,
    },
    #[serde(rename = "host-gw")]
    HostGw {},
}

/// The Tigera operator's `Installation` (operator.tigera.io/v1), as far as kubeplan sets it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstallationSpec {
    #[serde(rename = "calicoNetwork")]
    pub calico_network: CalicoNetwork,
    #[serde(rename = "serviceCIDRs")]
    pub service_cidrs: Option<Vec<String>>,
    #[serde(rename = "windowsNodes")]
    pub windows_nodes: Option<WindowsNodes>,
    pub variant: Option<String>,
    pub registry: Option<String>,
    #[serde(rename = "kubernetesProvider")]
    pub kubernetes_provider: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalicoNetwork {
    pub bgp: Option<Toggle>,
    #[serde(rename = "windowsDataplane")]
    pub windows_dataplane: Option<WindowsDataplane>,
    #[serde(rename = "linuxDataplane")]
    pub linux_dataplane: Option<String>,
    pub mtu: Option<u32>,
    #[serde(rename = "ipPools")]
    pub ip_pools: Vec<IpPool>,
}

#[derive(Debug, Deserialize)]
pub enum Toggle {
    Enabled,
    Disabled,
}

#[derive(Debug, Deserialize)]
pub enum WindowsDataplane {
    Disabled,
    #[serde(rename = "HNS")]
    Hns,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpPool {
    pub name: Option<String>,
    pub cidr: String,
    #[serde(rename = "blockSize")]
    pub block_size: Option<u32>,
    pub encapsulation: Encapsulation,
    #[serde(rename = "natOutgoing")]
    pub nat_outgoing: Option<Toggle>,
    #[serde(rename = "nodeSelector")]
    pub node_selector: Option<String>,
    #[serde(rename = "disableBGPExport")]
    pub disable_bgp_export: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub enum Encapsulation {
    #[serde(rename = "IPIP")]
    Ipip,
    #[serde(rename = "IPIPCrossSubnet")]
    IpipCrossSubnet,
    #[serde(rename = "VXLAN")]
    Vxlan,
    #[serde(rename = "VXLANCrossSubnet")]
    VxlanCrossSubnet,
    None,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowsNodes {
    #[serde(rename = "cniBinDir")]
    pub cni_bin_dir: Option<String>,
    #[serde(rename = "cniConfigDir")]
    pub cni_config_dir: Option<String>,
    #[serde(rename = "cniLogDir")]
    pub cni_log_dir: Option<String>,
    #[serde(rename = "vxlanMACPrefix")]
    pub vxlan_mac_prefix: Option<String>,
    #[serde(rename = "vxlanAdapter")]
    pub vxlan_adapter: Option<String>,
}

/// Calico's `FelixConfiguration` spec, the VXLAN settings Windows depends on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FelixConfigurationSpec {
    #[serde(rename = "vxlanVNI")]
    pub vxlan_vni: Option<u32>,
    #[serde(rename = "vxlanPort")]
    pub vxlan_port: Option<u16>,
    #[serde(rename = "vxlanEnabled")]
    pub vxlan_enabled: Option<bool>,
    #[serde(rename = "logSeverityScreen")]
    pub log_severity_screen: Option<String>,
}

/// Calico's `IPAMConfig` spec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpamConfigSpec {
    #[serde(rename = "strictAffinity")]
    pub strict_affinity: bool,
    #[serde(rename = "autoAllocateBlocks")]
    pub auto_allocate_blocks: Option<bool>,
    #[serde(rename = "maxBlocksPerHost")]
    pub max_blocks_per_host: Option<u32>,
}

/// A Kubernetes object's `spec`, typed by `T`.
#[derive(Debug, Deserialize)]
pub struct Object<T> {
    pub spec: T,
}

/// A ConfigMap's data.
#[derive(Debug, Deserialize)]
pub struct ConfigMap {
    pub metadata: BTreeMap<String, Value>,
    pub data: BTreeMap<String, String>,
}

{# OVN/OVS on the Linux nodes: every node is an OVN chassis, OVN central runs on the first
   control-plane node. Included by the Linux scripts as linux/network.sh, once per part. -#}
{%- if part == "variables" %}
OVN_CENTRAL={{ cluster.init_address | sh(quoted=true) }}
{%- elif part == "packages" %}

# --- OVN/OVS: every node is an OVN chassis; OVN central runs on the first control plane --
log "Open vSwitch and the OVN host, Geneve from $NODE_ADDRESS"
apt-get install -y -q openvswitch-switch ovn-host
ovs-vsctl set Open_vSwitch . external_ids:ovn-remote="tcp:${OVN_CENTRAL}:6642" \
  external_ids:ovn-encap-ip="$NODE_ADDRESS" external_ids:ovn-encap-type=geneve \
  external_ids:system-id="$NODE_NAME"
systemctl enable --now ovn-controller
{%- elif part == "cni" -%}
log "OVN central: the northbound and southbound databases on ports 6641 and 6642"
apt-get install -y -q ovn-central
systemctl enable --now ovn-central
ovn-nbctl set-connection ptcp:6641
ovn-sbctl set-connection ptcp:6642
log "OVN central is up; deploy the ovn-kubernetes controller (ovnkube) against it now (runbook.md)"
{% elif part in ["cni_config"] %}
{%- else %}
{{ error(message="linux/network/ovn.sh has no part named " ~ part) }}
{%- endif -%}

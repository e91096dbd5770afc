{# l3-upstream on the Linux nodes: each node installs its bridge CNI config; the router
   carries the routes. Included by the Linux scripts as linux/network.sh, once per part. -#}
{%- if part == "cni_config" %}
# --- l3-upstream: the node's bridge on its pod subnet {{ node.pod_cidr }}; the router routes it
log "CNI config 10-bridge.conflist"
install -D -m 0644 ./10-bridge.conflist /etc/cni/net.d/10-bridge.conflist
{% elif part == "cni" -%}
log "l3-upstream: each node's bridge CNI config is installed by its own bootstrap script"
{% elif part in ["variables", "packages"] %}
{%- else %}
{{ error(message="linux/network/l3-upstream.sh has no part named " ~ part) }}
{%- endif -%}

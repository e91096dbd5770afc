{% if cluster.ca_cert_hash -%}
CA_CERT_HASH={{ cluster.ca_cert_hash | sh(quoted=true) }}
{%- else -%}
: "${KUBEPLAN_CA_CERT_HASH:?set KUBEPLAN_CA_CERT_HASH to the hash the control plane printed, or pin cluster.join.ca_cert_hash in the spec}"
CA_CERT_HASH=$KUBEPLAN_CA_CERT_HASH
[[ $CA_CERT_HASH =~ ^sha256:[0-9a-f]{64}$ ]] ||
  die "KUBEPLAN_CA_CERT_HASH is not sha256: followed by 64 lowercase hex digits"
{%- endif %}
# The JoinConfiguration kubeadm join reads (kubeadm.k8s.io v1beta3 and v1beta4 types.go:
# discovery.bootstrapToken, nodeRegistration, controlPlane): everything the join flags
# said, since kubeadm refuses them beside --config. Every value is checked above or by
# kubeplan to hold no quote or backslash, so each is a plain double-quoted YAML string.
CRI_SOCKET={{ cluster.linux_cri_socket | sh(quoted=true) }}
join_config=/run/kubeplan/kubeadm-join.yaml
join_config_lines=(
  "apiVersion: {{ cluster.kubeadm_api }}"
  "kind: JoinConfiguration"
  "discovery:"
  "  bootstrapToken:"
  "    apiServerEndpoint: \"$CONTROL_PLANE_ENDPOINT\""
  "    token: \"$KUBEPLAN_JOIN_TOKEN\""
  "    caCertHashes:"
  "      - \"$CA_CERT_HASH\""
  "nodeRegistration:"
  "  name: \"$NODE_NAME\""
  "  criSocket: \"$CRI_SOCKET\""
)
{# flannel on the Linux nodes (vxlan or host-gw): the first control-plane node applies
   kube-flannel.yml. Included by the Linux scripts as linux/network.sh, once per part. -#}
{%- if part == "cni" -%}
log "applying kube-flannel.yml"
kubectl apply -f "./kube-flannel.yml"
{% elif part in ["variables", "packages", "cni_config"] %}
{%- else %}
{{ error(message="linux/network/flannel.sh has no part named " ~ part) }}
{%- endif -%}

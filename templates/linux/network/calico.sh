{# Calico on the Linux nodes: the first control-plane node installs the Tigera operator and
   applies calico.yaml. Included by the Linux scripts as linux/network.sh, once per part. -#}
{%- if part == "cni" -%}
calico_version={{ cluster.versions.calico | sh(quoted=true) }}
{#- Since Calico v3.30 tigera-operator.yaml holds no CRDs (the operator makes them once its pod
    runs), so the CRD bundle goes first, as Calico's v3.32 quickstart and upgrade guide apply
    it (tigera/docs version-3.32 quickstart.mdx, operations/upgrading/kubernetes-upgrade.mdx). #}
log "installing the CRDs and the Tigera operator of Calico $calico_version"
kubectl apply --server-side --force-conflicts \
  -f "https://raw.githubusercontent.com/projectcalico/calico/${calico_version}/manifests/v1_crd_projectcalico_org.yaml"
kubectl apply --server-side --force-conflicts \
  -f "https://raw.githubusercontent.com/projectcalico/calico/${calico_version}/manifests/tigera-operator.yaml"
kubectl wait --for condition=established --timeout=180s \
  crd/installations.operator.tigera.io crd/felixconfigurations.crd.projectcalico.org \
  crd/ipamconfigs.crd.projectcalico.org
log "applying calico.yaml"
kubectl apply -f "./calico.yaml"
{% elif part in ["variables", "packages", "cni_config"] %}
{%- else %}
{{ error(message="linux/network/calico.sh has no part named " ~ part) }}
{%- endif -%}

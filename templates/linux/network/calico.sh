{# Calico on the Linux nodes: the first control-plane node installs the Tigera operator and
   applies calico.yaml. Included by the Linux scripts as linux/network.sh, once per part. -#}
{%- if part == "cni" -%}
calico_version={{ cluster.versions.calico | sh(quoted=true) }}
{#- Since Calico v3.30 tigera-operator.yaml holds no CRDs (the operator makes them once its pod
    runs), so the CRD bundle goes first, as Calico's v3.32 quickstart and upgrade guide apply
    it (tigera/docs version-3.32 quickstart.mdx, operations/upgrading/kubernetes-upgrade.mdx). #}
log "installing the CRDs and the Tigera operator of Calico $calico_version"
calico_dir=$(mktemp -d)
{%- set d = cluster.downloads["calico-crds"] %}
fetch_verified "$calico_dir/v1_crd_projectcalico_org.yaml" {% include "linux/_download.sh" %}
{%- set d = cluster.downloads["tigera-operator"] %}
fetch_verified "$calico_dir/tigera-operator.yaml" {% include "linux/_download.sh" %}
{%- if cluster.registry %}
# The operator's image from the mirror's registry, as Calico's air-gap guide edits the
# manifest (tigera/docs version-3.32 operations/image-options/alternate-registry.mdx).
sed -i {{ ("s#image: quay.io/#image: " ~ cluster.registry ~ "/#") | sh }} "$calico_dir/tigera-operator.yaml"
{%- endif %}
kubectl apply --server-side --force-conflicts -f "$calico_dir/v1_crd_projectcalico_org.yaml"
kubectl apply --server-side --force-conflicts -f "$calico_dir/tigera-operator.yaml"
rm -rf "$calico_dir"
kubectl wait --for condition=established --timeout=180s \
  crd/installations.operator.tigera.io crd/felixconfigurations.crd.projectcalico.org \
  crd/ipamconfigs.crd.projectcalico.org
log "applying calico.yaml"
kubectl apply -f "./calico.yaml"
{% elif part in ["variables", "packages", "cni_config"] %}
{%- else %}
{{ error(message="linux/network/calico.sh has no part named " ~ part) }}
{%- endif -%}

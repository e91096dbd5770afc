{# AWS in cloud-network.sh: the source/destination check off on every instance. Included
   by cluster/cloud-network.sh as cluster/cloud.sh, once per part. -#}
{%- if part == "cli" %}AWS CLI (aws){% elif part == "account" %}project or account{% elif part == "about" %}
#
# In {{ cluster.mode }} mode pods talk with their own addresses, which EC2 drops unless each
# instance's source/destination check is off (seeds 000 and 001).
{%- elif part == "commands" %}

command -v aws >/dev/null || die "the AWS CLI is not installed (https://aws.amazon.com/cli/)"

# NODE ADDRESS INSTANCE_ID: the instance id from the spec, else the one instance holding ADDRESS.
no_source_dest_check() {
  local node=$1 address=$2 id=$3
  if [[ -z $id ]]; then
    id=$(aws ec2 describe-instances --filters "Name=private-ip-address,Values=$address" \
      --query 'Reservations[].Instances[].InstanceId' --output text)
    [[ $id =~ ^i-[0-9a-f]+$ ]] || die "no single EC2 instance has the address $address of node $node (found: ${id:-none}); set instance_id in the spec"
  fi
  echo "kubeplan: $node ($id): source/destination check off"
  aws ec2 modify-instance-attribute --instance-id "$id" --no-source-dest-check
}

{% for r in routes -%}
no_source_dest_check {{ r.node | sh }} {{ r.address | sh }} {{ r.instance | sh }}
{% endfor -%}
{%- else %}
{{ error(message="cluster/cloud/aws.sh has no part named " ~ part) }}
{%- endif -%}

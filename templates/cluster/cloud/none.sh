{# The cloud partial of a platform that is not a cloud: cloud-network.sh is never rendered
   there (render::plan_files), so every part is an error. -#}
{{ error(message="cloud-network.sh is generated for aws, gce and azure only, not for platform " ~ cluster.platform) }}

# Found by cargo fuzz (crash-bd25a0b6…, minimised by hand): hcl-rs 0.20 panicked on
# `0/0` inside an interpolation ("assertion failed: value.is_finite()").
locals {
  hosts = "172.16.40.0/24"
}

cluster "calico" {
  kubernetes_version     = "1.31.2"
  control_plane_endpoint = "${cidrhost(local.hosts, 0/0)}:6443"
  platform               = "bare-metal"
}

# From issue 15: `1+1%0` panicked in hcl-rs 0.20 (integer % 0): kubeplan's arithmetic
# fold found the inner error, then still evaluated the outer `+`, whose operand was the
# unfolded `1%0`. `(1%0)+1` and `length([1%0])+1` did the same.
locals {
  a = 1+1%0
  b = (1%0)+1
  c = length([1%0])+1
}

cluster "demo" {
  kubernetes_version     = "1.31.2"
  control_plane_endpoint = "10.0.0.10:6443"
  platform               = "bare-metal"
}

# The spec the scale benchmarks compile (benches/stages.rs, scripts/bench-scale.sh):
# three control-plane nodes, a pool of Linux workers, a pool of Windows workers and one
# more Windows node of its own (win-edge, whose label the benchmark changes) on flannel
# host-gw, so every node gets a planned pod subnet and a route. Sizes are set with the
# pools' variables; the benchmarks use 10% Linux workers.

variable "linux_workers" {
  description = "Linux workers in the pool (at most 2046)"
  default     = 5
}

variable "windows_workers" {
  description = "Windows workers in the pool (at most 8190)"
  default     = 41
}

variable "edge_label" {
  description = "The value of win-edge's label kubeplan.io/bench"
  default     = "a"
}

cluster "scale" {
  kubernetes_version     = "1.35.8"
  control_plane_endpoint = "172.16.0.10:6443" # a load balancer in front of cp-1..3
  platform               = "bare-metal"

  # flannel and windows-container-networking publish no checksum for these two files;
  # a site checks them once and pins their SHA-256 instead (docs/releases.md).
  releases {
    flannel {
      unverified = ["flanneld.exe"]
    }
    windows_cni {
      unverified = ["windows-container-networking-cni-amd64-v0.3.1.zip"]
    }
  }

  network {
    mode            = "host-gw"
    cluster_cidr    = "10.128.0.0/9"
    service_cidr    = "10.96.0.0/12"
    management_cidr = "172.16.0.0/16"
  }
}

node "cp-1" {
  os        = "linux"
  distro    = "ubuntu-22.04"
  roles     = ["controlplane", "etcd"]
  address   = "172.16.0.11"
  interface = "eth0"
}

node "cp-2" {
  os        = "linux"
  distro    = "ubuntu-22.04"
  roles     = ["controlplane", "etcd"]
  address   = "172.16.0.12"
  interface = "eth0"
}

node "cp-3" {
  os        = "linux"
  distro    = "ubuntu-22.04"
  roles     = ["controlplane", "etcd"]
  address   = "172.16.0.13"
  interface = "eth0"
}

node_pool "lin" {
  count         = var.linux_workers
  address_range = "172.16.8.0/21"
  os            = "linux"
  distro        = "ubuntu-22.04"
  roles         = ["worker"]
  interface     = "eth0"
}

node_pool "win" {
  count           = var.windows_workers
  address_range   = "172.16.32.0/19"
  os              = "windows"
  windows_version = "ltsc2022"
  roles           = ["worker"]
  interface       = "Ethernet"
}

node "win-edge" {
  os              = "windows"
  windows_version = "ltsc2022"
  roles           = ["worker"]
  address         = "172.16.0.20"
  interface       = "Ethernet"
  labels          = { "kubeplan.io/bench" = var.edge_label }
}

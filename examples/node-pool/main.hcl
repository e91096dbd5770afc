# A Windows fleet: three Linux nodes and a pool of 50 Windows Server 2022 workers on
# flannel host-gw (l2bridge), bare metal on one L2 segment. kubeplan plans each node's pod
# subnet into out/_cluster/routes.tsv. Raise `count` to add workers: only the new
# node's folder, the route table and the runbook change.

variable "windows_workers" {
  description = "How many Windows workers the pool holds"
  default     = 50
}

cluster "fleet" {
  kubernetes_version     = "1.35.8"
  control_plane_endpoint = "172.16.0.10:6443"
  platform               = "bare-metal"
  linux_worker_taint     = true

  # Their publishers release no checksum for these files, and kubeplan cannot pin one it
  # has not seen: validate refuses them (KP059) unless listed here, marked UNVERIFIED.
  # Check each file once and write its SHA-256 instead, e.g.
  #   flannel { sha256 = { "flanneld.exe" = "<sha256sum of the file>" } }
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
    cluster_cidr    = "10.244.0.0/16"
    service_cidr    = "10.96.0.0/12"
    management_cidr = "172.16.0.0/22"
  }
}

node "cp-1" {
  os        = "linux"
  distro    = "ubuntu-22.04"
  roles     = ["controlplane", "etcd"]
  address   = "172.16.0.10"
  interface = "eth0"
}

node "linux-1" {
  os        = "linux"
  distro    = "ubuntu-22.04"
  roles     = ["worker"]
  address   = "172.16.0.11"
  interface = "eth0"
}

node "linux-2" {
  os        = "linux"
  distro    = "ubuntu-22.04"
  roles     = ["worker"]
  address   = "172.16.0.12"
  interface = "eth0"
}

node_pool "win" {
  count           = var.windows_workers
  address_range   = "172.16.1.0/24"
  os              = "windows"
  windows_version = "ltsc2022"
  roles           = ["worker"]
  interface       = "Ethernet"
  labels          = { "node.kubernetes.io/pool" = "win" }

  resources {
    cpus      = 4
    memory_gb = 16
    disk_gb   = 100
  }
}

# Upstream L3 routing (seed 003): every node has a local bridge on its own pod subnet, and
# the top-of-rack router holds one static route per node (pod subnet via node address),
# written to out/_cluster/routes.tsv. Bare metal, Kubernetes 1.35.

locals {
  hosts = "10.127.132.128/25"
  # Addresses from the host network, as Terraform users write them.
  cp_address = cidrhost(local.hosts, 10)
}

cluster "rack7" {
  kubernetes_version     = "1.35.8"
  control_plane_endpoint = format("%s:%d", local.cp_address, 6443)
  platform               = "bare-metal"
  linux_worker_taint     = true

  # Their publishers release no checksum for these files, and kubeplan cannot pin one it
  # has not seen: validate refuses them (KP059) unless listed here, marked UNVERIFIED.
  # Check each file once and write its SHA-256 instead, e.g.
  #   flannel { sha256 = { "flanneld.exe" = "<sha256sum of the file>" } }
  releases {
    windows_cni {
      unverified = ["windows-container-networking-cni-amd64-v0.3.1.zip"]
    }
  }

  network {
    mode            = "l3-upstream"
    cluster_cidr    = "10.10.0.0/16"
    service_cidr    = "10.96.0.0/12"
    management_cidr = local.hosts
    node_cidr_mask  = 26
  }
}

node "cp-1" {
  os        = "linux"
  distro    = "ubuntu-24.04"
  roles     = ["controlplane", "etcd", "worker"]
  address   = local.cp_address
  interface = "eno1"

  resources {
    cpus      = 4
    memory_gb = 16
    disk_gb   = 100
  }
}

node "worker-1" {
  os        = "linux"
  distro    = "rocky-9.4"
  roles     = ["worker"]
  address   = cidrhost(local.hosts, 11)
  interface = "eno1"
  labels    = { "node.kubernetes.io/ingress" = "true" }
}

node "win-1" {
  os              = "windows"
  windows_version = "ltsc2022"
  roles           = ["worker"]
  address         = cidrhost(local.hosts, 21)
  interface       = "Ethernet"
  pod_cidr        = "10.10.187.64/26"
  taints          = ["os=windows:NoSchedule"]
}

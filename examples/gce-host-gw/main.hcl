# Google Compute Engine with flannel host-gw (l2bridge on Windows). GCE routes between
# subnets, so every node's pod subnet needs a static route to the node and every VM IP
# forwarding (seed 000): kubeplan writes both into _cluster/cloud-network.sh.

locals {
  subnet = "10.128.0.0/20"
}

cluster "gce" {
  kubernetes_version     = "1.35.8"
  container_runtime      = "containerd"
  control_plane_endpoint = "${cidrhost(local.subnet, 10)}:6443"
  platform               = "gce"

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
    plugin          = "flannel"
    mode            = "host-gw"
    cluster_cidr    = "10.244.0.0/16"
    service_cidr    = "10.96.0.0/12"
    management_cidr = local.subnet
  }

  cloud {
    network = "kubeplan-vpc"
  }
}

node "cp-1" {
  os        = "linux"
  distro    = "ubuntu-22.04"
  roles     = ["controlplane", "etcd"]
  address   = cidrhost(local.subnet, 10)
  interface = "ens4"
}

node "worker-1" {
  os        = "linux"
  distro    = "ubuntu-22.04"
  roles     = ["worker"]
  address   = cidrhost(local.subnet, 11)
  interface = "ens4"
}

node "win-1" {
  os              = "windows"
  windows_version = "ltsc2022"
  roles           = ["worker"]
  address         = cidrhost(local.subnet, 21)
  interface       = "Ethernet"
  # The VM is named differently from the node.
  instance_id = "gce-win-2022-a"

  resources {
    cpus      = 4
    memory_gb = 16
    disk_gb   = 100
  }
}

node "win-2" {
  os              = "windows"
  windows_version = "ltsc2025"
  roles           = ["worker"]
  address         = cidrhost(local.subnet, 22)
  interface       = "Ethernet"
}

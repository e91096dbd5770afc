# Calico as RKE2 runs it with Windows nodes (seed 001): containerd on every node, Calico
# VXLAN through the Tigera operator, calico-node on Windows as a HostProcess pod. An HA
# control plane of three Linux control-plane + etcd nodes behind a virtual IP, three Linux
# workers (Typha's replicas), and two Windows Server 2022 workers on vSphere (Calico for
# Windows does not list Windows Server 2025 yet: projectcalico/calico #11691).

locals {
  hosts = "172.16.40.0/24"
}

cluster "calico" {
  kubernetes_version     = "1.35.8"
  container_runtime      = "containerd"
  control_plane_endpoint = "${cidrhost(local.hosts, 100)}:6443"
  platform               = "vsphere"

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
    plugin          = "calico"
    mode            = "vxlan"
    cluster_cidr    = "10.48.0.0/16"
    service_cidr    = "10.96.0.0/12"
    management_cidr = local.hosts
    node_cidr_mask  = 26
  }
}

node_pool "cp" {
  count         = 3
  address_range = cidrsubnet(local.hosts, 5, 1)
  os            = "linux"
  distro        = "rocky-9.4"
  roles         = ["controlplane", "etcd"]
  interface     = "ens192"
}

node_pool "linux" {
  count         = 3
  address_range = cidrsubnet(local.hosts, 5, 2)
  os            = "linux"
  distro        = "rocky-9.4"
  roles         = ["worker"]
  interface     = "ens192"
}

node "win-2022" {
  os              = "windows"
  windows_version = "ltsc2022"
  roles           = ["worker"]
  address         = cidrhost(local.hosts, 50)
  interface       = "Ethernet0"
}

node "win-2022-2" {
  os              = "windows"
  windows_version = "ltsc2022"
  roles           = ["worker"]
  address         = cidrhost(local.hosts, 51)
  interface       = "Ethernet0"
}

# LEGACY: kept because seed 003's topology needs Windows Server 2019 and Docker, which
# upstream no longer supports for new clusters (validate warns: Open vSwitch deprecated
# Windows in 3.7, Docker cannot run HostProcess containers, Kubernetes 1.35 no longer lists
# Windows Server 2019; docs/releases.md). A new cluster uses flannel or Calico.
#
# OVN/OVS overlay (seed 003): Docker on every node, OVN central on the control plane,
# Geneve tunnels between all nodes, and Windows Server 2019 workers whose pods sit on a
# transparent docker network under OVS. Each node's pod subnet is planned by kubeplan
# (the transparent network needs it before the node joins).

cluster "ovn" {
  kubernetes_version     = "1.35.8"
  container_runtime      = "docker"
  control_plane_endpoint = "10.0.1.10:6443"
  platform               = "bare-metal"

  # Their publishers release no checksum for these files, and kubeplan cannot pin one it
  # has not seen: validate refuses them (KP059) unless listed here, marked UNVERIFIED.
  # Check each file once and write its SHA-256 instead, e.g.
  #   docker { sha256 = { "docker-28.5.2.zip" = "<sha256sum of the file>" } }
  releases {
    windows_cni {
      unverified = ["windows-container-networking-cni-amd64-v0.3.1.zip"]
    }
    cri_dockerd {
      unverified = ["cri-dockerd-0.4.3.win.amd64.zip", "cri-dockerd-0.4.3.amd64.tgz"]
    }
    docker {
      unverified = ["docker-28.5.2.zip"]
    }
    openvswitch {
      unverified = ["openvswitch-hyperv-2.7.0-certified.msi", "ovn_cni.exe"]
    }
  }

  network {
    plugin          = "ovn"
    cluster_cidr    = "10.244.0.0/16"
    service_cidr    = "10.96.0.0/12"
    management_cidr = "10.0.1.0/24"
  }
}

node "central" {
  os        = "linux"
  distro    = "ubuntu-22.04"
  roles     = ["controlplane", "etcd"]
  address   = "10.0.1.10"
  interface = "eth0"
}

node "linux-1" {
  os        = "linux"
  distro    = "debian-12"
  roles     = ["worker"]
  address   = "10.0.1.11"
  interface = "eth0"
}

node "win-1" {
  os              = "windows"
  windows_version = "ltsc2019"
  roles           = ["worker"]
  address         = "10.0.1.21"
  interface       = "Ethernet"
}

node "win-2" {
  os              = "windows"
  windows_version = "ltsc2019"
  roles           = ["worker"]
  address         = "10.0.1.22"
  interface       = "Ethernet"
  # The subnet the seed's example gives its first Windows minion.
  pod_cidr = "10.244.1.0/24"
}

# Bare metal with flannel host-gw (l2bridge on Windows): every node on one L2 segment,
# one Linux control plane, one Linux worker and two Windows workers.

variable "k8s_version" {
  default = "1.35.8"
}

cluster "metal" {
  kubernetes_version     = var.k8s_version
  container_runtime      = "containerd"
  control_plane_endpoint = "192.168.10.10:6443"
  platform               = "bare-metal"

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
    management_cidr = "192.168.10.0/24"
  }

  join {
    ca_cert_hash = "sha256:7f3c2a9e5d1b8c4f6a0e2d9b7c5a3f1e8d6b4a2c0e9f7d5b3a1c8e6f4d2b0a9c"
  }
}

node "cp-1" {
  os        = "linux"
  distro    = "debian-12"
  roles     = ["controlplane", "etcd", "worker"]
  address   = "192.168.10.10"
  interface = "eno1"
}

node "worker-1" {
  os        = "linux"
  distro    = "rocky-9.3"
  roles     = ["worker"]
  address   = "192.168.10.11"
  interface = "eno1"
}

node "win-1" {
  os              = "windows"
  windows_version = "ltsc2022"
  roles           = ["worker"]
  address         = "192.168.10.21"
  interface       = "Ethernet 2"
}

node "win-2" {
  os              = "windows"
  windows_version = "ltsc2025"
  roles           = ["worker"]
  address         = "192.168.10.22"
  interface       = "Ethernet 2"
}

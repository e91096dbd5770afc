# An HA control plane: three Linux control-plane + etcd nodes behind a load balancer
# (control_plane_endpoint), two Linux workers tainted for Linux-only workloads, and
# Windows Server 2022 workers, on flannel VXLAN. The first control-plane node runs
# kubeadm init; the others join with --control-plane, one at a time.

cluster "prod" {
  kubernetes_version     = "1.35.8"
  control_plane_endpoint = "k8s-api.prod.example.com:6443"
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
    mode         = "vxlan"
    cluster_cidr = "10.244.0.0/16"
    service_cidr = "10.96.0.0/12"
  }
}

node_pool "cp" {
  count         = 3
  address_range = "10.20.0.8/29"
  os            = "linux"
  distro        = "ubuntu-24.04"
  roles         = ["controlplane", "etcd"]
  interface     = "eth0"
}

node_pool "linux" {
  count         = 2
  address_range = "10.20.0.16/29"
  os            = "linux"
  distro        = "ubuntu-24.04"
  roles         = ["worker"]
  interface     = "eth0"
}

node_pool "win" {
  count           = 2
  address_range   = "10.20.0.32/29"
  os              = "windows"
  windows_version = "ltsc2025"
  roles           = ["worker"]
  interface       = "Ethernet"
}

# The recommended architecture of the Rancher and Kubernetes Windows guides: one Linux
# control-plane + etcd + worker, one Linux worker for ingress, DNS and metrics, and one
# Windows worker, on vSphere with flannel VXLAN.

variable "k8s_version" {
  description = "The Kubernetes release every node installs"
  default     = "1.35.8"
}

cluster "demo" {
  kubernetes_version     = var.k8s_version
  container_runtime      = "containerd"
  control_plane_endpoint = "10.0.0.10:6443"
  platform               = "vsphere"

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
    plugin       = "flannel"
    mode         = "vxlan"
    cluster_cidr = "10.244.0.0/16"
    service_cidr = "10.96.0.0/12"

    vxlan {
      vni  = 4096
      port = 4789
    }
  }
}

node "cp-1" {
  os        = "linux"
  distro    = "ubuntu-22.04"
  roles     = ["controlplane", "etcd", "worker"]
  address   = "10.0.0.10"
  interface = "ens192"
}

node "worker-1" {
  os        = "linux"
  distro    = "ubuntu-22.04"
  roles     = ["worker"]
  address   = "10.0.0.11"
  interface = "ens192"
}

node "win-1" {
  os              = "windows"
  windows_version = "ltsc2022"
  roles           = ["worker"]
  address         = "10.0.0.21"
  interface       = "Ethernet0"
}

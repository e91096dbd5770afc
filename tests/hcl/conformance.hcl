# Constructs the spec language takes, for tests/hcl.rs: hcl-rs and HashiCorp's parser
# must read each the same way. Not a spec; kubeplan never loads this file.

variable "prefix" {
  description = "a \"quoted\" description with a \\ backslash"
  default     = "win"
  sensitive   = false
}

locals {
  n       = 3
  f       = 1.5
  big     = 1e3
  neg     = -1
  name    = "${var.prefix}-1"
  escaped = "a\"b\\c\n$${not_interpolated} %%{not_a_directive}"
  unicode = "Ethernet — 2 ‘x’"
  cidr    = cidrsubnet("10.0.0.0/8", 8, 2)
  host    = cidrhost(local.cidr, -2)
  joined  = join(",", ["a", "b"])
  padded  = format("%s-%02d", var.prefix, 7)
  list    = [1, "two", local.n]
  obj     = { a = 1, "b c" = local.n }
  cond    = local.n > 2 ? "many" : "few"
  ops     = local.n * 2 + 1
  nested  = [[1, 2], { x = [true, null] }]
  doc     = <<-EOT
    hello ${var.prefix}
    EOT
}

cluster "c" {
  kubernetes_version = "1.30.6"

  network {
    vxlan {}
  }
}

node "a" {
  labels = { "kubernetes.io/os" = "windows", plain = "x" }
}

node "b" {
  roles = ["worker"]
  x     = null
  y     = true
}

node_pool "p" {
  count = 2

  resources {
    cpus = 4
  }
}

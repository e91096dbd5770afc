# Found by cargo fuzz (crash-abbf7ecf…, minimised by hand): format()'s width overflowed
# ("attempt to multiply with overflow"); a width past 1000 is now KP008.
locals {
  name = format("%s-%3333333333333333333333333333333333333333333301d", "win", 7)
}

cluster "fuzz" {
  kubernetes_version = local.name
}

# A kubeadm join that stopped half-way (no kubelet.conf yet) leaves files its preflight
# refuses on the next try (bootstrap-kubelet.conf, pki/ca.crt, the kubelet on port
# 10250): `kubeadm reset` undoes it. A node with kubelet.conf has joined and is left alone.
undo_unfinished_join() {
  if [[ ! -f /etc/kubernetes/kubelet.conf ]] &&
    [[ -f /etc/kubernetes/bootstrap-kubelet.conf || -f /etc/kubernetes/pki/ca.crt ]]; then
    log "an earlier kubeadm join did not finish: kubeadm reset first"
    kubeadm reset --force --cri-socket {{ cluster.linux_cri_socket | sh }}
  fi
}
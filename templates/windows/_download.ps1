{#- Save-VerifiedFile's -Uri and its check for the download `d` (cluster.downloads): the
    publisher's checksum file, a SHA-256 kubeplan or the spec pins, or -Unverified where the
    spec accepts the file unchecked (validate refuses a download with none, KP059). -#}
-Uri {{ d.url | ps }}{% if d.checksum_url %} -ChecksumUri {{ d.checksum_url | ps }}{% elif d.sha256 %} -Sha256 {{ d.sha256 | ps }}{% elif d.unverified %} -Unverified{% else %}{{ error(message="the download " ~ d.file ~ " has no verification") }}{% endif %}
{#- fetch_verified's URL and check for the download `d` (cluster.downloads): the publisher's
    checksum file, a SHA-256 kubeplan or the spec pins, or unverified where the spec accepts
    the file unchecked (validate refuses a download with none, KP059). -#}
{{ d.url | sh }} {% if d.checksum_url %}{{ ("checksum-file:" ~ d.checksum_url) | sh }}{% elif d.sha256 %}{{ ("sha256:" ~ d.sha256) | sh }}{% elif d.unverified %}unverified{% else %}{{ error(message="the download " ~ d.file ~ " has no verification") }}{% endif %}
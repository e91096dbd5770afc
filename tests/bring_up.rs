//! Bring-up defects that no syntax check sees, each pinned on the generated Windows
//! artifacts and runbooks of every spec in the corpus (tests/common/specs.rs). Each test
//! names the upstream behaviour it holds the scripts to; each failed on the templates
//! before the fix (issue 14). The Linux scripts' behaviour is run for real in
//! tests/hostsim.rs; the PowerShell 5.1 traps are checked in tests/powershell_semantics.rs.

mod common;

use common::specs::{self, Compiled};
use common::text;
use kubeplan::render::Artifact;

/// Every artifact of the corpus whose path ends with `suffix`.
fn files(suffix: &str) -> Vec<(&'static Compiled, &'static Artifact)> {
    let found: Vec<_> = specs::artifacts()
        .filter(|(_, a)| a.path.ends_with(suffix))
        .collect();
    assert!(!found.is_empty(), "the corpus has no {suffix}");
    found
}

/// The byte offset of `needle` in `a`, failing with the file's name when it is missing.
fn position(spec: &Compiled, a: &Artifact, needle: &str) -> usize {
    text(a)
        .find(needle)
        .unwrap_or_else(|| panic!("{}/{}: no `{needle}`", spec.name, a.path))
}

/// Fails unless each of `needles` appears in `a`, each after the one before.
#[track_caller]
fn in_order(spec: &Compiled, a: &Artifact, needles: &[&str]) {
    let mut at = 0;
    for (i, needle) in needles.iter().enumerate() {
        let found = position(spec, a, needle);
        assert!(
            i == 0 || found > at,
            "{}/{}: `{needle}` comes before `{}`",
            spec.name,
            a.path,
            needles[i - 1]
        );
        at = found;
    }
}

/// The sibling file `name` of a node's artifact, if the spec generates it.
fn sibling(spec: &'static Compiled, a: &Artifact, name: &str) -> Option<&'static Artifact> {
    let folder = a.path.rsplit_once('/').map_or("", |(f, _)| f);
    spec.artifacts
        .iter()
        .find(|s| s.path == format!("{folder}/{name}"))
}

#[test]
fn kubeadm_join_finds_the_kubelet_on_path() {
    // kubeadm's join preflight runs `kubelet --version` found on PATH
    // (cmd/kubeadm/app/preflight/checks.go, KubeletVersionCheck, added for every OS by
    // addCommonChecks): C:\k must be on PATH before the join.
    for (spec, a) in files("/bootstrap.ps1") {
        in_order(spec, a, &["Add-ToPath $KubeDir", "'kubeadm.exe') join"]);
        let helper = position(spec, a, "function Add-ToPath");
        let body = &text(a)[helper..];
        for scope in ["'Machine')", "$env:Path = "] {
            assert!(
                body.contains(scope),
                "{}/{}: Add-ToPath does not set {scope}",
                spec.name,
                a.path
            );
        }
    }
}

#[test]
fn cri_dockerd_comes_from_its_windows_archive() {
    // Mirantis/cri-dockerd packaging/static/Makefile, target cross-win:
    // `zip -r cri-dockerd-$(VERSION).win.amd64.zip cri-dockerd`; `.amd64.` names the
    // Linux tarball only.
    let mut docker = 0;
    for (spec, a) in files("/bootstrap.ps1") {
        let Some(start) = text(a).find("/Mirantis/cri-dockerd/releases/download/v") else {
            continue;
        };
        docker += 1;
        let asset = text(a)[start..]
            .split('\'')
            .next()
            .and_then(|url| url.rsplit('/').next())
            .expect("an asset name");
        let version = asset
            .strip_prefix("cri-dockerd-")
            .and_then(|rest| rest.strip_suffix(".win.amd64.zip"));
        assert!(
            version.is_some_and(|v| !v.is_empty()),
            "{}/{}: {asset}",
            spec.name,
            a.path
        );
    }
    assert!(docker > 0, "no Docker spec in the corpus");
}

#[test]
fn an_ovn_windows_node_opens_geneve_and_has_the_hyper_v_module() {
    // Geneve's port is UDP 6081 (Open vSwitch lib/netdev-vport.c, GENEVE_DST_PORT); the
    // VMSwitchExtension cmdlets live in the Hyper-V module (feature Hyper-V-PowerShell).
    let mut ovn = 0;
    for (spec, a) in files("/bootstrap.ps1") {
        if !text(a).contains("Disable-VMSwitchExtension") {
            continue;
        }
        ovn += 1;
        let t = text(a);
        assert!(
            t.contains("-Protocol UDP -LocalPort 6081"),
            "{}/{}",
            spec.name,
            a.path
        );
        assert!(!t.contains("-LocalPort 4789"), "{}/{}", spec.name, a.path);
        let feature = position(spec, a, "'Hyper-V-PowerShell'");
        let install = position(spec, a, "Install-WindowsFeature -Name $missing");
        let used = position(spec, a, "Disable-VMSwitchExtension");
        assert!(
            feature < install && install < used,
            "{}/{}",
            spec.name,
            a.path
        );
        let runbook = spec
            .artifacts
            .iter()
            .find(|r| r.path == "runbook.md")
            .expect("runbook");
        assert!(
            text(runbook).contains("Geneve (UDP 6081)"),
            "{}: the runbook does not name Geneve's port",
            spec.name
        );
        assert!(!text(runbook).contains("UDP 4789"), "{}", spec.name);
    }
    assert!(ovn > 0, "no OVN spec in the corpus");
}

#[test]
fn flanneld_and_cri_dockerd_are_started_again_when_they_exit() {
    // A scheduled task's restart settings retry a failed start of the task, not an exit of
    // the program it runs; the start scripts themselves must loop.
    let mut started = 0;
    for (spec, a) in files("/bootstrap.ps1") {
        for (task, script, program) in [
            ("flanneld", "start-flanneld.ps1", "flanneld.exe"),
            ("cri-dockerd", "start-cri-dockerd.ps1", "cri-dockerd.exe"),
        ] {
            let registers = format!("Register-BootTask -Name '{task}' -Script '{script}'");
            let runs_it = text(a).contains(&registers);
            let file = sibling(spec, a, script);
            assert_eq!(
                runs_it,
                file.is_some(),
                "{}/{}: `{registers}` without its script, or the other way round",
                spec.name,
                a.path
            );
            let Some(start) = file else { continue };
            started += 1;
            in_order(
                spec,
                start,
                &[
                    "    while ($true) {",
                    "& $FilePath @ArgumentList",
                    "exited with code $exitCode",
                ],
            );
            position(
                spec,
                start,
                &format!("-FilePath (Join-Path $KubeDir '{program}')"),
            );
            position(spec, start, "Start-Sleep -Seconds $pause");
        }
    }
    assert!(started > 0);
}

#[test]
fn flanneld_starts_only_once_the_node_has_a_pod_subnet() {
    // flannel pkg/subnet/kube: flanneld exits when its node has no spec.podCIDR; in
    // host-gw mode kubeplan's timer sets it some seconds after the join.
    for (spec, a) in files("/start-flanneld.ps1") {
        // The wait is the supervisor's BeforeStart, so it comes after its name.
        in_order(
            spec,
            a,
            &[
                "Invoke-Supervised -Name 'flanneld'",
                "while (-not (Get-PodCidr))",
            ],
        );
        let bootstrap = sibling(spec, a, "bootstrap.ps1").expect("bootstrap.ps1");
        in_order(
            spec,
            bootstrap,
            &[
                "while (-not ($podCidr = Get-PodCidr))",
                "Register-BootTask -Name 'flanneld'",
            ],
        );
    }
}

#[test]
fn the_boot_path_recreates_the_external_network_before_flanneld() {
    // moby/moby#38358, flannel-io/flannel#1272: the External network may be gone after a
    // reboot, and flanneld attaches its own network to it.
    for (spec, a) in files("/start-flanneld.ps1") {
        in_order(
            spec,
            a,
            &[
                "Import-Module (Join-Path $KubeDir 'hns.psm1')",
                "Initialize-ExternalNetwork\n    while",
            ],
        );
        let vxlan = text(a).contains("New-HNSNetwork -Type Overlay");
        let host_gw = text(a).contains("New-HNSNetwork -Type L2Bridge");
        assert!(vxlan != host_gw, "{}/{}", spec.name, a.path);
        let net_conf = sibling(spec, a, "net-conf.json").expect("net-conf.json");
        let backend = if vxlan { "vxlan" } else { "host-gw" };
        assert!(
            text(net_conf).contains(&format!("\"Type\": \"{backend}\"")),
            "{}/{}: External network of another mode than net-conf.json's {backend}",
            spec.name,
            a.path
        );
    }
}

#[test]
fn kubelet_and_kube_proxy_write_their_logs_through_kube_log_runner() {
    // The klog file flags are gone since Kubernetes 1.26 (KEP-2845) and a service has no
    // console: kube-log-runner writes the output (kubernetes
    // cluster/gce/windows/k8s-node-setup.psm1). Its rotation flags exist from 1.34 (PR
    // #127667); an older kube-log-runner exits at an unknown flag.
    for (spec, a) in files("/bootstrap.ps1") {
        let t = text(a);
        position(spec, a, "\"$KubeDir\\kube-log-runner.exe\"");
        position(spec, a, "\"-log-file=$logDir\\$Name.log\"");
        // Both services stop before its file is replaced.
        position(
            spec,
            a,
            "-Path (Join-Path $KubeDir 'kube-log-runner.exe') -Service 'kubelet', 'kube-proxy'",
        );
        let (major, minor) = {
            let mut v = spec.kubernetes_version.split('.');
            let major: u32 = v.next().unwrap().parse().unwrap();
            (major, v.next().unwrap().parse::<u32>().unwrap())
        };
        let rotates = (major, minor) >= (1, 34);
        assert_eq!(
            t.contains("'-log-file-size=100M'"),
            rotates,
            "{}/{} at {}",
            spec.name,
            a.path,
            spec.kubernetes_version
        );
        assert_eq!(t.contains("'-log-file-age=168h'"), rotates);
    }
}

#[test]
fn a_restart_needed_exits_3010_not_0() {
    // 3010 is ERROR_SUCCESS_REBOOT_REQUIRED: automation must not read a node that waits
    // for a restart as done.
    for (spec, a) in files("/bootstrap.ps1") {
        let restart = position(spec, a, "if ($result.RestartNeeded -eq 'Yes') {");
        let rest = &text(a)[restart..];
        let block = &rest[..rest.find("\n    }\n").expect("end of block")];
        assert!(block.contains("exit 3010"), "{}/{}", spec.name, a.path);
        assert!(!text(a).contains("exit 0"), "{}/{}", spec.name, a.path);
        position(spec, a, "3010 (Windows' \"restart\nrequired\")");
    }
}

#[test]
fn the_runbook_tells_the_truth_about_images_runtimes_and_windows_steps() {
    for (spec, runbook) in files("runbook.md") {
        let t = text(runbook);
        // Kubernetes runs Windows containers with process isolation only (seed 003:
        // Hyper-V isolated containers are not supported).
        assert!(!t.contains("Hyper-V isolation only"), "{}", spec.name);
        let docker = spec.spec.contains("\"docker\"");
        assert_eq!(
            t.lines().nth(4).unwrap_or("").contains("Docker Engine"),
            docker,
            "{}: the runbook's runtime line",
            spec.name
        );
        // One run of bootstrap.ps1 prepares and joins a Windows node: one row.
        for line in t.lines().filter(|l| l.starts_with("| ")) {
            let step = line.split(" | ").nth(1).unwrap_or("");
            if step.starts_with("`join/") && line.contains("bootstrap.ps1") {
                panic!("{}: a Windows join on its own row: {line}", spec.name);
            }
        }
        for (_, ps1) in files("/bootstrap.ps1")
            .into_iter()
            .filter(|(s, _)| s.name == spec.name)
        {
            let node = ps1.path.split('/').next().unwrap();
            let row = format!("| `prepare/{node}`, `join/{node}` |");
            assert!(t.contains(&row), "{}: no row {row}", spec.name);
        }
    }
}

#[test]
fn a_node_joined_at_another_version_stops_before_changing_anything() {
    // The version skew policy (kubernetes.io/releases/version-skew-policy) forbids a
    // kubelet newer than the API server, and a running kubelet.exe cannot be replaced:
    // until kubeplan upgrades nodes, a joined node of another version is left alone.
    for (spec, a) in files("/bootstrap.ps1") {
        in_order(
            spec,
            a,
            &[
                "if ((Test-Path $KubeletConf) -and (Test-Path (Join-Path $KubeDir 'kubelet.exe'))) {",
                "--version) -split ' ')[-1]",
                "if ($joinedVersion -ne $KubernetesVersion) {",
                "does not upgrade a joined node; nothing was changed",
                "Install-WindowsFeature -Name $missing",
                "New-Item -ItemType Directory -Force -Path $KubeDir",
                "Save-VerifiedFile -Uri",
            ],
        );
    }
}

#[test]
fn containerd_reads_the_cni_folders_from_a_config_of_its_own_release() {
    // containerd >= 2.1 writes `bin_dirs` (a list), not `bin_dir`, in its default CRI
    // config (containerd internal/cri/config/config.go): a text edit of `config default`
    // leaves the CNI folder at containerd's own default there. kubeplan installs its own
    // config in the shape of the pinned release instead.
    let mut nodes = 0;
    for (spec, a) in files("/bootstrap.ps1") {
        if text(a).contains("cri-dockerd") {
            continue;
        }
        nodes += 1;
        // The release this node installs: the matrix's, or the spec's pin.
        let installed = text(a)
            .lines()
            .find_map(|l| l.strip_prefix("$ContainerdVersion = '"))
            .and_then(|v| v.strip_suffix('\''))
            .expect("bootstrap.ps1 names its containerd");
        let (major, minor) = {
            let mut v = installed.split('.').map(|p| p.parse::<u32>().unwrap());
            (v.next().unwrap(), v.next().unwrap())
        };
        assert!(
            !text(a).contains("config default"),
            "{}/{}",
            spec.name,
            a.path
        );
        in_order(
            spec,
            a,
            &[
                "Copy-Item -Force -Path (Join-Path $Here 'containerd-config.toml') -Destination \"$containerdDir\\config.toml\"",
                "Invoke-Program \"$containerdDir\\containerd.exe\" '--register-service'",
            ],
        );
        let config = sibling(spec, a, "containerd-config.toml").expect("containerd-config.toml");
        let toml: toml::Table = text(config)
            .parse()
            .expect("containerd-config.toml is TOML");
        let (version, plugin, key) = match (major, minor) {
            (1, _) => (2, "io.containerd.grpc.v1.cri", "bin_dir"),
            (2, 0) => (3, "io.containerd.cri.v1.runtime", "bin_dir"),
            _ => (3, "io.containerd.cri.v1.runtime", "bin_dirs"),
        };
        assert_eq!(toml["version"].as_integer(), Some(version));
        let cni = toml["plugins"][plugin]["cni"]
            .as_table()
            .expect("the CRI cni table");
        assert!(
            cni.contains_key(key),
            "{}/{}: no {key}",
            spec.name,
            config.path
        );
        assert_eq!(cni["conf_dir"].as_str(), Some(r"C:\etc\cni\net.d"));
    }
    assert!(nodes > 0);
}

#[test]
fn the_kubelet_finds_the_cluster_ca_through_its_config_folder() {
    // kubeadm writes clientCAFile: /etc/kubernetes/pki/ca.crt into the kubelet's config;
    // on Windows the kubelet resolves that against the config's folder
    // (pkg/kubelet/kubeletconfig/configfiles, resolveRelativePaths), so
    // C:\var\lib\kubelet\etc\kubernetes\pki must lead to C:\etc\kubernetes\pki.
    for (spec, a) in files("/bootstrap.ps1") {
        in_order(
            spec,
            a,
            &[
                "$kubeletPki = 'C:\\var\\lib\\kubelet\\etc\\kubernetes\\pki'",
                "New-Item -ItemType SymbolicLink -Path $kubeletPki -Value 'C:\\etc\\kubernetes\\pki'",
                "'kubeadm.exe') join",
            ],
        );
        assert!(
            !text(a).contains("'C:\\var\\lib\\kubelet\\etc\\kubernetes\\pki', `"),
            "{}/{}: the pki folder is made a plain folder",
            spec.name,
            a.path
        );
    }
}

#[test]
fn l3_upstream_pods_get_the_host_endpoint_as_their_gateway() {
    // sdnbridge's forceBridgeGateway overwrites the last byte of the gateway with 2
    // (windows-container-networking common/core/network.go, allocateIpam): wrong for the
    // example's /26 subnets. The config names the gateway for host-local instead.
    for (spec, a) in files("/10-l2bridge.json") {
        let config: serde_json::Value = serde_json::from_str(text(a)).expect("JSON");
        assert!(
            config.get("optionalFlags").is_none(),
            "{}/{}",
            spec.name,
            a.path
        );
        let ipam = &config["ipam"];
        let subnet: ipnet::Ipv4Net = ipam["subnet"].as_str().unwrap().parse().unwrap();
        let gateway: std::net::Ipv4Addr = ipam["gateway"].as_str().unwrap().parse().unwrap();
        assert!(subnet.contains(&gateway), "{}/{}", spec.name, a.path);
        assert_eq!(ipam["routes"][0]["gw"], ipam["gateway"]);
    }
}

/// The inline code spans (`…`) of a Markdown text.
fn code_spans(markdown: &str) -> Vec<&str> {
    markdown.split('`').skip(1).step_by(2).collect()
}

#[test]
fn no_command_the_runbook_or_a_script_shows_puts_a_secret_on_its_command_line() {
    // Issue 15: a secret typed on a command line stays in shell history (bash's
    // HISTFILE, PSReadLine's ConsoleHost_history.txt) and is in the process list every
    // user reads while the command runs (`sudo VAR=secret ./bootstrap.sh` keeps sudo,
    // with its arguments, alive for the whole run). The scripts ask for the secrets
    // instead, or read them from an environment that automation sets.
    let leaks = |command: &str| {
        [
            "KUBEPLAN_JOIN_TOKEN=",
            "KUBEPLAN_CERTIFICATE_KEY=",
            "-Token",
            "<token>",
            "<key>",
        ]
        .into_iter()
        .filter(|s| command.contains(s))
        .collect::<Vec<_>>()
    };
    let mut failures = Vec::new();
    for (spec, runbook) in files("runbook.md") {
        let text = text(runbook);
        for span in code_spans(text)
            .into_iter()
            .filter(|s| s.contains("bootstrap."))
        {
            for leak in leaks(span) {
                failures.push(format!(
                    "{}/runbook.md: `{span}` puts {leak} on a command line",
                    spec.name
                ));
            }
        }
        // Every step that runs a script that joins says the script asks for the token.
        for row in text
            .lines()
            .filter(|l| l.starts_with("| ") && l.contains("/bootstrap."))
        {
            if !row.contains("it asks for the token") {
                failures.push(format!(
                    "{}/runbook.md: the row does not say the script asks for the token: {row}",
                    spec.name
                ));
            }
        }
    }
    // The usage lines in the scripts' own headers.
    for suffix in ["/bootstrap.sh", "/bootstrap.ps1"] {
        for (spec, a) in files(suffix) {
            for line in text(a)
                .lines()
                .filter(|l| l.trim_start().starts_with('#') || l.starts_with("    .\\"))
            {
                if line.contains("./bootstrap.sh") || line.contains(".\\bootstrap.ps1") {
                    for leak in leaks(line) {
                        failures.push(format!(
                            "{}/{}: usage `{}` puts {leak} on a command line",
                            spec.name,
                            a.path,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

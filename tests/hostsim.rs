//! Every generated bash script of every spec runs, twice, under real bash in a throwaway
//! root: an `unshare`d mount, PID, network, UTS and IPC namespace whose `/` is a scratch
//! directory with the host's `/usr` read-only and fresh `/etc`, `/var`, `/run`, `/tmp`,
//! `/opt`, `/root` and `/usr/local`. Every program the scripts call that would touch the
//! machine, a package repository, the cluster or a cloud (apt-get, dnf, curl, systemctl,
//! kubeadm, kubelet, kubectl, sysctl, modprobe, firewall-cmd, aws, gcloud, az, …) is a
//! stub in `tests/hostsim/bin/` that records the call and enforces the real program's
//! documented rules for the release the node installed, each citing its upstream source.
//! The nodes of a spec share one simulated API server and cloud, in runbook order, so
//! what a step leaves (admin.conf, a token, uploaded certificates, open ports) is what the
//! next step finds. The test proves, per script: no rule is broken; the calls come in a
//! workable order; a second run changes no file and repeats nothing destructive; a
//! failing call stops the script with its message; and nothing outside the scratch root
//! is touched.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use common::specs::{self, report, require, Compiled};
use common::text;
use kubeplan::cloud::Cloud;
use kubeplan::cluster::{Cluster, Node, NodeOs};
use kubeplan::model::PackageManager;
use kubeplan::network;
use kubeplan::render::Artifact;
use kubeplan::spec::VarInputs;

/// What an operator passes the scripts (docs/artifacts.md).
const TOKEN: &str = "abcdef.0123456789abcdef";
const CERTIFICATE_KEY: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
/// The simulated cluster CA's public key hash where the spec pins none.
const DEFAULT_CA_HASH: &str =
    "sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8";

/// Host programs the scripts and stubs may run from the read-only `/usr`; any other bare
/// name is "command not found", so a template that starts calling a new program fails
/// here until a stub (with its rules) or this list knows it.
const HOST_TOOLS: &[&str] = &[
    "bash", "sh", "env", "cat", "sed", "awk", "grep", "printf", "echo", "install", "mkdir", "rm",
    "rmdir", "mktemp", "tar", "gzip", "cut", "tr", "tail", "head", "id", "dirname", "basename",
    "sort", "uniq", "ls", "cp", "mv", "chmod", "chown", "ln", "touch", "date", "sleep", "tee",
    "wc", "xargs", "find", "stat", "readlink", "realpath", "true", "false", "test", "seq", "cmp",
    "diff", "timeout", "expr", "uname", "whoami",
];

/// The writable directories of a root, compared between the first and the second run.
const WRITABLE: &[&str] = &["etc", "var", "run", "tmp", "opt", "root"];

fn sim_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hostsim")
}

/// Runs a program and fails with its output when it fails.
fn sh(program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_tree(from: &Path, to: &Path) {
    sh(
        "cp",
        &["-a", &from.display().to_string(), &to.display().to_string()],
    );
}

// --- the machine -----------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Firewalld {
    Absent,
    Stopped,
    Running,
}

/// The machine a script runs on, as the spec declares it.
#[derive(Clone, Debug)]
struct Machine {
    name: String,
    address: String,
    interface: String,
    /// apt, dnf or zypper.
    family: &'static str,
    os_id: String,
    version_id: String,
    cpus: u32,
    mem_kib: u64,
    disk_kib: u64,
    firewalld: Firewalld,
}

impl Machine {
    fn of(node: &Node, firewalld_active: bool) -> Machine {
        let NodeOs::Linux(distro) = &node.os else {
            panic!("{} is not a Linux node", node.name)
        };
        let family = match distro.family.package_manager() {
            PackageManager::Apt => "apt",
            PackageManager::Dnf => "dnf",
            PackageManager::Zypper => "zypper",
        };
        // /etc/os-release VERSION_ID: "22.04", "9.4", "12"; SLES writes "15-SP2" as "15.2".
        let version_id = if family == "zypper" {
            distro.version.replace("-sp", ".")
        } else {
            distro.version.clone()
        };
        let firewalld = match (family, firewalld_active) {
            ("apt", _) => Firewalld::Absent,
            (_, true) => Firewalld::Running,
            (_, false) => Firewalld::Stopped,
        };
        Machine {
            name: node.name.to_string(),
            address: node.address.to_string(),
            interface: node.interface.clone(),
            family,
            os_id: distro.family.os_release_id().to_owned(),
            version_id,
            cpus: node.resources.cpus,
            mem_kib: u64::from(node.resources.memory_gb) * 1_048_576,
            disk_kib: u64::from(node.resources.disk_gb) * 1_048_576,
            firewalld,
        }
    }

    /// The operator's workstation, where cloud-network.sh runs.
    fn workstation() -> Machine {
        Machine {
            name: "workstation".into(),
            address: "10.255.255.1".into(),
            interface: "eth0".into(),
            family: "apt",
            os_id: "ubuntu".into(),
            version_id: "24.04".into(),
            cpus: 4,
            mem_kib: 16 * 1_048_576,
            disk_kib: 100 * 1_048_576,
            firewalld: Firewalld::Absent,
        }
    }
}

/// The ports firewalld's default zone lets in on RHEL 9 (public: ssh, dhcpv6-client, cockpit).
const FIREWALLD_DEFAULT: &str = "22/tcp\n546/udp\n9090/tcp\n";

// --- the scratch root ------------------------------------------------------------------

/// One machine's scratch: `root/` (the chroot), `usr-local/` (its /usr/local), `meminfo`
/// and `env`. Removed on drop.
struct Scratch {
    dir: tempfile::TempDir,
}

fn write(path: &Path, content: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Puts the stub of an installed program on the root's PATH (/hostsim/path).
fn link_stub(root: &Path, program: &str) {
    if sim_dir().join("bin").join(program).exists() {
        let _ = fs::create_dir_all(root.join("hostsim/path"));
        symlink(
            Path::new("/hostsim/sim/bin").join(program),
            root.join("hostsim/path").join(program),
        )
        .unwrap();
    }
}

fn mkdirs(root: &Path, dirs: &[&str]) {
    for d in dirs {
        fs::create_dir_all(root.join(d)).unwrap();
    }
}

impl Scratch {
    fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    /// A fresh machine: the image's files, the packages every image has, the out dir
    /// copied to /root/kubeplan, and the simulator's own folders.
    fn new(m: &Machine, artifacts: &[Artifact]) -> Scratch {
        let dir = tempfile::Builder::new()
            .prefix("hostsim-")
            .disable_cleanup(std::env::var_os("KUBEPLAN_HOSTSIM_KEEP").is_some())
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("temp dir");
        let s = Scratch { dir };
        let r = s.root();
        mkdirs(
            &r,
            &[
                "usr",
                "dev",
                "proc",
                "etc/systemd/system",
                "etc/sysctl.d",
                "etc/modules-load.d",
                "var/lib",
                "var/tmp",
                "var/log",
                "run",
                "opt",
                "root",
                "hostsim/sim",
                "hostsim/cluster",
                "hostsim/host",
                "hostsim/log",
                "hostsim/kernel/systemd/active",
                "hostsim/kernel/modules",
                "hostsim/kernel/sysctl",
                "hostsim/kernel/links",
                "hostsim/kernel/firewalld",
            ],
        );
        mkdirs(
            &s.dir.path().join("usr-local"),
            &["bin", "sbin", "lib", "share", "etc", "include", "src"],
        );
        fs::create_dir_all(r.join("tmp")).unwrap();
        fs::set_permissions(r.join("tmp"), fs::Permissions::from_mode(0o1777)).unwrap();
        for d in ["bin", "sbin", "lib", "lib32", "lib64", "libx32"] {
            if let Ok(target) = fs::read_link(Path::new("/").join(d)) {
                symlink(target, r.join(d)).unwrap();
            }
        }
        // The host programs the scripts may run, each by its real path (/usr/bin/awk is a
        // link through /etc/alternatives, which the scratch /etc does not have).
        for tool in HOST_TOOLS {
            let found = ["/usr/bin", "/usr/sbin", "/bin", "/sbin"]
                .iter()
                .map(|d| Path::new(d).join(tool))
                .find(|p| p.exists());
            if let Some(p) = found {
                symlink(
                    fs::canonicalize(p).unwrap(),
                    r.join("hostsim/host").join(tool),
                )
                .unwrap();
            }
        }
        let etc = r.join("etc");
        let (pretty, like) = match m.family {
            "apt" => ("Linux", "debian"),
            "dnf" => ("Linux", "rhel centos fedora"),
            _ => ("Linux", "suse"),
        };
        write(
            &etc.join("os-release"),
            &format!(
                "NAME=\"{id} {pretty}\"\nID={id}\nID_LIKE=\"{like}\"\nVERSION_ID=\"{v}\"\nPRETTY_NAME=\"{id} {v}\"\n",
                id = m.os_id,
                v = m.version_id
            ),
        );
        write(
            &etc.join("fstab"),
            "UUID=0b1f7c5e-hostsim / ext4 defaults 0 1\n/swap.img none swap sw 0 0\n",
        );
        write(&etc.join("hostname"), &format!("{}\n", m.name));
        write(
            &etc.join("hosts"),
            &format!("127.0.0.1 localhost\n{} {}\n", m.address, m.name),
        );
        write(&etc.join("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        write(&etc.join("group"), "root:x:0:\n");
        if Path::new("/etc/ld.so.cache").exists() {
            fs::copy("/etc/ld.so.cache", etc.join("ld.so.cache")).unwrap();
        }
        match m.family {
            "apt" => {
                mkdirs(&etc, &["apt/sources.list.d", "apt/keyrings", "default"]);
                write(
                    &etc.join("apt/sources.list"),
                    "deb http://archive.example/ubuntu stable main\n",
                );
            }
            "dnf" => {
                mkdirs(&etc, &["yum.repos.d", "sysconfig"]);
                write(
                    &etc.join("selinux/config"),
                    "SELINUX=enforcing\nSELINUXTYPE=targeted\n",
                );
                write(
                    &etc.join("yum.repos.d/rocky.repo"),
                    "[baseos]\nname=BaseOS\nmirrorlist=https://mirrors.example/baseos\nenabled=1\n",
                );
            }
            _ => mkdirs(&etc, &["zypp/repos.d", "sysconfig"]),
        }
        // The packages every image of the family has (rules/packages.tsv, "base").
        let db = r.join("var/lib/hostsim");
        let mut base = vec!["base"];
        if m.firewalld != Firewalld::Absent {
            base.push("firewalld");
        }
        let table = fs::read_to_string(sim_dir().join("rules/packages.tsv")).unwrap();
        for row in table.lines().filter(|l| !l.starts_with('#')) {
            let cols: Vec<&str> = row.split('\t').collect();
            if cols.len() < 7 || cols[0] != m.family || !base.contains(&cols[1]) {
                continue;
            }
            write(&db.join("packages").join(cols[1]), "1.0\n");
            for b in cols[3].split(',').filter(|b| *b != "-") {
                write(&db.join("bin").join(b), &format!("{}\n", cols[1]));
                link_stub(&r, b);
            }
            for u in cols[4].split(',').filter(|u| *u != "-") {
                write(&db.join("units").join(u), &format!("{}\n", cols[1]));
            }
        }
        if m.name == "workstation" {
            for b in ["aws", "gcloud", "az", "curl"] {
                link_stub(&r, b);
            }
        }
        if m.firewalld != Firewalld::Absent {
            let wants = etc.join("systemd/system/multi-user.target.wants");
            fs::create_dir_all(&wants).unwrap();
            symlink(
                "/usr/lib/systemd/system/firewalld.service",
                wants.join("firewalld.service"),
            )
            .unwrap();
            mkdirs(&etc, &["firewalld/zones"]);
        }
        if m.firewalld == Firewalld::Running {
            write(
                &r.join("hostsim/kernel/systemd/active/firewalld.service"),
                "",
            );
        }
        // Kernel state: swap on, forwarding off, SELinux as the family ships it.
        let kernel = r.join("hostsim/kernel");
        write(&kernel.join("swap"), "on\n");
        write(&kernel.join("sysctl/net.ipv4.ip_forward"), "0\n");
        write(
            &kernel.join("selinux"),
            if m.family == "dnf" {
                "enforcing\n"
            } else {
                "disabled\n"
            },
        );
        write(
            &kernel.join("iptables"),
            "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n",
        );
        write(
            &r.join("hostsim/facts"),
            &format!(
                "HS_NODE={}\nHS_ADDRESS={}\nHS_INTERFACE={}\nHS_FAMILY={}\nHS_CPUS={}\nHS_DISK_KIB={}\n",
                m.name, m.address, m.interface, m.family, m.cpus, m.disk_kib
            ),
        );
        write(
            &s.dir.path().join("meminfo"),
            &format!(
                "MemTotal:       {} kB\nMemFree:        {} kB\nMemAvailable:   {} kB\n",
                m.mem_kib,
                m.mem_kib / 2,
                m.mem_kib / 2
            ),
        );
        // The out dir, as the operator copies it to the machine.
        let out = r.join("root/kubeplan");
        for a in artifacts {
            let path = out.join(&a.path);
            write(&path, text(a));
            fs::set_permissions(&path, fs::Permissions::from_mode(a.mode)).unwrap();
        }
        s
    }

    fn copy(&self) -> Scratch {
        let dir = tempfile::Builder::new()
            .prefix("hostsim-")
            .disable_cleanup(std::env::var_os("KUBEPLAN_HOSTSIM_KEEP").is_some())
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("temp dir");
        for entry in ["root", "usr-local", "meminfo"] {
            copy_tree(&self.dir.path().join(entry), &dir.path().join(entry));
        }
        Scratch { dir }
    }

    /// Files, links and directories of the writable part, with modes and contents.
    fn snapshot(&self) -> BTreeMap<String, String> {
        let mut map = BTreeMap::new();
        for d in WRITABLE {
            walk(&self.root().join(d), &format!("/{d}"), &mut map);
        }
        walk(&self.dir.path().join("usr-local"), "/usr/local", &mut map);
        map
    }
}

fn walk(path: &Path, name: &str, map: &mut BTreeMap<String, String>) {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return;
    };
    let mode = meta.mode() & 0o7777;
    if meta.file_type().is_symlink() {
        map.insert(
            name.into(),
            format!("link {}", fs::read_link(path).unwrap().display()),
        );
    } else if meta.is_dir() {
        map.insert(name.into(), format!("dir {mode:o}"));
        let mut entries: Vec<_> = fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        entries.sort();
        for e in entries {
            walk(
                &path.join(&e),
                &format!("{name}/{}", e.to_string_lossy()),
                map,
            );
        }
    } else {
        let content = fs::read(path).unwrap();
        map.insert(
            name.into(),
            format!("file {mode:o} {}", kubeplan::hash::sha256_hex(&content)),
        );
    }
}

// --- one run ---------------------------------------------------------------------------

/// What one run of a script did.
#[derive(Default)]
struct Run {
    ok: bool,
    output: String,
    calls: Vec<String>,
    violations: Vec<String>,
    mutations: Vec<String>,
}

fn take(path: &Path) -> Vec<String> {
    let text = fs::read_to_string(path).unwrap_or_default();
    let _ = fs::remove_file(path);
    text.lines().map(str::to_owned).collect()
}

/// Runs `./SCRIPT` from `/root/kubeplan/DIR` inside the scratch root, with `fail` (the
/// start of a call's command line) made to fail once.
fn run(
    s: &Scratch,
    cluster: &Path,
    dir: &str,
    script: &str,
    env: &[String],
    fail: Option<&str>,
) -> Run {
    let log = s.root().join("hostsim/log");
    let _ = fs::remove_file(log.join("failed"));
    match fail {
        Some(pattern) => write(&s.root().join("hostsim/fail"), &format!("{pattern}\n")),
        None => {
            let _ = fs::remove_file(s.root().join("hostsim/fail"));
        }
    }
    let mut lines = vec![
        "PATH=/hostsim/path:/hostsim/host:/usr/local/sbin:/usr/local/bin".to_owned(),
        "HOME=/root".to_owned(),
        "TERM=dumb".to_owned(),
        "LC_ALL=C".to_owned(),
    ];
    lines.extend(env.iter().cloned());
    write(&s.dir.path().join("env"), &(lines.join("\n") + "\n"));
    let out = Command::new("timeout")
        .args([
            "-k",
            "5",
            "120",
            "unshare",
            "--mount",
            "--pid",
            "--fork",
            "--kill-child",
            "--net",
            "--uts",
            "--ipc",
            "--",
            "bash",
        ])
        .arg(sim_dir().join("enter.sh"))
        .arg(s.dir.path())
        .arg(sim_dir())
        .arg(cluster)
        .arg(format!("/root/kubeplan/{dir}"))
        .arg(script)
        .stdin(Stdio::null())
        .output()
        .expect("unshare runs");
    Run {
        ok: out.status.success(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        calls: take(&log.join("calls")),
        violations: take(&log.join("violations")),
        mutations: take(&log.join("mutations")),
    }
}

// --- the checks of one script ----------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// bootstrap.sh of the first control-plane node: kubeadm init.
    Init,
    /// bootstrap.sh of any other node: kubeadm join.
    Join,
    PodCidrs,
    RemoveNode,
    Reset,
    Cloud,
}

/// The command line (without the working directory) of a logged call.
fn command(call: &str) -> &str {
    call.split('\t').next().unwrap_or(call)
}

fn position(calls: &[String], pred: impl Fn(&str) -> bool) -> Option<usize> {
    calls.iter().position(|c| pred(command(c)))
}

fn is_kubeadm_init(c: &str) -> bool {
    c.starts_with("kubeadm init") && !c.starts_with("kubeadm init phase")
}

/// The installation of the Kubernetes packages, by whichever package manager.
fn is_k8s_install(c: &str) -> bool {
    (c.starts_with("apt-get ") || c.starts_with("dnf ") || c.starts_with("zypper "))
        && c.contains("kubeadm")
}

/// The container runtime started: containerd, or cri-dockerd in front of Docker.
fn is_runtime_start(c: &str) -> bool {
    [
        "systemctl restart containerd",
        "systemctl restart cri-docker",
        "systemctl enable --now containerd",
        "systemctl start containerd",
    ]
    .iter()
    .any(|p| c.starts_with(p))
}

/// The calls a second run must not make again: kubeadm's one-time steps and new tokens.
fn is_destructive(c: &str) -> bool {
    is_kubeadm_init(c)
        || c.starts_with("kubeadm join")
        || c.starts_with("kubeadm reset")
        || c.starts_with("kubeadm token create")
}

/// The order the calls must come in, per kind of script.
fn order_problems(kind: Kind, calls: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut before = |a: Option<usize>, b: Option<usize>, what: &str| {
        if let (Some(a), Some(b)) = (a, b) {
            if a > b {
                problems.push(format!(
                    "order: {what} (call {} comes after call {})",
                    a + 1,
                    b + 1
                ));
            }
        } else if b.is_some() {
            problems.push(format!("order: {what} (the first never happens)"));
        }
    };
    let install = position(calls, is_k8s_install);
    let runtime = position(calls, is_runtime_start);
    match kind {
        Kind::Init => {
            let init = position(calls, is_kubeadm_init);
            before(
                install,
                init,
                "the Kubernetes packages are installed before kubeadm init",
            );
            before(
                runtime,
                init,
                "the container runtime runs before kubeadm init",
            );
            let cni = position(calls, |c| {
                c.starts_with("kubectl apply") || c.starts_with("ovn-nbctl")
            });
            before(
                init,
                cni,
                "kubeadm init comes before the pod network is applied",
            );
            if init.is_none() {
                problems.push("kubeadm init never runs".into());
            }
        }
        Kind::Join => {
            let join = position(calls, |c| c.starts_with("kubeadm join"));
            before(
                install,
                join,
                "the Kubernetes packages are installed before kubeadm join",
            );
            before(
                runtime,
                join,
                "the container runtime runs before kubeadm join",
            );
            if join.is_none() {
                problems.push("kubeadm join never runs".into());
            }
        }
        Kind::RemoveNode => {
            // The node goes from the cluster only after a drain (an earlier run's, when
            // the node has been reset since).
            let drain = position(calls, |c| c.starts_with("kubectl drain"));
            let delete = position(calls, |c| c.starts_with("kubectl delete node"));
            if drain.is_some() {
                before(drain, delete, "the node is drained before it is deleted");
            }
        }
        Kind::Reset => {
            let reset = position(calls, |c| c.starts_with("kubeadm reset"));
            let flush = position(calls, |c| c.starts_with("iptables-restore"));
            before(
                reset,
                flush,
                "kubeadm reset runs before the rules are flushed",
            );
        }
        Kind::PodCidrs | Kind::Cloud => {}
    }
    problems
}

/// The call a failure is injected into: the script's central step.
fn failure_target(kind: Kind, calls: &[String]) -> Option<String> {
    let pick = |pred: &dyn Fn(&str) -> bool| {
        calls
            .iter()
            .map(|c| command(c))
            .find(|c| pred(c))
            .map(str::to_owned)
    };
    match kind {
        Kind::Init => pick(&is_kubeadm_init),
        Kind::Join => pick(&|c| c.starts_with("kubeadm join")),
        Kind::PodCidrs => pick(&|c| c.starts_with("kubectl get")),
        Kind::RemoveNode => {
            pick(&|c| c.starts_with("kubectl drain") || c.starts_with("kubectl delete node"))
        }
        Kind::Reset => pick(&|c| c.starts_with("kubeadm reset")),
        Kind::Cloud => pick(&|c| {
            c.starts_with("aws ec2 modify-instance-attribute")
                || c.starts_with("gcloud compute routes create")
                || c.starts_with("gcloud compute instances list")
                || c.starts_with("az network vnet subnet update")
        }),
    }
}

/// The outcome of one script's three runs.
struct Outcome {
    name: String,
    calls: usize,
    violations: Vec<String>,
    problems: Vec<String>,
    second_clean: bool,
    written: BTreeSet<String>,
}

fn tail(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    lines[lines.len().saturating_sub(12)..].join("\n    ")
}

struct Job<'a> {
    kind: Kind,
    /// The script's folder in the out dir and its file name.
    dir: String,
    script: String,
    /// The machine it runs on: a node of the spec (its root is kept for later scripts)
    /// or the workstation.
    machine: String,
    /// Nodes to register in the API server first (joined by scripts the simulator cannot
    /// run, or by an earlier apply).
    add_nodes: Vec<String>,
    /// Nodes whose kubelet stopped (reset by a script run before, or by reset.ps1, which
    /// cannot run here): NotReady in the API server.
    not_ready: Vec<String>,
    /// What tells two runs of one script apart in the report.
    label: &'static str,
    artifacts: &'a [Artifact],
}

/// Runs one script: twice in its machine's root, and once more, from a copy taken before,
/// with its central call failing.
fn simulate(job: &Job, s: &Scratch, cluster: &Path, env: &[String]) -> Outcome {
    let name = format!("{}/{}{}", job.dir, job.script, job.label);
    let api = cluster.join("api/nodes");
    for node in &job.add_nodes {
        if api.is_dir() && !api.join(node).exists() {
            write(&api.join(node), "");
        }
    }
    for node in &job.not_ready {
        if api.join(node).exists() {
            write(&api.join(format!("{node}.notready")), "");
        }
    }
    let seed = s.snapshot();
    let before = s.copy();
    let cluster_before = tempfile::Builder::new()
        .prefix("hostsim-cluster-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let cluster_copy = cluster_before.path().join("c");
    copy_tree(cluster, &cluster_copy);

    let mut problems = Vec::new();
    let t0 = std::time::Instant::now();
    let first = run(s, cluster, &job.dir, &job.script, env, None);
    // KUBEPLAN_HOSTSIM_TRACE=1 prints every script's calls of its first run.
    if std::env::var_os("KUBEPLAN_HOSTSIM_TRACE").is_some() {
        eprintln!(
            "{name}: first run {:?}, {} calls:\n  {}",
            t0.elapsed(),
            first.calls.len(),
            first.calls.join("\n  ")
        );
    }
    let snap1 = s.snapshot();
    if !first.ok {
        problems.push(format!(
            "the first run failed:\n    {}\n  its last calls:\n    {}",
            tail(&first.output),
            first.calls[first.calls.len().saturating_sub(5)..].join("\n    ")
        ));
    }
    problems.extend(order_problems(job.kind, &first.calls));
    let second = run(s, cluster, &job.dir, &job.script, env, None);
    let snap2 = s.snapshot();
    let mut second_clean = second.ok && first.ok;
    if first.ok && !second.ok {
        problems.push(format!(
            "the second run failed:\n    {}",
            tail(&second.output)
        ));
    }
    let changed: Vec<String> = snap1
        .keys()
        .chain(snap2.keys())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|k| snap1.get(*k) != snap2.get(*k))
        .map(|k| {
            format!(
                "{k}: {} -> {}",
                snap1.get(k).map_or("absent", String::as_str),
                snap2.get(k).map_or("absent", String::as_str)
            )
        })
        .collect();
    if first.ok && !changed.is_empty() {
        second_clean = false;
        problems.push(format!(
            "the second run changed files:\n    {}",
            changed.join("\n    ")
        ));
    }
    // reset.sh exists to run kubeadm reset; run again on a clean node it removes nothing,
    // which the stub's mutations show. Any other script must not call it again at all.
    let repeated: Vec<&str> = second
        .calls
        .iter()
        .map(|c| command(c))
        .filter(|c| {
            is_destructive(c) && !(job.kind == Kind::Reset && c.starts_with("kubeadm reset"))
        })
        .collect();
    if first.ok && (!repeated.is_empty() || !second.mutations.is_empty()) {
        second_clean = false;
        problems.push(format!(
            "the second run repeated: {}",
            repeated
                .iter()
                .map(|c| c.to_string())
                .chain(second.mutations.iter().cloned())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }

    // A failing call stops the script, with the failing program's message, and nothing
    // runs after it.
    match failure_target(job.kind, &first.calls) {
        // remove-node.sh does nothing for a node that is already gone.
        None if first.ok && job.kind != Kind::RemoveNode => {
            problems.push("no call to make fail was found in the first run".into())
        }

        None => {}
        Some(target) => {
            let failed = run(
                &before,
                &cluster_copy,
                &job.dir,
                &job.script,
                env,
                Some(&target),
            );
            let message = format!("hostsim: injected failure of {target}");
            if failed.ok {
                problems.push(format!("with `{target}` failing the script still exits 0"));
            }
            if !failed.output.contains(&message) {
                problems.push(format!(
                    "with `{target}` failing the script does not show its message:\n    {}",
                    tail(&failed.output)
                ));
            }
            match failed.calls.iter().position(|c| command(c) == target) {
                None => problems.push(format!("the failure run never called `{target}`")),
                Some(i) if i + 1 < failed.calls.len() => problems.push(format!(
                    "with `{target}` failing the script goes on: {}",
                    failed.calls[i + 1..]
                        .iter()
                        .map(|c| command(c))
                        .collect::<Vec<_>>()
                        .join("; ")
                )),
                Some(_) => {}
            }
        }
    }

    let mut violations: Vec<String> = first
        .violations
        .iter()
        .chain(&second.violations)
        .cloned()
        .collect();
    violations.dedup();
    let written = snap1
        .iter()
        .filter(|(k, v)| seed.get(*k) != Some(v) && !k.starts_with("/root/kubeplan"))
        .map(|(k, _)| k.clone())
        .collect();
    Outcome {
        name,
        calls: first.calls.len() + second.calls.len(),
        violations,
        problems,
        second_clean,
        written,
    }
}

// --- a spec ----------------------------------------------------------------------------

fn model(c: &Compiled) -> Cluster {
    let compiled = kubeplan::compile_texts(
        vec![("main.hcl".into(), c.spec.clone())],
        &VarInputs::default(),
        None,
    )
    .expect("renders");
    compiled.output.expect("validates").cluster
}

/// The simulated cluster and cloud of a spec, before any script ran: the CA the cluster
/// will have, which ports each node lets in, and the cloud's machines and routes.
fn seed_cluster(dir: &Path, c: &Compiled, cluster: &Cluster, firewalld: bool) {
    let ca = cluster
        .ca_cert_hash
        .as_ref()
        .map_or(DEFAULT_CA_HASH, |h| h.as_str());
    write(&dir.join("ca-hash"), &format!("{ca}\n"));
    fs::create_dir_all(dir.join("api")).unwrap();
    for n in &cluster.nodes {
        let dnf =
            matches!(&n.os, NodeOs::Linux(d) if d.family.package_manager() != PackageManager::Apt);
        let open = if dnf && firewalld {
            FIREWALLD_DEFAULT
        } else {
            "*\n"
        };
        write(&dir.join("reach").join(n.address.to_string()), open);
    }
    let cloud = dir.join("cloud");
    let script = c
        .artifacts
        .iter()
        .find(|a| a.path == "_cluster/cloud-network.sh")
        .map(text)
        .unwrap_or("");
    // Routes an earlier apply made for nodes since removed: the script deletes them.
    let gone: Vec<&str> = script
        .lines()
        .filter_map(|l| l.strip_prefix("delete_route "))
        .map(|r| r.trim_matches('\''))
        .collect();
    match &cluster.cloud {
        Some(Cloud::Aws(_)) => {
            for n in &cluster.nodes {
                let id = n
                    .instance_id
                    .clone()
                    .unwrap_or_else(|| format!("i-0{:08x}{:08x}", u32::from(n.address), 0));
                write(
                    &cloud.join("aws/instances").join(id),
                    &format!("{} true\n", n.address),
                );
            }
        }
        Some(Cloud::Gce(gce)) => {
            write(&cloud.join("gce/networks").join(&gce.network), "");
            for n in &cluster.nodes {
                let vm = n.instance_id.clone().unwrap_or_else(|| n.name.to_string());
                write(&cloud.join("gce/instances").join(vm), "True\n");
            }
            for r in &gone {
                write(&cloud.join("gce/routes").join(r), "network: earlier\n");
            }
        }
        Some(Cloud::Azure(cl)) => {
            let rg = cloud.join("azure/rg").join(&cl.resource_group);
            write(
                &rg.join("subnets")
                    .join(format!("{}.{}", cl.virtual_network, cl.subnet)),
                "\n",
            );
            for n in &cluster.nodes {
                let vm = n.instance_id.clone().unwrap_or_else(|| n.name.to_string());
                let nic = format!("/subscriptions/s/resourceGroups/{}/providers/Microsoft.Network/networkInterfaces/{vm}-nic", cl.resource_group);
                write(&rg.join("vms").join(&vm), &format!("{nic}\n"));
                write(
                    &cloud.join("azure/nics").join(nic.replace('/', "_")),
                    "false\n",
                );
            }
            for r in &gone {
                write(
                    &rg.join("route-tables")
                        .join(&cl.route_table)
                        .join("routes")
                        .join(r),
                    "earlier\n",
                );
            }
        }
        None => {}
    }
}

/// The node folders' scripts in runbook order, and the machine each runs on.
fn jobs<'a>(c: &'a Compiled, cluster: &Cluster) -> Vec<Job<'a>> {
    let first = cluster.first_control_plane().name.to_string();
    let sh: Vec<&Artifact> = c
        .artifacts
        .iter()
        .filter(|a| a.path.ends_with(".sh"))
        .collect();
    let windows: Vec<String> = cluster
        .nodes
        .iter()
        .filter(|n| n.is_windows())
        .map(|n| n.name.to_string())
        .collect();
    let job = |a: &Artifact, kind: Kind, machine: &str, add_nodes: Vec<String>| {
        let (dir, script) = a.path.rsplit_once('/').unwrap();
        Job {
            kind,
            dir: dir.into(),
            script: script.into(),
            machine: machine.into(),
            add_nodes,
            not_ready: vec![],
            label: "",
            artifacts: &c.artifacts,
        }
    };
    let mut jobs = Vec::new();
    let mut known: BTreeSet<String> = BTreeSet::new();
    let mut push = |j: Job<'a>, a: &Artifact, jobs: &mut Vec<Job<'a>>| {
        known.insert(a.path.clone());
        jobs.push(j);
    };
    for a in &sh {
        if a.path == "_cluster/cloud-network.sh" {
            push(job(a, Kind::Cloud, "workstation", vec![]), a, &mut jobs);
        }
    }
    if let Some(a) = sh
        .iter()
        .find(|a| a.path == format!("{first}/bootstrap.sh"))
    {
        push(job(a, Kind::Init, &first, vec![]), a, &mut jobs);
    }
    // Further control planes before the workers, as runbook.md orders them.
    let mut joins: Vec<&Node> = cluster
        .nodes
        .iter()
        .filter(|n| !n.is_windows() && n.name.as_str() != first)
        .collect();
    joins.sort_by_key(|n| !n.is_control_plane());
    for n in joins {
        if let Some(a) = sh
            .iter()
            .find(|a| a.path == format!("{}/bootstrap.sh", n.name))
        {
            push(job(a, Kind::Join, n.name.as_str(), vec![]), a, &mut jobs);
        }
    }
    for a in &sh {
        if a.path == format!("{first}/kubeplan-pod-cidrs.sh") {
            push(
                job(a, Kind::PodCidrs, &first, windows.clone()),
                a,
                &mut jobs,
            );
        }
    }
    // Each removed node as runbook.md says: remove-node.sh drains it, reset.sh runs on the
    // node itself (reset.ps1 on Windows, which cannot run here), and remove-node.sh,
    // run again, deletes it.
    let mut gone: BTreeMap<&str, (Option<&Artifact>, Option<&Artifact>)> = BTreeMap::new();
    for a in &sh {
        if let Some(rest) = a.path.strip_prefix("_cleanup/") {
            let (node, file) = rest.split_once('/').unwrap();
            let entry = gone.entry(node).or_default();
            match file {
                "remove-node.sh" => entry.0 = Some(a),
                "reset.sh" => entry.1 = Some(a),
                _ => {}
            }
        }
    }
    for (node, (remove, reset)) in gone {
        if let Some(a) = remove {
            push(
                job(a, Kind::RemoveNode, &first, vec![node.to_owned()]),
                a,
                &mut jobs,
            );
        }
        if let Some(a) = reset {
            push(job(a, Kind::Reset, node, vec![]), a, &mut jobs);
        }
        if let Some(a) = remove {
            let mut again = job(a, Kind::RemoveNode, &first, vec![]);
            again.not_ready = vec![node.to_owned()];
            again.label = " (after reset)";
            push(again, a, &mut jobs);
        }
    }
    for a in &sh {
        assert!(
            known.contains(a.path.as_str()),
            "{}: {} is a bash script the simulator does not know how to run",
            c.name,
            a.path
        );
    }
    jobs
}

/// The ports a node behind firewalld must let in for its roles and its network
/// (kubernetes.io/docs/reference/networking/ports-and-protocols; flannel
/// Documentation/backends.md, VXLAN's UDP port; OVN's Geneve, UDP 6081, Open vSwitch
/// lib/netdev-vport.c). Calico's depend on its encapsulation and are not checked here.
fn required_ports(cluster: &Cluster, node: &Node) -> Vec<String> {
    let mut ports = vec!["10250/tcp".to_owned()];
    if node.is_control_plane() {
        ports.extend(
            ["6443/tcp", "2379/tcp", "2380/tcp", "10257/tcp", "10259/tcp"].map(String::from),
        );
    }
    match cluster.network.kind {
        network::Kind::FlannelVxlan => ports.push(format!("{}/udp", cluster.network.vxlan_port)),
        network::Kind::Ovn => ports.push("6081/udp".into()),
        _ => {}
    }
    ports
}

fn port_open(open: &str, port: &str) -> bool {
    let (number, proto) = port.split_once('/').unwrap();
    let number: u32 = number.parse().unwrap();
    open.lines().any(|l| {
        if l == "*" || l == port {
            return true;
        }
        let Some((range, p)) = l.split_once('/') else {
            return false;
        };
        let Some((lo, hi)) = range.split_once('-') else {
            return false;
        };
        p == proto
            && lo.parse::<u32>().is_ok_and(|lo| lo <= number)
            && hi.parse::<u32>().is_ok_and(|hi| number <= hi)
    })
}

/// A scratch folder for a simulated cluster, `DIR/c`; the folder goes with the guard.
fn cluster_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::Builder::new()
        .prefix("hostsim-cluster-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let path = dir.path().join("c");
    (dir, path)
}

/// The spec of the corpus named `name`.
fn corpus(name: &str) -> &'static Compiled {
    specs::all()
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("{name} is in the corpus"))
}

/// All scripts of one spec, in order, on the machines of one simulated cluster.
fn simulate_spec(c: &Compiled) -> Vec<Outcome> {
    let cluster = model(c);
    // firewalld runs on the RHEL-family nodes of the examples and is installed but stopped
    // on those of the @removed variants, so both cases run.
    let firewalld = !c.name.ends_with("@removed");
    let cdir = tempfile::Builder::new()
        .prefix("hostsim-cluster-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let cpath = cdir.path().join("c");
    seed_cluster(&cpath, c, &cluster, firewalld);
    let ca = cluster
        .ca_cert_hash
        .as_ref()
        .map_or(DEFAULT_CA_HASH, |h| h.as_str());
    let env = vec![
        format!("KUBEPLAN_JOIN_TOKEN={TOKEN}"),
        format!("KUBEPLAN_CERTIFICATE_KEY={CERTIFICATE_KEY}"),
        format!("KUBEPLAN_CA_CERT_HASH={ca}"),
    ];
    let mut roots: BTreeMap<String, Scratch> = BTreeMap::new();
    let mut last_joined = cluster.first_control_plane().name.to_string();
    let mut outcomes = Vec::new();
    for job in jobs(c, &cluster) {
        let s = match job.machine.as_str() {
            "workstation" => Scratch::new(&Machine::workstation(), job.artifacts),
            // A removed node still holds what its join left: a copy of the last node that
            // joined, under the removed node's name.
            name if job.kind == Kind::Reset => {
                let s = roots
                    .get(&last_joined)
                    .map(Scratch::copy)
                    .expect("a joined node");
                let facts = s.root().join("hostsim/facts");
                let text = fs::read_to_string(&facts).unwrap();
                let text: String = text
                    .lines()
                    .map(|l| {
                        if l.starts_with("HS_NODE=") {
                            format!("HS_NODE={name}\n")
                        } else {
                            format!("{l}\n")
                        }
                    })
                    .collect();
                write(&facts, &text);
                s
            }
            name => match roots.remove(name) {
                Some(s) => s,
                None => {
                    let node = cluster
                        .nodes
                        .iter()
                        .find(|n| n.name.as_str() == name)
                        .unwrap();
                    Scratch::new(&Machine::of(node, firewalld), job.artifacts)
                }
            },
        };
        // Only the scripts that join get the secrets, as the runbook has it.
        let env: &[String] = if matches!(job.kind, Kind::Init | Kind::Join) {
            &env
        } else {
            &[]
        };
        let mut outcome = simulate(&job, &s, &cpath, env);
        outcome.name = format!("{}: {}", c.name, outcome.name);
        outcomes.push(outcome);
        if job.kind == Kind::Join {
            last_joined = job.machine.clone();
        }
        if job.machine != "workstation" && job.kind != Kind::Reset {
            roots.insert(job.machine.clone(), s);
        }
    }
    // Behind firewalld, each node lets in what its roles and the network need.
    if firewalld {
        for n in cluster.nodes.iter().filter(|n| !n.is_windows()) {
            let open = fs::read_to_string(cpath.join("reach").join(n.address.to_string()))
                .unwrap_or_default();
            let closed: Vec<String> = required_ports(&cluster, n)
                .into_iter()
                .filter(|p| !port_open(&open, p))
                .collect();
            if !closed.is_empty() {
                outcomes.push(Outcome {
                    name: format!("{}: {} (firewalld running)", c.name, n.name),
                    calls: 0,
                    violations: vec![format!(
                        "firewalld\tports\tports {} stay closed to the other nodes\tkubernetes.io/docs/reference/networking/ports-and-protocols; kubeadm preflight FirewalldCheck\t(after every script)",
                        closed.join(" ")
                    )],
                    problems: vec![],
                    second_clean: true,
                    written: BTreeSet::new(),
                });
            }
        }
    }
    outcomes
}

// --- the host ----------------------------------------------------------------------------

/// Size, modification time, inode and mode of every entry under the host directories the
/// scripts write to inside their roots.
fn host_fingerprint() -> BTreeMap<String, (u64, i64, i64, u64, u32)> {
    fn visit(path: &Path, map: &mut BTreeMap<String, (u64, i64, i64, u64, u32)>, depth: usize) {
        let Ok(meta) = fs::symlink_metadata(path) else {
            return;
        };
        map.insert(
            path.display().to_string(),
            (
                meta.len(),
                meta.mtime(),
                meta.mtime_nsec(),
                meta.ino(),
                meta.mode(),
            ),
        );
        if meta.is_dir() && depth < 6 {
            if let Ok(entries) = fs::read_dir(path) {
                for e in entries.flatten() {
                    visit(&e.path(), map, depth + 1);
                }
            }
        }
    }
    let mut map = BTreeMap::new();
    for d in [
        "/etc",
        "/opt",
        "/usr/local",
        "/var/lib",
        "/run",
        "/root/kubeplan",
    ] {
        visit(Path::new(d), &mut map, 0);
    }
    map
}

#[test]
fn every_bash_script_runs_on_a_simulated_host() {
    require("unshare", "apt-get install -y util-linux");
    require("bash", "apt-get install -y bash");
    let probe = Command::new("unshare")
        .args(["--mount", "--pid", "--fork", "--net", "true"])
        .output()
        .expect("unshare runs");
    assert!(
        probe.status.success(),
        "unshare cannot make namespaces ({}); the host simulator needs root (CI runs as root)",
        String::from_utf8_lossy(&probe.stderr)
    );
    let host_before = host_fingerprint();

    // KUBEPLAN_HOSTSIM_SPEC=NAME runs only the specs whose name contains NAME.
    let only = std::env::var("KUBEPLAN_HOSTSIM_SPEC").unwrap_or_default();
    let all: Vec<&Compiled> = specs::all()
        .iter()
        .filter(|c| c.name.contains(&only))
        .collect();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Vec<Outcome>)>> = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(all.len());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(c) = all.get(i).copied() else { break };
                let outcomes = simulate_spec(c);
                results.lock().unwrap().push((i, outcomes));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _)| *i);
    let outcomes: Vec<Outcome> = results.into_iter().flat_map(|(_, o)| o).collect();

    // Nothing outside the scratch roots: every path a script wrote in its root is as it
    // was on the host (the mount namespace makes that structural; this shows it).
    let host_after = host_fingerprint();
    let written: BTreeSet<&String> = outcomes.iter().flat_map(|o| &o.written).collect();
    let touched: Vec<String> = written
        .iter()
        .filter(|p| host_before.get(p.as_str()) != host_after.get(p.as_str()))
        .map(|p| p.to_string())
        .collect();

    // remove-node.sh runs twice per removed node (drain, then delete after the reset).
    let scripts = outcomes
        .iter()
        .filter(|o| o.calls > 0 || !o.problems.is_empty())
        .map(|o| o.name.trim_end_matches(" (after reset)"))
        .collect::<BTreeSet<_>>()
        .len();
    let calls: usize = outcomes.iter().map(|o| o.calls).sum();
    let violations: Vec<String> = outcomes
        .iter()
        .flat_map(|o| o.violations.iter().map(move |v| (o, v)))
        .map(|(o, v)| {
            let f: Vec<&str> = v.split('\t').collect();
            format!(
                "{}\n    rule {}/{}: {}\n    call: {}\n    source: {}",
                o.name,
                f.first().unwrap_or(&""),
                f.get(1).unwrap_or(&""),
                f.get(2).unwrap_or(&""),
                f.get(4).unwrap_or(&""),
                f.get(3).unwrap_or(&"")
            )
        })
        .collect();
    let ran: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.calls > 0 || !o.problems.is_empty())
        .collect();
    let clean = ran.iter().filter(|o| o.second_clean).count();
    let problems: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.problems.is_empty())
        .map(|o| format!("{}:\n  {}", o.name, o.problems.join("\n  ")))
        .collect();
    let summary = format!(
        "bash scripts run ({} runs in runbook order), {calls} calls recorded, {} rule violations, {clean} of {} second runs changed nothing",
        ran.len(),
        violations.len(),
        ran.len()
    );
    eprintln!("host simulator: {scripts} {summary}");
    let mut failures = Vec::new();
    if !violations.is_empty() {
        failures.push(format!("rule violations:\n{}", violations.join("\n")));
    }
    if !problems.is_empty() {
        failures.push(format!("scripts that misbehave:\n{}", problems.join("\n")));
    }
    if !touched.is_empty() {
        failures.push(format!(
            "host paths changed while the scripts ran: {}",
            touched.join(", ")
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    report("host simulator", scripts, &summary);
}

/// Each rule this test leans on hardest fires on a deliberately broken bootstrap.sh of
/// three-node at 1.31.0: the mistake, and a piece of what the simulator must say about it.
#[test]
fn deliberate_mistakes_are_caught() {
    let base = specs::all()
        .iter()
        .find(|c| c.name == "three-node@1.31.0")
        .expect("three-node@1.31.0 is in the corpus");
    let breaks: [(&str, &str, &str, &str); 5] = [
        (
            "the HA flags beside --config (kubernetes PR #78542)",
            "kubeadm init --config ",
            "kubeadm init --upload-certs --certificate-key \"$KUBEPLAN_CERTIFICATE_KEY\" --config ",
            "can not mix '--config' with arguments [certificate-key]",
        ),
        (
            "a kubelet flag removed in 1.27",
            "echo \"KUBELET_EXTRA_ARGS=--node-ip=",
            "echo \"KUBELET_EXTRA_ARGS=--container-runtime=remote --node-ip=",
            "unknown flag: --container-runtime",
        ),
        (
            "swap left on",
            "\nswapoff -a\n",
            "\n",
            "running with swap on is not supported",
        ),
        (
            "the secrets' file readable by everyone (issue 15)",
            "    umask 077\n",
            "    umask 022\n",
            "holds a secret and is mode/owner 644 root",
        ),
        (
            "kubeadm init not guarded on a second run",
            "if [[ -f /etc/kubernetes/admin.conf ]]; then",
            "if false; then",
            "/etc/kubernetes/manifests/kube-apiserver.yaml already exists",
        ),
    ];
    let mut missed = Vec::new();
    for (what, from, to, expect) in breaks {
        let mut artifacts = base.artifacts.clone();
        let script = artifacts
            .iter_mut()
            .find(|a| a.path == "cp-1/bootstrap.sh")
            .expect("cp-1/bootstrap.sh");
        let text = text(script).to_owned();
        assert!(
            text.contains(from),
            "{what}: cp-1/bootstrap.sh no longer contains {from:?}; update this test's break"
        );
        script.content = kubeplan::render::Content::Rendered(text.replacen(from, to, 1));
        let broken = Compiled {
            name: format!("{}@broken", base.name),
            spec: base.spec.clone(),
            kubernetes_version: base.kubernetes_version.clone(),
            artifacts,
        };
        let outcomes = simulate_spec(&broken);
        let said: String = outcomes
            .iter()
            .filter(|o| o.name.contains("cp-1/bootstrap.sh"))
            .flat_map(|o| o.violations.iter().chain(&o.problems))
            .cloned()
            .collect::<Vec<_>>()
            .join("\n");
        if !said.contains(expect) {
            missed.push(format!(
                "{what}: expected {expect:?}, the simulator said:\n{said}"
            ));
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n\n"));
}

/// Issue 14, defect 9: three-node joined at Kubernetes 1.31.0, then the 1.34.1 scripts run
/// on its nodes. Each must stop with a message naming both versions and change nothing:
/// installing the newer kubelet would break the version skew policy
/// (kubernetes.io/releases/version-skew-policy), and kubeplan does not upgrade nodes.
#[test]
fn a_rerun_at_another_version_changes_nothing() {
    let (old, new) = (corpus("three-node@1.31.0"), corpus("three-node@1.34.1"));
    let cluster = model(old);
    let (_cdir, cpath) = cluster_dir();
    seed_cluster(&cpath, old, &cluster, false);
    let env = vec![
        format!("KUBEPLAN_JOIN_TOKEN={TOKEN}"),
        format!("KUBEPLAN_CA_CERT_HASH={DEFAULT_CA_HASH}"),
    ];
    let mut problems = Vec::new();
    for node in ["cp-1", "worker-1"] {
        let n = cluster
            .nodes
            .iter()
            .find(|n| n.name.as_str() == node)
            .unwrap();
        let s = Scratch::new(&Machine::of(n, false), &old.artifacts);
        let joined = run(&s, &cpath, node, "bootstrap.sh", &env, None);
        assert!(joined.ok, "{node} joins at 1.31.0:\n{}", joined.output);
        // The operator copies the re-rendered out dir over the old one.
        for a in &new.artifacts {
            let path = s.root().join("root/kubeplan").join(&a.path);
            write(&path, text(a));
            fs::set_permissions(&path, fs::Permissions::from_mode(a.mode)).unwrap();
        }
        let before = s.snapshot();
        let again = run(&s, &cpath, node, "bootstrap.sh", &env, None);
        let after = s.snapshot();
        if again.ok {
            problems.push(format!(
                "{node}: the 1.34.1 script exits 0 on a node joined at 1.31.0"
            ));
        }
        if !(again.output.contains("1.31.0") && again.output.contains("1.34.1")) {
            problems.push(format!(
                "{node}: the message does not name both versions:\n    {}",
                tail(&again.output)
            ));
        }
        if before != after || !again.mutations.is_empty() || !again.violations.is_empty() {
            let changed: Vec<&String> = before
                .keys()
                .chain(after.keys())
                .filter(|k| before.get(*k) != after.get(*k))
                .collect();
            problems.push(format!(
                "{node}: the 1.34.1 script changed the node: {changed:?} {:?} {:?}",
                again.mutations, again.violations
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// --- secrets on the nodes (issue 15) -------------------------------------------------------

/// The parts of the run-time secrets no command line, output or leftover file may hold: the
/// bootstrap token's secret half (its id before the dot is public: kubeadm names the
/// token's Secret after it) and the certificate key.
fn secrets() -> [&'static str; 2] {
    [TOKEN.split_once('.').unwrap().1, CERTIFICATE_KEY]
}

/// Every host program of the root runs through a wrapper that logs its command line to
/// /hostsim/log/host-calls before it runs the program, so the test sees the arguments of
/// every process a script starts, not only the stubs' (bash itself, which runs the
/// wrappers, is left as it is).
fn log_host_programs(s: &Scratch) {
    let host = s.root().join("hostsim/host");
    for tool in HOST_TOOLS.iter().filter(|t| **t != "bash") {
        let link = host.join(tool);
        let Ok(real) = fs::read_link(&link) else {
            continue;
        };
        fs::remove_file(&link).unwrap();
        write(
            &link,
            &format!(
                "#!/hostsim/host/bash\nprintf -v hs_line ' %q' \"$@\"\nprintf '%s%s\\n' {tool} \"$hs_line\" >>/hostsim/log/host-calls\nexec {} \"$@\"\n",
                real.display()
            ),
        );
        fs::set_permissions(&link, fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// The writable files of a root that hold a secret.
fn files_with_secrets(s: &Scratch) -> Vec<String> {
    fn visit(path: &Path, name: &str, found: &mut Vec<String>) {
        let Ok(meta) = fs::symlink_metadata(path) else {
            return;
        };
        if meta.is_dir() {
            for e in fs::read_dir(path).unwrap().flatten() {
                visit(
                    &e.path(),
                    &format!("{name}/{}", e.file_name().to_string_lossy()),
                    found,
                );
            }
        } else if meta.is_file() {
            let text = String::from_utf8_lossy(&fs::read(path).unwrap()).into_owned();
            if secrets().iter().any(|x| text.contains(x)) {
                found.push(name.to_owned());
            }
        }
    }
    let mut found = Vec::new();
    for d in WRITABLE {
        visit(&s.root().join(d), &format!("/{d}"), &mut found);
    }
    visit(&s.dir.path().join("usr-local"), "/usr/local", &mut found);
    found
}

/// What one run showed of the secrets: the command lines (stubs' and host programs'),
/// output and leftover files that hold one, and the configuration files kubeadm read.
struct SecretRun {
    leaks: Vec<String>,
    /// `path<TAB>mode owner<TAB>secrets` per configuration file kubeadm read.
    files: Vec<String>,
}

fn secret_run(
    s: &Scratch,
    cluster: &Path,
    job: &Job,
    env: &[String],
    fail: Option<&str>,
) -> SecretRun {
    let log = s.root().join("hostsim/log");
    let r = run(s, cluster, &job.dir, &job.script, env, fail);
    let host_calls = take(&log.join("host-calls"));
    let files = take(&log.join("secret-files"));
    let what = if fail.is_some() {
        "with kubeadm failing"
    } else {
        ""
    };
    let mut leaks = Vec::new();
    if let Some(target) = fail {
        if !r
            .output
            .contains(&format!("hostsim: injected failure of {target}"))
        {
            leaks.push(format!(
                "`{target}` never ran to fail:\n    {}",
                tail(&r.output)
            ));
        }
    }
    // The wrappers saw the script's host programs (the secret file's folder is made with
    // install), so a clean log means clean command lines, not an unlogged run.
    if !host_calls.iter().any(|c| c.starts_with("install ")) {
        leaks.push(format!("no host program was logged {what}"));
    }
    if fail.is_none() && !r.ok {
        leaks.push(format!("the run failed:\n    {}", tail(&r.output)));
    }
    for call in r.calls.iter().chain(&host_calls) {
        if secrets().iter().any(|x| call.contains(x)) {
            leaks.push(format!(
                "a secret on a command line {what}: {}",
                command(call)
            ));
        }
    }
    if secrets().iter().any(|x| r.output.contains(x)) {
        leaks.push(format!("a secret in the script's output {what}"));
    }
    for f in files_with_secrets(s) {
        leaks.push(format!(
            "a secret left in {f} after the script ended {what}"
        ));
    }
    leaks.extend(
        r.violations
            .iter()
            .filter(|v| v.contains("\tsecret-"))
            .map(|v| format!("rule {what}: {v}")),
    );
    SecretRun { leaks, files }
}

/// Issue 15, "On the nodes": the join token and the certificate key reach kubeadm in a
/// configuration file, never on a command line. For the first control-plane node (HA and
/// not), a further control-plane node and a worker, at kubeadm's v1beta3 (calico-ha,
/// 1.30) and v1beta4 (three-node, 1.31): no process the script starts (every stub and
/// every host program) has a secret in its arguments, the script prints none, kubeadm read
/// its configuration from a file of mode 0600 holding the secrets, and no file holding
/// one is left once the script ends, also when kubeadm fails.
#[test]
fn the_join_token_reaches_kubeadm_in_a_root_only_file_and_on_no_command_line() {
    let mut problems = Vec::new();
    for name in ["three-node@1.31.0", "calico-ha"] {
        let c = corpus(name);
        let cluster = model(c);
        let (_cdir, cpath) = cluster_dir();
        seed_cluster(&cpath, c, &cluster, false);
        let env = vec![
            format!("KUBEPLAN_JOIN_TOKEN={TOKEN}"),
            format!("KUBEPLAN_CERTIFICATE_KEY={CERTIFICATE_KEY}"),
            format!("KUBEPLAN_CA_CERT_HASH={DEFAULT_CA_HASH}"),
        ];
        for job in jobs(c, &cluster)
            .into_iter()
            .filter(|j| matches!(j.kind, Kind::Init | Kind::Join))
        {
            let node = cluster
                .nodes
                .iter()
                .find(|n| n.name.as_str() == job.machine)
                .unwrap();
            let s = Scratch::new(&Machine::of(node, false), job.artifacts);
            log_host_programs(&s);
            let before = s.copy();
            let (_cluster_before, cluster_copy) = cluster_dir();
            copy_tree(&cpath, &cluster_copy);
            let label = format!("{name}: {}/{}", job.dir, job.script);

            let first = secret_run(&s, &cpath, &job, &env, None);
            problems.extend(first.leaks.iter().map(|l| format!("{label}: {l}")));
            let expected = if job.kind == Kind::Init {
                "/run/kubeplan/kubeadm-init.yaml"
            } else {
                "/run/kubeplan/kubeadm-join.yaml"
            };
            let secret_count = if job.kind == Kind::Join && node.is_control_plane()
                || job.kind == Kind::Init
                    && cluster
                        .nodes
                        .iter()
                        .filter(|n| n.is_control_plane())
                        .count()
                        > 1
            {
                "2"
            } else {
                "1"
            };
            let read = first
                .files
                .iter()
                .find(|f| f.starts_with(&format!("{expected}\t")));
            match read {
                None => problems.push(format!(
                    "{label}: kubeadm read its secrets from no file {expected}; it read {:?}",
                    first.files
                )),
                Some(f) => {
                    let cols: Vec<&str> = f.split('\t').collect();
                    if cols[1] != "600 root" || cols[2] != secret_count {
                        problems.push(format!(
                            "{label}: kubeadm read {expected} as {} with {} secrets; expected 600 root with {secret_count}",
                            cols[1], cols[2]
                        ));
                    }
                }
            }

            let target = if job.kind == Kind::Init {
                "kubeadm init --config"
            } else {
                "kubeadm join --config"
            };
            let failed = secret_run(&before, &cluster_copy, &job, &env, Some(target));
            problems.extend(failed.leaks.iter().map(|l| format!("{label}: {l}")));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The definitions of a generated bootstrap.sh's helpers (`log` to the preflight), with
/// the node's name: what `read_secret` needs, and nothing that touches the machine.
fn helpers(script: &str) -> String {
    let start = script.find("\nlog() {").expect("bootstrap.sh defines log");
    let end = script
        .find("# --- preflight")
        .expect("bootstrap.sh has a preflight");
    format!("NODE_NAME=sim\n{}\n", &script[start..end])
}

/// Issue 15, "show a way to pass it that keeps it out of history": run in a terminal with
/// no secret in its environment, bootstrap.sh asks for each secret, does not echo what is
/// typed, and hands it on to no program; with no terminal it stops and names the variable
/// to set. The asking runs under script(1), which gives it a pseudo-terminal.
#[test]
fn a_script_in_a_terminal_asks_for_each_secret_without_echo() {
    require("script", "apt-get install -y util-linux");
    let mut problems = Vec::new();
    for (name, path, secrets) in [
        (
            "three-node@1.31.0",
            "worker-1/bootstrap.sh",
            vec![("KUBEPLAN_JOIN_TOKEN", TOKEN)],
        ),
        (
            "calico-ha",
            "cp-02/bootstrap.sh",
            vec![
                ("KUBEPLAN_JOIN_TOKEN", TOKEN),
                ("KUBEPLAN_CERTIFICATE_KEY", CERTIFICATE_KEY),
            ],
        ),
    ] {
        let script = corpus(name)
            .artifacts
            .iter()
            .find(|a| a.path == path)
            .map(text)
            .unwrap_or_else(|| panic!("{name} has {path}"));
        let dir = tempfile::tempdir().unwrap();
        let mut program = helpers(script);
        for (var, value) in &secrets {
            program.push_str(&format!(
                "read_secret {var} \"the secret\"\n[[ ${var} == {value} ]] && echo \"got {var}\"\nbash -c 'echo \"child sees ${{{var}:-nothing}}\"'\n"
            ));
        }
        let file = dir.path().join("ask.sh");
        write(&file, &program);
        // The answers come a second after the start, once read -s has turned echo off.
        let answers: Vec<&str> = secrets.iter().map(|(_, v)| *v).collect();
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "(sleep 1; printf '%s\\n' {}) | env -u KUBEPLAN_JOIN_TOKEN -u KUBEPLAN_CERTIFICATE_KEY timeout 20 script -qec 'bash {}' /dev/null",
                answers.join(" "),
                file.display()
            ))
            .output()
            .expect("script runs");
        let shown = String::from_utf8_lossy(&out.stdout).replace('\r', "");
        for (var, value) in &secrets {
            if !shown.contains(&format!("{var} (the secret): ")) {
                problems.push(format!("{path}: no prompt for {var}:\n{shown}"));
            }
            if !shown.contains(&format!("got {var}")) {
                problems.push(format!(
                    "{path}: {var} was not read from the terminal:\n{shown}"
                ));
            }
            if shown.contains(value) {
                problems.push(format!(
                    "{path}: what was typed for {var} was echoed:\n{shown}"
                ));
            }
        }
        if shown.matches("child sees nothing").count() != secrets.len() {
            problems.push(format!(
                "{path}: a program the script runs sees a secret:\n{shown}"
            ));
        }
        // No terminal and no variable: a clear stop, before anything else.
        let out = Command::new("env")
            .args([
                "-u",
                "KUBEPLAN_JOIN_TOKEN",
                "-u",
                "KUBEPLAN_CERTIFICATE_KEY",
                "bash",
            ])
            .arg(&file)
            .stdin(Stdio::null())
            .output()
            .expect("bash runs");
        let said = String::from_utf8_lossy(&out.stderr);
        if out.status.success() || !said.contains("set KUBEPLAN_JOIN_TOKEN to the secret") {
            problems.push(format!("{path}: with no terminal and no variable: {said}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

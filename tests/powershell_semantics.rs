//! Checks of every generated PowerShell script for Windows PowerShell 5.1's documented traps
//! (issue 14, "Semantic checks of the PowerShell"). No PowerShell runs here, so a small
//! abstract interpreter walks each script's tree (tree-sitter-powershell) in execution
//! order: statement by statement; into the script's own functions at each call, with the
//! arguments bound to the parameters (PowerShell scopes dynamically, so a function sees its
//! caller's `$ErrorActionPreference`); into `& { }` blocks, and into a script block passed to
//! a function when the function runs it; through both branches of an `if` it cannot decide;
//! over loops (once per item of a literal list or hashtable, else once). At each command it
//! knows what 5.1 would have at that point: the value of `$ErrorActionPreference` and of
//! every variable with a literal value (as far as `+`, `Join-Path`, `-split`, hashtables and
//! string interpolation go), the folders on the session's `$env:Path` and on the machine's
//! `Path`, the services, tasks and processes stopped, the files and services an enclosing
//! `if` proved absent, the Windows features installed and the modules imported. Six checks
//! then judge what it saw, each with its source:
//!
//! 1. `native-stderr`: a native program's stderr redirected (`2>&1`, `2>`, `2>$null`,
//!    `*>`; also a whole `& { }` block or function call redirected) while
//!    `$ErrorActionPreference` may be `'Stop'`: 5.1 turns each stderr line into an
//!    ErrorRecord and `Stop` makes the first one terminating (PowerShell/PowerShell#3996,
//!    #4002; MicrosoftDocs/PowerShell-Docs#6466; changed only by PowerShell 7.1's #13361).
//! 2. `bare-name`: a program called by bare name (or run by `Start-Process`, or by
//!    kubeadm itself: its preflight runs `kubelet --version` from PATH) when no folder known
//!    to hold it is on `$env:Path` there. `[Environment]::SetEnvironmentVariable('Path', …,
//!    'Machine')` and installers change the machine's Path, not the session's
//!    (EnvironmentVariableTarget docs).
//! 3. `locked-binary`: a file write (`Move-Item`, `Copy-Item`, `Invoke-WebRequest
//!    -OutFile`, `Expand-Archive`, `tar -C`, `curl -o`, a script function that does one) onto
//!    the .exe of a service, task or supervised process, where it may be running: neither
//!    stopped on every path before, nor proved absent by an enclosing `if`. Windows keeps a
//!    running program's image open; Kubernetes' "Upgrading Windows nodes" stops the kubelet
//!    before it replaces kubelet.exe.
//! 4. `non-ascii`: any byte above 0x7F: 5.1 reads a BOM-less script in the ANSI code page
//!    (about_Character_Encoding, 5.1).
//! 5. `module`: a cmdlet whose module comes with a Windows feature (Hyper-V) or a file
//!    (hns.psm1) the script has not installed or imported before the call.
//! 6. `exit-code`: an `exit` (or a script-level `return`) in a branch about a restart, under
//!    a condition or beside a message that says restart or reboot, with any code but 3010,
//!    ERROR_SUCCESS_REBOOT_REQUIRED: an unfinished step must not read as success.
//!
//! The corpus test also fails on a command the walk never reached, so none goes unjudged.
//!
//! What this proves: on every path the walker follows, none of these traps is hit. What it
//! cannot see: values only known on the host (a variable read from a command's output is
//! "unknown"; an unknown `$ErrorActionPreference` counts as `'Stop'`, an unknown path is
//! not judged); which branch the host takes (facts join conservatively: a folder is on PATH
//! only if it is on every path, a service stopped only if stopped on every path); scopes
//! beyond function/`& { }`/`script:` (a module's scope, `Set-Variable -Scope`); programs and
//! folders outside its tables; PATH entries an installer adds that no table names; hosts
//! that wrap every native stderr line even without a redirection (the ISE, remoting: #3996);
//! a program started by another script (flanneld under start-flanneld.ps1 is known by
//! table); and anything about what a native program does with its arguments.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use common::powershell::{first_child, parse, scripts, syntax_errors, walk};
use common::specs::report;
use common::text;
use tree_sitter::Node;

// ---- findings -----------------------------------------------------------------------------

const NATIVE_STDERR: &str = "native-stderr";
const BARE_NAME: &str = "bare-name";
const LOCKED_BINARY: &str = "locked-binary";
const NON_ASCII: &str = "non-ascii";
const MODULE: &str = "module";
const EXIT_CODE: &str = "exit-code";

/// How many checks `analyze` runs on each script.
const CHECKS: usize = 6;

/// One trap hit: the check's code, where (1-based line and column), and why, with the source.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Finding {
    check: &'static str,
    line: usize,
    column: usize,
    message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: [{}] {}",
            self.line, self.column, self.check, self.message
        )
    }
}

// ---- tables -------------------------------------------------------------------------------

/// Programs in `C:\Windows\System32` of every Windows Server 2019 and 2022 (System32 is on
/// every session's PATH), so a bare name finds them: the base system's tools, and `tar.exe`
/// and `curl.exe`, inbox since Windows 10 1803 / Server 2019 ("Tar and Curl Come to
/// Windows", Windows command-line blog, build 17063). Names without `.exe`.
const SYSTEM32: &[&str] = &[
    "arp",
    "attrib",
    "bcdedit",
    "bitsadmin",
    "certutil",
    "cmd",
    "cscript",
    "curl",
    "diskpart",
    "dism",
    "expand",
    "findstr",
    "fsutil",
    "hostname",
    "icacls",
    "ipconfig",
    "msiexec",
    "net",
    "netsh",
    "netstat",
    "nltest",
    "nslookup",
    "ping",
    "pktmon",
    "pnputil",
    "powercfg",
    "powershell",
    "reg",
    "robocopy",
    "route",
    "rundll32",
    "sc",
    "schtasks",
    "setx",
    "sfc",
    "shutdown",
    "systeminfo",
    "takeown",
    "tar",
    "taskkill",
    "tasklist",
    "timeout",
    "tracert",
    "w32tm",
    "wevtutil",
    "where",
    "whoami",
    "wmic",
    "wusa",
    "xcopy",
];

/// Windows PowerShell 5.1's built-in aliases (and `mkdir`/`md` functions) that a bare
/// word can mean instead of a program: `sc` is Set-Content, `curl`/`wget` are
/// Invoke-WebRequest in 5.1 (about_Aliases; `Get-Alias` on 5.1).
const ALIASES: &[&str] = &[
    "%", "?", "ac", "cat", "cd", "chdir", "clc", "clear", "cls", "copy", "cp", "cpi", "curl",
    "del", "dir", "echo", "erase", "foreach", "gc", "gci", "gcm", "gi", "gps", "gsv", "iex",
    "ipmo", "irm", "iwr", "kill", "ls", "md", "mkdir", "move", "mv", "ni", "popd", "ps", "pushd",
    "pwd", "rd", "ren", "ri", "rm", "rmdir", "sasv", "sc", "select", "set", "sleep", "sort",
    "spsv", "start", "tee", "type", "wget", "where", "write",
];

/// PowerShell's approved verbs (`Get-Verb`), plus `Attach` (hns.psm1's
/// Attach-HnsHostEndpoint): `Verb-Noun` with one of these is a cmdlet or function, other
/// dashed names (`ovs-vsctl`, `kube-proxy`) are programs.
const VERBS: &[&str] = &[
    "add",
    "approve",
    "assert",
    "attach",
    "backup",
    "block",
    "build",
    "checkpoint",
    "clear",
    "close",
    "compare",
    "complete",
    "compress",
    "confirm",
    "connect",
    "convert",
    "convertfrom",
    "convertto",
    "copy",
    "debug",
    "deny",
    "deploy",
    "disable",
    "disconnect",
    "dismount",
    "edit",
    "enable",
    "enter",
    "exit",
    "expand",
    "export",
    "find",
    "format",
    "get",
    "grant",
    "group",
    "hide",
    "import",
    "initialize",
    "install",
    "invoke",
    "join",
    "limit",
    "lock",
    "measure",
    "merge",
    "mount",
    "move",
    "new",
    "open",
    "optimize",
    "out",
    "ping",
    "pop",
    "protect",
    "publish",
    "push",
    "read",
    "receive",
    "redo",
    "register",
    "remove",
    "rename",
    "repair",
    "request",
    "reset",
    "resize",
    "resolve",
    "restart",
    "restore",
    "resume",
    "revoke",
    "save",
    "search",
    "select",
    "send",
    "set",
    "show",
    "skip",
    "split",
    "start",
    "step",
    "stop",
    "submit",
    "suspend",
    "switch",
    "sync",
    "test",
    "trace",
    "unblock",
    "undo",
    "uninstall",
    "unlock",
    "unprotect",
    "unpublish",
    "unregister",
    "update",
    "use",
    "wait",
    "watch",
    "write",
];

/// Where the programs kubeplan's scripts install live, so a bare name needs that folder on
/// PATH (a program the script itself writes somewhere is also known by that write):
/// `(name or prefix ending in '-', folder, source)`.
const PROGRAM_FOLDERS: &[(&str, &str, &str)] = &[
    (
        "docker",
        r"c:\program files\docker",
        "Docker's static Windows zip holds docker\\docker.exe and dockerd.exe; bootstrap.ps1 unpacks it into $env:ProgramFiles",
    ),
    ("dockerd", r"c:\program files\docker", "as docker"),
    (
        "ovs-",
        r"c:\program files\cloudbase solutions\open vswitch\bin",
        "the Cloudbase Open vSwitch MSI's install folder (microsoft/SDN's OVN scripts put it on PATH themselves)",
    ),
    ("ovsdb-", r"c:\program files\cloudbase solutions\open vswitch\bin", "as ovs-"),
    ("ovn-", r"c:\program files\cloudbase solutions\open vswitch\bin", "as ovs-"),
    (
        "kubeadm",
        r"c:\k",
        "bootstrap.ps1's $KubeDir, as sig-windows-tools' PrepareNode.ps1",
    ),
    ("kubelet", r"c:\k", "as kubeadm"),
    ("kubectl", r"c:\k", "as kubeadm"),
    ("kube-proxy", r"c:\k", "as kubeadm"),
    ("flanneld", r"c:\k", "as kubeadm"),
    (
        "containerd",
        r"c:\program files\containerd",
        "bootstrap.ps1 unpacks containerd's release into $env:ProgramFiles\\containerd",
    ),
    ("ctr", r"c:\program files\containerd", "as containerd"),
];

/// Installers that put their folder on the machine's Path (never the running session's):
/// `(text in the installer's arguments, folder)`. The Open vSwitch MSI "propagates new
/// environment variables. Please open a new command shell" (Kubernetes' Windows OVN guide,
/// seed 003).
const INSTALLERS: &[(&str, &str)] = &[(
    "openvswitch",
    r"c:\program files\cloudbase solutions\open vswitch\bin",
)];

/// Programs run from outside their script, which keep their .exe open while they run
/// (a service's image, a boot task's program): file name → what stops it. bootstrap.ps1
/// runs kubelet and kube-proxy as services (`--windows-service`), containerd and dockerd
/// register themselves (`--register-service`), flanneld and cri-dockerd run under
/// start-*.ps1 from boot tasks (stopping the task does not stop the child program, so
/// `Stop-Process` does), and the OVS MSI registers ovs-vswitchd, ovsdb-server and
/// ovn-controller. The script's own `New-Service`/`sc.exe create`/ImagePath writes and
/// scheduled tasks add to this.
const RUNNING_BINARIES: &[(&str, Unit)] = &[
    ("kubelet.exe", Unit::Service("kubelet")),
    ("kube-proxy.exe", Unit::Service("kube-proxy")),
    ("containerd.exe", Unit::Service("containerd")),
    ("dockerd.exe", Unit::Service("docker")),
    ("flanneld.exe", Unit::Process("flanneld")),
    ("cri-dockerd.exe", Unit::Process("cri-dockerd")),
    ("ovs-vswitchd.exe", Unit::Service("ovs-vswitchd")),
    ("ovsdb-server.exe", Unit::Service("ovsdb-server")),
    ("ovn-controller.exe", Unit::Service("ovn-controller")),
];

/// What provides a cmdlet's module.
#[derive(Clone, Copy, Debug)]
enum Provider {
    /// In every Windows Server 2019/2022 install.
    Inbox,
    /// A Windows feature (`Install-WindowsFeature` names, lower case), any of them.
    Feature(&'static [&'static str]),
    /// `Import-Module` of a file with this stem.
    Import(&'static str),
}

/// Cmdlet (lower case, or a prefix ending in '*') → module → what provides it, with the
/// source. Cmdlets not listed are taken as inbox.
const MODULES: &[(&str, &str, Provider, &str)] = &[
    (
        "*-vm*",
        "Hyper-V",
        Provider::Feature(&["Hyper-V-PowerShell"]),
        "learn.microsoft.com/powershell/module/hyper-v (Module: Hyper-V); the feature \
         Hyper-V-PowerShell, 'Hyper-V Module for Windows PowerShell', or Install-WindowsFeature \
         -Name Hyper-V -IncludeManagementTools ('Install the Hyper-V role on Windows Server')",
    ),
    (
        "*-hns*",
        "hns.psm1",
        Provider::Import("hns"),
        "microsoft/SDN Kubernetes/windows/hns.psm1 defines the HNS functions; nothing inbox does",
    ),
    (
        "*-windowsfeature",
        "ServerManager",
        Provider::Inbox,
        "inbox on Windows Server (learn.microsoft.com/powershell/module/servermanager)",
    ),
    (
        "*-scheduledtask*",
        "ScheduledTasks",
        Provider::Inbox,
        "inbox since Windows Server 2012",
    ),
    (
        "*-netadapter",
        "NetAdapter",
        Provider::Inbox,
        "inbox since Windows Server 2012",
    ),
    (
        "*-netip*",
        "NetTCPIP",
        Provider::Inbox,
        "inbox since Windows Server 2012",
    ),
    (
        "*-netfirewallrule",
        "NetSecurity",
        Provider::Inbox,
        "inbox since Windows Server 2012",
    ),
    (
        "get-volume",
        "Storage",
        Provider::Inbox,
        "inbox since Windows Server 2012",
    ),
    (
        "*-ciminstance",
        "CimCmdlets",
        Provider::Inbox,
        "inbox since PowerShell 3.0",
    ),
    (
        "*-archive",
        "Microsoft.PowerShell.Archive",
        Provider::Inbox,
        "inbox since PowerShell 5.0",
    ),
];

/// Features `-IncludeManagementTools` adds to a role: Hyper-V's tools are its PowerShell
/// module (and Hyper-V Manager where there is a GUI).
const MANAGEMENT_TOOLS: &[(&str, &[&str])] =
    &[("hyper-v", &["hyper-v-powershell", "rsat-hyper-v-tools"])];

/// `Enable-WindowsOptionalFeature` names of the same features.
const OPTIONAL_FEATURES: &[(&str, &str)] = &[(
    "microsoft-hyper-v-management-powershell",
    "hyper-v-powershell",
)];

/// Parameters that take no value, so a word after them is positional.
const SWITCHES: &[&str] = &[
    "all",
    "append",
    "asjob",
    "atstartup",
    "compress",
    "directory",
    "disablenamechecking",
    "file",
    "force",
    "includeallsubfeature",
    "includemanagementtools",
    "nonewline",
    "nonewwindow",
    "norestart",
    "online",
    "passthru",
    "raw",
    "recurse",
    "restart",
    "usebasicparsing",
    "wait",
];

/// Programs that themselves run another by bare name, so its folder must be on the PATH
/// they inherit: kubeadm's init and join preflight runs `kubelet --version`
/// (kubernetes cmd/kubeadm/app/preflight/checks.go, KubeletVersionCheck in
/// addCommonChecks; utils.go GetKubeletVersion: "version of kubelet available in $PATH").
const RUNS_BY_NAME: &[(&str, &[&str], &str)] = &[("kubeadm", &["init", "join"], "kubelet")];

/// The cmdlet and program names `tests/powershell/allowlist.txt` lists.
fn allow_list() -> (BTreeSet<String>, BTreeSet<String>) {
    let mut cmdlets = BTreeSet::new();
    let mut exes = BTreeSet::new();
    for line in include_str!("powershell/allowlist.txt").lines() {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("cmdlet"), Some(name)) => {
                cmdlets.insert(name.to_lowercase());
            }
            (Some("exe"), Some(name)) => {
                exes.insert(name.to_lowercase());
            }
            _ => {}
        }
    }
    (cmdlets, exes)
}

// ---- values -------------------------------------------------------------------------------

/// An unknown part of a string.
const UNKNOWN: char = '\u{1}';
/// `$env:Path`, the session's PATH, inside a string.
const SESSION_PATH: char = '\u{2}';
/// `[Environment]::GetEnvironmentVariable('Path', 'Machine')` inside a string.
const MACHINE_PATH: char = '\u{3}';

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Scope {
    Session,
    Machine,
}

/// What the walker knows of a value.
#[derive(Clone, Debug, PartialEq)]
enum Value<'t> {
    /// A string; `UNKNOWN` marks parts it cannot know, `SESSION_PATH`/`MACHINE_PATH` a PATH.
    Text(String),
    List(Vec<Value<'t>>),
    /// A hashtable, in order.
    Map(Vec<(String, Value<'t>)>),
    Block(Node<'t>),
    /// A PATH split into its folders (`$env:Path -split ';'`).
    PathList(Scope),
    /// Anything else, with the literal strings that flowed into it.
    Opaque(BTreeSet<String>),
}

impl<'t> Value<'t> {
    fn unknown() -> Self {
        Value::Opaque(BTreeSet::new())
    }

    /// The text, when every part of it is known.
    fn known(&self) -> Option<&str> {
        match self {
            Value::Text(t) if !t.contains([UNKNOWN, SESSION_PATH, MACHINE_PATH]) => Some(t),
            _ => None,
        }
    }

    /// The value in a string, as `"$x"` expands it (a list joined by spaces).
    fn render(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::List(items) => items
                .iter()
                .map(Value::render)
                .collect::<Vec<_>>()
                .join(" "),
            _ => UNKNOWN.to_string(),
        }
    }

    /// Whether `if ($x)` takes the branch, when known.
    fn truthy(&self) -> Option<bool> {
        match self {
            Value::Text(t) if t.is_empty() => Some(false),
            Value::Text(t) if t.chars().any(|c| c != UNKNOWN) => Some(true),
            // PowerShell's truth of an array: empty is false, one item is that item, more is true.
            Value::List(items) if items.is_empty() => Some(false),
            Value::List(items) if items.len() == 1 => items[0].truthy(),
            Value::List(_) => Some(true),
            Value::Map(_) | Value::Block(_) => Some(true),
            _ => None,
        }
    }

    /// The literal strings in this value or that flowed into it.
    fn mentions(&self) -> BTreeSet<String> {
        match self {
            Value::Text(_) => self.known().map(str::to_owned).into_iter().collect(),
            Value::List(items) => items.iter().flat_map(Value::mentions).collect(),
            Value::Map(entries) => entries
                .iter()
                .flat_map(|(k, v)| std::iter::once(k.clone()).chain(v.mentions()))
                .collect(),
            Value::Opaque(m) => m.clone(),
            Value::Block(_) | Value::PathList(_) => BTreeSet::new(),
        }
    }

    /// What `foreach` goes over.
    fn items(&self, st: &State<'t>) -> Option<Vec<Value<'t>>> {
        match self {
            Value::List(items) => Some(items.clone()),
            Value::PathList(scope) => {
                let known = match scope {
                    Scope::Session => &st.session_path,
                    Scope::Machine => &st.machine_path,
                };
                let mut items: Vec<Value> = known.iter().cloned().map(Value::Text).collect();
                items.push(Value::unknown());
                Some(items)
            }
            Value::Text(_) | Value::Map(_) | Value::Block(_) => Some(vec![self.clone()]),
            Value::Opaque(_) => None,
        }
    }
}

// ---- state --------------------------------------------------------------------------------

/// Something that runs a program and can be stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Unit<S = &'static str> {
    Service(S),
    Task(S),
    Process(S),
}

type OwnedUnit = Unit<String>;

impl Unit {
    fn owned(self) -> OwnedUnit {
        match self {
            Unit::Service(s) => Unit::Service(s.to_owned()),
            Unit::Task(s) => Unit::Task(s.to_owned()),
            Unit::Process(s) => Unit::Process(s.to_owned()),
        }
    }
}

impl fmt::Display for OwnedUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unit::Service(s) => write!(f, "the service {s}"),
            Unit::Task(s) => write!(f, "the scheduled task {s}"),
            Unit::Process(s) => write!(f, "the process {s}"),
        }
    }
}

/// What 5.1 would have at one point of the script.
#[derive(Clone, Debug, PartialEq)]
struct State<'t> {
    /// Variables (lower case, without scope prefix) with what is known of their values.
    vars: BTreeMap<String, Value<'t>>,
    /// Variables assigned with `$script:`/`$global:` since the current function began.
    scoped_writes: BTreeSet<String>,
    /// Folders on the session's `$env:Path` on every path to here.
    session_path: BTreeSet<String>,
    /// `$env:Path` got a folder the walker cannot name.
    session_path_unknown: bool,
    /// Folders on the machine's Path. Joined by union: it persists across runs, and the
    /// scripts put a folder there behind an "already there?" test, so a folder one branch
    /// adds is there on the other from an earlier run; the trap is the session not seeing it.
    machine_path: BTreeSet<String>,
    /// Units stopped (and not started since) on every path to here.
    stopped: BTreeSet<OwnedUnit>,
    /// Units an enclosing condition proved not to exist.
    absent_units: BTreeSet<OwnedUnit>,
    /// Files an enclosing condition proved not to exist (normalised paths).
    absent_paths: BTreeSet<String>,
    /// Windows features installed (or being installed) so far.
    features: BTreeSet<String>,
    /// Modules imported so far (file stems; "?" for one the walker cannot name).
    modules: BTreeSet<String>,
    /// Programs the script wrote: stem → folders.
    written: BTreeMap<String, BTreeSet<String>>,
}

impl<'t> State<'t> {
    fn new() -> Self {
        let mut vars = BTreeMap::new();
        // The default preference of a new session (about_Preference_Variables).
        vars.insert(
            "erroractionpreference".to_owned(),
            Value::Text("Continue".to_owned()),
        );
        State {
            vars,
            scoped_writes: BTreeSet::new(),
            session_path: BTreeSet::new(),
            session_path_unknown: false,
            machine_path: BTreeSet::new(),
            stopped: BTreeSet::new(),
            absent_units: BTreeSet::new(),
            absent_paths: BTreeSet::new(),
            features: BTreeSet::new(),
            modules: BTreeSet::new(),
            written: BTreeMap::new(),
        }
    }

    /// The state after either of two paths.
    fn join(self, other: State<'t>) -> State<'t> {
        let mut vars = BTreeMap::new();
        for (k, v) in &self.vars {
            match other.vars.get(k) {
                Some(w) if w == v => {
                    vars.insert(k.clone(), v.clone());
                }
                Some(w) => {
                    let mut m = v.mentions();
                    m.extend(w.mentions());
                    vars.insert(k.clone(), Value::Opaque(m));
                }
                None => {
                    vars.insert(k.clone(), Value::Opaque(v.mentions()));
                }
            }
        }
        for (k, w) in &other.vars {
            vars.entry(k.clone())
                .or_insert_with(|| Value::Opaque(w.mentions()));
        }
        let mut written = self.written;
        for (k, v) in other.written {
            written.entry(k).or_default().extend(v);
        }
        State {
            vars,
            scoped_writes: &self.scoped_writes | &other.scoped_writes,
            session_path: &self.session_path & &other.session_path,
            session_path_unknown: self.session_path_unknown || other.session_path_unknown,
            machine_path: &self.machine_path | &other.machine_path,
            stopped: &self.stopped & &other.stopped,
            absent_units: &self.absent_units & &other.absent_units,
            absent_paths: &self.absent_paths & &other.absent_paths,
            features: &self.features | &other.features,
            modules: &self.modules | &other.modules,
            written,
        }
    }

    /// Whether `$ErrorActionPreference` may be `'Stop'` here (unknown counts as Stop).
    fn may_stop(&self) -> bool {
        match self
            .vars
            .get("erroractionpreference")
            .and_then(Value::known)
        {
            Some(v) => v.eq_ignore_ascii_case("stop"),
            None => true,
        }
    }

    /// The machine state of `callee` (PATH, units, features…) with this scope's variables,
    /// plus what the callee assigned with `$script:`.
    fn after_call(mut self, callee: State<'t>) -> State<'t> {
        for name in &callee.scoped_writes {
            if let Some(v) = callee.vars.get(name) {
                self.vars.insert(name.clone(), v.clone());
            }
            self.scoped_writes.insert(name.clone());
        }
        State {
            vars: self.vars,
            scoped_writes: self.scoped_writes,
            ..callee
        }
    }

    fn set_path(&mut self, scope: Scope, text: &str, append: bool) {
        let (old, old_unknown) = match scope {
            Scope::Session => (self.session_path.clone(), self.session_path_unknown),
            Scope::Machine => (self.machine_path.clone(), false),
        };
        let mut new = if append { old.clone() } else { BTreeSet::new() };
        let mut unknown = append && old_unknown;
        for segment in text.split(';').map(str::trim) {
            if segment.is_empty() {
                continue;
            }
            if segment == SESSION_PATH.to_string() {
                new.extend(self.session_path.iter().cloned());
                unknown |= self.session_path_unknown;
            } else if segment == MACHINE_PATH.to_string() {
                new.extend(self.machine_path.iter().cloned());
            } else if segment.contains([UNKNOWN, SESSION_PATH, MACHINE_PATH]) {
                unknown = true;
            } else {
                new.insert(normalize(segment));
            }
        }
        match scope {
            Scope::Session => {
                self.session_path = new;
                self.session_path_unknown = unknown;
            }
            Scope::Machine => self.machine_path = new,
        }
    }

    fn apply(&mut self, fact: &Fact) {
        match fact {
            Fact::AbsentPath(p) => {
                self.absent_paths.insert(p.clone());
            }
            Fact::AbsentUnit(u) => {
                self.absent_units.insert(u.clone());
            }
            Fact::OnPath(Scope::Session, f) => {
                self.session_path.insert(f.clone());
            }
            Fact::OnPath(Scope::Machine, f) => {
                self.machine_path.insert(f.clone());
            }
        }
    }
}

fn join_opt<'t>(a: Option<State<'t>>, b: Option<State<'t>>) -> Option<State<'t>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.join(b)),
        (a, b) => a.or(b),
    }
}

/// What a condition tells about the branch it guards.
#[derive(Clone, Debug)]
enum Fact {
    AbsentPath(String),
    AbsentUnit(OwnedUnit),
    OnPath(Scope, String),
}

#[derive(Default)]
struct Cond {
    known: Option<bool>,
    when_true: Vec<Fact>,
    when_false: Vec<Fact>,
}

impl Cond {
    fn negate(self) -> Cond {
        Cond {
            known: self.known.map(|k| !k),
            when_true: self.when_false,
            when_false: self.when_true,
        }
    }
}

// ---- events -------------------------------------------------------------------------------

/// What kind of command a call is.
#[derive(Clone, Debug, PartialEq)]
enum Kind<'t> {
    /// A program; `by_name` when PowerShell looks it up on PATH.
    Native {
        program: String,
        by_name: bool,
    },
    Cmdlet(String),
    /// A function the script defines.
    Function(String),
    /// `& { }` (or `& $block`), or `. { }` when `dot`.
    Block {
        body: Node<'t>,
        dot: bool,
    },
}

/// A parameter or positional argument of a call.
#[derive(Clone, Debug)]
struct Arg<'t> {
    /// Lower case, without the dash; None for a positional argument.
    param: Option<String>,
    value: Option<Node<'t>>,
    /// The element as written, for a native program's argument list.
    element: Node<'t>,
}

#[derive(Clone, Debug)]
enum What<'t> {
    Call {
        kind: Kind<'t>,
        args: Vec<Arg<'t>>,
        /// The redirection of stream 2 or `*` on this command, as written.
        stderr: Option<String>,
    },
    /// `exit` or `return`, with its value.
    Exit {
        keyword: &'static str,
        code: Option<Node<'t>>,
    },
}

/// A command or exit the walker reached, with the state before it.
struct Event<'t> {
    node: Node<'t>,
    what: What<'t>,
    state: State<'t>,
    ctx: Ctx<'t>,
}

/// Where the walker is.
#[derive(Clone, Debug, Default)]
struct Ctx<'t> {
    /// Script functions being run, outermost first.
    stack: Vec<String>,
    /// The outermost call of a script function (at script level).
    call_site: Option<Node<'t>>,
    /// Everything here has its stderr redirected by an enclosing block or call.
    stderr_redirected: Option<String>,
    /// Conditions of the enclosing `if`/`elseif`/loops.
    conditions: Vec<Node<'t>>,
    /// The statement list holding the current statement.
    block: Option<Node<'t>>,
}

/// How a piece of script ends: falling through, `return`, or `break`/`continue`.
struct Flow<'t> {
    next: Option<State<'t>>,
    ret: Option<State<'t>>,
    brk: Option<State<'t>>,
}

impl<'t> Flow<'t> {
    fn next(st: State<'t>) -> Self {
        Flow {
            next: Some(st),
            ret: None,
            brk: None,
        }
    }
}

// ---- the walker ---------------------------------------------------------------------------

/// Kinds that only wrap their single named child.
const WRAPPERS: &[&str] = &[
    "pipeline",
    "pipeline_chain",
    "logical_expression",
    "bitwise_expression",
    "comparison_expression",
    "additive_expression",
    "multiplicative_expression",
    "format_expression",
    "range_expression",
    "array_literal_expression",
    "unary_expression",
    "argument_expression",
    "logical_argument_expression",
    "bitwise_argument_expression",
    "comparison_argument_expression",
    "additive_argument_expression",
    "multiplicative_argument_expression",
    "format_argument_expression",
    "range_argument_expression",
    "key_expression",
    "while_condition",
    "for_condition",
    "switch_condition",
    "command_name_expr",
];

fn named<'t>(n: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = n.walk();
    n.named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .collect()
}

fn children<'t>(n: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = n.walk();
    n.children(&mut cursor).collect()
}

fn unwrap(mut n: Node<'_>) -> Node<'_> {
    while WRAPPERS.contains(&n.kind()) {
        let kids = named(n);
        if kids.len() != 1 {
            break;
        }
        n = kids[0];
    }
    n
}

/// A path in one spelling: lower case, backslashes, no doubled or trailing separator.
fn normalize(path: &str) -> String {
    let mut p = path
        .trim()
        .trim_matches(['"', '\''])
        .replace('/', "\\")
        .to_lowercase();
    while p.contains("\\\\") {
        p = p.replace("\\\\", "\\");
    }
    p.trim_end_matches('\\').to_owned()
}

/// A program's name without folder and extension, lower case.
fn stem(program: &str) -> String {
    let name = program
        .rsplit(['\\', '/'])
        .next()
        .unwrap_or(program)
        .to_lowercase();
    for ext in [
        ".exe", ".com", ".cmd", ".bat", ".psm1", ".psd1", ".dll", ".ps1",
    ] {
        if let Some(s) = name.strip_suffix(ext) {
            return s.to_owned();
        }
    }
    name
}

/// The .exe a service's command line starts, normalised.
fn exe_of(command_line: &str) -> Option<String> {
    let line = command_line.trim().trim_start_matches(['"', '\'']);
    let end = line.to_lowercase().find(".exe")? + 4;
    let exe = &line[..end];
    (!exe.contains([UNKNOWN, SESSION_PATH, MACHINE_PATH])).then(|| normalize(exe))
}

fn var_name(raw: &str) -> String {
    let s = raw.trim_start_matches(['$', '@']);
    let s = s
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(s);
    let lower = s.to_lowercase();
    for prefix in ["script:", "global:", "local:", "private:", "using:"] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            return rest.to_owned();
        }
    }
    lower
}

fn is_scoped(raw: &str) -> bool {
    let lower = raw.trim_start_matches(['$', '{']).to_lowercase();
    lower.starts_with("script:") || lower.starts_with("global:")
}

fn looks_like_cmdlet(name: &str) -> bool {
    name.split_once('-')
        .is_some_and(|(verb, noun)| !noun.is_empty() && VERBS.contains(&verb))
}

fn matches_pattern(pattern: &str, name: &str) -> bool {
    match (pattern.strip_prefix('*'), pattern.strip_suffix('*')) {
        (Some(rest), _) if rest.ends_with('*') => name.contains(rest.trim_end_matches('*')),
        (Some(rest), _) => name.ends_with(rest),
        (None, Some(prefix)) => name.starts_with(prefix),
        (None, None) => name == pattern,
    }
}

struct Walker<'t> {
    src: &'t str,
    cmdlets: BTreeSet<String>,
    exes: BTreeSet<String>,
    functions: BTreeMap<String, Node<'t>>,
    /// The state where each function was defined, for the ones never called.
    defined_at: BTreeMap<String, State<'t>>,
    called: BTreeSet<String>,
    events: Vec<Event<'t>>,
    ctx: Ctx<'t>,
}

impl<'t> Walker<'t> {
    fn text(&self, n: Node<'t>) -> &'t str {
        &self.src[n.byte_range()]
    }

    fn record(&mut self, node: Node<'t>, what: What<'t>, st: &State<'t>) {
        self.events.push(Event {
            node,
            what,
            state: st.clone(),
            ctx: self.ctx.clone(),
        });
    }

    // -- values --

    fn lookup(&self, raw: &str, st: &State<'t>) -> Value<'t> {
        let name = var_name(raw);
        let text = |s: &str| Value::Text(s.to_owned());
        match name.as_str() {
            "env:path" => Value::Text(SESSION_PATH.to_string()),
            "env:programfiles" => text(r"C:\Program Files"),
            "env:systemroot" | "env:windir" => text(r"C:\Windows"),
            "env:programdata" => text(r"C:\ProgramData"),
            "env:systemdrive" => text("C:"),
            "true" => text("True"),
            "false" | "null" => text(""),
            _ => st.vars.get(&name).cloned().unwrap_or_else(Value::unknown),
        }
    }

    /// What is known of the value of expression `n` in state `st` (no side effects).
    fn eval(&self, n: Node<'t>, st: &State<'t>) -> Value<'t> {
        let n = unwrap(n);
        let kids = named(n);
        match n.kind() {
            "string_literal" => kids
                .first()
                .map_or_else(Value::unknown, |c| self.eval(*c, st)),
            "verbatim_string_characters" => {
                let t = self.text(n);
                let inner = t
                    .strip_prefix('\'')
                    .and_then(|t| t.strip_suffix('\''))
                    .unwrap_or(t);
                Value::Text(inner.replace("''", "'"))
            }
            "verbatim_here_string_characters" => {
                let t = self.text(n);
                let inner = t
                    .split_once('\n')
                    .map_or("", |(_, rest)| rest)
                    .rsplit_once('\n')
                    .map_or("", |(body, _)| body);
                Value::Text(inner.trim_end_matches('\r').to_owned())
            }
            "expandable_string_literal" | "expandable_here_string_literal" => {
                Value::Text(self.interpolate(n, st))
            }
            "integer_literal" | "real_literal" => Value::Text(self.text(n).to_owned()),
            // `& $FilePath`, `& .\tool.exe`
            "path_command_name" => match kids.as_slice() {
                [one] => self.eval(*one, st),
                _ => Value::Text(self.text(n).to_owned()),
            },
            "path_command_name_token" => Value::Text(self.text(n).to_owned()),
            "generic_token" | "simple_name" => Value::Text(self.text(n).to_owned()),
            "variable" | "braced_variable" => self.lookup(self.text(n), st),
            "parenthesized_expression" | "sub_expression" | "array_expression" => {
                let inner: Vec<Node> = kids
                    .iter()
                    .flat_map(|k| {
                        if k.kind() == "statement_list" {
                            named(*k)
                        } else {
                            vec![*k]
                        }
                    })
                    .collect();
                if n.kind() == "array_expression" {
                    // `@(…)`: each statement's values, in one array.
                    let mut items = Vec::new();
                    for k in &inner {
                        match self.eval(*k, st) {
                            Value::List(more) => items.extend(more),
                            Value::Opaque(m) if inner.len() == 1 => return Value::Opaque(m),
                            v => items.push(v),
                        }
                    }
                    return Value::List(items);
                }
                match inner.as_slice() {
                    [one] => self.eval(*one, st),
                    _ => Value::Opaque(self.mentions_in(n, st)),
                }
            }
            "array_literal_expression" => {
                Value::List(kids.iter().map(|k| self.eval(*k, st)).collect())
            }
            "additive_expression" | "additive_argument_expression" => {
                let op = children(n).iter().find(|c| !c.is_named()).map(|c| c.kind());
                match (kids.as_slice(), op) {
                    ([a, b], Some("+")) => match (self.eval(*a, st), self.eval(*b, st)) {
                        (Value::Text(x), Value::Text(y)) => Value::Text(x + &y),
                        (Value::List(mut x), y) => {
                            match y {
                                Value::List(ys) => x.extend(ys),
                                y => x.push(y),
                            }
                            Value::List(x)
                        }
                        (x, y) => Value::Opaque(&x.mentions() | &y.mentions()),
                    },
                    _ => Value::Opaque(self.mentions_in(n, st)),
                }
            }
            "comparison_expression" | "comparison_argument_expression" => {
                let op = kids
                    .iter()
                    .find(|k| k.kind() == "comparison_operator")
                    .map(|o| self.text(*o).to_lowercase());
                let operands: Vec<Node> = kids
                    .iter()
                    .filter(|k| k.kind() != "comparison_operator")
                    .copied()
                    .collect();
                match (op.as_deref(), operands.as_slice()) {
                    (Some("-split"), [a, _]) => match self.eval(*a, st) {
                        Value::Text(t) if t == SESSION_PATH.to_string() => {
                            Value::PathList(Scope::Session)
                        }
                        Value::Text(t) if t == MACHINE_PATH.to_string() => {
                            Value::PathList(Scope::Machine)
                        }
                        v => Value::Opaque(v.mentions()),
                    },
                    (Some("-join"), [a, b]) => {
                        match (self.eval(*a, st), self.eval(*b, st).known()) {
                            (Value::List(items), Some(sep)) => Value::Text(
                                items
                                    .iter()
                                    .map(Value::render)
                                    .collect::<Vec<_>>()
                                    .join(sep),
                            ),
                            (v, _) => Value::Opaque(v.mentions()),
                        }
                    }
                    _ => Value::Opaque(self.mentions_in(n, st)),
                }
            }
            "expression_with_unary_operator" => {
                let first = children(n).first().map(|c| c.kind());
                match (first, kids.as_slice()) {
                    (Some(","), [x]) => Value::List(vec![self.eval(*x, st)]),
                    (_, [c]) if c.kind() == "cast_expression" => self.eval(*c, st),
                    _ => Value::Opaque(self.mentions_in(n, st)),
                }
            }
            "cast_expression" => {
                // `[ordered]@{…}`: the operand sits after (or, in this grammar, inside) the type.
                let operand = kids.iter().rev().find_map(|k| {
                    if k.kind() == "type_literal" {
                        named(*k).into_iter().find(|c| c.kind() != "type_spec")
                    } else {
                        Some(*k)
                    }
                });
                operand.map_or_else(Value::unknown, |o| self.eval(o, st))
            }
            "hash_literal_expression" => {
                let mut entries = Vec::new();
                if let Some(body) = first_child(n, "hash_literal_body") {
                    for entry in named(body) {
                        let parts = named(entry);
                        if let [key, value] = parts.as_slice() {
                            let key = self.eval(*key, st).render();
                            entries.push((key, self.eval(*value, st)));
                        }
                    }
                }
                Value::Map(entries)
            }
            "member_access" => {
                let member = first_child(n, "member_name").map(|m| self.text(m).to_lowercase());
                let object = kids.first().copied();
                match (
                    object.map(|o| (o.kind(), self.eval(o, st))),
                    member.as_deref(),
                ) {
                    (Some((_, Value::Map(entries))), Some("keys")) => Value::List(
                        entries
                            .iter()
                            .map(|(k, _)| Value::Text(k.clone()))
                            .collect(),
                    ),
                    (Some((_, Value::Map(entries))), Some("values")) => {
                        Value::List(entries.iter().map(|(_, v)| v.clone()).collect())
                    }
                    (Some(("type_literal", _)), Some(m)) => {
                        // [System.Management.Automation.ActionPreference]::Continue,
                        // [EnvironmentVariableTarget]::Machine
                        Value::Text(m.to_owned())
                    }
                    (Some((_, v)), _) => Value::Opaque(v.mentions()),
                    _ => Value::unknown(),
                }
            }
            "element_access" => match kids.as_slice() {
                [object, index] => match (self.eval(*object, st), self.eval(*index, st)) {
                    (Value::Map(entries), key) => key
                        .known()
                        .and_then(|k| {
                            entries
                                .iter()
                                .find(|(e, _)| e.eq_ignore_ascii_case(k))
                                .map(|(_, v)| v.clone())
                        })
                        .unwrap_or_else(|| Value::Opaque(key.mentions())),
                    (Value::List(items), idx) => idx
                        .known()
                        .and_then(|i| i.parse::<usize>().ok())
                        .and_then(|i| items.get(i).cloned())
                        .unwrap_or_else(Value::unknown),
                    (v, _) => Value::Opaque(v.mentions()),
                },
                _ => Value::unknown(),
            },
            "invokation_expression" => self.eval_invocation(n, st),
            "script_block_expression" => Value::Block(n),
            "command" => self.eval_command(n, st),
            _ => Value::Opaque(self.mentions_in(n, st)),
        }
    }

    /// The literal strings and known variables below `n`.
    fn mentions_in(&self, n: Node<'t>, st: &State<'t>) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for k in named(n) {
            match k.kind() {
                "string_literal" | "variable" | "generic_token" => {
                    out.extend(self.eval(k, st).mentions());
                }
                "script_block_expression" => {}
                _ => out.extend(self.mentions_in(k, st)),
            }
        }
        out
    }

    /// An expandable string with its variables and `$()` put in, escapes decoded.
    fn interpolate(&self, n: Node<'t>, st: &State<'t>) -> String {
        let text = self.text(n);
        let base = n.start_byte();
        let here = n.kind() == "expandable_here_string_literal";
        let (start, end) = if here {
            let first_nl = text.find('\n').map_or(text.len(), |i| i + 1);
            let last_nl = text.rfind('\n').unwrap_or(first_nl).max(first_nl);
            (base + first_nl, base + last_nl)
        } else {
            (base + 1, base + text.len().saturating_sub(1).max(1))
        };
        let mut out = String::new();
        let mut pos = start;
        let literal = |from: usize, to: usize, out: &mut String| {
            let mut chars = self.src[from..to].chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '`' => match chars.next() {
                        Some('n') => out.push('\n'),
                        Some('t') => out.push('\t'),
                        Some('r') => out.push('\r'),
                        Some('0') => out.push('\0'),
                        Some(other) => out.push(other),
                        None => {}
                    },
                    '"' if !here && chars.peek() == Some(&'"') => {
                        chars.next();
                        out.push('"');
                    }
                    c => out.push(c),
                }
            }
        };
        for k in named(n) {
            let (ks, ke) = (k.start_byte().max(start), k.end_byte().min(end));
            if ks < pos || ks >= end {
                continue;
            }
            literal(pos, ks, &mut out);
            out.push_str(&self.eval(k, st).render());
            pos = ke;
        }
        if pos < end {
            literal(pos, end, &mut out);
        }
        out
    }

    fn eval_invocation(&self, n: Node<'t>, st: &State<'t>) -> Value<'t> {
        let Some((ty, member, args)) = self.static_call(n, st) else {
            return Value::Opaque(self.mentions_in(n, st));
        };
        let is_env = ty == "[environment]" || ty == "[system.environment]";
        match (is_env, member.as_str(), args.as_slice()) {
            (true, "getenvironmentvariable", [name, rest @ ..])
                if name.known().is_some_and(|n| n.eq_ignore_ascii_case("path")) =>
            {
                let target = rest.first().map(Value::render).unwrap_or_default();
                if target.to_lowercase().contains("machine") {
                    Value::Text(MACHINE_PATH.to_string())
                } else if target.to_lowercase().contains("user") {
                    Value::unknown()
                } else {
                    Value::Text(SESSION_PATH.to_string())
                }
            }
            _ => Value::Opaque(args.iter().flat_map(Value::mentions).collect()),
        }
    }

    /// `[Type]::Member(args)`: the type as written (lower case), the member, the arguments.
    fn static_call(&self, n: Node<'t>, st: &State<'t>) -> Option<(String, String, Vec<Value<'t>>)> {
        let ty = first_child(n, "type_literal")?;
        let member = first_child(n, "member_name")?;
        let mut args = Vec::new();
        if let Some(list) = first_child(n, "argument_list") {
            if let Some(exprs) = first_child(list, "argument_expression_list") {
                for a in named(exprs) {
                    args.push(self.eval(a, st));
                }
            }
        }
        Some((
            self.text(ty).to_lowercase(),
            self.text(member).to_lowercase(),
            args,
        ))
    }

    /// A command as a value: `Join-Path` is worked out, anything else is opaque.
    fn eval_command(&self, n: Node<'t>, st: &State<'t>) -> Value<'t> {
        let name = first_child(n, "command_name").map(|c| self.text(c).to_lowercase());
        let args = self.args(n);
        if name.as_deref() == Some("join-path") {
            let path = arg_value(&args, &["path"], 0);
            let child = arg_value(&args, &["childpath"], 1);
            if let (Some(p), Some(c)) = (path, child) {
                let (p, c) = (self.eval(p, st).render(), self.eval(c, st).render());
                return Value::Text(format!(
                    "{}\\{}",
                    p.trim_end_matches(['\\', '/']),
                    c.trim_start_matches(['\\', '/'])
                ));
            }
        }
        let mut m = BTreeSet::new();
        for a in &args {
            if let Some(v) = a.value {
                if v.kind() != "script_block_expression" {
                    m.extend(self.eval(v, st).mentions());
                }
            }
        }
        Value::Opaque(m)
    }

    /// A redirection among a command's elements: its operator and the whole text. The
    /// grammar reads `2>$null` right after a string as a word; PowerShell does not.
    fn redirection(&self, n: Node<'t>) -> Option<(String, String)> {
        let whole = self.text(n).to_owned();
        match n.kind() {
            "redirection" => Some((
                named(n).first().map_or("", |o| self.text(*o)).to_owned(),
                whole,
            )),
            "generic_token" => {
                let op: String = whole
                    .chars()
                    .take_while(|c| "123456*>&".contains(*c))
                    .collect();
                (op.len() >= 2 && op.contains('>')).then_some((op, whole))
            }
            _ => None,
        }
    }

    /// The parameters and arguments of a command.
    fn args(&self, cmd: Node<'t>) -> Vec<Arg<'t>> {
        let Some(elements) = first_child(cmd, "command_elements") else {
            return Vec::new();
        };
        let all = children(elements);
        let mut args = Vec::new();
        let mut i = 0;
        while i < all.len() {
            let e = all[i];
            i += 1;
            if !e.is_named()
                || matches!(e.kind(), "command_argument_sep" | "comment")
                || self.redirection(e).is_some()
            {
                continue;
            }
            if e.kind() == "command_parameter" {
                let raw = self.text(e);
                let name = raw
                    .trim_start_matches('-')
                    .trim_end_matches(':')
                    .to_lowercase();
                // `-Confirm:$false`: the value follows a ':'.
                let colon = raw.ends_with(':')
                    || all.get(i).is_some_and(|n| !n.is_named() && n.kind() == ":");
                let next = all[i..]
                    .iter()
                    .position(|n| {
                        n.is_named() && !matches!(n.kind(), "command_argument_sep" | "comment")
                    })
                    .map(|p| (i + p, all[i + p]));
                let value = match next {
                    Some((at, v))
                        if v.kind() != "command_parameter"
                            && v.kind() != "redirection"
                            && (colon || !SWITCHES.contains(&name.as_str())) =>
                    {
                        i = at + 1;
                        Some(v)
                    }
                    _ => None,
                };
                args.push(Arg {
                    param: Some(name),
                    value,
                    element: e,
                });
            } else {
                args.push(Arg {
                    param: None,
                    value: Some(e),
                    element: e,
                });
            }
        }
        args
    }

    /// A native program's arguments as strings, splatted arrays spread.
    fn native_args(&self, args: &[Arg<'t>], st: &State<'t>) -> Vec<String> {
        let mut out = Vec::new();
        for a in args {
            if a.param.is_some() {
                out.push(self.text(a.element).to_owned());
            }
            if let Some(v) = a.value {
                match self.eval(v, st) {
                    Value::List(items) => out.extend(items.iter().map(Value::render)),
                    v => out.push(v.render()),
                }
            }
        }
        out
    }

    // -- commands --

    fn classify(&self, cmd: Node<'t>, st: &State<'t>) -> Kind<'t> {
        let dot =
            first_child(cmd, "command_invokation_operator").is_some_and(|o| self.text(o) == ".");
        let by_word = |word: &str| {
            let lower = word.to_lowercase();
            if self.functions.contains_key(&lower) {
                Kind::Function(word.to_owned())
            } else if ALIASES.contains(&lower.as_str())
                || self.cmdlets.contains(&lower)
                || (!self.exes.contains(&lower) && looks_like_cmdlet(&lower))
            {
                Kind::Cmdlet(lower)
            } else {
                Kind::Native {
                    by_name: !word.contains(['\\', '/']),
                    program: word.to_owned(),
                }
            }
        };
        if let Some(name) = first_child(cmd, "command_name") {
            return by_word(self.text(name));
        }
        let Some(expr) = first_child(cmd, "command_name_expr") else {
            return Kind::Cmdlet(String::new());
        };
        let inner = unwrap(expr);
        match inner.kind() {
            "command_name" => by_word(self.text(inner)),
            "script_block_expression" => Kind::Block { body: inner, dot },
            _ => match self.eval(inner, st) {
                Value::Block(body) => Kind::Block { body, dot },
                v => match v.known() {
                    Some(t) => by_word(t),
                    None => Kind::Native {
                        program: v.render().replace(UNKNOWN, "…"),
                        by_name: false,
                    },
                },
            },
        }
    }

    fn walk_command(
        &mut self,
        cmd: Node<'t>,
        mut st: State<'t>,
        piped_from: Option<Node<'t>>,
    ) -> State<'t> {
        // `& (Join-Path …)`: the program's expression runs first.
        if let Some(expr) = first_child(cmd, "command_name_expr") {
            let inner = unwrap(expr);
            if !matches!(inner.kind(), "command_name" | "script_block_expression") {
                st = self.walk_expr(inner, st);
            }
        }
        let kind = self.classify(cmd, &st);
        let args = self.args(cmd);
        // Arguments are evaluated first; a script block given to a script function runs
        // when the function runs it.
        for a in &args {
            let Some(v) = a.value else { continue };
            if matches!(kind, Kind::Function(_)) && unwrap(v).kind() == "script_block_expression" {
                continue;
            }
            st = self.walk_expr(v, st);
        }
        let stderr = first_child(cmd, "command_elements").and_then(|el| {
            named(el)
                .into_iter()
                .filter_map(|r| self.redirection(r))
                .find(|(op, _)| op.starts_with('2') || op.starts_with('*'))
                .map(|(_, whole)| whole)
        });
        self.record(
            cmd,
            What::Call {
                kind: kind.clone(),
                args: args.clone(),
                stderr: stderr.clone(),
            },
            &st,
        );
        match kind {
            Kind::Function(name) => self.call_function(&name, cmd, &args, stderr, st),
            Kind::Block { body, dot } => self.run_block(body, dot, stderr, st),
            Kind::Cmdlet(name) => {
                self.cmdlet_effects(&name, &args, piped_from, &mut st);
                st
            }
            Kind::Native { program, .. } => {
                self.native_effects(&program, &args, &mut st);
                st
            }
        }
    }

    /// Runs a script function with its parameters bound, in a child scope.
    fn call_function(
        &mut self,
        name: &str,
        cmd: Node<'t>,
        args: &[Arg<'t>],
        stderr: Option<String>,
        st: State<'t>,
    ) -> State<'t> {
        let key = name.to_lowercase();
        let Some(&def) = self.functions.get(&key) else {
            return st;
        };
        if self.ctx.stack.iter().any(|f| f.eq_ignore_ascii_case(name)) || self.ctx.stack.len() > 8 {
            return st;
        }
        self.called.insert(key);
        let mut callee = st.clone();
        callee.scoped_writes.clear();
        let params = self.params(def);
        let mut positional = args.iter().filter(|a| a.param.is_none());
        for p in &params {
            let named_arg = args
                .iter()
                .find(|a| a.param.as_deref() == Some(p.name.as_str()));
            let value = match named_arg {
                Some(Arg { value: Some(v), .. }) => self.eval(*v, &st),
                Some(Arg { value: None, .. }) => Value::Text("True".to_owned()),
                None if p.switch => Value::Text(String::new()),
                None => match positional.next().and_then(|a| a.value) {
                    Some(v) => self.eval(v, &st),
                    None => p
                        .default
                        .map_or(Value::Text(String::new()), |d| self.eval(d, &st)),
                },
            };
            callee.vars.insert(p.name.clone(), value);
        }
        let saved = self.ctx.clone();
        self.ctx.stack.push(name.to_owned());
        self.ctx.call_site = self.ctx.call_site.or(Some(cmd));
        self.ctx.stderr_redirected = self.ctx.stderr_redirected.clone().or(stderr);
        self.ctx.conditions.clear();
        let body = first_child(def, "script_block");
        let flow = match body {
            Some(b) => self.walk_block(b, callee.clone()),
            None => Flow::next(callee.clone()),
        };
        self.ctx = saved;
        match join_opt(flow.next, flow.ret) {
            Some(end) => st.after_call(end),
            None => st,
        }
    }

    /// Runs `& { }` in a child scope, or `. { }` in this one.
    fn run_block(
        &mut self,
        body: Node<'t>,
        dot: bool,
        stderr: Option<String>,
        st: State<'t>,
    ) -> State<'t> {
        let saved = self.ctx.clone();
        self.ctx.stderr_redirected = self.ctx.stderr_redirected.clone().or(stderr);
        let mut inner = st.clone();
        if !dot {
            inner.scoped_writes.clear();
        }
        let flow = self.walk_block(body, inner);
        self.ctx = saved;
        match join_opt(flow.next, flow.ret) {
            Some(end) if dot => end,
            Some(end) => st.after_call(end),
            None => st,
        }
    }

    /// A script block that may run or not (a cmdlet's argument, a value): its commands are
    /// checked where it stands, its effects are dropped.
    fn walk_closure(&mut self, body: Node<'t>, st: &State<'t>) {
        let saved = self.ctx.clone();
        self.walk_block(body, st.clone());
        self.ctx = saved;
    }

    fn params(&self, def: Node<'t>) -> Vec<Param<'t>> {
        let list = first_child(def, "function_parameter_declaration")
            .and_then(|d| first_child(d, "parameter_list"))
            .or_else(|| {
                first_child(def, "script_block")
                    .and_then(|b| first_child(b, "param_block"))
                    .and_then(|p| first_child(p, "parameter_list"))
            });
        let Some(list) = list else { return Vec::new() };
        named(list)
            .into_iter()
            .filter(|p| p.kind() == "script_parameter")
            .filter_map(|p| {
                let var = first_child(p, "variable")?;
                let default = first_child(p, "script_parameter_default")
                    .and_then(|d| named(d).into_iter().next());
                let switch = first_child(p, "attribute_list")
                    .is_some_and(|a| self.text(a).to_lowercase().contains("[switch]"));
                Some(Param {
                    name: var_name(self.text(var)),
                    default,
                    switch,
                })
            })
            .collect()
    }

    fn values(
        &self,
        args: &[Arg<'t>],
        names: &[&str],
        position: usize,
        st: &State<'t>,
    ) -> Vec<String> {
        match arg_value(args, names, position).map(|v| self.eval(v, st)) {
            Some(Value::List(items)) => items
                .iter()
                .filter_map(|i| i.known().map(str::to_owned))
                .collect(),
            Some(v) => v.known().map(str::to_owned).into_iter().collect(),
            None => Vec::new(),
        }
    }

    /// What a cmdlet changes on the machine.
    fn cmdlet_effects(
        &self,
        name: &str,
        args: &[Arg<'t>],
        piped_from: Option<Node<'t>>,
        st: &mut State<'t>,
    ) {
        let names = |s: &Self, st: &State<'t>, params: &[&str]| -> Vec<String> {
            s.values(args, params, 0, st)
                .iter()
                .map(|n| n.to_lowercase())
                .collect()
        };
        match name {
            "stop-service" => {
                for n in names(self, st, &["name"]) {
                    st.stopped.insert(Unit::Service(n));
                }
            }
            "start-service" | "restart-service" => {
                for n in names(self, st, &["name"]) {
                    st.stopped.remove(&Unit::Service(n.clone()));
                    st.absent_units.remove(&Unit::Service(n));
                }
            }
            "stop-scheduledtask" => {
                for n in names(self, st, &["taskname"]) {
                    st.stopped.insert(Unit::Task(n));
                }
            }
            "start-scheduledtask" => {
                for n in names(self, st, &["taskname"]) {
                    st.stopped.remove(&Unit::Task(n.clone()));
                    st.absent_units.remove(&Unit::Task(n));
                }
            }
            "stop-process" => {
                let mut procs = names(self, st, &["name"]);
                if procs.is_empty() {
                    if let Some(prev) = piped_from {
                        let prev_args = self.args(prev);
                        let is_get = first_child(prev, "command_name")
                            .is_some_and(|c| self.text(c).eq_ignore_ascii_case("get-process"));
                        if is_get {
                            procs = self
                                .values(&prev_args, &["name"], 0, st)
                                .iter()
                                .map(|n| n.to_lowercase())
                                .collect();
                        }
                    }
                }
                for p in procs {
                    st.stopped.insert(Unit::Process(stem(&p)));
                }
            }
            "install-windowsfeature" | "add-windowsfeature" => {
                let tools = args
                    .iter()
                    .any(|a| a.param.as_deref() == Some("includemanagementtools"));
                let mentioned = arg_value(args, &["name"], 0)
                    .map(|v| self.eval(v, st).mentions())
                    .unwrap_or_default();
                for f in mentioned {
                    let f = f.to_lowercase();
                    if tools {
                        for (role, extra) in MANAGEMENT_TOOLS {
                            if *role == f {
                                st.features.extend(extra.iter().map(|e| e.to_string()));
                            }
                        }
                    }
                    st.features.insert(f);
                }
            }
            "enable-windowsoptionalfeature" => {
                let mentioned = arg_value(args, &["featurename"], 0)
                    .map(|v| self.eval(v, st).mentions())
                    .unwrap_or_default();
                for f in mentioned {
                    let f = f.to_lowercase();
                    for (optional, feature) in OPTIONAL_FEATURES {
                        if *optional == f {
                            st.features.insert(feature.to_string());
                        }
                    }
                    st.features.insert(f);
                }
            }
            "import-module" | "ipmo" => {
                match arg_value(args, &["name"], 0).map(|v| self.eval(v, st)) {
                    Some(v) => match v.known() {
                        Some(t) => {
                            st.modules.insert(stem(t));
                        }
                        None => {
                            st.modules.insert("?".to_owned());
                        }
                    },
                    None => {
                        st.modules.insert("?".to_owned());
                    }
                }
            }
            "set-item" => {
                let path = self.values(args, &["path", "literalpath"], 0, st);
                if path
                    .iter()
                    .any(|p| matches!(normalize(p).as_str(), "env:path" | "env:\\path"))
                {
                    if let Some(v) = arg_value(args, &["value"], 1) {
                        let text = self.eval(v, st).render();
                        st.set_path(Scope::Session, &text, false);
                    }
                }
            }
            "start-process" => {
                let program = self.values(args, &["filepath"], 0, st);
                let rest = arg_value(args, &["argumentlist"], 1)
                    .map(|v| self.eval(v, st).render())
                    .unwrap_or_default();
                if program.iter().any(|p| stem(p) == "msiexec") {
                    self.installer_effects(&rest, st);
                }
            }
            _ => {}
        }
        if let Some((dest, false)) = write_destination(self, name, args, st) {
            let file = dest.rsplit('\\').next().unwrap_or(&dest).to_owned();
            if file.ends_with(".exe") {
                let folder = dest[..dest.len() - file.len()]
                    .trim_end_matches('\\')
                    .to_owned();
                st.written.entry(stem(&file)).or_default().insert(folder);
            }
        }
    }

    fn native_effects(&self, program: &str, args: &[Arg<'t>], st: &mut State<'t>) {
        let words = self.native_args(args, st);
        let word = |i: usize| words.get(i).map(|w| w.to_lowercase());
        match stem(program).as_str() {
            "sc" => match (word(0).as_deref(), word(1)) {
                (Some("stop"), Some(n)) => {
                    st.stopped.insert(Unit::Service(n));
                }
                (Some("start"), Some(n)) => {
                    st.stopped.remove(&Unit::Service(n));
                }
                (Some("delete"), Some(n)) => {
                    st.absent_units.insert(Unit::Service(n));
                }
                _ => {}
            },
            "msiexec" => self.installer_effects(&words.join(" "), st),
            _ => {}
        }
    }

    fn installer_effects(&self, arguments: &str, st: &mut State<'t>) {
        let lower = arguments.to_lowercase();
        for (marker, folder) in INSTALLERS {
            if lower.contains(marker) {
                st.machine_path.insert(folder.to_string());
            }
        }
    }

    // -- statements --

    fn walk_block(&mut self, n: Node<'t>, st: State<'t>) -> Flow<'t> {
        if n.kind() == "statement_list" {
            return self.walk_statements(n, st);
        }
        let mut st = st;
        for k in named(n) {
            match k.kind() {
                "statement_list" => return self.walk_statements(k, st),
                "script_block" | "script_block_body" | "statement_block" | "named_block_list"
                | "named_block" => return self.walk_block(k, st),
                "param_block" => st = self.walk_expr(k, st),
                _ => {}
            }
        }
        Flow::next(st)
    }

    fn walk_statements(&mut self, list: Node<'t>, st: State<'t>) -> Flow<'t> {
        let saved = self.ctx.block;
        self.ctx.block = Some(list);
        let mut flow = Flow::next(st);
        for stmt in named(list) {
            let Some(cur) = flow.next.take() else { break };
            let f = self.walk_statement(stmt, cur);
            flow.next = f.next;
            flow.ret = join_opt(flow.ret, f.ret);
            flow.brk = join_opt(flow.brk, f.brk);
        }
        self.ctx.block = saved;
        flow
    }

    fn walk_statement(&mut self, stmt: Node<'t>, st: State<'t>) -> Flow<'t> {
        match stmt.kind() {
            "if_statement" => self.walk_if(stmt, st),
            "foreach_statement" => self.walk_foreach(stmt, st),
            "while_statement" | "for_statement" | "do_statement" => self.walk_loop(stmt, st),
            "switch_statement" => self.walk_switch(stmt, st),
            "try_statement" => self.walk_try(stmt, st),
            "trap_statement" => {
                if let Some(b) = first_child(stmt, "statement_block") {
                    self.walk_closure(b, &st);
                }
                Flow::next(st)
            }
            "function_statement" => {
                if let Some(name) = first_child(stmt, "function_name") {
                    let name = self.text(name).to_lowercase();
                    self.functions.insert(name.clone(), stmt);
                    self.defined_at.insert(name, st.clone());
                }
                Flow::next(st)
            }
            "flow_control_statement" => self.walk_flow_control(stmt, st),
            "empty_statement" | "class_statement" | "enum_statement" => Flow::next(st),
            _ => Flow::next(self.walk_expr(stmt, st)),
        }
    }

    fn walk_flow_control(&mut self, stmt: Node<'t>, st: State<'t>) -> Flow<'t> {
        let keyword = children(stmt).first().map_or("", |k| k.kind());
        let value = named(stmt).into_iter().find(|k| k.kind() == "pipeline");
        let st = match value {
            Some(v) => self.walk_expr(v, st),
            None => st,
        };
        let in_function = !self.ctx.stack.is_empty();
        match keyword {
            "exit" => {
                self.record(
                    stmt,
                    What::Exit {
                        keyword: "exit",
                        code: value,
                    },
                    &st,
                );
                Flow {
                    next: None,
                    ret: None,
                    brk: None,
                }
            }
            "return" if in_function => Flow {
                next: None,
                ret: Some(st),
                brk: None,
            },
            "return" => {
                self.record(
                    stmt,
                    What::Exit {
                        keyword: "return",
                        code: value,
                    },
                    &st,
                );
                Flow {
                    next: None,
                    ret: None,
                    brk: None,
                }
            }
            "break" | "continue" => Flow {
                next: None,
                ret: None,
                brk: Some(st),
            },
            // throw
            _ => Flow {
                next: None,
                ret: None,
                brk: None,
            },
        }
    }

    fn walk_if(&mut self, stmt: Node<'t>, st: State<'t>) -> Flow<'t> {
        let mut clauses: Vec<(Node<'t>, Node<'t>)> = Vec::new();
        let mut else_block = None;
        let kids = named(stmt);
        if let (Some(c), Some(b)) = (kids.first(), first_child(stmt, "statement_block")) {
            clauses.push((*c, b));
        }
        if let Some(elseifs) = first_child(stmt, "elseif_clauses") {
            for clause in named(elseifs) {
                if let (Some(c), Some(b)) = (
                    first_child(clause, "pipeline"),
                    first_child(clause, "statement_block"),
                ) {
                    clauses.push((c, b));
                }
            }
        }
        if let Some(e) = first_child(stmt, "else_clause") {
            else_block = first_child(e, "statement_block");
        }
        let mut out = Flow {
            next: None,
            ret: None,
            brk: None,
        };
        let mut rest = Some(st);
        for (cond, block) in clauses {
            let Some(cur) = rest.take() else { break };
            let cur = self.walk_expr(cond, cur);
            let c = self.condition(cond, &cur);
            if c.known != Some(false) {
                let mut branch = cur.clone();
                c.when_true.iter().for_each(|f| branch.apply(f));
                self.ctx.conditions.push(cond);
                let f = self.walk_block(block, branch);
                self.ctx.conditions.pop();
                out.next = join_opt(out.next, f.next);
                out.ret = join_opt(out.ret, f.ret);
                out.brk = join_opt(out.brk, f.brk);
            }
            if c.known != Some(true) {
                let mut other = cur;
                c.when_false.iter().for_each(|f| other.apply(f));
                rest = Some(other);
            }
        }
        if let Some(cur) = rest {
            match else_block {
                Some(b) => {
                    let f = self.walk_block(b, cur);
                    out.next = join_opt(out.next, f.next);
                    out.ret = join_opt(out.ret, f.ret);
                    out.brk = join_opt(out.brk, f.brk);
                }
                None => out.next = join_opt(out.next, Some(cur)),
            }
        }
        out
    }

    fn walk_foreach(&mut self, stmt: Node<'t>, st: State<'t>) -> Flow<'t> {
        let (Some(var), Some(coll), Some(body)) = (
            first_child(stmt, "variable"),
            first_child(stmt, "pipeline"),
            first_child(stmt, "statement_block"),
        ) else {
            return Flow::next(st);
        };
        let name = var_name(self.text(var));
        let st = self.walk_expr(coll, st);
        let items = self.eval(coll, &st).items(&st);
        let mut ret = None;
        match items {
            Some(items) if items.len() <= 32 => {
                let mut cur = Some(st);
                for item in items {
                    let Some(mut s) = cur.take() else { break };
                    s.vars.insert(name.clone(), item);
                    let f = self.walk_block(body, s);
                    ret = join_opt(ret, f.ret);
                    cur = join_opt(f.next, f.brk);
                }
                Flow {
                    next: cur,
                    ret,
                    brk: None,
                }
            }
            _ => {
                let mut s = st.clone();
                s.vars.insert(name, Value::unknown());
                let f = self.walk_block(body, s);
                Flow {
                    next: join_opt(Some(st), join_opt(f.next, f.brk)),
                    ret: f.ret,
                    brk: None,
                }
            }
        }
    }

    fn walk_loop(&mut self, stmt: Node<'t>, st: State<'t>) -> Flow<'t> {
        let mut st = st;
        if let Some(init) = first_child(stmt, "for_initializer") {
            st = self.walk_expr(init, st);
        }
        let cond =
            first_child(stmt, "while_condition").or_else(|| first_child(stmt, "for_condition"));
        let body = first_child(stmt, "statement_block");
        let do_loop = stmt.kind() == "do_statement";
        let mut entry = st.clone();
        let mut known = None;
        if let (Some(c), false) = (cond, do_loop) {
            entry = self.walk_expr(c, entry);
            let cnd = self.condition(c, &entry);
            known = cnd.known;
            cnd.when_true.iter().for_each(|f| entry.apply(f));
            self.ctx.conditions.push(c);
        }
        let f = match body {
            Some(b) if known != Some(false) => self.walk_block(b, entry),
            _ => Flow::next(entry),
        };
        if cond.is_some() && !do_loop {
            self.ctx.conditions.pop();
        }
        let mut after = join_opt(f.next, f.brk);
        if known != Some(true) && !do_loop {
            after = join_opt(after, Some(st));
        }
        Flow {
            next: after,
            ret: f.ret,
            brk: None,
        }
    }

    fn walk_switch(&mut self, stmt: Node<'t>, st: State<'t>) -> Flow<'t> {
        let st = match first_child(stmt, "switch_condition") {
            Some(c) => self.walk_expr(c, st),
            None => st,
        };
        let mut out = Flow::next(st.clone());
        let mut blocks = Vec::new();
        walk(stmt, &mut |n| {
            if n.kind() == "statement_block" {
                blocks.push(n);
            }
        });
        for b in blocks {
            let f = self.walk_block(b, st.clone());
            out.next = join_opt(out.next, join_opt(f.next, f.brk));
            out.ret = join_opt(out.ret, f.ret);
        }
        out
    }

    fn walk_try(&mut self, stmt: Node<'t>, st: State<'t>) -> Flow<'t> {
        let mut out = Flow {
            next: None,
            ret: None,
            brk: None,
        };
        let body = first_child(stmt, "statement_block");
        let f = match body {
            Some(b) => self.walk_block(b, st.clone()),
            None => Flow::next(st.clone()),
        };
        out.ret = f.ret;
        out.brk = f.brk;
        let mut next = f.next.clone();
        if let Some(catches) = first_child(stmt, "catch_clauses") {
            // An error can come from anywhere in the try block.
            let entry = join_opt(Some(st), f.next).expect("entry");
            for c in named(catches) {
                if let Some(b) = first_child(c, "statement_block") {
                    let cf = self.walk_block(b, entry.clone());
                    next = join_opt(next, cf.next);
                    out.ret = join_opt(out.ret, cf.ret);
                    out.brk = join_opt(out.brk, cf.brk);
                }
            }
        }
        if let Some(fin) =
            first_child(stmt, "finally_clause").and_then(|f| first_child(f, "statement_block"))
        {
            if let Some(n) = next {
                let ff = self.walk_block(fin, n);
                next = ff.next;
            }
        }
        out.next = next;
        out
    }

    /// Walks an expression for its side effects, in evaluation order.
    fn walk_expr(&mut self, n: Node<'t>, st: State<'t>) -> State<'t> {
        match n.kind() {
            "command" => self.walk_command(n, st, None),
            "pipeline_chain" => {
                let mut st = st;
                let mut prev = None;
                for k in named(n) {
                    if k.kind() == "command" {
                        st = self.walk_command(k, st, prev);
                        prev = Some(k);
                    } else {
                        st = self.walk_expr(k, st);
                        prev = None;
                    }
                }
                st
            }
            "assignment_expression" => self.walk_assignment(n, st),
            "script_block_expression" => {
                self.walk_closure(n, &st);
                st
            }
            "invokation_expression" => {
                let mut st = st;
                for k in named(n) {
                    st = self.walk_expr(k, st);
                }
                self.set_environment_variable(n, &mut st);
                st
            }
            "statement_list" => {
                let fallback = st.clone();
                self.walk_statements(n, st).next.unwrap_or(fallback)
            }
            "function_statement"
            | "flow_control_statement"
            | "if_statement"
            | "foreach_statement" => {
                let fallback = st.clone();
                self.walk_statement(n, st).next.unwrap_or(fallback)
            }
            _ => {
                let mut st = st;
                for k in named(n) {
                    st = self.walk_expr(k, st);
                }
                st
            }
        }
    }

    fn walk_assignment(&mut self, n: Node<'t>, st: State<'t>) -> State<'t> {
        let kids = named(n);
        let (Some(lhs), Some(op), Some(rhs)) = (
            kids.first(),
            kids.iter().find(|k| k.kind() == "assignement_operator"),
            kids.last(),
        ) else {
            return st;
        };
        let mut st = self.walk_expr(*rhs, st);
        let target = unwrap(*lhs);
        let target = if target.kind() == "left_assignment_expression" {
            unwrap(named(target).first().copied().unwrap_or(target))
        } else {
            target
        };
        if target.kind() != "variable" {
            return st;
        }
        let raw = self.text(target);
        let name = var_name(raw);
        let op = self.text(*op);
        let value = self.eval(*rhs, &st);
        if name == "env:path" {
            st.set_path(Scope::Session, &value.render(), op == "+=");
            return st;
        }
        let value = match op {
            "=" => value,
            "+=" => match (
                st.vars.get(&name).cloned().unwrap_or_else(Value::unknown),
                value,
            ) {
                (Value::Text(a), Value::Text(b)) => Value::Text(a + &b),
                (Value::List(mut a), Value::List(b)) => {
                    a.extend(b);
                    Value::List(a)
                }
                (Value::List(mut a), b) => {
                    a.push(b);
                    Value::List(a)
                }
                (a, b) => Value::Opaque(&a.mentions() | &b.mentions()),
            },
            _ => Value::unknown(),
        };
        let value = if name == "erroractionpreference" {
            // Any known value but Stop behaves alike for native stderr.
            match value.known() {
                Some(v) if v.eq_ignore_ascii_case("stop") => Value::Text("Stop".to_owned()),
                Some(_) => Value::Text("Continue".to_owned()),
                None => value,
            }
        } else {
            value
        };
        if is_scoped(raw) {
            st.scoped_writes.insert(name.clone());
        }
        st.vars.insert(name, value);
        st
    }

    /// `[Environment]::SetEnvironmentVariable('Path', value, target)`.
    fn set_environment_variable(&self, n: Node<'t>, st: &mut State<'t>) {
        let Some((ty, member, args)) = self.static_call(n, st) else {
            return;
        };
        if !(ty == "[environment]" || ty == "[system.environment]")
            || member != "setenvironmentvariable"
        {
            return;
        }
        let [name, value, rest @ ..] = args.as_slice() else {
            return;
        };
        if !name.known().is_some_and(|n| n.eq_ignore_ascii_case("path")) {
            return;
        }
        let target = rest
            .first()
            .map(Value::render)
            .unwrap_or_default()
            .to_lowercase();
        if target.contains("machine") {
            st.set_path(Scope::Machine, &value.render(), false);
        } else if !target.contains("user") {
            st.set_path(Scope::Session, &value.render(), false);
        }
    }

    /// What a condition tells: its value when known, and facts for each branch.
    fn condition(&self, n: Node<'t>, st: &State<'t>) -> Cond {
        let n = unwrap(n);
        let kids = named(n);
        match n.kind() {
            "expression_with_unary_operator" => {
                let op = children(n).first().map(|c| c.kind().to_lowercase());
                match (op.as_deref(), kids.as_slice()) {
                    (Some("-not" | "!"), [x]) => self.condition(*x, st).negate(),
                    _ => Cond::default(),
                }
            }
            "parenthesized_expression" => match kids.as_slice() {
                [x] => self.condition(*x, st),
                _ => Cond::default(),
            },
            "logical_expression" => {
                let op = children(n)
                    .iter()
                    .find(|c| !c.is_named())
                    .map(|c| c.kind().to_lowercase());
                let [a, b] = kids.as_slice() else {
                    return Cond::default();
                };
                let (a, b) = (self.condition(*a, st), self.condition(*b, st));
                match op.as_deref() {
                    Some("-and") => Cond {
                        known: match (a.known, b.known) {
                            (Some(false), _) | (_, Some(false)) => Some(false),
                            (Some(true), Some(true)) => Some(true),
                            _ => None,
                        },
                        when_true: a.when_true.into_iter().chain(b.when_true).collect(),
                        when_false: Vec::new(),
                    },
                    Some("-or") => Cond {
                        known: match (a.known, b.known) {
                            (Some(true), _) | (_, Some(true)) => Some(true),
                            (Some(false), Some(false)) => Some(false),
                            _ => None,
                        },
                        when_true: Vec::new(),
                        when_false: a.when_false.into_iter().chain(b.when_false).collect(),
                    },
                    _ => Cond::default(),
                }
            }
            "comparison_expression" => self.comparison(n, st),
            "command" => {
                let name = first_child(n, "command_name").map(|c| self.text(c).to_lowercase());
                let args = self.args(n);
                let when_false = match name.as_deref() {
                    Some("test-path") => self
                        .values(&args, &["path", "literalpath"], 0, st)
                        .into_iter()
                        .map(|p| Fact::AbsentPath(normalize(&p)))
                        .collect(),
                    Some("get-service") => self
                        .values(&args, &["name"], 0, st)
                        .into_iter()
                        .map(|s| Fact::AbsentUnit(Unit::Service(s.to_lowercase())))
                        .collect(),
                    Some("get-scheduledtask") => self
                        .values(&args, &["taskname"], 0, st)
                        .into_iter()
                        .map(|s| Fact::AbsentUnit(Unit::Task(s.to_lowercase())))
                        .collect(),
                    _ => Vec::new(),
                };
                Cond {
                    known: None,
                    when_true: Vec::new(),
                    when_false,
                }
            }
            _ => Cond {
                known: self.eval(n, st).truthy(),
                ..Cond::default()
            },
        }
    }

    /// `-eq`/`-ne` of known texts; `-contains`/`-like`/`-match` on a PATH.
    fn comparison(&self, n: Node<'t>, st: &State<'t>) -> Cond {
        let kids = named(n);
        let [a, op, b] = kids.as_slice() else {
            return Cond::default();
        };
        if op.kind() != "comparison_operator" {
            return Cond::default();
        }
        let op = self.text(*op).to_lowercase();
        let (left, right) = (self.eval(*a, st), self.eval(*b, st));
        let negated = matches!(
            op.as_str(),
            "-notcontains" | "-notlike" | "-notmatch" | "-ne"
        );
        let path_fact = match (
            &left,
            op.trim_start_matches("-not").trim_start_matches('-'),
            right.known(),
        ) {
            (Value::PathList(scope), "contains" | "notcontains", Some(f)) => {
                Some(Fact::OnPath(*scope, normalize(f)))
            }
            (Value::Text(t), "like" | "notlike" | "match" | "notmatch", Some(pattern))
                if t == &SESSION_PATH.to_string() || t == &MACHINE_PATH.to_string() =>
            {
                let scope = if t == &SESSION_PATH.to_string() {
                    Scope::Session
                } else {
                    Scope::Machine
                };
                let folder = pattern.trim_matches('*').replace("\\\\", "\\");
                let folder = folder.trim_matches(['^', '$', ';']);
                Some(Fact::OnPath(scope, normalize(folder)))
            }
            _ => None,
        };
        if let Some(fact) = path_fact {
            let c = Cond {
                known: None,
                when_true: vec![fact],
                when_false: Vec::new(),
            };
            return if negated { c.negate() } else { c };
        }
        match (op.as_str(), left.known(), right.known()) {
            ("-eq" | "-ne", Some(x), Some(y)) => Cond {
                known: Some(x.eq_ignore_ascii_case(y) != negated),
                ..Cond::default()
            },
            _ => Cond::default(),
        }
    }
}

struct Param<'t> {
    name: String,
    default: Option<Node<'t>>,
    switch: bool,
}

/// The value of the parameter `names` (any of them), or else of positional argument
/// `position`.
fn arg_value<'t>(args: &[Arg<'t>], names: &[&str], position: usize) -> Option<Node<'t>> {
    args.iter()
        .find(|a| a.param.as_deref().is_some_and(|p| names.contains(&p)))
        .and_then(|a| a.value)
        .or_else(|| {
            args.iter()
                .filter(|a| a.param.is_none())
                .nth(position)
                .and_then(|a| a.value)
        })
}

/// Where a command writes a file: the normalised path, and whether it is a folder it
/// unpacks into.
fn write_destination<'t>(
    w: &Walker<'t>,
    name: &str,
    args: &[Arg<'t>],
    st: &State<'t>,
) -> Option<(String, bool)> {
    let (params, position, folder): (&[&str], usize, bool) = match name {
        "move-item" | "copy-item" | "mv" | "move" | "cp" | "copy" | "cpi" | "mi" => {
            (&["destination"], 1, false)
        }
        "invoke-webrequest" | "iwr" => (&["outfile"], usize::MAX, false),
        "start-bitstransfer" => (&["destination"], 1, false),
        "set-content" | "add-content" | "out-file" => (&["path", "filepath"], 0, false),
        "expand-archive" => (&["destinationpath"], 1, true),
        _ => return None,
    };
    let v = arg_value(args, params, position)?;
    let text = w.eval(v, st).render();
    (!text.contains([UNKNOWN, SESSION_PATH, MACHINE_PATH])).then(|| (normalize(&text), folder))
}

// ---- the analysis -------------------------------------------------------------------------

/// One script walked: its source and every command and exit reached.
struct Script<'t> {
    src: &'t str,
    events: Vec<Event<'t>>,
}

impl<'t> Script<'t> {
    fn walker(&self) -> Walker<'t> {
        let (cmdlets, exes) = allow_list();
        Walker {
            src: self.src,
            cmdlets,
            exes,
            functions: BTreeMap::new(),
            defined_at: BTreeMap::new(),
            called: BTreeSet::new(),
            events: Vec::new(),
            ctx: Ctx::default(),
        }
    }

    fn line_col(n: Node<'_>) -> (usize, usize) {
        let p = n.start_position();
        (p.row + 1, p.column + 1)
    }

    /// The command as written, on one line, shortened.
    fn snippet(&self, n: Node<'_>) -> String {
        let one_line = self.src[n.byte_range()]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if one_line.chars().count() > 70 {
            format!("{}…", one_line.chars().take(70).collect::<String>())
        } else {
            one_line
        }
    }

    /// " (in F, called at line N)" for a command inside a script function.
    fn via(&self, ev: &Event<'t>) -> String {
        match (&ev.ctx.call_site, ev.ctx.stack.as_slice()) {
            (Some(site), [.., f]) => {
                format!(" (in {f}, run from line {})", Self::line_col(*site).0)
            }
            _ => String::new(),
        }
    }

    fn finding(&self, check: &'static str, at: Node<'_>, message: String) -> Finding {
        let (line, column) = Self::line_col(at);
        Finding {
            check,
            line,
            column,
            message,
        }
    }
}

fn walk_script<'t>(src: &'t str, root: Node<'t>) -> Script<'t> {
    let mut script = Script {
        src,
        events: Vec::new(),
    };
    let mut w = script.walker();
    w.walk_block(root, State::new());
    // Functions never called: walked once as they stand where they are defined.
    let uncalled: Vec<(String, State)> = w
        .defined_at
        .iter()
        .filter(|(name, _)| !w.called.contains(*name))
        .map(|(n, s)| (n.clone(), s.clone()))
        .collect();
    for (name, st) in uncalled {
        let def = w.functions[&name];
        let mut st = st;
        for p in w.params(def) {
            st.vars.insert(p.name, Value::unknown());
        }
        w.ctx = Ctx {
            stack: vec![
                first_child(def, "function_name").map_or(name.clone(), |n| w.text(n).to_owned())
            ],
            ..Ctx::default()
        };
        if let Some(body) = first_child(def, "script_block") {
            w.walk_block(body, st);
        }
    }
    script.events = w.events;
    script
}

/// Everything the checks found in one script, how many native calls the walk made (a
/// call site once per call of the function it is in), and the commands it never reached.
struct Analysis {
    findings: Vec<Finding>,
    native_calls: usize,
    unreached: Vec<String>,
}

fn analyze(source: &str) -> Analysis {
    let tree = parse(source);
    let script = walk_script(source, tree.root_node());
    let mut findings = BTreeSet::new();
    findings.extend(native_stderr_under_stop(&script));
    findings.extend(bare_name_before_path(&script));
    findings.extend(service_binary_replaced_while_running(&script));
    findings.extend(non_ascii(source));
    findings.extend(module_not_installed(&script));
    findings.extend(exit_on_unfinished_step(&script));
    let native_calls = script
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.what,
                What::Call {
                    kind: Kind::Native { .. },
                    ..
                }
            )
        })
        .map(|e| (e.node.start_byte(), e.ctx.call_site.map(|c| c.start_byte())))
        .collect::<BTreeSet<_>>()
        .len();
    // A command the walk never reached is a command no check looked at.
    let reached: BTreeSet<usize> = script.events.iter().map(|e| e.node.start_byte()).collect();
    let mut unreached = Vec::new();
    walk(tree.root_node(), &mut |n| {
        if n.kind() == "command" && !reached.contains(&n.start_byte()) {
            let (line, column) = Script::line_col(n);
            unreached.push(format!("{line}:{column}: `{}`", script.snippet(n)));
        }
    });
    Analysis {
        findings: findings.into_iter().collect(),
        native_calls,
        unreached,
    }
}

// ---- the checks ---------------------------------------------------------------------------

/// Check 1. Windows PowerShell 5.1 wraps each line a native program writes to a redirected
/// stderr in an ErrorRecord (NativeCommandError), and `$ErrorActionPreference = 'Stop'`
/// makes the first one terminating: PowerShell/PowerShell#3996 ("Inconsistent handling of
/// native command stderr"), #4002 ("Redirecting stderr / the error stream can trigger
/// script-terminating errors", `2>$null` included), MicrosoftDocs/PowerShell-Docs#6466
/// ("Previously, when stderr was redirected … $ErrorActionPreference was affected"). Only
/// PowerShell 7.1 (PowerShell/PowerShell#13361, experimental PSNotApplyErrorActionToStderr,
/// mainstream in 7.2) stopped that. A scope of its own with another preference (a function
/// or `& { }` that sets `$ErrorActionPreference = 'Continue'`) is the fix.
fn native_stderr_under_stop(script: &Script<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for ev in &script.events {
        let What::Call {
            kind: Kind::Native { program, .. },
            stderr,
            ..
        } = &ev.what
        else {
            continue;
        };
        let Some(redirect) = stderr.clone().or(ev.ctx.stderr_redirected.clone()) else {
            continue;
        };
        if !ev.state.may_stop() {
            continue;
        }
        out.push(script.finding(
            NATIVE_STDERR,
            ev.node,
            format!(
                "`{}` runs the native program {program} with its stderr redirected (`{redirect}`) while \
                 $ErrorActionPreference is 'Stop'{}: Windows PowerShell 5.1 makes each stderr line an \
                 ErrorRecord and 'Stop' makes the first one terminating (PowerShell/PowerShell#3996, #4002; \
                 only PowerShell 7.1+ changed this, #13361). Set $ErrorActionPreference = 'Continue' in a \
                 scope of its own around the call (a function or `& {{ }}`) and check $LASTEXITCODE",
                script.snippet(ev.node),
                script.via(ev),
            ),
        ));
    }
    out
}

/// The folders known to hold program `stem`: the table, and where the script wrote it.
fn folders_of(stem: &str, st: &State<'_>) -> BTreeSet<String> {
    let mut folders: BTreeSet<String> = PROGRAM_FOLDERS
        .iter()
        .filter(|(name, _, _)| {
            if name.ends_with('-') {
                stem.starts_with(name)
            } else {
                stem == *name
            }
        })
        .map(|(_, folder, _)| folder.to_string())
        .collect();
    if let Some(written) = st.written.get(stem) {
        folders.extend(written.iter().cloned());
    }
    folders
}

/// Whether a program called by bare name is found on `path` (or in System32).
fn found_on(
    stem: &str,
    st: &State<'_>,
    path: &BTreeSet<String>,
    unknown: bool,
) -> Result<(), String> {
    if SYSTEM32.contains(&stem) {
        return Ok(());
    }
    let folders = folders_of(stem, st);
    if folders.is_empty() {
        return if unknown || !path.is_empty() {
            Ok(())
        } else {
            Err(
                "it is not in C:\\Windows\\System32 and the script puts no folder on PATH"
                    .to_owned(),
            )
        };
    }
    if folders.iter().any(|f| path.contains(f)) {
        Ok(())
    } else {
        Err(format!(
            "{} is not on PATH here on every path the script can take",
            folders.into_iter().collect::<Vec<_>>().join(" or ")
        ))
    }
}

/// Check 2. PowerShell finds a program called by bare name through the session's
/// `$env:Path`, which the process read when it started: `[Environment]::SetEnvironmentVariable
/// ('Path', …, 'Machine')` writes the registry key HKLM\…\Session Manager\Environment, not
/// the process's environment block (learn.microsoft.com, EnvironmentVariableTarget), and an
/// installer's new PATH only reaches a new shell (Kubernetes' Windows OVN guide: "open a new
/// command shell"). The same holds for `Start-Process -FilePath NAME`, for a scheduled task's
/// `-Execute NAME` (against the machine's Path), and for programs that run others by name:
/// kubeadm's preflight runs `kubelet --version` from PATH (`RUNS_BY_NAME`).
fn bare_name_before_path(script: &Script<'_>) -> Vec<Finding> {
    let w = script.walker();
    let mut out = Vec::new();
    for ev in &script.events {
        let What::Call { kind, args, .. } = &ev.what else {
            continue;
        };
        let st = &ev.state;
        let mut by_name: Vec<(String, Option<String>, BTreeSet<String>, bool)> = Vec::new();
        match kind {
            Kind::Native {
                program,
                by_name: true,
            } => {
                by_name.push((
                    program.clone(),
                    None,
                    st.session_path.clone(),
                    st.session_path_unknown,
                ));
            }
            Kind::Cmdlet(c) if c == "start-process" || c == "saps" || c == "start" => {
                for p in w.values(args, &["filepath"], 0, st) {
                    if !p.contains(['\\', '/']) {
                        by_name.push((p, None, st.session_path.clone(), st.session_path_unknown));
                    }
                }
            }
            Kind::Cmdlet(c) if c == "new-scheduledtaskaction" => {
                for p in w.values(args, &["execute"], 0, st) {
                    if !p.contains(['\\', '/']) {
                        by_name.push((
                            p,
                            Some("the scheduled task runs it with the machine's Path".to_owned()),
                            st.machine_path.clone(),
                            false,
                        ));
                    }
                }
            }
            _ => {}
        }
        if let Kind::Native { program, .. } = kind {
            let words = w.native_args(args, st);
            for (runner, subcommands, runs) in RUNS_BY_NAME {
                let sub = words.first().map(|s| s.to_lowercase());
                if stem(program) == *runner
                    && sub.as_deref().is_some_and(|s| subcommands.contains(&s))
                {
                    by_name.push((
                        runs.to_string(),
                        Some(format!(
                            "{runner} {} runs `{runs} --version` found on PATH (kubernetes \
                             cmd/kubeadm/app/preflight/checks.go KubeletVersionCheck; utils.go \
                             GetKubeletVersion: \"version of kubelet available in $PATH\")",
                            sub.unwrap_or_default()
                        )),
                        st.session_path.clone(),
                        st.session_path_unknown,
                    ));
                }
            }
        }
        for (program, why, path, unknown) in by_name {
            if let Err(missing) = found_on(&stem(&program), st, &path, unknown) {
                let why = why.map(|w| format!(" ({w})")).unwrap_or_default();
                out.push(script.finding(
                    BARE_NAME,
                    ev.node,
                    format!(
                        "`{}` needs `{program}` by bare name{why}{}, but {missing}. PowerShell looks a bare \
                         name up on this session's $env:Path, read at start: a new machine Path \
                         ([Environment]::SetEnvironmentVariable('Path', …, 'Machine'), an installer) does \
                         not reach it (EnvironmentVariableTarget docs). Call it by full path or add its \
                         folder to $env:Path first",
                        script.snippet(ev.node),
                        script.via(ev),
                    ),
                ));
            }
        }
    }
    out
}

/// One program that may be running from a binary, and the ways to stop it.
struct Runner {
    label: String,
    stops: Vec<OwnedUnit>,
}

/// The binaries programs run from: the script's own registrations (`New-Service`,
/// `sc.exe create|config … binPath=`, an ImagePath written under Services, a program's
/// `--register-service`, a scheduled task that executes an .exe), by normalised path.
fn registered_binaries(script: &Script<'_>) -> BTreeMap<String, Vec<Runner>> {
    let w = script.walker();
    let mut out: BTreeMap<String, Vec<Runner>> = BTreeMap::new();
    let mut add = |path: String, unit: OwnedUnit, also: Vec<OwnedUnit>| {
        let mut stops = vec![unit.clone()];
        stops.extend(also);
        out.entry(path).or_default().push(Runner {
            label: unit.to_string(),
            stops,
        });
    };
    let mut pending_task_exe: Option<String> = None;
    for ev in &script.events {
        let What::Call { kind, args, .. } = &ev.what else {
            continue;
        };
        let st = &ev.state;
        match kind {
            Kind::Cmdlet(c) if c == "new-service" => {
                let names = w.values(args, &["name"], 0, st);
                let bin = arg_value(args, &["binarypathname"], 1).map(|v| w.eval(v, st).render());
                if let (Some(n), Some(exe)) = (names.first(), bin.as_deref().and_then(exe_of)) {
                    add(exe, Unit::Service(n.to_lowercase()), Vec::new());
                }
            }
            Kind::Cmdlet(c) if c == "set-itemproperty" => {
                let key = w.values(args, &["path"], 0, st);
                let prop = w.values(args, &["name"], 1, st);
                let value = arg_value(args, &["value"], 2).map(|v| w.eval(v, st).render());
                if prop.iter().any(|p| p.eq_ignore_ascii_case("imagepath")) {
                    for k in key {
                        let k = normalize(&k);
                        if let (Some((_, service)), Some(exe)) = (
                            k.rsplit_once("\\services\\"),
                            value.as_deref().and_then(exe_of),
                        ) {
                            add(exe, Unit::Service(service.to_owned()), Vec::new());
                        }
                    }
                }
            }
            Kind::Cmdlet(c) if c == "new-scheduledtaskaction" => {
                pending_task_exe = w
                    .values(args, &["execute"], 0, st)
                    .first()
                    .and_then(|e| exe_of(e))
                    .filter(|e| stem(e) != "powershell");
            }
            Kind::Cmdlet(c) if c == "register-scheduledtask" => {
                if let (Some(exe), Some(task)) = (
                    pending_task_exe.take(),
                    w.values(args, &["taskname"], 0, st).first(),
                ) {
                    let process = Unit::Process(stem(&exe));
                    add(exe, Unit::Task(task.to_lowercase()), vec![process]);
                }
            }
            Kind::Native { program, .. } => {
                let words = w.native_args(args, st);
                let lower: Vec<String> = words.iter().map(|x| x.to_lowercase()).collect();
                if stem(program) == "sc"
                    && matches!(lower.first().map(String::as_str), Some("create" | "config"))
                {
                    let bin = lower
                        .iter()
                        .position(|x| x == "binpath=")
                        .and_then(|i| words.get(i + 1));
                    if let (Some(n), Some(exe)) = (lower.get(1), bin.and_then(|b| exe_of(b))) {
                        add(exe, Unit::Service(n.clone()), Vec::new());
                    }
                }
                if lower.iter().any(|x| x == "--register-service") {
                    if let Some(exe) = exe_of(program) {
                        let name = lower
                            .iter()
                            .position(|x| x == "--service-name")
                            .and_then(|i| lower.get(i + 1).cloned())
                            .or_else(|| {
                                RUNNING_BINARIES
                                    .iter()
                                    .find(|(file, _)| exe.ends_with(&format!("\\{file}")))
                                    .map(|(_, u)| match u {
                                        Unit::Service(s) | Unit::Task(s) | Unit::Process(s) => {
                                            s.to_string()
                                        }
                                    })
                            })
                            .unwrap_or_else(|| stem(&exe));
                        add(exe, Unit::Service(name), Vec::new());
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// A program's binary written at this event: the path, and what may be running from it.
fn runners_of(path: &str, registered: &BTreeMap<String, Vec<Runner>>) -> Vec<Runner> {
    let file = path.rsplit('\\').next().unwrap_or(path);
    let mut runners: Vec<Runner> = registered
        .get(path)
        .map(|rs| {
            rs.iter()
                .map(|r| Runner {
                    label: r.label.clone(),
                    stops: r.stops.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    for (name, unit) in RUNNING_BINARIES {
        let unit = unit.owned();
        if *name == file && !runners.iter().any(|r| r.stops.contains(&unit)) {
            runners.push(Runner {
                label: unit.to_string(),
                stops: vec![unit],
            });
        }
    }
    runners
}

/// Check 3. Windows keeps the image file of a running program open, so moving or copying
/// over it fails ("The process cannot access the file because it is being used by another
/// process"); Kubernetes' "Upgrading Windows nodes" (kubernetes.io/docs/tasks/
/// administer-cluster/kubeadm/upgrading-windows-nodes) runs `stop-service kubelet` before it
/// replaces kubelet.exe. A write onto a binary that a service, task or supervised process of
/// this script runs is fine where that unit is stopped on every path before, or an enclosing
/// `if` proved the file or the service absent (`-not (Test-Path …)`, `-not (Get-Service …)`).
/// A call of a script function that writes is reported at the call.
fn service_binary_replaced_while_running(script: &Script<'_>) -> Vec<Finding> {
    let w = script.walker();
    let registered = registered_binaries(script);
    let mut out = Vec::new();
    for ev in &script.events {
        let What::Call { kind, args, .. } = &ev.what else {
            continue;
        };
        let st = &ev.state;
        let (name, is_tar) = match kind {
            Kind::Cmdlet(c) => (c.clone(), false),
            Kind::Native { program, .. } => (stem(program), stem(program) == "tar"),
            _ => continue,
        };
        let dest = if let Kind::Native { program, .. } = kind {
            // `tar -x… -C DIR` unpacks into DIR; `curl -o FILE` (also `-Lo`) writes FILE.
            let words = w.native_args(args, st);
            let flag = |x: &String| match stem(program).as_str() {
                "tar" => x == "-C",
                "curl" => {
                    x == "--output"
                        || (x.starts_with('-') && !x.starts_with("--") && x.ends_with('o'))
                }
                _ => false,
            };
            words
                .iter()
                .position(flag)
                .and_then(|i| words.get(i + 1))
                .filter(|d| !d.contains([UNKNOWN, SESSION_PATH, MACHINE_PATH]))
                .map(|d| (normalize(d), is_tar))
        } else {
            write_destination(&w, &name, args, st)
        };
        let Some((dest, folder)) = dest else { continue };
        let targets: Vec<String> = if folder {
            registered
                .keys()
                .filter(|p| p.starts_with(&format!("{dest}\\")))
                .cloned()
                .collect()
        } else {
            vec![dest]
        };
        for target in targets {
            if st.absent_paths.contains(&target) {
                continue;
            }
            for runner in runners_of(&target, &registered) {
                let stopped = runner
                    .stops
                    .iter()
                    .any(|u| st.stopped.contains(u) || st.absent_units.contains(u));
                if stopped {
                    continue;
                }
                let at = ev.ctx.call_site.unwrap_or(ev.node);
                let inner = if ev.ctx.call_site.is_some() {
                    format!(
                        " through {} (`{}` at line {})",
                        ev.ctx.stack.first().cloned().unwrap_or_default(),
                        script.snippet(ev.node),
                        Script::line_col(ev.node).0
                    )
                } else {
                    String::new()
                };
                out.push(script.finding(
                    LOCKED_BINARY,
                    at,
                    format!(
                        "`{}` writes {target}{inner}, the binary of {}, which may be running here: it is \
                         not stopped on every path before, and no enclosing test shows it absent. Windows \
                         keeps a running program's .exe open, so the write fails (Kubernetes' \"Upgrading \
                         Windows nodes\" stops the kubelet before it replaces kubelet.exe). Stop it first, \
                         or write only when the file does not exist yet",
                        script.snippet(at),
                        runner.label,
                    ),
                ));
            }
        }
    }
    out
}

/// Check 4. Windows PowerShell 5.1 reads a script without a byte-order mark in the
/// system's legacy "ANSI" code page: about_Character_Encoding (5.1): "Without the BOM,
/// Windows PowerShell misinterprets your script as being encoded in the legacy 'ANSI'
/// codepage", and "ANSI is also what the PowerShell engine uses when it reads source code
/// from files". A UTF-8 dash or quote then becomes other characters (cp1252's 0x94 is a
/// closing quote the tokenizer takes as a string delimiter). kubeplan writes its scripts
/// without a BOM, so every byte must be ASCII; one finding per line.
fn non_ascii(source: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, line) in source.lines().enumerate() {
        if let Some((col, c)) = line.char_indices().find(|(_, c)| !c.is_ascii()) {
            out.push(Finding {
                check: NON_ASCII,
                line: i + 1,
                column: col + 1,
                message: format!(
                    "U+{:04X} {c:?} is not ASCII: Windows PowerShell 5.1 reads a script without a BOM in \
                     the ANSI code page (about_Character_Encoding, 5.1), so its UTF-8 bytes turn into other \
                     characters; write it in ASCII",
                    c as u32
                ),
            });
        }
    }
    out
}

/// Check 5. A cmdlet whose module is not inbox must have its provider in place before the
/// call: the Hyper-V module (`Get-VMSwitch`, `Disable-/Enable-VMSwitchExtension`) comes
/// with the feature Hyper-V-PowerShell, or Hyper-V with `-IncludeManagementTools`
/// ("Install the Hyper-V role on Windows Server"); the HNS functions come from importing
/// microsoft/SDN's hns.psm1. The table `MODULES` names each with its source.
fn module_not_installed(script: &Script<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for ev in &script.events {
        let What::Call {
            kind: Kind::Cmdlet(name),
            ..
        } = &ev.what
        else {
            continue;
        };
        let Some((_, module, provider, source)) =
            MODULES.iter().find(|(p, ..)| matches_pattern(p, name))
        else {
            continue;
        };
        let missing = match provider {
            Provider::Inbox => None,
            Provider::Feature(features) => (!features
                .iter()
                .any(|f| ev.state.features.contains(&f.to_lowercase())))
            .then(|| {
                format!(
                    "the Windows feature {} is not installed before it (Install-WindowsFeature)",
                    features.join(" or ")
                )
            }),
            Provider::Import(stem) => (!ev.state.modules.contains(*stem)
                && !ev.state.modules.contains("?"))
            .then(|| format!("no Import-Module of {stem}.psm1 precedes it")),
        };
        if let Some(missing) = missing {
            out.push(script.finding(
                MODULE,
                ev.node,
                format!(
                    "`{}` is a cmdlet of the {module} module{}, but {missing}: on a Windows Server without \
                     it the command is not found ({source})",
                    script.snippet(ev.node),
                    script.via(ev),
                ),
            ));
        }
    }
    out
}

/// Check 6. A step that stopped for a restart has not finished: it must not exit 0, which
/// automation reads as done. Windows' code for "successful, restart required" is 3010,
/// ERROR_SUCCESS_REBOOT_REQUIRED (learn.microsoft.com, System Error Codes 1700-3999:
/// "The requested operation is successful. Changes will not be effective until the system
/// is rebooted"), as msiexec and Install-WindowsFeature's RestartNeeded report it. The rule:
/// an `exit` (or a `return` at script level, which exits 0) inside a branch whose condition,
/// or whose own strings, say restart or reboot, must be `exit 3010`.
fn exit_on_unfinished_step(script: &Script<'_>) -> Vec<Finding> {
    let w = script.walker();
    let mentions_restart = |t: &str| {
        let t = t.to_lowercase();
        t.contains("restart") || t.contains("reboot")
    };
    let mut out = Vec::new();
    for ev in &script.events {
        let What::Exit { keyword, code } = &ev.what else {
            continue;
        };
        let condition = ev
            .ctx
            .conditions
            .iter()
            .find(|c| mentions_restart(&script.src[c.byte_range()]));
        // The strings of the statements beside an exit inside an `if`, not of blocks nested
        // in them.
        let mut says = None;
        let beside = match ev.ctx.conditions.is_empty() {
            true => Vec::new(),
            false => ev.ctx.block.map(named).unwrap_or_default(),
        };
        for stmt in beside {
            if matches!(stmt.kind(), "pipeline" | "flow_control_statement") {
                strings_outside_blocks(stmt, &mut |n| {
                    if says.is_none() && mentions_restart(&script.src[n.byte_range()]) {
                        says = Some(n);
                    }
                });
            }
        }
        let why = match (condition, says) {
            (Some(c), _) => format!("its condition `{}` is about a restart", script.snippet(*c)),
            (None, Some(s)) => format!("its branch says {}", script.snippet(s)),
            (None, None) => continue,
        };
        let value = code.map(|c| w.eval(c, &ev.state));
        let exit_code = value.as_ref().and_then(|v| v.known().map(str::to_owned));
        if *keyword == "exit" && exit_code.as_deref() == Some("3010") {
            continue;
        }
        let does = match (*keyword, exit_code) {
            ("return", _) => "`return` at script level (exit code 0)".to_owned(),
            (_, None) if code.is_none() => "a bare `exit` (exit code 0)".to_owned(),
            (_, Some(c)) => format!("`exit {c}`"),
            (_, None) => "an exit code the checks cannot work out".to_owned(),
        };
        out.push(script.finding(
            EXIT_CODE,
            ev.node,
            format!(
                "{does} on an unfinished step ({why}): automation reads it as done. Exit with 3010, \
                 ERROR_SUCCESS_REBOOT_REQUIRED (System Error Codes 1700-3999), and say so in the help"
            ),
        ));
    }
    out
}

fn strings_outside_blocks<'t>(n: Node<'t>, f: &mut impl FnMut(Node<'t>)) {
    if n.kind() == "string_literal" {
        f(n);
    }
    for k in named(n) {
        if !matches!(k.kind(), "script_block_expression" | "statement_block") {
            strings_outside_blocks(k, f);
        }
    }
}

// ---- tests --------------------------------------------------------------------------------

#[test]
fn every_generated_powershell_script_passes_the_windows_powershell_5_1_checks() {
    let scripts = scripts();
    assert!(!scripts.is_empty());
    let mut natives = 0;
    let mut unreached = Vec::new();
    // Each finding (by script name, line and text) with the spec/node scripts that have it.
    let mut findings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut total = 0;
    for (spec, a) in &scripts {
        let analysis = analyze(text(a));
        natives += analysis.native_calls;
        total += analysis.findings.len();
        for u in &analysis.unreached {
            unreached.push(format!("{}/{}:{u}", spec.name, a.path));
        }
        let (folder, file) = a.path.rsplit_once('/').unwrap_or(("", &a.path));
        for f in analysis.findings {
            findings
                .entry(format!("{file}:{f}"))
                .or_default()
                .push(format!("{}/{folder}", spec.name));
        }
    }
    report(
        "powershell 5.1 checks",
        scripts.len(),
        &format!(
            "PowerShell scripts, {natives} native calls, {} checks run ({CHECKS} each), {total} findings, {} commands never reached",
            scripts.len() * CHECKS,
            unreached.len()
        ),
    );
    let listed: Vec<String> = findings
        .iter()
        .map(|(f, specs)| {
            let shown = specs.iter().take(6).cloned().collect::<Vec<_>>().join(", ");
            let more = specs.len().saturating_sub(6);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!("{f}\n    in {} script(s): {shown}{more}", specs.len())
        })
        .collect();
    assert!(
        unreached.is_empty(),
        "the walk never reached these commands, so no check saw them:\n{}",
        unreached.join("\n")
    );
    assert!(
        findings.is_empty(),
        "{total} findings ({} distinct) in the generated PowerShell:\n{}",
        findings.len(),
        listed.join("\n")
    );
}

/// A fixture under tests/powershell/broken/, which must parse.
fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/powershell/broken")
        .join(name);
    let source =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let errors = syntax_errors(&parse(&source), &source);
    assert!(errors.is_empty(), "{name} does not parse: {errors:?}");
    source
}

/// The (check, line) of each finding in fixture `name`.
fn found(name: &str) -> Vec<(&'static str, usize)> {
    let analysis = analyze(&fixture(name));
    for f in &analysis.findings {
        eprintln!("{name}:{f}");
    }
    analysis
        .findings
        .iter()
        .map(|f| (f.check, f.line))
        .collect()
}

#[test]
fn native_stderr_redirected_under_stop_is_caught() {
    assert_eq!(
        found("native-stderr.ps1"),
        [
            (NATIVE_STDERR, 5),
            (NATIVE_STDERR, 8),
            (NATIVE_STDERR, 10),
            (NATIVE_STDERR, 15),
            (NATIVE_STDERR, 18),
            (NATIVE_STDERR, 24),
        ]
    );
    assert_eq!(found("native-stderr.fixed.ps1"), []);
}

#[test]
fn a_program_called_by_bare_name_before_its_folder_is_on_path_is_caught() {
    assert_eq!(
        found("bare-name.ps1"),
        [
            (BARE_NAME, 12),
            (BARE_NAME, 13),
            (BARE_NAME, 15),
            (BARE_NAME, 18)
        ]
    );
    assert_eq!(found("bare-name.fixed.ps1"), []);
}

#[test]
fn a_service_binary_replaced_while_it_may_run_is_caught() {
    assert_eq!(
        found("locked-binary.ps1"),
        [
            (LOCKED_BINARY, 21),
            (LOCKED_BINARY, 21),
            (LOCKED_BINARY, 25),
            (LOCKED_BINARY, 29)
        ]
    );
    assert_eq!(found("locked-binary.fixed.ps1"), []);
}

#[test]
fn a_non_ascii_byte_is_caught() {
    assert_eq!(found("non-ascii.ps1"), [(NON_ASCII, 2), (NON_ASCII, 4)]);
    assert_eq!(found("non-ascii.fixed.ps1"), []);
}

#[test]
fn a_cmdlet_whose_module_is_not_installed_is_caught() {
    assert_eq!(
        found("module.ps1"),
        [(MODULE, 5), (MODULE, 7), (MODULE, 10)]
    );
    assert_eq!(found("module.fixed.ps1"), []);
}

#[test]
fn exit_0_on_an_unfinished_step_is_caught() {
    assert_eq!(
        found("exit-code.ps1"),
        [(EXIT_CODE, 7), (EXIT_CODE, 13), (EXIT_CODE, 18)]
    );
    assert_eq!(found("exit-code.fixed.ps1"), []);
}

/// Runs the checks on the files `PS51_CHECK` names (separated by ':'), for a look at any
/// script: `PS51_CHECK=a.ps1:b.ps1 cargo test --test powershell_semantics -- --ignored`.
#[test]
#[ignore = "a tool: set PS51_CHECK"]
fn check_the_files_ps51_check_names() {
    let files = std::env::var("PS51_CHECK").expect("PS51_CHECK names the files");
    let mut total = 0;
    for file in files.split(':').filter(|f| !f.is_empty()) {
        let source = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"));
        let analysis = analyze(&source);
        total += analysis.findings.len();
        for f in &analysis.findings {
            println!("{file}:{f}");
        }
        for u in &analysis.unreached {
            println!("{file}:{u}: never reached");
        }
        println!(
            "{file}: {} native calls, {} findings",
            analysis.native_calls,
            analysis.findings.len()
        );
    }
    println!("{total} findings");
}

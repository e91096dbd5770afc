//! Diagnostics as data: what is wrong, where, and what to do about it.
//!
//! Every stage collects `Diagnostic`s into a list so that one run reports every
//! problem; they are rendered in exactly one place (`render_human`).

use std::ops::Range;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;

/// Index of a source file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub usize);

/// A byte range in one source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub file: FileId,
    pub range: Range<usize>,
}

/// A 1-based line and column (in characters) of a position in a source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// One source file as read from disk.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    /// A variable file: its lines may hold secrets (of a variable declared sensitive, or
    /// of a line that failed to parse, whose variable is unknown), so no diagnostic
    /// shows them; the location is still given.
    pub private: bool,
}

/// Every source file a run read, so spans can be turned into `file:line:column`, and
/// the texts of sensitive values, which no rendered diagnostic shows.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    secrets: Vec<String>,
}

impl SourceMap {
    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
            private: false,
        });
        FileId(self.files.len() - 1)
    }

    /// Adds a file whose lines diagnostics never show (a variable file).
    pub fn add_private(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = self.add(name, text);
        self.files[id.0].private = true;
        id
    }

    /// Sets the texts that rendering masks, longest first (see `spec::sensitive::needles`).
    pub fn set_secrets(&mut self, secrets: Vec<String>) {
        self.secrets = secrets;
    }

    /// `text` with every sensitive value replaced by `(sensitive)`.
    pub fn mask<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        let mut out = std::borrow::Cow::Borrowed(text);
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = std::borrow::Cow::Owned(out.replace(secret.as_str(), MASK));
            }
        }
        out
    }

    /// The text of a file as a rendered diagnostic may quote it, and where a byte offset
    /// of the file is in that text: a private file is blanked (every character a space,
    /// so offsets count characters), and in others each sensitive value is overwritten
    /// by as many `*` as it has bytes, so offsets stay.
    fn shown(&self, file: &SourceFile) -> String {
        if file.private {
            return file
                .text
                .chars()
                .map(|c| if c == '\n' { '\n' } else { ' ' })
                .collect();
        }
        let mut text = file.text.clone();
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), &"*".repeat(secret.len()));
            }
        }
        text
    }

    fn shown_offset(&self, file: FileId, offset: usize) -> usize {
        let f = self.file(file);
        let offset = floor_char_boundary(&f.text, offset.min(f.text.len()));
        if f.private {
            f.text[..offset].chars().count()
        } else {
            offset
        }
    }

    /// The file behind an id.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }

    /// The 1-based line and column of the start of a span.
    pub fn position(&self, span: &Span) -> Position {
        self.position_at(span.file, span.range.start)
    }

    /// The 1-based line and column of a byte offset in a file.
    pub fn position_at(&self, file: FileId, offset: usize) -> Position {
        let text = &self.file(file).text;
        let offset = offset.min(text.len());
        let before = &text[..floor_char_boundary(text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Position { line, column }
    }

    /// `file:line:column` of the start of a span.
    pub fn location(&self, span: &Span) -> String {
        let p = self.position(span);
        format!("{}:{}:{}", self.file(span.file).name, p.line, p.column)
    }
}

/// The largest char boundary of `text` at or before `offset` (which must be in range).
pub(crate) fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// How bad a diagnostic is: errors stop the run, warnings do not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// What a sensitive value is shown as.
pub const MASK: &str = "(sensitive)";

macro_rules! codes {
    ($($name:ident = $code:literal : $summary:literal,)*) => {
        /// A stable diagnostic code. Codes are never renumbered; docs/rules.md lists them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($name,)* }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];

            /// The code as printed, e.g. `KP012`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$name => $code,)* }
            }

            /// One line saying what the code is about.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$name => $summary,)* }
            }
        }
    };
}

codes! {
    Syntax = "KP001": "the HCL does not parse",
    UnknownAttribute = "KP002": "an attribute that the block does not take",
    UnknownBlock = "KP003": "a block that is not valid here",
    WrongType = "KP004": "a value of the wrong type",
    MissingAttribute = "KP005": "a required attribute is missing",
    InvalidValue = "KP006": "a value outside the set the attribute accepts",
    Duplicate = "KP007": "a block or variable defined twice",
    Evaluation = "KP008": "an expression that cannot be evaluated (undefined variable, bad operation)",
    VariableValue = "KP009": "a variable without a value, or a value for an undeclared variable",
    Input = "KP010": "spec files, variable files or the state cannot be read",
    ClusterBlock = "KP011": "the spec must hold exactly one cluster block",
    WindowsRole = "KP012": "Windows nodes are workers only",
    NoControlPlane = "KP013": "no Linux node has both controlplane and etcd",
    NoLinuxWorker = "KP014": "no Linux worker for DNS, ingress and metrics",
    WindowsVersion = "KP015": "an unknown windows_version",
    VxlanVni = "KP016": "flannel VXLAN with Windows nodes needs VNI 4096",
    VxlanPort = "KP017": "flannel VXLAN with Windows nodes needs UDP port 4789",
    CidrSyntax = "KP018": "a CIDR that does not parse",
    CidrOverlap = "KP019": "two CIDRs that overlap",
    AddressInCidr = "KP020": "a node address inside the cluster or service CIDR",
    DuplicateNode = "KP021": "two nodes with the same name or address",
    NodeName = "KP022": "a node name that is not a DNS label",
    InterfaceName = "KP023": "an interface name Linux or Windows would refuse",
    OsAttributes = "KP024": "distro / windows_version missing, or set for the wrong OS",
    KubernetesVersion = "KP025": "a Kubernetes version that does not parse or is not a release kubeplan knows",
    Endpoint = "KP026": "a control_plane_endpoint that is not host:port",
    CaCertHash = "KP027": "a ca_cert_hash that is not sha256:<64 hex digits>",
    Roles = "KP029": "an empty or repeated role list",
    Address = "KP030": "an address that is not an IPv4 address",
    ManagementCidr = "KP031": "a node address outside the management CIDR",
    WindowsHostname = "KP032": "a Windows node name longer than 15 characters (NetBIOS)",
    Distro = "KP033": "a Linux distro kubeplan cannot install Kubernetes on",
    BlockLabels = "KP034": "a block with the wrong number of labels",
    ClusterCidrSize = "KP035": "a cluster CIDR too small for one pod subnet per node",
    NodePool = "KP036": "a node_pool whose count or address_range cannot make its nodes",
    Labels = "KP037": "a node label the kubelet cannot set, or a malformed one",
    Taints = "KP038": "a taint that is not KEY[=VALUE]:EFFECT",
    Resources = "KP039": "a node below the minimum CPUs, memory or disk",
    WindowsSupport = "KP040": "Windows nodes in a cluster created without Windows support",
    Vmxnet3 = "KP041": "the vmxnet3 offload fix turned off where the offload bug is known",
    DhcpDomain = "KP042": "an AWS DHCP option set domain-name with more than one domain",
    PodCidr = "KP043": "a node pod CIDR or node_cidr_mask that does not fit the cluster CIDR",
    HaEndpoint = "KP044": "several control-plane nodes behind the address of one of them",
    EtcdQuorum = "KP045": "an even number of etcd members",
    Cloud = "KP046": "cloud settings missing, malformed or set for another platform",
    Calico = "KP047": "a Calico setting its Windows nodes cannot run with",
    WindowsRelease = "KP048": "a Windows release the cluster's Kubernetes version does not run on",
    Ovn = "KP049": "an OVN/OVS setting its Windows nodes cannot run with",
    L2Segment = "KP050": "host-gw nodes that may not share one L2 segment",
    Sensitive = "KP051": "a sensitive variable used where kubeplan would write it into a file",
    BridgeGateway = "KP052": "a node_cidr_mask whose pod gateway Windows' sdnbridge computes wrongly",
    OtherCluster = "KP053": "a state that records another cluster than the spec's",
    Limit = "KP054": "a value, an evaluation or a cluster past kubeplan's size limits",
    EndOfLife = "KP055": "a Kubernetes minor past its end of life",
    ComponentVersion = "KP056": "a component version or Windows release a component does not run with",
    NodeRequirement = "KP057": "a Linux node that cannot meet what the Kubernetes minor's kubelet needs",
    Legacy = "KP058": "a component whose Windows support upstream has ended",
    UnverifiedDownload = "KP059": "a download with no checksum to verify it against",
    LiveChange = "KP060": "a change a running cluster cannot take (its network, CIDRs or endpoint)",
    UpgradeStep = "KP061": "a Kubernetes version kubeadm cannot upgrade the running cluster to",
}

/// One problem found in the input, with where it is and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub span: Option<Span>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at a span.
    pub fn error(code: Code, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span,
            help: None,
        }
    }

    /// A warning at a span.
    pub fn warning(code: Code, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    /// Adds the hint that says what to do.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A list of diagnostics collected over a stage.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Records a diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// Moves every diagnostic of `other` into this list.
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    /// Sorts by file, position and code, so output does not depend on rule order.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                d.span
                    .as_ref()
                    .map(|s| (s.file, s.range.start))
                    .unwrap_or((FileId(usize::MAX), 0))
            };
            key(a)
                .cmp(&key(b))
                .then(a.code.cmp(&b.code))
                .then(a.message.cmp(&b.message))
        });
    }
}

/// Renders diagnostics like rustc and Terraform: code, message, `--> file:line:column`,
/// the source line with the span underlined, and the hint.
pub fn render_human(sources: &SourceMap, diagnostics: &[Diagnostic]) -> String {
    let mut files = SimpleFiles::new();
    for f in &sources.files {
        files.add(f.name.as_str(), sources.shown(f));
    }
    let config = term::Config::default();
    let mut out = String::new();
    for d in diagnostics {
        let mut cs_diag = match d.severity {
            Severity::Error => cs::Diagnostic::error(),
            Severity::Warning => cs::Diagnostic::warning(),
        }
        .with_code(d.code.as_str())
        .with_message(sources.mask(&d.message));
        if let Some(span) = &d.span {
            let range = sources.shown_offset(span.file, span.range.start)
                ..sources.shown_offset(span.file, span.range.end);
            cs_diag = cs_diag.with_labels(vec![cs::Label::primary(span.file.0, range)]);
        }
        if let Some(help) = &d.help {
            cs_diag = cs_diag.with_notes(vec![format!("hint: {}", sources.mask(help))]);
        }
        match term::emit_into_string(&config, &files, &cs_diag) {
            Ok(text) => out.push_str(&text),
            // A span outside its file is a bug of ours; still say what is wrong.
            Err(_) => out.push_str(&format!(
                "{}[{}]: {}\n",
                severity_word(d),
                d.code.as_str(),
                sources.mask(&d.message)
            )),
        }
    }
    out
}

/// A diagnostic as `validate --json` and `plan --json` print it (docs/json-output.md).
#[derive(Debug, serde::Serialize)]
pub struct JsonDiagnostic<'a> {
    pub severity: &'static str,
    pub code: &'static str,
    /// What the code is about, the same for every diagnostic of the code.
    pub summary: &'static str,
    /// What is wrong here.
    pub detail: std::borrow::Cow<'a, str>,
    pub hint: Option<std::borrow::Cow<'a, str>>,
    pub file: Option<&'a str>,
    pub start: Option<Position>,
    /// The position just past the span.
    pub end: Option<Position>,
}

/// Diagnostics as data for JSON output, with line and column of both ends of each span.
pub fn to_json<'a>(
    sources: &'a SourceMap,
    diagnostics: &'a [Diagnostic],
) -> Vec<JsonDiagnostic<'a>> {
    diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            severity: severity_word(d),
            code: d.code.as_str(),
            summary: d.code.summary(),
            detail: sources.mask(&d.message),
            hint: d.help.as_deref().map(|h| sources.mask(h)),
            file: d.span.as_ref().map(|s| sources.file(s.file).name.as_str()),
            start: d.span.as_ref().map(|s| sources.position(s)),
            end: d
                .span
                .as_ref()
                .map(|s| sources.position_at(s.file, s.range.end)),
        })
        .collect()
}

fn severity_word(d: &Diagnostic) -> &'static str {
    match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_lines_and_characters() {
        let mut map = SourceMap::default();
        let id = map.add("a.hcl", "x = 1\n  é = 2\n");
        let span = Span {
            file: id,
            range: 11..12,
        };
        assert_eq!(map.location(&span), "a.hcl:2:5");
    }

    #[test]
    fn codes_are_unique_and_numbered_in_order() {
        let strs: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = strs.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(strs, sorted);
    }

    #[test]
    fn human_rendering_names_the_location_and_hint() {
        let mut map = SourceMap::default();
        let id = map.add("main.hcl", "node \"w\" {\n  os = \"plan9\"\n}\n");
        let d = Diagnostic::error(
            Code::InvalidValue,
            Some(Span {
                file: id,
                range: 18..25,
            }),
            "bad os",
        )
        .with_help("use linux or windows");
        let text = render_human(&map, &[d]);
        assert!(text.contains("error[KP006]: bad os"), "{text}");
        assert!(text.contains("main.hcl:2:8"), "{text}");
        assert!(text.contains("hint: use linux or windows"), "{text}");
    }
}

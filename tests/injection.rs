//! Hostile values: each value of `CORPUS` is put into every string attribute that can
//! reach a script, in every example. Each time, either a rule rejects the spec with an
//! error located on the edited line, or the value reaches the scripts only as literal
//! text: bash (tree-sitter-bash) and PowerShell (tree-sitter-powershell) parse every
//! changed script into the same tree as for a harmless value, every appearance of the
//! value sits inside one literal node (a quoted string, a word, a comment, a quoted
//! here-document) whose decoded text holds the whole value, and JSON and YAML files
//! still parse with the value inside one string.
//!
//! The value is tried twice, after and before a marker (`kpz9`), so its first and its
//! last character each keep their place at an edge of the rendered text.

mod common;

use common::specs;
use common::text;
use kubeplan::diagnostic::{render_human, Severity};
use kubeplan::render::Artifact;
use kubeplan::spec::VarInputs;
use tree_sitter::{Node, Parser};

/// At least 40 values that break naive quoting in bash, PowerShell, cmd, JSON or YAML.
fn corpus() -> Vec<String> {
    let mut values: Vec<String> = [
        "'",
        "\"",
        "it's",
        "say \"hi\"",
        "$(id)",
        "`id`",
        "; rm -rf /",
        "a && b",
        "a || b",
        "a | b",
        "a\nb",
        "a\r\nb",
        "a\tb",
        "$env:PATH",
        "%PATH%",
        "${HOME}",
        "$HOME",
        "$((1+1))",
        "\\",
        "a\\'b",
        "\u{2018}curly\u{2019}",
        "\u{201C}curly\u{201D}",
        "\u{201A}low\u{201B}",
        "\u{FF07}fullwidth\u{FF02}",
        "\u{FF1B} fullwidth semicolon",
        "@(1)",
        "$(Get-Process)",
        "& calc.exe",
        "a # comment",
        "*",
        "?",
        "[a]",
        "~root",
        "{a,b}",
        "a > /tmp/x",
        "< /etc/passwd",
        "2>&1",
        "!!",
        "x\nEOF\nrm -rf /",
        "x\n'@\nGet-Process",
        "x\n\"@\nGet-Process",
        "-Force",
        "--help",
        "`n`$x",
        "$null",
        "line\u{2028}separator",
        "Ethernet (2) #1",
        "key: value",
        "{\"json\": true}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    values.push("A".repeat(10_000));
    values.push("'\"$`\\".repeat(500));
    values
}

const MARKER: &str = "kpz9";

/// `s` as an HCL quoted string.
fn hcl_string(s: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Where a value goes: an attribute of the first block the predicate picks, replaced
/// when present and added after the block's first line otherwise, or a block label.
#[derive(Clone, Copy)]
enum Place {
    Attribute {
        block: fn(&str) -> bool,
        attribute: &'static str,
        /// How the value is written: `{}` stands for the HCL string.
        form: &'static str,
    },
    Label {
        block: fn(&str) -> bool,
    },
}

fn windows_node(header_and_body: &str) -> bool {
    header_and_body.starts_with("node") && header_and_body.contains("\"windows\"")
}

fn linux_node(header_and_body: &str) -> bool {
    header_and_body.starts_with("node") && header_and_body.contains("\"linux\"")
}

fn cluster(header_and_body: &str) -> bool {
    header_and_body.starts_with("cluster ")
}

fn cloud(header_and_body: &str) -> bool {
    header_and_body.trim_start().starts_with("cloud {")
}

/// Every string attribute of the spec language that kubeplan writes into a file.
fn targets() -> Vec<(&'static str, Place)> {
    use Place::*;
    let attr = |block: fn(&str) -> bool, attribute, form| Attribute {
        block,
        attribute,
        form,
    };
    vec![
        ("windows interface", attr(windows_node, "interface", "{}")),
        ("linux interface", attr(linux_node, "interface", "{}")),
        ("linux distro", attr(linux_node, "distro", "{}")),
        (
            "windows instance_id",
            attr(windows_node, "instance_id", "{}"),
        ),
        (
            "label value",
            attr(windows_node, "labels", "{ \"example.com/k\" = {} }"),
        ),
        ("label key", attr(windows_node, "labels", "{ {} = \"v\" }")),
        ("taint", attr(linux_node, "taints", "[{}]")),
        (
            "windows node name",
            Label {
                block: windows_node,
            },
        ),
        ("linux node name", Label { block: linux_node }),
        ("cluster name", Label { block: cluster }),
        (
            "control_plane_endpoint",
            attr(cluster, "control_plane_endpoint", "{}"),
        ),
        (
            "kubernetes_version",
            attr(cluster, "kubernetes_version", "{}"),
        ),
        ("dhcp_domain_name", attr(cluster, "dhcp_domain_name", "{}")),
        (
            "join ca_cert_hash",
            attr(cluster, "join", "{\n    ca_cert_hash = {}\n  }"),
        ),
        ("cloud network", attr(cloud, "network", "{}")),
        ("cloud resource_group", attr(cloud, "resource_group", "{}")),
        ("cloud route_table", attr(cloud, "route_table", "{}")),
    ]
}

/// The spec with `value` placed, and the 1-based line it is on; `None` when the spec
/// has no such block.
fn place(spec: &str, at: Place, value: &str) -> Option<(String, usize)> {
    let lines: Vec<&str> = spec.lines().collect();
    let block = match at {
        Place::Attribute { block, .. } | Place::Label { block } => block,
    };
    // Blocks are `NAME ... {` at column 0 (or, for cloud, nested) up to their `}`.
    let mut start = None;
    for (i, line) in lines.iter().enumerate() {
        let opens = line.trim_end().ends_with('{') && !line.trim_start().starts_with('#');
        if !opens {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let close = " ".repeat(indent) + "}";
        let end = lines[i..].iter().position(|l| *l == close).map(|p| i + p)?;
        if block(&lines[i..=end].join("\n")[indent..]) {
            start = Some((i, end, indent));
            break;
        }
    }
    let (start, end, indent) = start?;
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let quoted = hcl_string(value);
    let line = match at {
        Place::Label { .. } => {
            let header = &lines[start];
            let open = header.find('"')?;
            let close = open + 1 + header[open + 1..].find('"')?;
            out[start] = format!("{}{}{}", &header[..open], quoted, &header[close + 1..]);
            start
        }
        Place::Attribute {
            attribute, form, ..
        } => {
            let pad = " ".repeat(indent + 2);
            let value = form.replace("{}", &quoted);
            // A form that opens with a newline-separated brace is a nested block.
            let text = if value.starts_with("{\n") {
                format!("{pad}{attribute} {value}")
            } else {
                format!("{pad}{attribute} = {value}")
            };
            let existing = (start + 1..end).find(|&i| {
                let l = lines[i].trim_start();
                l.starts_with(attribute)
                    && l[attribute.len()..].trim_start().starts_with(['=', '{'])
                    && lines[i].len() - l.len() == indent + 2
            });
            // The value's own line, for a form that spans lines.
            let below = form[..form.find("{}").unwrap_or(0)].matches('\n').count();
            match existing {
                Some(i) if lines[i].trim_end().ends_with('{') => return None,
                Some(i) => {
                    out[i] = text;
                    i + below
                }
                None => {
                    out.insert(start + 1, text);
                    start + 1 + below
                }
            }
        }
    };
    Some((out.join("\n") + "\n", line + 1))
}

enum Outcome {
    Rejected,
    Accepted(Vec<Artifact>),
}

fn compile(spec: &str, edited_line: usize, what: &str) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.hcl"), spec).unwrap();
    let compiled = kubeplan::compile(dir.path(), &VarInputs::default(), None)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    if let Some(out) = compiled.output {
        return Outcome::Accepted(out.artifacts);
    }
    let errors: Vec<_> = compiled
        .diagnostics
        .0
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(!errors.is_empty(), "{what}: no output and no error");
    let on_line = errors.iter().any(|d| {
        d.span
            .as_ref()
            .is_some_and(|s| compiled.sources.position(s).line == edited_line)
    });
    let text = render_human(&compiled.sources, &compiled.diagnostics.0);
    assert!(
        on_line,
        "{what}: rejected, but no error points at main.hcl:{edited_line}:\n{text}"
    );
    assert!(
        text.contains(&format!("main.hcl:{edited_line}:")) && text.contains("KP"),
        "{what}: the diagnostic names its code and location:\n{text}"
    );
    Outcome::Rejected
}

// --- reading the parsed scripts ---------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum Lang {
    Bash,
    PowerShell,
}

fn parser(lang: Lang) -> Parser {
    let mut p = Parser::new();
    let language = match lang {
        Lang::Bash => tree_sitter_bash::LANGUAGE.into(),
        Lang::PowerShell => tree_sitter_powershell::LANGUAGE.into(),
    };
    p.set_language(&language).unwrap();
    p
}

/// What a node means as literal text, when it is one literal: `None` for anything the
/// shell would expand, substitute or split.
fn literal(lang: Lang, n: Node, src: &str) -> Option<String> {
    let text = &src[n.byte_range()];
    let children: Vec<Node> = {
        let mut c = n.walk();
        n.named_children(&mut c).collect()
    };
    match (lang, n.kind()) {
        (_, "comment") => Some(text.to_owned()),
        (Lang::Bash, "raw_string") => Some(text[1..text.len() - 1].to_owned()),
        (Lang::Bash, "word") => {
            if text.contains(['*', '?', '[', '~', '$', '`', '{']) {
                return None;
            }
            let mut out = String::new();
            let mut chars = text.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    out.extend(chars.next());
                } else {
                    out.push(c);
                }
            }
            Some(out)
        }
        (Lang::Bash, "string") => {
            if children.iter().any(|c| c.kind() != "string_content") {
                return None;
            }
            let inner = &text[1..text.len() - 1];
            let mut out = String::new();
            let mut chars = inner.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '\\' && matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) {
                    out.extend(chars.next());
                } else {
                    out.push(c);
                }
            }
            Some(out)
        }
        (Lang::Bash, "concatenation") => children
            .iter()
            .map(|c| literal(lang, *c, src))
            .collect::<Option<Vec<_>>>()
            .map(|parts| parts.concat()),
        (Lang::Bash, "heredoc_body") => children.is_empty().then(|| text.to_owned()),
        (Lang::PowerShell, "string_literal") => {
            let inner = children.first()?;
            match inner.kind() {
                "verbatim_string_characters" => {
                    let t = &src[inner.byte_range()];
                    let body: Vec<char> = t.chars().collect();
                    let body = &body[1..body.len() - 1];
                    let mut out = String::new();
                    let mut i = 0;
                    while i < body.len() {
                        out.push(body[i]);
                        if is_ps_quote(body[i]) && i + 1 < body.len() && is_ps_quote(body[i + 1]) {
                            i += 1;
                        }
                        i += 1;
                    }
                    Some(out)
                }
                "verbatim_here_string_characters" => {
                    let t = &src[inner.byte_range()];
                    let t = t.strip_prefix("@'")?.strip_suffix("'@")?;
                    Some(
                        t.trim_start_matches(['\r', '\n'])
                            .trim_end_matches(['\r', '\n'])
                            .to_owned(),
                    )
                }
                _ => None,
            }
        }
        (Lang::PowerShell, "generic_token") => {
            (!text.contains(['$', '`', '(', '@', '{', '\'', '"'])).then(|| text.to_owned())
        }
        _ => None,
    }
}

fn is_ps_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}')
}

/// The tree as a list of node kinds in document order, with each literal node whose
/// text holds `value` written as `LIT`; and how many times `value` was found that way.
fn shape(lang: Lang, src: &str, value: &str) -> (Vec<String>, usize, Vec<String>) {
    let tree = parser(lang).parse(src, None).unwrap();
    let mut kinds = Vec::new();
    let mut found = 0;
    let mut errors = Vec::new();
    fn walk(
        lang: Lang,
        n: Node,
        src: &str,
        value: &str,
        kinds: &mut Vec<String>,
        found: &mut usize,
        errors: &mut Vec<String>,
    ) {
        if n.is_error() || n.is_missing() {
            let p = n.start_position();
            errors.push(format!("{}:{}: {}", p.row + 1, p.column + 1, n.kind()));
        }
        if let Some(text) = literal(lang, n, src) {
            let hits = text.matches(value).count();
            if hits > 0 {
                kinds.push("LIT".into());
                *found += hits;
                return;
            }
        }
        kinds.push(n.kind().to_owned());
        let mut c = n.walk();
        for child in n.children(&mut c) {
            walk(lang, child, src, value, kinds, found, errors);
        }
    }
    walk(
        lang,
        tree.root_node(),
        src,
        value,
        &mut kinds,
        &mut found,
        &mut errors,
    );
    (kinds, found, errors)
}

/// Checks one accepted spec's artifacts against the harmless value's.
fn check_rendered(
    what: &str,
    value: &str,
    benign: &str,
    artifacts: &[Artifact],
    baseline: &[Artifact],
) {
    for a in artifacts {
        let appears = text(a).matches(value).count();
        let base_path = a.path.replace(value, benign);
        let Some(base) = baseline.iter().find(|b| b.path == base_path) else {
            panic!(
                "{what}: {} has no counterpart for the harmless value",
                a.path
            );
        };
        let lang = if a.path.ends_with(".sh") {
            Lang::Bash
        } else if a.path.ends_with(".ps1") {
            Lang::PowerShell
        } else if let Some(parse) = data_parser(&a.path) {
            let (ours, theirs) = (parse(text(a)), parse(text(base)));
            same_data(what, &a.path, ours, theirs, value, benign);
            continue;
        } else {
            continue;
        };
        if appears == 0 {
            continue;
        }
        let (kinds, found, errors) = shape(lang, text(a), value);
        assert!(
            errors.is_empty(),
            "{what}: {} no longer parses: {errors:?}",
            a.path
        );
        assert_eq!(
            found, appears,
            "{what}: {} holds the value {appears} times, {found} of them inside a literal",
            a.path
        );
        let (base_kinds, _, _) = shape(lang, text(base), benign);
        if kinds != base_kinds {
            let at = kinds
                .iter()
                .zip(&base_kinds)
                .position(|(a, b)| a != b)
                .unwrap_or(kinds.len().min(base_kinds.len()));
            panic!(
                "{what}: {} parses differently than with a harmless value, from node {at}: {:?} vs {:?}",
                a.path,
                &kinds[at..(at + 8).min(kinds.len())],
                &base_kinds[at..(at + 8).min(base_kinds.len())]
            );
        }
    }
}

type DataParser = fn(&str) -> Result<Vec<serde_json::Value>, String>;

/// The parser of a JSON or YAML artifact.
fn data_parser(path: &str) -> Option<DataParser> {
    fn json(text: &str) -> Result<Vec<serde_json::Value>, String> {
        serde_json::from_str(text)
            .map(|v| vec![v])
            .map_err(|e| e.to_string())
    }
    if path.ends_with(".json") || path.ends_with(".conflist") {
        Some(json)
    } else if path.ends_with(".yaml") || path.ends_with(".yml") {
        Some(common::yaml::documents)
    } else {
        None
    }
}

/// A data file parses to what the harmless value gave, once the value is swapped back
/// in every string: the value stayed inside strings and changed nothing else.
fn same_data(
    what: &str,
    path: &str,
    ours: Result<Vec<serde_json::Value>, String>,
    base: Result<Vec<serde_json::Value>, String>,
    value: &str,
    benign: &str,
) {
    let ours = ours.unwrap_or_else(|e| panic!("{what}: {path} no longer parses: {e}"));
    let base =
        base.unwrap_or_else(|e| panic!("{what}: {path} (harmless value) does not parse: {e}"));
    let swapped: Vec<_> = ours.iter().map(|d| swap(d, value, benign)).collect();
    assert!(
        swapped == base,
        "{what}: {path} parses to other data than with a harmless value"
    );
}

fn swap(v: &serde_json::Value, value: &str, benign: &str) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(s.replace(value, benign)),
        Value::Array(items) => Value::Array(items.iter().map(|i| swap(i, value, benign)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.replace(value, benign), swap(v, value, benign)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Tries every value at every target of one example: (tried, rejected, accepted, the
/// targets the example has).
fn try_example(example: &str, corpus: &[String]) -> (usize, usize, usize, Vec<&'static str>) {
    let spec = specs::example_spec(example);
    let (mut tried, mut rejected, mut accepted) = (0, 0, 0);
    let mut hit = Vec::new();
    for (target, at) in targets() {
        // The value after the marker, then before it.
        for before in [true, false] {
            let marked = |v: &str| {
                if before {
                    format!("{v}{MARKER}")
                } else {
                    format!("{MARKER}{v}")
                }
            };
            let benign = marked("benign");
            let Some((base_spec, line)) = place(&spec, at, &benign) else {
                continue;
            };
            hit.push(target);
            let baseline = match compile(
                &base_spec,
                line,
                &format!("{example}: {target} = {benign:?}"),
            ) {
                Outcome::Accepted(a) => Some(a),
                Outcome::Rejected => None,
            };
            for value in corpus {
                let value = marked(value);
                let short: String = value.chars().take(40).collect();
                let what = format!("{example}: {target} = {short:?}");
                let (hostile, line) =
                    place(&spec, at, &value).expect("placed as the harmless value was");
                tried += 1;
                match compile(&hostile, line, &what) {
                    Outcome::Rejected => rejected += 1,
                    Outcome::Accepted(artifacts) => {
                        accepted += 1;
                        let baseline = baseline.as_ref().unwrap_or_else(|| {
                            panic!("{what}: accepted, though the harmless value was not")
                        });
                        check_rendered(&what, &value, &benign, &artifacts, baseline);
                    }
                }
            }
        }
    }
    (tried, rejected, accepted, hit)
}

#[test]
fn every_hostile_value_is_rejected_or_stays_one_literal_in_every_example() {
    let corpus = corpus();
    assert!(corpus.len() >= 40);
    let examples = specs::example_names();
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = examples
            .iter()
            .map(|example| scope.spawn(|| try_example(example, &corpus)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("no example failed"))
            .collect()
    });
    let (mut tried, mut rejected, mut accepted) = (0, 0, 0);
    let mut targets_hit = std::collections::BTreeSet::new();
    for (t, r, a, hit) in results {
        tried += t;
        rejected += r;
        accepted += a;
        targets_hit.extend(hit);
    }
    assert_eq!(
        targets_hit.len(),
        targets().len(),
        "every target placed in some example"
    );
    specs::report(
        "hostile values",
        tried,
        &format!(
            "placements of {} values into {} attributes across {} examples: {rejected} rejected by a rule at their line, {accepted} rendered as one literal (tree-sitter-bash / tree-sitter-powershell)",
            corpus.len(),
            targets().len(),
            examples.len()
        ),
    );
}

#[test]
fn an_injected_command_changes_the_parse() {
    let safe = "echo 'Ethernet kpz9'\n";
    let unsafe_ = "echo Ethernet kpz9; id\n";
    let (a, _, _) = shape(Lang::Bash, safe, "kpz9");
    let (b, found, _) = shape(Lang::Bash, unsafe_, "kpz9");
    assert_ne!(a, b);
    assert_eq!(found, 1);
    let (_, found, _) = shape(Lang::PowerShell, "Write-Host \"x $(kpz9)\"\n", "kpz9");
    assert_eq!(
        found, 0,
        "inside an expandable string the value is code, not a literal"
    );
    let (_, found, _) = shape(Lang::PowerShell, "Write-Host 'it''s kpz9'\n", "it's kpz9");
    assert_eq!(found, 1);
}

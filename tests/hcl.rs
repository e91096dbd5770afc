//! HCL conformance of the input side: every example spec, every test spec and
//! `tests/hcl/conformance.hcl` are parsed both by hcl-rs (kubeplan's parser) and by
//! HashiCorp's own parser (hashicorp/hcl, through the npm package `@cdktf/hcl2json`,
//! run with node), and both must give the same structure: the same blocks with the
//! same labels in the same order, the same attributes, the same literal values, and
//! the same expressions where a value is not a literal.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::specs::{self, report};
use hcl::expr::{Expression, TemplateExpr};
use hcl::structure::{Body, Structure};
use serde_json::{Map, Value};

fn tools_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/tools")
}

/// HashiCorp's parser's view of each file, keyed by the path given.
fn hcl2json(files: &[PathBuf]) -> Map<String, Value> {
    let installed = tools_dir().join("node_modules/@cdktf/hcl2json");
    assert!(
        installed.is_dir(),
        "@cdktf/hcl2json is not installed; install it with: (cd tests/tools && npm ci) (scripts/test.sh does this)"
    );
    let out = Command::new("node")
        .arg(tools_dir().join("hcl2json.js"))
        .args(files)
        .output()
        .expect("node is installed (apt-get install -y nodejs; scripts/test.sh does this)");
    assert!(
        out.status.success(),
        "hcl2json: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    match serde_json::from_slice(&out.stdout).expect("hcl2json prints JSON") {
        Value::Object(m) => m,
        other => panic!("hcl2json printed {other}"),
    }
}

/// hcl-rs's view of a file in hcl2json's layout: attributes as keys; a block as
/// `{type: {label: [body, ...]}}` (one level per label, bodies in source order);
/// expressions that are not literals as `${...}` (templates as their text).
fn hcl_rs(text: &str) -> Value {
    let body: Body = hcl::parse(text).expect("hcl-rs parses the spec");
    body_json(&body)
}

fn body_json(body: &Body) -> Value {
    let mut map = Map::new();
    for structure in body.iter() {
        match structure {
            Structure::Attribute(a) => {
                map.insert(a.key.to_string(), expr_json(&a.expr));
            }
            Structure::Block(b) => {
                let mut slot = map
                    .entry(b.identifier.to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
                for label in &b.labels {
                    slot = slot
                        .as_object_mut()
                        .expect("labelled blocks of one type")
                        .entry(label.as_str().to_owned())
                        .or_insert_with(|| Value::Object(Map::new()));
                }
                if slot.as_object().is_some_and(Map::is_empty) {
                    *slot = Value::Array(Vec::new());
                }
                slot.as_array_mut()
                    .expect("blocks of one type with the same labels")
                    .push(body_json(&b.body));
            }
        }
    }
    Value::Object(map)
}

fn expr_json(e: &Expression) -> Value {
    match e {
        Expression::Null => Value::Null,
        Expression::Bool(b) => Value::Bool(*b),
        Expression::Number(n) => serde_json::to_value(n).expect("a number"),
        // HCL's JSON syntax writes a literal `${` or `%{` as `$${` or `%%{`.
        Expression::String(s) => Value::String(s.replace("${", "$${").replace("%{", "%%{")),
        Expression::Array(items) => Value::Array(items.iter().map(expr_json).collect()),
        Expression::Object(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.to_string().trim_matches('"').to_owned(), expr_json(v)))
                .collect(),
        ),
        Expression::TemplateExpr(t) => match t.as_ref() {
            TemplateExpr::QuotedString(s) => Value::String(s.clone()),
            TemplateExpr::Heredoc(h) => Value::String(h.template.clone()),
        },
        other => Value::String(format!(
            "${{{}}}",
            hcl::format::to_string(other).expect("formats")
        )),
    }
}

/// Values equal, with the text of `${...}` expressions compared without whitespace
/// (the two parsers print an expression each in their own layout).
fn differences(path: &str, ours: &Value, theirs: &Value, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            let keys_a: Vec<&String> = a.keys().collect();
            let keys_b: Vec<&String> = b.keys().collect();
            if keys_a != keys_b {
                out.push(format!(
                    "{path}: keys {keys_a:?} (hcl-rs) vs {keys_b:?} (hashicorp/hcl)"
                ));
                return;
            }
            for (k, v) in a {
                differences(&format!("{path}.{k}"), v, &b[k], out);
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                differences(&format!("{path}[{i}]"), x, y, out);
            }
        }
        (Value::String(a), Value::String(b)) if a.starts_with("${") => {
            let squash = |s: &str| s.split_whitespace().collect::<String>();
            if squash(a) != squash(b) {
                out.push(format!("{path}: {a:?} (hcl-rs) vs {b:?} (hashicorp/hcl)"));
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: {a} (hcl-rs) vs {b} (hashicorp/hcl)")),
    }
}

/// Every spec text of the suite, written to files hcl2json can read.
fn spec_files(dir: &Path) -> Vec<(String, PathBuf, String)> {
    let mut files = Vec::new();
    let mut add = |name: String, text: String| {
        let path = dir.join(format!("{}.hcl", name.replace(['@', '/'], "_")));
        std::fs::write(&path, &text).unwrap();
        files.push((name, path, text));
    };
    let mut seen = std::collections::BTreeSet::new();
    for spec in specs::all() {
        if seen.insert(spec.spec.clone()) {
            add(spec.name.clone(), spec.spec.clone());
        }
    }
    let conformance = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hcl/conformance.hcl");
    add(
        "conformance".into(),
        std::fs::read_to_string(conformance).unwrap(),
    );
    files
}

#[test]
fn hashicorp_hcl_and_hcl_rs_agree_on_every_spec() {
    let dir = tempfile::tempdir().unwrap();
    let files = spec_files(dir.path());
    let paths: Vec<PathBuf> = files.iter().map(|(_, p, _)| p.clone()).collect();
    let theirs = hcl2json(&paths);
    let mut failures = Vec::new();
    for (name, path, text) in &files {
        let theirs = &theirs[&path.to_string_lossy().into_owned()];
        differences(name, &hcl_rs(text), theirs, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    report(
        "hashicorp/hcl (@cdktf/hcl2json)",
        files.len(),
        "HCL specs, same structure as hcl-rs",
    );
}

#[test]
fn a_structural_difference_is_reported() {
    let ours = hcl_rs("node \"a\" {\n  os = \"linux\"\n}\n");
    let mut theirs = ours.clone();
    theirs["node"]["a"][0]["os"] = Value::String("windows".into());
    let mut out = Vec::new();
    differences("t", &ours, &theirs, &mut out);
    assert_eq!(
        out,
        ["t.node.a[0].os: \"linux\" (hcl-rs) vs \"windows\" (hashicorp/hcl)"]
    );
}

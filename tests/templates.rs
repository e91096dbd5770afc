//! The templates' own conventions, read from `templates/` as text: every `if / elif`
//! chain that chooses among kinds (a network, a platform, a runbook step) ends in an
//! `else` that calls `error(...)`, so that a kind a template does not know fails the
//! render instead of falling silently into another kind's branch (the `error` function
//! is registered in compiler/render/mod.rs).

use std::path::PathBuf;

mod common;

/// Every template file, by path under `templates/`.
fn templates() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("templates/ is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read_to_string(&path).expect("text")));
            }
        }
    }
    out.sort();
    out
}

/// The `{% ... %}` tags of a template: (line, byte offset, the words inside).
fn tags(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(start) = rest.find("{%") {
        let Some(len) = rest[start..].find("%}") else {
            break;
        };
        let inner = rest[start + 2..start + len]
            .trim_matches(|c: char| c == '-' || c.is_whitespace())
            .to_owned();
        let line = text[..offset + start].matches('\n').count() + 1;
        out.push((line, offset + start, inner));
        offset += start + len + 2;
        rest = &text[offset..];
    }
    out
}

/// Whether a condition chooses among kinds: a platform, a network mode, a part of a
/// network partial, a runbook step.
fn over_a_kind(condition: &str) -> bool {
    [
        "cluster.platform ==",
        "cluster.mode ==",
        "cluster.vxlan",
        "part ==",
        "step.kind ==",
    ]
    .iter()
    .any(|k| condition.contains(k))
}

struct Chain {
    line: usize,
    kinds: bool,
    elifs: usize,
    /// Where its `else` starts, in bytes of the template.
    else_at: Option<usize>,
}

/// The chains with an `elif` over kinds whose `else` does not call `error(...)`: (file,
/// line of the `if`).
fn unguarded(file: &str, text: &str) -> Vec<(String, usize)> {
    let mut found = Vec::new();
    let mut stack: Vec<Chain> = Vec::new();
    for (line, at, tag) in tags(text) {
        let word = tag.split_whitespace().next().unwrap_or_default();
        match word {
            "if" => stack.push(Chain {
                line,
                kinds: over_a_kind(&tag),
                elifs: 0,
                else_at: None,
            }),
            "elif" => {
                let chain = stack.last_mut().expect("elif inside if");
                chain.elifs += 1;
                chain.kinds |= over_a_kind(&tag);
            }
            "else" => {
                if let Some(chain) = stack.last_mut() {
                    chain.else_at = Some(at);
                }
            }
            "endif" => {
                let chain = stack.pop().expect("endif closes an if");
                if chain.kinds && chain.elifs > 0 {
                    let guarded = chain
                        .else_at
                        .is_some_and(|from| text[from..at].contains("error(message="));
                    if !guarded {
                        found.push((file.to_owned(), chain.line));
                    }
                }
            }
            _ => {}
        }
    }
    assert!(stack.is_empty(), "{file}: an if without endif");
    found
}

#[test]
fn every_chain_over_a_kind_ends_in_an_error() {
    let all = templates();
    assert!(all.len() > 20, "templates/ holds {} files", all.len());
    let found: Vec<(String, usize)> = all
        .iter()
        .flat_map(|(file, text)| unguarded(file, text))
        .collect();
    assert!(
        found.is_empty(),
        "these if / elif chains over a network, platform or step kind end without \
         `{{% else %}}{{{{ error(message=\"...\") }}}}`, so a new kind would fall into the \
         last branch: {found:?}"
    );
}

#[test]
fn the_check_finds_a_chain_that_falls_through() {
    let text = "{% if cluster.platform == \"aws\" %}a{% elif cluster.platform == \"gce\" %}g{% else %}azure{% endif %}\n\
                {% if cluster.vxlan %}o{% else %}other{% endif %}\n\
                {% if part == \"a\" %}a{% elif part == \"b\" %}b{% else %}{{ error(message=\"no\") }}{% endif %}\n\
                {% if part == \"a\" %}a{% elif part == \"b\" %}b{% endif %}\n";
    assert_eq!(
        unguarded("t", text),
        vec![("t".to_owned(), 1), ("t".to_owned(), 4)]
    );
}

/// The `cluster.…` and `node.…` paths the tags of a template read: (line, path).
fn context_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = match after.chars().next() {
            Some('{') => "}}",
            Some('%') => "%}",
            _ => {
                offset += open + 1;
                rest = after;
                continue;
            }
        };
        let end = after.find(close).unwrap_or(after.len());
        let tag = &after[1..end];
        let line = text[..offset + open].matches('\n').count() + 1;
        for root in ["cluster.", "node."] {
            for (at, _) in tag.match_indices(root) {
                let before = tag[..at].chars().next_back();
                if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                    continue;
                }
                let path: String = tag[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                    .collect();
                out.push((line, path.trim_end_matches('.').to_owned()));
            }
        }
        offset += open + 1 + end;
        rest = &text[offset..];
    }
    out
}

/// True when `path` (`cluster.network.title`) names a value of `root`: each step an
/// object's key, until the end or a list or string (whose items and methods are not
/// checked). An absent optional value (null) does not count: the path must be seen set.
fn resolves(root: &serde_json::Value, path: &[&str]) -> bool {
    match (root, path.split_first()) {
        (serde_json::Value::Null, _) => false,
        (_, None) => true,
        (serde_json::Value::Object(map), Some((key, rest))) => {
            map.get(*key).is_some_and(|v| resolves(v, rest))
        }
        _ => true,
    }
}

#[test]
fn every_value_a_template_reads_is_in_its_context() {
    // Tera takes an unknown key for false in an `if`: a template that reads a value the
    // context does not have would quietly take another branch. Every path a template reads
    // from `cluster` and `node` must exist in the context of some example or test spec
    // (together they run every network, platform and runtime).
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut contexts = Vec::new();
    for entry in std::fs::read_dir(&examples).expect("examples/") {
        let dir = entry.expect("entry").path();
        let compiled = kubeplan::compile(&dir, &kubeplan::spec::VarInputs::default(), None)
            .expect("example compiles");
        let cluster = compiled.output.expect("example is valid").cluster;
        contexts.push(kubeplan::render::node_contexts(&cluster).expect("contexts"));
    }
    // The test specs add the clouds and runtimes no example runs (AWS, Azure, Docker).
    for (name, spec, inputs) in common::specs::variants() {
        let compiled = kubeplan::compile_texts(vec![("main.hcl".to_owned(), spec)], &inputs, None)
            .expect("test spec compiles");
        let cluster = compiled
            .output
            .unwrap_or_else(|| panic!("{name} is valid"))
            .cluster;
        contexts.push(kubeplan::render::node_contexts(&cluster).expect("contexts"));
    }
    assert!(contexts.len() >= 16, "{} specs", contexts.len());
    let mut unknown = Vec::new();
    for (file, text) in templates() {
        for (line, path) in context_paths(&text) {
            let steps: Vec<&str> = path.split('.').collect();
            let found = contexts.iter().any(|c| match steps[0] {
                "cluster" => resolves(&c["cluster"], &steps[1..]),
                _ => c["nodes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|n| resolves(&n["node"], &steps[1..])),
            });
            if !found {
                unknown.push(format!("{file}:{line}: {path}"));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "templates read values their context does not have: {unknown:#?}"
    );
}

#[test]
fn the_context_check_finds_a_value_the_context_lacks() {
    let text = "a {{ cluster.name }} {% if cluster.network.title and node.windows.build %}\n\
                {{ cluster.flannel }}{% endif %} {# cluster.comment #} text cluster.join\n";
    assert_eq!(
        context_paths(text),
        vec![
            (1, "cluster.name".to_owned()),
            (1, "cluster.network.title".to_owned()),
            (1, "node.windows.build".to_owned()),
            (2, "cluster.flannel".to_owned()),
        ]
    );
    let context = serde_json::json!({ "name": "c", "network": { "title": "t" }, "cloud": null });
    assert!(resolves(&context, &["network", "title"]));
    assert!(!resolves(&context, &["cloud", "network"]));
    assert!(!resolves(&context, &["flannel"]));
    assert!(!resolves(&context, &["network", "kind"]));
}

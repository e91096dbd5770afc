//! The templates' own conventions, read from `templates/` as text: every `if / elif`
//! chain that chooses among kinds (a network, a platform, a runbook step) ends in an
//! `else` that calls `error(...)`, so that a kind a template does not know fails the
//! render instead of falling silently into another kind's branch (the `error` function
//! is registered in compiler/render/mod.rs).

use std::path::PathBuf;

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

/// Whether a condition chooses among kinds.
fn over_a_kind(condition: &str) -> bool {
    [
        "cluster.platform ==",
        "cluster.flannel",
        "cluster.calico",
        "cluster.ovn",
        "cluster.l3_upstream",
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
                {% if cluster.ovn %}o{% else %}other{% endif %}\n\
                {% if cluster.flannel %}f{% elif cluster.calico %}c{% else %}{{ error(message=\"no\") }}{% endif %}\n\
                {% if cluster.flannel %}f{% elif cluster.calico %}c{% endif %}\n";
    assert_eq!(
        unguarded("t", text),
        vec![("t".to_owned(), 1), ("t".to_owned(), 4)]
    );
}

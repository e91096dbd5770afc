//! The docs tell the truth about the code: every diagnostic code is in docs/rules.md,
//! every spec attribute in docs/spec.md, and the README's commands exist.

use std::path::Path;

use kubeplan::diagnostic::Code;

fn doc(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

#[test]
fn rules_md_lists_every_code_with_its_summary() {
    let rules = doc("docs/rules.md");
    for code in Code::ALL {
        let row = format!("| {} | {} |", code.as_str(), code.summary());
        assert!(rules.contains(&row), "docs/rules.md lacks {row}");
    }
}

#[test]
fn spec_md_documents_every_attribute() {
    let spec = doc("docs/spec.md");
    let attributes = kubeplan::spec::attribute_names();
    assert!(attributes.len() >= 20, "{attributes:?}");
    for a in attributes {
        assert!(
            spec.contains(&format!("| `{a}` |")),
            "docs/spec.md has no row for `{a}`"
        );
    }
}

#[test]
fn readme_names_the_two_setup_commands() {
    let readme = doc("README.md");
    assert!(readme.contains("cargo run --release -- apply examples/three-node --auto-approve"));
    assert!(readme.contains("scripts/test.sh"));
    let ci = doc(".ci/run");
    assert!(
        ci.contains("scripts/test.sh"),
        ".ci/run calls the README's test command"
    );
}

#[test]
fn the_fuzz_dictionary_holds_every_spec_attribute() {
    let dict = doc("fuzz/spec.dict");
    for a in kubeplan::spec::attribute_names() {
        assert!(
            dict.contains(&format!("=\"{a}\"\n")),
            "fuzz/spec.dict has no entry for `{a}`"
        );
    }
}

/// Every `compiler/...rs` path docs/architecture.md names, in backquotes.
fn architecture_paths(text: &str) -> std::collections::BTreeSet<String> {
    text.split('`')
        .filter(|part| part.starts_with("compiler/") && part.ends_with(".rs"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn architecture_md_names_every_file_under_compiler_and_only_those() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = std::collections::BTreeSet::new();
    let mut stack = vec![root.join("compiler")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                files.insert(rel);
            }
        }
    }
    let named = architecture_paths(&doc("docs/architecture.md"));
    let missing: Vec<&String> = files.difference(&named).collect();
    let gone: Vec<&String> = named.difference(&files).collect();
    assert!(
        missing.is_empty() && gone.is_empty(),
        "docs/architecture.md does not name {missing:?}, and names {gone:?}, which do not exist"
    );
    assert!(files.len() > 30, "{files:?}");
}

#[test]
fn releases_md_is_the_release_matrix() {
    let generated = kubeplan::releases::markdown().expect("the matrix renders");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/releases.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &generated).expect("writes docs/releases.md");
    }
    let written = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        written == generated,
        "docs/releases.md is not what compiler/releases/matrix.toml says; run `UPDATE_DOCS=1 cargo test --test docs` and read the diff:\n{}",
        similar::TextDiff::from_lines(&written, &generated).unified_diff()
    );
}

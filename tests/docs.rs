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

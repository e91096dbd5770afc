//! Fuzz target: any text as a spec file goes through load, validate, graph, render and
//! plan, and its diagnostics through both renderers, without a panic.
//! Run: scripts/fuzz.sh [SECONDS] (docs/testing.md).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return; // kubeplan reads spec files as UTF-8 and refuses others before parsing
    };
    let files = vec![("main.hcl".to_owned(), text.to_owned())];
    let inputs = kubeplan::spec::VarInputs::default();
    let Ok(compiled) = kubeplan::compile_texts(files, &inputs, None) else {
        return; // a template error is reported, not a panic
    };
    let diags = &compiled.diagnostics.0;
    let _ = kubeplan::diagnostic::render_human(&compiled.sources, diags);
    let _ = kubeplan::json_output::Document::new("validate", &compiled.sources, diags).to_json();
    if let Some(out) = &compiled.output {
        let plan = kubeplan::plan::diff(&out.artifacts, None, |_| None);
        let _ = kubeplan::plan::render_human(&plan);
        let _ = out.graph.to_dot();
    }
});

//! `validate --json` and `plan --json`: every document fits the schema in
//! docs/kubeplan-output.schema.json — for every example, valid and broken specs, an
//! empty state, after apply, with drift and with a removed node — and says what the
//! human output says.

mod common;

use std::fs;

use common::{specs, three_node_spec, SpecDir};
use serde_json::Value;

fn schema() -> jsonschema::Validator {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/kubeplan-output.schema.json");
    let schema: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft202012::new(&schema).expect("the schema is a valid draft 2020-12 schema")
}

/// Runs `kubeplan ARGS DIR`, checks the exit code and that stdout fits the schema.
fn document(schema: &jsonschema::Validator, spec: &SpecDir, args: &[&str], code: i32) -> Value {
    let out = spec.kubeplan(args).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "kubeplan {args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("kubeplan {args:?} printed no JSON ({e}):\n{stdout}"));
    let errors: Vec<String> = schema
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "kubeplan {args:?}: {errors:#?}\n{stdout}"
    );
    doc
}

#[test]
fn every_document_fits_the_schema() {
    let schema = schema();
    let mut documents = 0;
    for example in specs::example_names() {
        let spec = SpecDir::new(&specs::example_spec(&example));
        let doc = document(&schema, &spec, &["validate", "--json"], 0);
        assert_eq!(doc["valid"], true, "{example}");
        let doc = document(&schema, &spec, &["plan", "--json"], 0);
        let changes = doc["plan"]["changes"].as_array().unwrap();
        assert!(changes.iter().all(|c| c["action"] == "create"), "{example}");
        assert_eq!(doc["plan"]["summary"]["create"], changes.len());
        assert_eq!(doc["plan"]["state"], Value::Null);
        spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
        let doc = document(&schema, &spec, &["plan", "--json"], 0);
        assert_eq!(doc["plan"]["summary"]["empty"], true, "{example}");
        assert_eq!(doc["plan"]["state"]["serial"], 1);

        // Drift, and a node taken out of the spec.
        let first = changes[0]["path"].as_str().unwrap();
        fs::write(spec.out().join(first), "edited\n").unwrap();
        let text = specs::example_spec(&example);
        let last_node = text.rfind("\nnode \"");
        if let Some(at) = last_node {
            let end = text[at + 1..].find("\n}\n").unwrap() + at + 4;
            spec.write_spec(&format!("{}{}", &text[..at + 1], &text[end..]));
        }
        let doc = document(
            &schema,
            &spec,
            &["plan", "--json", "--detailed-exitcode"],
            2,
        );
        let summary = &doc["plan"]["summary"];
        assert_eq!(summary["drift"], 1, "{example}: {summary}");
        assert_eq!(
            summary["delete"].as_u64().unwrap() > 0,
            last_node.is_some(),
            "{example}: {summary}"
        );
        let removals: Vec<&Value> = doc["plan"]["node_changes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["action"] == "remove")
            .collect();
        assert_eq!(
            removals.len(),
            usize::from(last_node.is_some()),
            "{example}"
        );
        let edited = doc["plan"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["path"] == first)
            .unwrap();
        assert_eq!(edited["drift"], "edited", "{example}");
        documents += 4;
    }

    // Broken specs: errors and warnings, with locations.
    let broken = [
        three_node_spec().replace("\"10.96.0.0/12\"", "\"10.244.0.0/16\""),
        three_node_spec().replace(
            "roles           = [\"worker\"]",
            "roles = [\"worker\", \"ghost\"]",
        ),
        "cluster \"x\" {\n  kubernetes_version = \n".to_owned(),
        three_node_spec() + "\nnode \"win-1\" {\n  os = \"windows\"\n}\n",
    ];
    for text in &broken {
        let spec = SpecDir::new(text);
        for command in ["validate", "plan"] {
            let doc = document(&schema, &spec, &[command, "--json"], 1);
            assert_eq!(doc["valid"], false);
            assert!(doc["error_count"].as_u64().unwrap() >= 1);
            documents += 1;
        }
    }
    specs::report(
        "jsonschema (docs/kubeplan-output.schema.json)",
        documents,
        "validate --json / plan --json documents valid against the schema",
    );
}

#[test]
fn a_json_diagnostic_has_the_code_summary_location_and_hint_of_the_human_one() {
    let text = three_node_spec().replace(
        "windows_version = \"ltsc2022\"\n  roles           = [\"worker\"]",
        "windows_version = \"ltsc2022\"\n  roles           = [\"controlplane\", \"worker\"]",
    );
    let spec = SpecDir::new(&text);
    let at = common::line_col_after(&text, "node \"win-1\"", "\"controlplane\"");
    let (line, column) = at.split_once(':').unwrap();
    let (line, column): (u64, u64) = (line.parse().unwrap(), column.parse().unwrap());
    let doc = document(&schema(), &spec, &["validate", "--json"], 1);
    let d = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "KP012")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(d["severity"], "error");
    assert_eq!(
        d["file"],
        spec.path().join("main.hcl").display().to_string()
    );
    assert_eq!(
        d["start"],
        serde_json::json!({"line": line, "column": column})
    );
    // The end of `"controlplane"`, 14 characters on.
    assert_eq!(
        d["end"],
        serde_json::json!({"line": line, "column": column + 14})
    );
    assert_eq!(
        d["summary"],
        kubeplan::diagnostic::Code::ALL
            .iter()
            .find(|c| c.as_str() == "KP012")
            .unwrap()
            .summary()
    );
    let human = spec.kubeplan(&["validate"]).output().unwrap();
    let human = String::from_utf8_lossy(&human.stderr);
    assert!(human.contains(d["detail"].as_str().unwrap()), "{human}");
    assert!(human.contains(d["hint"].as_str().unwrap()), "{human}");
}

#[test]
fn plan_json_is_byte_identical_across_runs_and_lists_every_artifact() {
    let spec = SpecDir::new(&specs::example_spec("node-pool"));
    spec.kubeplan(&["apply", "--auto-approve"]).assert().code(0);
    let run = || spec.kubeplan(&["plan", "--json"]).output().unwrap().stdout;
    let first = run();
    assert_eq!(first, run());
    let doc: Value = serde_json::from_slice(&first).unwrap();
    let state: kubeplan::state::State =
        serde_json::from_str(&fs::read_to_string(spec.state()).unwrap()).unwrap();
    let paths: Vec<&str> = doc["plan"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    let tracked: Vec<&str> = state.artifacts.keys().map(String::as_str).collect();
    assert_eq!(sorted, tracked);
}

#[test]
fn a_sensitive_value_is_masked_in_json_diagnostics() {
    let secret = "\nvariable \"nic\" {\n  default   = \"s3cr3t-nic\"\n  sensitive = true\n}\n";
    let spec = SpecDir::new(
        &(three_node_spec().replacen(
            "interface       = \"Ethernet0\"",
            "interface       = var.nic",
            1,
        ) + secret),
    );
    for command in ["validate", "plan"] {
        let out = spec.kubeplan(&[command, "--json"]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("\"code\": \"KP051\""), "{text}");
        assert!(!text.contains("s3cr3t"), "{text}");
    }
}

#[test]
fn the_schema_refuses_documents_kubeplan_must_never_print() {
    let schema = schema();
    let spec = SpecDir::new(&three_node_spec());
    let good = document(&schema, &spec, &["plan", "--json"], 0);
    let broken: [fn(&mut Value); 4] = [
        |d| d["plan"]["changes"][0]["action"] = "replace".into(),
        |d| d["plan"]["changes"][0]["after_sha256"] = "not-a-hash".into(),
        |d| d["valid"] = false.into(),
        |d| d["plan"]["summary"].as_object_mut().unwrap().clear(),
    ];
    for (i, breaks) in broken.iter().enumerate() {
        let mut doc = good.clone();
        breaks(&mut doc);
        assert!(!schema.is_valid(&doc), "mutation {i} passed the schema");
    }
}

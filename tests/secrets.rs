//! Secrets: with the join token and every sensitive variable set to a marker, the marker
//! appears in no artifact, no output of validate / plan / apply / show / state list /
//! graph, human or `--json` (stdout or stderr, kubeplan's only log), not in a saved plan
//! and not in the state — for every example.

mod common;

use std::path::{Path, PathBuf};

use common::specs;
use common::SpecDir;

const MARKER: &str = "KPSECRET-4f1d9c";

/// Sensitive variables added to each example: one given by the environment, one by
/// `--var`, one by its default.
const SECRETS_HCL: &str = r#"
variable "registry_password" {
  description = "a secret the scripts do not take"
  sensitive   = true
}

variable "vcenter_password" {
  sensitive = true
}

variable "api_token" {
  sensitive = true
  default   = "KPSECRET-4f1d9c-default"
}
"#;

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn no_secret_reaches_an_artifact_the_output_or_the_state() {
    let mut commands = 0;
    let mut scanned = 0;
    for example in specs::example_names() {
        let dir = SpecDir::new(&specs::example_spec(&example));
        std::fs::write(dir.path().join("secrets.hcl"), SECRETS_HCL).unwrap();
        let run = |args: &[&str]| {
            let mut cmd = dir.kubeplan(args);
            cmd.env("KUBEPLAN_JOIN_TOKEN", MARKER)
                .env("KUBEPLAN_VAR_registry_password", MARKER);
            // show and state list read only the state: they take no variables (given
            // one, they stopped at a usage error and were never checked).
            if !matches!(args.first(), Some(&"show" | &"state")) {
                cmd.arg("--var").arg(format!("vcenter_password={MARKER}"));
            }
            let out = cmd.output().unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                out.status.code().is_some_and(|c| c == 0 || c == 2),
                "{example}: kubeplan {args:?} failed:\n{text}"
            );
            assert!(
                !text.contains(MARKER),
                "{example}: kubeplan {args:?} printed the secret:\n{text}"
            );
        };
        let saved = dir.path().join("saved.plan.json");
        let saved = saved.to_str().unwrap();
        for args in [
            &["validate"][..],
            &["validate", "--json"],
            &["plan"],
            &["plan", "--json", "--save", saved],
            &["apply", "--auto-approve", "--plan", saved],
            &["plan", "--detailed-exitcode"],
            &["plan", "--json"],
            &["show"],
            &["show", "--json"],
            &["state", "list"],
            &["graph"],
        ] {
            run(args);
            commands += 1;
        }
        let written = files(dir.path());
        assert!(
            dir.state().is_file() && dir.out().is_dir(),
            "{example}: apply wrote"
        );
        for path in written {
            if path.extension().is_some_and(|e| e == "hcl") {
                continue; // the spec itself holds the default
            }
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                !text.contains(MARKER),
                "{example}: {} holds the secret",
                path.display()
            );
            scanned += 1;
        }
    }
    specs::report(
        "secrets",
        scanned,
        &format!("files written by apply scanned, {commands} commands' output scanned, no secret"),
    );
}

#[test]
fn a_secret_used_in_an_attribute_is_refused_without_printing_it() {
    let spec = specs::example_spec("three-node").replacen("\"vsphere\"", "var.vcenter_password", 1);
    let dir = SpecDir::new(&spec);
    std::fs::write(dir.path().join("secrets.hcl"), SECRETS_HCL).unwrap();
    let out = dir
        .kubeplan(&["apply", "--auto-approve"])
        .env("KUBEPLAN_VAR_registry_password", MARKER)
        .arg("--var")
        .arg(format!("vcenter_password={MARKER}"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("KP051"), "{stderr}");
    assert!(stderr.contains("main.hcl:14:28"), "{stderr}");
    // Nothing evaluates the value into a message: decoding stops at KP051.
    assert!(
        stderr.contains("kubeplan: 1 error(s)") && !stderr.contains("KP006"),
        "only the use is reported, not the platform check: {stderr}"
    );
    assert!(!stderr.contains(MARKER), "{stderr}");
    assert!(!dir.out().exists() && !dir.state().exists());
}

/// The texts an output could show of `secret`: itself, escaped as Rust's `{:?}`, JSON and
/// HCL print it, and changed in case by upper() and lower().
fn forms(secret: &str) -> Vec<String> {
    let debug = format!("{secret:?}");
    let json = serde_json::to_string(secret).unwrap();
    let mut out = vec![
        secret.to_owned(),
        debug[1..debug.len() - 1].to_owned(),
        json[1..json.len() - 1].to_owned(),
        hcl_inner(secret),
        secret.to_uppercase(),
        secret.to_lowercase(),
    ];
    out.sort();
    out.dedup();
    out
}

/// `secret` as the inside of an HCL string literal: JSON's escapes, which HCL shares, and
/// the template introducers doubled.
fn hcl_inner(secret: &str) -> String {
    let json = serde_json::to_string(secret).unwrap();
    json[1..json.len() - 1]
        .replace("${", "$${")
        .replace("%{", "%%{")
}

fn hcl_literal(secret: &str) -> String {
    format!("\"{}\"", hcl_inner(secret))
}

/// Where in `text` a form of `secret` shows, if anywhere.
fn leak(text: &str, secret: &str) -> Option<String> {
    forms(secret)
        .into_iter()
        .find(|f| text.contains(f.as_str()))
}

/// stdout and stderr of a finished command, and its exit code.
fn output(cmd: &mut assert_cmd::Command) -> (Option<i32>, String) {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// The three-node example with a sensitive variable `pw` (no default) and `extra` added.
fn spec_with_pw(extra: &str) -> String {
    specs::example_spec("three-node") + "\nvariable \"pw\" {\n  sensitive = true\n}\n" + extra
}

#[test]
fn kp051_follows_a_sensitive_variable_through_every_expression_form() {
    // The issue's examples: each spelling reached an artifact and the plan's diff.
    let cases = [
        ("index", "labels = { team = var[\"pw\"] }", ""),
        ("for over var", "labels = { for k, v in var : k => v }", ""),
        ("var as a whole", "labels = var", ""),
        (
            "local from an index",
            "labels = { team = local.s }",
            "locals {\n  s = var[\"pw\"]\n}\n",
        ),
        (
            "local from a for",
            "labels = local.m",
            "locals {\n  m = { for k, v in var : k => v }\n}\n",
        ),
        (
            "local chain",
            "labels = { team = local.b }",
            "locals {\n  b = local.a\n  a = upper(var.pw)\n}\n",
        ),
        ("function", "labels = { team = lower(var.pw) }", ""),
        (
            "computed key",
            "labels = { team = var[local.k] }",
            "locals {\n  k = \"pw\"\n}\n",
        ),
        (
            "local as a whole",
            "labels = { team = local[\"s\"] }",
            "locals {\n  s = var.pw\n}\n",
        ),
        (
            "a boolean of it",
            "labels = { long = length(var.pw) > 8 ? \"y\" : \"n\" }",
            "",
        ),
    ];
    let secret = "Zq7-sekrit-Value";
    for (name, attr, locals) in cases {
        let spec = spec_with_pw(locals).replacen(
            "interface = \"ens192\"",
            &format!("interface = \"ens192\"\n  {attr}"),
            1,
        );
        let dir = SpecDir::new(&spec);
        let (code, text) = output(
            dir.kubeplan(&["apply", "--auto-approve"])
                .arg("--var")
                .arg(format!("pw={secret}")),
        );
        assert_eq!(code, Some(1), "{name}: {text}");
        assert!(text.contains("error[KP051]"), "{name}: {text}");
        let line = common::line_col(&spec, "interface = \"ens192\"\n  ")
            .split(':')
            .next()
            .unwrap()
            .parse::<usize>()
            .unwrap()
            + 1;
        assert!(
            text.contains(&format!("main.hcl:{line}:")),
            "{name}: the location of the use: {text}"
        );
        assert_eq!(leak(&text, secret), None, "{name}: {text}");
        assert!(
            !dir.out().exists() && !dir.state().exists(),
            "{name}: wrote"
        );
    }
}

#[test]
fn a_secret_with_quotes_backslashes_tabs_and_newlines_is_masked_in_every_message() {
    // Messages quote values Debug-escaped; the mask replaced only the raw text, so the
    // platform check's message showed it.
    let secret = "Zq\"a\\b\tc\nd é€";
    let spec = spec_with_pw("").replacen("\"vsphere\"", "var.pw", 1);
    let dir = SpecDir::new(&spec);
    for args in [
        &["validate"][..],
        &["validate", "--json"],
        &["plan", "--json"],
    ] {
        let (code, text) = output(dir.kubeplan(args).env("KUBEPLAN_VAR_pw", secret));
        assert_eq!(code, Some(1), "{args:?}: {text}");
        assert!(text.contains("KP051"), "{args:?}: {text}");
        assert_eq!(leak(&text, secret), None, "{args:?}: {text}");
    }
}

#[test]
fn a_variable_file_that_fails_never_shows_its_lines() {
    let secret = "Zq7-varfile-Secret";
    let cases = [
        ("unterminated string", format!("pw = \"{secret}\n")),
        ("a typo'd name", format!("pwd = \"{secret}\"\n")),
        ("a JSON file", format!("{{\"pw\": \"{secret}\"}}\n")),
        ("a YAML file", format!("pw: {secret}\n")),
        ("a dotenv file", format!("PW={secret}\n")),
        ("an expression", format!("pw = \"{secret}\" + 1\n")),
    ];
    for (name, content) in cases {
        let dir = SpecDir::new(&spec_with_pw(""));
        let file = dir.path().join("secret.vars");
        std::fs::write(&file, content).unwrap();
        for json in [false, true] {
            let mut cmd = dir.kubeplan(&["validate"]);
            cmd.arg("--var-file").arg(&file);
            if json {
                cmd.arg("--json");
            }
            let (code, text) = output(&mut cmd);
            assert_eq!(code, Some(1), "{name}: {text}");
            assert!(
                text.contains("secret.vars"),
                "{name}: the file is named: {text}"
            );
            assert!(
                text.contains("secret.vars:1:") || text.contains("\"line\": 1"),
                "{name}: the line is named: {text}"
            );
            assert_eq!(leak(&text, secret), None, "{name} (json: {json}): {text}");
        }
    }
}

#[test]
fn a_var_argument_without_an_equals_sign_is_not_echoed() {
    let secret = "Zq7-typo-Secret";
    let dir = SpecDir::new(&spec_with_pw(""));
    let (code, text) = output(&mut dir.kubeplan(&["validate", "--var", &format!("pw:{secret}")]));
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("NAME=VALUE"), "{text}");
    assert_eq!(leak(&text, secret), None, "{text}");
}

#[test]
fn an_environment_value_that_is_not_utf8_is_reported_not_panicked_on() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = SpecDir::new(&spec_with_pw(""));
    let value = OsStr::from_bytes(b"caf\xe9-Zq7-Secret");
    // Any variable: std::env::vars panicked, printing the value.
    let (code, text) = output(
        dir.kubeplan(&["validate"])
            .env("KUBEPLAN_VAR_pw", "fine")
            .env("UNRELATED", value),
    );
    assert_eq!(code, Some(0), "{text}");
    // kubeplan's own: a diagnostic at the declaration, without the value.
    let (code, text) = output(dir.kubeplan(&["validate"]).env("KUBEPLAN_VAR_pw", value));
    assert_eq!(code, Some(1), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(
        text.contains("KUBEPLAN_VAR_pw is not valid UTF-8"),
        "{text}"
    );
    assert!(text.contains("main.hcl:"), "{text}");
    assert!(!text.contains("Zq7-Secret"), "{text}");
}

/// A read of `pw` and the locals it needs: the base forms an expression starts from.
fn base_reads() -> Vec<(&'static str, &'static str)> {
    vec![
        ("var.pw", ""),
        ("var[\"pw\"]", ""),
        ("local.s", "  s = var.pw\n"),
        ("local[\"s\"]", "  s = var[\"pw\"]\n"),
        ("var[local.k]", "  k = \"pw\"\n"),
        ("local.t", "  t = local.s\n  s = var.pw\n"),
        ("[for k, v in var : v if k == \"pw\"][0]", ""),
        ("local.all.pw", "  all = var\n"),
        ("local.m[\"pw\"]", "  m = { for k, v in var : k => v }\n"),
    ]
}

/// Wraps an expression in a function, operator, template or collection.
fn wrap(expr: &str, how: usize) -> String {
    match how {
        0 => format!("upper({expr})"),
        1 => format!("lower({expr})"),
        2 => format!("\"x-${{{expr}}}-y\""),
        3 => format!("join(\"-\", [{expr}, \"a\"])"),
        4 => format!("format(\"%s!\", {expr})"),
        5 => format!("({expr})"),
        6 => format!("true ? {expr} : \"n\""),
        7 => format!("length({expr}) > 3 ? \"long\" : \"short\""),
        // Text beside the interpolation: a template that is one interpolation alone is
        // its value unconverted (a number here), which `length` or `upper` around it
        // would refuse.
        8 => format!("\"n${{length({expr})}}\""),
        9 => format!("{{ a = {expr} }}[\"a\"]"),
        _ => format!("<<-EOT\n    ${{{expr}}}\n    EOT\n"),
    }
}

const WRAPS: usize = 11;

/// How the value reaches kubeplan.
#[derive(Clone, Copy, Debug)]
enum Given {
    Default,
    Env,
    Var,
    VarFile,
}

#[test]
fn property_no_form_of_a_sensitive_value_reaches_a_file_or_an_output() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let reads = base_reads();
    let value = "Zq7[a-zA-Z0-9\"\\\\\t\n é€ß$%{}';]{5,14}";
    let given = prop_oneof![
        Just(Given::Default),
        Just(Given::Env),
        Just(Given::Var),
        Just(Given::VarFile)
    ];
    // (which read, wraps outermost last, whether an attribute uses it, the value, how given)
    let strategy = (
        0..reads.len(),
        prop::collection::vec(0..WRAPS, 0..3),
        prop::bool::weighted(0.8),
        value,
        given,
    );
    // A fixed seed: the same 24 cases each run, among them both specs that use the value
    // and specs that leave it unused (checked below), so CI never depends on the draw.
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: 24,
            failure_persistence: None,
            ..Config::default()
        },
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let (refused, applied) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    runner
        .run(&strategy, |(read, wraps, used, secret, given)| {
            let (mut expr, locals) = (reads[read].0.to_owned(), reads[read].1);
            for how in wraps {
                expr = wrap(&expr, how);
            }
            let default = match given {
                Given::Default => format!("  default   = {}\n", hcl_literal(&secret)),
                _ => String::new(),
            };
            // Unused, the expression still lives in a local: nothing may show it either.
            let (attr, locals) = if used {
                (format!("labels = {{ team = {expr} }}"), locals.to_owned())
            } else {
                (String::new(), format!("{locals}  unused = {expr}\n"))
            };
            let spec = specs::example_spec("three-node").replacen(
                "interface = \"ens192\"",
                &format!("interface = \"ens192\"\n  {attr}"),
                1,
            ) + &format!("\nvariable \"pw\" {{\n  sensitive = true\n{default}}}\n")
                + &format!("\nlocals {{\n{locals}}}\n");
            let dir = SpecDir::new(&spec);
            let var_file = dir.path().join("secret.vars");
            std::fs::write(&var_file, format!("pw = {}\n", hcl_literal(&secret))).unwrap();
            let saved = dir.path().join("saved.plan.json");
            let run = |args: &[&str]| {
                let mut cmd = dir.kubeplan(args);
                if !matches!(args.first(), Some(&"show" | &"state")) {
                    match given {
                        Given::Env => {
                            cmd.env("KUBEPLAN_VAR_pw", &secret);
                        }
                        Given::Var => {
                            cmd.arg("--var").arg(format!("pw={secret}"));
                        }
                        Given::VarFile => {
                            cmd.arg("--var-file").arg(&var_file);
                        }
                        Given::Default => {}
                    }
                }
                output(&mut cmd)
            };
            let saved_arg = saved.to_str().unwrap();
            let mut commands: Vec<Vec<&str>> = vec![
                vec!["validate"],
                vec!["validate", "--json"],
                vec!["plan"],
                vec!["plan", "--json", "--save", saved_arg],
                vec!["apply", "--auto-approve"],
            ];
            let (code, text) = run(&["apply", "--auto-approve", "--plan", saved_arg]);
            prop_assert_eq!(leak(&text, &secret), None, "apply --plan: {}", text);
            if code == Some(0) {
                commands.extend([
                    vec!["plan", "--detailed-exitcode"],
                    vec!["show"],
                    vec!["show", "--json"],
                    vec!["state", "list"],
                    vec!["graph"],
                ]);
            }
            for args in &commands {
                let (code, text) = run(args);
                prop_assert_eq!(leak(&text, &secret), None, "{:?}: {}", args, text);
                if used {
                    prop_assert_eq!(code, Some(1), "{:?} must refuse: {}", args, text);
                    prop_assert!(text.contains("KP051"), "{:?}: {}", args, text);
                }
            }
            if used {
                prop_assert!(
                    !dir.out().exists() && !dir.state().exists(),
                    "refused, yet wrote"
                );
                refused.set(refused.get() + 1);
            } else {
                prop_assert!(dir.state().is_file(), "an unused secret stops nothing");
                applied.set(applied.get() + 1);
            }
            // Every file but the inputs: artifacts, state, backup, lock, saved plan.
            for path in files(dir.path()) {
                if path == var_file || path.extension().is_some_and(|e| e == "hcl") {
                    continue;
                }
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
                prop_assert_eq!(leak(&text, &secret), None, "{}", path.display());
            }
            Ok(())
        })
        .unwrap();
    let (refused, applied) = (refused.get(), applied.get());
    specs::report(
        "secrets",
        refused + applied,
        &format!("generated specs: {refused} reached a sensitive value and were refused, {applied} applied with it unused; no form of it in any output or file"),
    );
    assert!(
        refused > 0 && applied > 0,
        "{refused} refused, {applied} applied"
    );
}

//! Input that must never hang or exhaust memory (issue 15): each family of inputs that
//! once took exponential, cubic or quadratic time, or unbounded memory, is loaded at sizes
//! n, 2n and 4n, and the time must grow about linearly; where a limit applies
//! (docs/spec.md#limits), the diagnostic must be KP054 at the expression.
//!
//! These are growth ratios (asymptotics), not speed targets, which are met in benchmarks
//! (docs/performance.md). To stay robust on a loaded two-core machine, each size counts
//! the least of five runs, the ratio allowed for 4x the input is 8 (quadratic would be 16,
//! the old behaviour thousands or more), and a few milliseconds of slack absorb timer noise
//! at the small sizes. Each measurement also has a deadline, so that a regression fails
//! instead of hanging the suite.

mod common;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{three_node_spec, SpecDir};
use kubeplan::diagnostic::Code;
use kubeplan::spec::VarInputs;

/// How long any single load may take before the test gives up on it.
const DEADLINE: Duration = Duration::from_secs(20);

/// Loads `files` and returns the diagnostics as (code, "line:column" in the last file).
fn load(files: Vec<(String, String)>) -> Vec<(Code, String)> {
    let loaded = kubeplan::spec::load_texts(files, &VarInputs::default());
    loaded
        .diagnostics
        .0
        .iter()
        .map(|d| {
            let at = d.span.as_ref().map_or("-".to_owned(), |s| {
                let p = loaded.sources.position(s);
                format!("{}:{}", p.line, p.column)
            });
            (d.code, at)
        })
        .collect()
}

/// The three-node example plus `extra` as a second file.
fn with_extra(extra: String) -> Vec<(String, String)> {
    vec![
        ("main.hcl".to_owned(), three_node_spec()),
        ("extra.hcl".to_owned(), extra),
    ]
}

/// Runs `f` on another thread and fails if it takes longer than `DEADLINE`.
fn within_deadline<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(DEADLINE)
        .unwrap_or_else(|_| panic!("{what}: still running after {DEADLINE:?}"))
}

/// The least of five timed loads of `files`.
fn least_time(what: &str, files: Vec<(String, String)>) -> Duration {
    within_deadline(what, move || {
        (0..5)
            .map(|_| {
                let start = Instant::now();
                let _ = load(files.clone());
                start.elapsed()
            })
            .min()
            .expect("five runs")
    })
}

/// Asserts that loading `make(n)`, `make(2n)` and `make(4n)` grows about linearly.
#[track_caller]
fn assert_linear(family: &str, n: usize, make: impl Fn(usize) -> Vec<(String, String)>) {
    let times: Vec<Duration> = [n, 2 * n, 4 * n]
        .iter()
        .map(|&k| least_time(&format!("{family} at {k}"), make(k)))
        .collect();
    let slack = Duration::from_millis(5);
    assert!(
        times[2] <= times[0] * 8 + slack,
        "{family}: loading {n}, {}, {} took {times:?}: more than linear growth",
        2 * n,
        4 * n
    );
}

/// `f=` and `unit` repeated `k` times: unclosed nesting after operators.
fn nested(unit: &'static str) -> impl Fn(usize) -> Vec<(String, String)> {
    move |k| vec![("main.hcl".to_owned(), format!("f={}", unit.repeat(k)))]
}

#[test]
fn unclosed_nesting_after_operators_parses_in_linear_time() {
    // The parser used to parse the operation after a chain twice at every level: 1.4 s
    // at 102 bytes, 46 s at 132, doubling per level (vendor/README.md).
    for unit in [
        "1+1+(", "1*1<(", "1==1&&(", "a-b%(", "1+1+{", "1+1+\"${", "1+1 + (", "{a=1+(",
    ] {
        assert_linear(unit, 15, nested(unit));
        let found = load(nested(unit)(60));
        assert!(
            found.iter().any(|(c, _)| *c == Code::Syntax),
            "{unit}: {found:?}"
        );
    }
}

#[test]
fn unclosed_interpolations_parse_in_linear_time() {
    for unit in ["\"${", "\"${a}${", "\"${1+1+\"${", "\"%{if a}${1+1+("] {
        assert_linear(unit, 15, nested(unit));
    }
    // Flat: one long unclosed string with many interpolations.
    assert_linear("flat interpolations", 500, |k| {
        vec![("main.hcl".to_owned(), format!("f=\"{}", "${a}".repeat(k)))]
    });
}

#[test]
fn the_issue_inputs_finish_in_a_debug_build() {
    // The exact input of the issue (132 bytes) and the fuzzer's slow input of issue 6.
    let issue = format!("f={}", "1+1+(".repeat(26));
    assert_eq!(issue.len(), 132);
    let slow = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/slow/validate-takes-4s-in-debug.hcl"),
    )
    .expect("fuzz/slow input");
    for text in [issue, slow] {
        let spec = SpecDir::new(&text);
        let path = spec.path().to_owned();
        let output = within_deadline("kubeplan validate", move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_kubeplan"))
                .arg("validate")
                .arg(&path)
                .output()
                .expect("kubeplan runs")
        });
        assert_eq!(output.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("KP001"), "{stderr}");
    }
}

/// `locals { l0 = 1, l1 = local.l0, ... }`, written first-to-last or last-to-first.
fn chain(k: usize, reversed: bool) -> Vec<(String, String)> {
    let mut text = String::from("locals {\n");
    if reversed {
        for i in 0..k - 1 {
            text.push_str(&format!("  l{i} = local.l{}\n", i + 1));
        }
        text.push_str(&format!("  l{} = 1\n", k - 1));
    } else {
        text.push_str("  l0 = 1\n");
        for i in 1..k {
            text.push_str(&format!("  l{i} = local.l{}\n", i - 1));
        }
    }
    text.push_str("}\n");
    with_extra(text)
}

#[test]
fn a_chain_of_locals_evaluates_in_linear_time() {
    // Evaluating in passes was cubic: 800 locals took 8 s, 2,000 over 200 s.
    assert_linear("chain of locals", 100, |k| chain(k, false));
    assert_linear("reversed chain of locals", 100, |k| chain(k, true));
    assert_eq!(load(chain(2000, false)), vec![]);
}

#[test]
fn a_large_object_literal_loads_in_linear_time() {
    // hcl-edit's parser and hcl-rs's conversion searched the keys one by one: 100,000
    // entries took 180 s.
    let object = |k: usize| {
        let mut text = String::from("locals {\n  o = {\n");
        for i in 0..k {
            text.push_str(&format!("    k{i} = {i}\n"));
        }
        text.push_str("  }\n}\n");
        with_extra(text)
    };
    assert_linear("object literal", 1000, object);
    // Quoted keys, and a duplicate key still refused.
    let quoted = |k: usize| {
        let items: Vec<String> = (0..k).map(|i| format!("\"k{i}\" = {i}")).collect();
        with_extra(format!("locals {{\n  o = {{ {} }}\n}}\n", items.join(", ")))
    };
    assert_linear("object literal with quoted keys", 1000, quoted);
    let dup = with_extra("locals {\n  o = { a = 1, b = 2, \"a\" = 3, a = 4 }\n}\n".to_owned());
    assert_eq!(load(dup), vec![(Code::Syntax, "2:32".to_owned())]);
}

#[test]
fn doubling_locals_stop_at_the_value_limit() {
    // The issue's 24 lines (739 bytes) exhausted memory: 2^24 elements.
    let mut text = String::from("locals {\n  l0 = \"x\"\n");
    for i in 1..=24 {
        text.push_str(&format!("  l{i} = [local.l{}, local.l{}]\n", i - 1, i - 1));
    }
    text.push_str("}\n");
    let found = within_deadline("doubling locals", move || load(with_extra(text)));
    // l19 is the first past 1,000,000 units; line 21, its value at column 9.
    assert!(
        found.contains(&(Code::Limit, "21:9".to_owned())),
        "{found:?}"
    );
    // The same with strings, and a loop that reads a big list each time.
    let strings = "locals {\n  s0 = \"xxxxxxxx\"\n".to_owned()
        + &(1..=24)
            .map(|i| format!("  s{i} = \"${{local.s{}}}${{local.s{}}}\"\n", i - 1, i - 1))
            .collect::<String>()
        + "}\n";
    let found = within_deadline("doubling strings", move || load(with_extra(strings)));
    assert!(found.iter().any(|(c, _)| *c == Code::Limit), "{found:?}");
    let square = "locals {\n  l = [for i in [0,1,2,3,4,5,6,7,8,9] : [for j in [0,1,2,3,4,5,6,7,8,9] : [for k in [0,1,2,3,4,5,6,7,8,9] : [0,1,2,3,4,5,6,7,8,9]]]]\n  big = [for a in local.l : [for b in local.l : 1]]\n}\n";
    let found = load(with_extra(square.to_owned()));
    assert_eq!(found, vec![(Code::Limit, "3:9".to_owned())]);
}

/// The node-pool example with `count` nodes from a /8.
fn pool(count: u64) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/node-pool/main.hcl"),
    )
    .expect("example");
    assert!(text.contains("count           = var.windows_workers"));
    let text = text
        .replace(
            "count           = var.windows_workers",
            &format!("count           = {count}"),
        )
        .replace("172.16.1.0/24", "172.0.0.0/8");
    vec![("main.hcl".to_owned(), text)]
}

#[test]
fn node_pools_are_bounded_by_what_kubernetes_supports() {
    // 10^9 aborted allocating 656 GB; 10^6 took 94 s and 12 GB.
    for count in [1_000_000_000, 1_000_000, 4998] {
        let spec = pool(count);
        let at = common::line_col(&spec[0].1, "count           = ");
        let (line, column) = at.split_once(':').unwrap();
        // At the value, after `count           = `.
        let at = format!("{line}:{}", column.parse::<usize>().unwrap() + 18);
        let found = within_deadline("node_pool count", move || load(spec));
        assert!(
            found.contains(&(Code::Limit, at.clone())),
            "count {count}: {found:?}"
        );
    }
    // 5,000 nodes with the example's other three: not refused for their number.
    let found = load(pool(4997));
    assert!(found.iter().all(|(c, _)| *c != Code::Limit), "{found:?}");
    assert_linear("node_pool count", 250, |k| pool(k as u64));
}

//! Every generated PowerShell script parses with a real PowerShell grammar
//! (tree-sitter-powershell) without an ERROR or MISSING node, and every cmdlet, parameter
//! and program it calls is in `tests/powershell/allowlist.txt`, so a typo such as
//! `New-HnsNetwrok` or `-ItemTyp` fails here rather than on a Windows host.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::specs::{self, report};
use common::text;
use tree_sitter::{Node, Parser, Tree};

fn parse(source: &str) -> Tree {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .expect("the PowerShell grammar loads");
    parser
        .parse(source, None)
        .expect("the parser returns a tree")
}

/// Every ERROR and MISSING node, as `line:column: text`.
fn syntax_errors(tree: &Tree, source: &str) -> Vec<String> {
    let mut errors = Vec::new();
    walk(tree.root_node(), &mut |n| {
        if n.is_error() || n.is_missing() {
            let at = n.start_position();
            let text: String = source[n.byte_range()].chars().take(60).collect();
            let what = if n.is_missing() {
                format!("missing {}", n.kind())
            } else {
                "syntax error".to_owned()
            };
            errors.push(format!(
                "{}:{}: {what} near {text:?}",
                at.row + 1,
                at.column + 1
            ));
        }
    });
    errors
}

fn walk<'t>(node: Node<'t>, f: &mut impl FnMut(Node<'t>)) {
    f(node);
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        walk(child, f);
    }
}

/// The allow-list: `cmdlet NAME -Param ...` and `exe NAME` lines.
struct AllowList {
    common: BTreeSet<String>,
    cmdlets: BTreeMap<String, BTreeSet<String>>,
    executables: BTreeSet<String>,
}

fn allow_list() -> AllowList {
    let text = include_str!("powershell/allowlist.txt");
    let mut list = AllowList {
        common: BTreeSet::new(),
        cmdlets: BTreeMap::new(),
        executables: BTreeSet::new(),
    };
    for line in text.lines().map(str::trim) {
        let mut words = line.split_whitespace();
        match words.next() {
            None | Some("#") => {}
            Some(w) if w.starts_with('#') => {}
            Some("cmdlet") => {
                let name = words.next().expect("cmdlet NAME").to_lowercase();
                let params = words.map(str::to_lowercase).collect();
                assert!(
                    list.cmdlets.insert(name.clone(), params).is_none(),
                    "{name} listed twice"
                );
            }
            Some("common") => list.common.extend(words.map(str::to_lowercase)),
            Some("exe") => {
                list.executables
                    .insert(words.next().expect("exe NAME").to_lowercase());
            }
            Some(other) => panic!("allowlist.txt: unknown entry {other:?}"),
        }
    }
    list
}

/// A call the script makes: the command as written, its parameters, and its position.
struct Call {
    name: String,
    parameters: Vec<String>,
    at: String,
}

/// Every command invocation, and the functions the script defines itself.
fn calls(tree: &Tree, source: &str) -> (Vec<Call>, BTreeSet<String>) {
    let mut calls = Vec::new();
    let mut defined = BTreeSet::new();
    walk(tree.root_node(), &mut |n| match n.kind() {
        "function_statement" => {
            if let Some(name) = first_child(n, "function_name") {
                defined.insert(source[name.byte_range()].to_lowercase());
            }
        }
        "command" => {
            let name = if let Some(name) = first_child(n, "command_name") {
                source[name.byte_range()].to_owned()
            } else if let Some(expr) = first_child(n, "command_name_expr") {
                // `& 'C:\k\kubelet.exe' ...` or `& (Join-Path $KubeDir 'kubeadm.exe') ...`:
                // the program's file name, the last string literal of the expression.
                let mut literal = None;
                walk(expr, &mut |c| {
                    if c.kind() == "string_literal" {
                        literal = Some(c);
                    }
                });
                let Some(literal) = literal else {
                    let at = n.start_position();
                    calls.push(Call {
                        name: source[expr.byte_range()].to_owned(),
                        parameters: Vec::new(),
                        at: format!("{}:{}", at.row + 1, at.column + 1),
                    });
                    return;
                };
                let text = source[literal.byte_range()].trim_matches(['\'', '"']);
                text.rsplit(['\\', '/']).next().unwrap_or(text).to_owned()
            } else {
                return;
            };
            let mut parameters = Vec::new();
            if let Some(elements) = first_child(n, "command_elements") {
                let mut cursor = elements.walk();
                for e in elements.children(&mut cursor) {
                    if e.kind() == "command_parameter" {
                        parameters.push(source[e.byte_range()].trim_end_matches(':').to_owned());
                    }
                }
            }
            let at = n.start_position();
            calls.push(Call {
                name,
                parameters,
                at: format!("{}:{}", at.row + 1, at.column + 1),
            });
        }
        _ => {}
    });
    (calls, defined)
}

fn first_child<'t>(n: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut cursor = n.walk();
    let found = n.children(&mut cursor).find(|c| c.kind() == kind);
    found
}

/// What is wrong with the calls of one script, against the allow-list.
fn unknown_calls(calls: &[Call], defined: &BTreeSet<String>, list: &AllowList) -> Vec<String> {
    let mut problems = Vec::new();
    for call in calls {
        let name = call.name.to_lowercase();
        if defined.contains(&name) || list.executables.contains(&name) {
            continue;
        }
        let Some(params) = list.cmdlets.get(&name) else {
            problems.push(format!(
                "{}: `{}` is not in tests/powershell/allowlist.txt (a typo, or a command to add there with its documented parameters)",
                call.at, call.name
            ));
            continue;
        };
        for p in &call.parameters {
            let p_lower = p.to_lowercase();
            if !params.contains(&p_lower) && !list.common.contains(&p_lower) {
                problems.push(format!(
                    "{}: `{} {p}`: {p} is not a parameter allowlist.txt lists for {}",
                    call.at, call.name, call.name
                ));
            }
        }
    }
    problems
}

fn scripts() -> Vec<(
    &'static specs::Compiled,
    &'static kubeplan::render::Artifact,
)> {
    specs::artifacts()
        .filter(|(_, a)| a.path.ends_with(".ps1"))
        .collect()
}

#[test]
fn every_powershell_script_parses_without_errors() {
    let scripts = scripts();
    assert!(!scripts.is_empty());
    let mut failures = Vec::new();
    for (spec, a) in &scripts {
        let tree = parse(text(a));
        for e in syntax_errors(&tree, text(a)) {
            failures.push(format!("{}/{}:{e}", spec.name, a.path));
        }
    }
    assert!(
        failures.is_empty(),
        "tree-sitter-powershell:\n{}",
        failures.join("\n")
    );
    report(
        "tree-sitter-powershell",
        scripts.len(),
        "PowerShell scripts parsed, no ERROR/MISSING nodes",
    );
}

#[test]
fn every_command_a_script_calls_is_in_the_allow_list() {
    let list = allow_list();
    let scripts = scripts();
    let mut failures = Vec::new();
    let mut commands = 0;
    for (spec, a) in &scripts {
        let tree = parse(text(a));
        let (calls, defined) = calls(&tree, text(a));
        commands += calls.len();
        for p in unknown_calls(&calls, &defined, &list) {
            failures.push(format!("{}/{}:{p}", spec.name, a.path));
        }
    }
    failures.dedup();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    report(
        "powershell allow-list",
        scripts.len(),
        &format!("PowerShell scripts, {commands} command calls checked"),
    );
}

#[test]
fn a_misspelt_cmdlet_or_parameter_is_caught() {
    let list = allow_list();
    let source = "New-HnsNetwrok -Type Overlay\nNew-Item -ItemTyp Directory -Path 'C:\\k'\n& 'C:\\k\\kubelet.exe' --v=2\n";
    let tree = parse(source);
    let (calls, defined) = calls(&tree, source);
    let problems = unknown_calls(&calls, &defined, &list);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("`New-HnsNetwrok` is not in"));
    assert!(problems[1].contains("`New-Item -ItemTyp`"));
}

#[test]
fn an_unclosed_brace_is_a_syntax_error() {
    let source = "if ($true) {\n  Write-Output 'x'\n";
    let errors = syntax_errors(&parse(source), source);
    assert!(!errors.is_empty());
}

//! Every generated PowerShell script parses with a real PowerShell grammar
//! (tree-sitter-powershell) without an ERROR or MISSING node, and every cmdlet, parameter
//! and program it calls is in `tests/powershell/allowlist.txt`, so a typo such as
//! `New-HnsNetwrok` or `-ItemTyp` fails here rather than on a Windows host.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::powershell::{first_child, parse, scripts, syntax_errors, walk};
use common::specs::report;
use common::text;
use tree_sitter::Tree;

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
                if source[expr.byte_range()].starts_with('{') {
                    // `& { ... }` runs a script block in place; its commands are walked too.
                    return;
                }
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
            let mut first_argument = None;
            if let Some(elements) = first_child(n, "command_elements") {
                let mut cursor = elements.walk();
                for e in elements.children(&mut cursor) {
                    if e.kind() == "command_parameter" {
                        parameters.push(source[e.byte_range()].trim_end_matches(':').to_owned());
                    } else if first_argument.is_none()
                        && e.is_named()
                        && e.kind() != "command_argument_sep"
                    {
                        first_argument = Some(e);
                    }
                }
            }
            let at = n.start_position();
            if name.eq_ignore_ascii_case("Invoke-Program") {
                // The templates' helper runs the program its first argument names: that
                // program must be on the list too.
                if let Some(program) = first_argument {
                    let text = source[program.byte_range()].trim_matches(['\'', '"', '(', ')']);
                    let text = text.trim_end_matches(['\'', '"']);
                    calls.push(Call {
                        name: text
                            .rsplit(['\\', '/', ' ', '\''])
                            .next()
                            .unwrap_or(text)
                            .to_owned(),
                        parameters: Vec::new(),
                        at: format!("{}:{}", at.row + 1, at.column + 1),
                    });
                }
            }
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
    let source = "New-HnsNetwrok -Type Overlay\nNew-Item -ItemTyp Directory -Path 'C:\\k'\n& 'C:\\k\\kubelet.exe' --v=2\n\
        function Invoke-Program { }\nInvoke-Program 'ovs-vstcl' 'show'\nInvoke-Program 'tar.exe' '-xzf'\n";
    let tree = parse(source);
    let (calls, defined) = calls(&tree, source);
    let problems = unknown_calls(&calls, &defined, &list);
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].contains("`New-HnsNetwrok` is not in"));
    assert!(problems[1].contains("`New-Item -ItemTyp`"));
    assert!(problems[2].contains("`ovs-vstcl` is not in"));
}

#[test]
fn an_unclosed_brace_is_a_syntax_error() {
    let source = "if ($true) {\n  Write-Output 'x'\n";
    let errors = syntax_errors(&parse(source), source);
    assert!(!errors.is_empty());
}

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

/// The first node in document order whose text starts with `prefix`, below `root`.
fn node_starting<'t>(
    root: tree_sitter::Node<'t>,
    source: &str,
    prefix: &str,
) -> Option<tree_sitter::Node<'t>> {
    let mut found = None;
    walk(root, &mut |n| {
        if found.is_none() && n.is_named() && source[n.byte_range()].starts_with(prefix) {
            found = Some(n);
        }
    });
    found
}

/// What is wrong with how one bootstrap.ps1 hands the join token to kubeadm.
fn join_token_problems(source: &str) -> Vec<String> {
    let tree = parse(source);
    let root = tree.root_node();
    let mut problems = Vec::new();
    // The join: kubeadm.exe with `join`, its arguments.
    let mut joins = Vec::new();
    walk(root, &mut |n| {
        if n.kind() == "command" {
            let text = &source[n.byte_range()];
            if text.contains("'kubeadm.exe')")
                && first_child(n, "command_elements")
                    .is_some_and(|e| source[e.byte_range()].trim_start().starts_with("join"))
            {
                joins.push(n);
            }
        }
    });
    if joins.is_empty() {
        problems.push("no `kubeadm.exe join` call".to_owned());
    }
    for join in &joins {
        let args = &source[first_child(*join, "command_elements").unwrap().byte_range()];
        // kubeadm's flags that carry a secret (cmd/kubeadm/app/cmd/join.go,
        // addJoinConfigFlags), and the variables that hold one.
        for secret in [
            "--token",
            "--discovery-token",
            "--tls-bootstrap-token",
            "--certificate-key",
            "$Token",
            "$JoinToken",
        ] {
            if args.contains(secret) {
                problems.push(format!(
                    "kubeadm join has `{secret}` on its command line: {args}"
                ));
            }
        }
        if !args.contains("--config $joinConfig") {
            problems.push(format!(
                "kubeadm join does not read --config $joinConfig: {args}"
            ));
        }
        // The file goes in a `finally` around the join.
        let mut up = join.parent();
        let mut removed = false;
        while let Some(n) = up {
            if n.kind() == "try_statement" {
                removed |= first_child(n, "finally_clause").is_some_and(|f| {
                    source[f.byte_range()].contains("Remove-Item -Path $joinConfig")
                });
            }
            up = n.parent();
        }
        if !removed {
            problems.push("no `finally` around kubeadm join removes $joinConfig".to_owned());
        }
    }
    // The token reaches the file only through Write-SecretFile, called before the join.
    let token_line = node_starting(root, source, "\"    token: `\"$JoinToken`\"\"");
    let write = node_starting(root, source, "Write-SecretFile -Path $joinConfig -Text");
    match (token_line, write, joins.first()) {
        (Some(t), Some(w), Some(j)) if t.start_byte() < w.start_byte() && w.start_byte() < j.start_byte() => {}
        _ => problems.push(
            "the JoinConfiguration with the token is not written by Write-SecretFile before kubeadm join".to_owned(),
        ),
    }
    // Write-SecretFile: the access list (inheritance off; Administrators and SYSTEM only)
    // is built, then the file is created with it (FileStream's FileSecurity argument, mode
    // CreateNew), and only then written, as UTF-8 without a BOM.
    let mut function = None;
    walk(root, &mut |n| {
        if n.kind() == "function_statement"
            && first_child(n, "function_name")
                .is_some_and(|f| &source[f.byte_range()] == "Write-SecretFile")
        {
            function = Some(n);
        }
    });
    let Some(function) = function else {
        problems.push("no function Write-SecretFile".to_owned());
        return problems;
    };
    let body = &source[function.byte_range()];
    let steps = [
        "$security.SetAccessRuleProtection($true, $false)",
        "$security.AddAccessRule($rule)",
        "New-Object System.IO.FileStream",
        "$stream.Write(",
    ];
    let mut at = 0;
    for step in steps {
        match node_starting(function, source, step) {
            Some(n) if n.start_byte() >= at => at = n.start_byte(),
            Some(_) => problems.push(format!("Write-SecretFile: `{step}` comes too early")),
            None => problems.push(format!("Write-SecretFile: no `{step}`")),
        }
    }
    let stream = node_starting(function, source, "New-Object System.IO.FileStream")
        .map(|n| &source[n.byte_range()])
        .unwrap_or("");
    if !(stream.contains("[System.IO.FileMode]::CreateNew")
        && stream.trim_end().ends_with("$security"))
    {
        problems.push(format!(
            "Write-SecretFile does not create the file new with its access list: {stream}"
        ));
    }
    // Only the SIDs of BUILTIN\Administrators and NT AUTHORITY\SYSTEM get an entry.
    if !body.contains("foreach ($sid in @('S-1-5-32-544', 'S-1-5-18'))") {
        problems.push(
            "Write-SecretFile grants access to others than Administrators and SYSTEM".to_owned(),
        );
    }
    if !body.contains("UTF8Encoding -ArgumentList $false") {
        problems.push("Write-SecretFile does not write UTF-8 without a byte order mark".to_owned());
    }
    problems
}

/// Issue 15, "On the nodes": every Windows node's bootstrap.ps1 hands kubeadm the join
/// token in a JoinConfiguration file, never on its command line, and the file is created
/// with an access list of Administrators and SYSTEM only before the token is written to
/// it, and removed in a `finally`.
#[test]
fn the_windows_join_hands_kubeadm_the_token_in_a_file_only_administrators_read() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (spec, a) in scripts() {
        if !a.path.ends_with("/bootstrap.ps1") {
            continue;
        }
        checked += 1;
        for p in join_token_problems(text(a)) {
            failures.push(format!("{}/{}: {p}", spec.name, a.path));
        }
    }
    assert!(checked > 0, "the corpus has no bootstrap.ps1");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The same check catches the join of 037ea04, which put the token on kubeadm's command line.
#[test]
fn a_token_on_kubeadms_command_line_is_caught() {
    let source = "$KubeDir = 'C:\\k'\n& (Join-Path $KubeDir 'kubeadm.exe') join $ControlPlaneEndpoint --token $Token `\n    --discovery-token-ca-cert-hash $CaCertHash --node-name $NodeName\n";
    let problems = join_token_problems(source);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`--token` on its command line")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("no function Write-SecretFile")),
        "{problems:?}"
    );
}

//! Sensitive variables. Every attribute of a spec ends up in a file of the out dir —
//! scripts and configs meant to be reviewed and committed — so a value marked
//! `sensitive` may reach no attribute, directly or through a local (KP051). Messages
//! never print a sensitive value: it is masked as `(sensitive)`.

use std::collections::{BTreeMap, BTreeSet};

use hcl::edit::expr::{Expression, Traversal, TraversalOperator};
use hcl::edit::structure::{Body, Structure};
use hcl::edit::visit::{visit_traversal, Visit};
use hcl::edit::Span as _;
use hcl::Value;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, FileId, Span};
use crate::spec::Variable;

/// What a sensitive value is shown as.
pub const MASK: &str = "(sensitive)";

/// Reports every use of a sensitive variable outside `variable` and `locals` blocks.
pub fn check(
    bodies: &[(FileId, Body)],
    vars: &BTreeMap<String, Variable>,
    diags: &mut Diagnostics,
) {
    let sensitive: BTreeSet<&str> = vars
        .values()
        .filter(|v| v.sensitive)
        .map(|v| v.name.value.as_str())
        .collect();
    if sensitive.is_empty() {
        return;
    }
    let tainted = tainted_locals(bodies, &sensitive);
    for (file, body) in bodies {
        for structure in body.iter() {
            let Structure::Block(block) = structure else {
                continue;
            };
            if matches!(block.ident.as_str(), "variable" | "locals") {
                continue;
            }
            let mut refs = References::default();
            refs.visit_body(&block.body);
            for (root, name, range) in refs.found {
                let source = match root {
                    Root::Var if sensitive.contains(name.as_str()) => name.clone(),
                    Root::Local => match tainted.get(&name) {
                        Some(var) => var.clone(),
                        None => continue,
                    },
                    Root::Var => continue,
                };
                let through = match root {
                    Root::Local => format!(" (through local.{name})"),
                    Root::Var => String::new(),
                };
                diags.push(
                    Diagnostic::error(
                        Code::Sensitive,
                        Some(Span { file: *file, range }),
                        format!("sensitive variable {source:?}{through} would be written into the generated files"),
                    )
                    .with_help("every attribute ends up in the scripts and configs of the out dir; secrets reach the nodes at run time instead (the join token: KUBEPLAN_JOIN_TOKEN on Linux, -Token on Windows). If the value is not secret, remove sensitive = true"),
                );
            }
        }
    }
}

/// The locals whose value depends on a sensitive variable, with that variable.
fn tainted_locals(
    bodies: &[(FileId, Body)],
    sensitive: &BTreeSet<&str>,
) -> BTreeMap<String, String> {
    let mut uses: Vec<(String, Vec<(Root, String)>)> = Vec::new();
    for (_, body) in bodies {
        for block in body.get_blocks("locals") {
            for attr in block.body.attributes() {
                let mut refs = References::default();
                refs.visit_expr(&attr.value);
                let found = refs.found.into_iter().map(|(r, n, _)| (r, n)).collect();
                uses.push((attr.key.as_str().to_owned(), found));
            }
        }
    }
    let mut tainted: BTreeMap<String, String> = BTreeMap::new();
    loop {
        let before = tainted.len();
        for (local, found) in &uses {
            if tainted.contains_key(local) {
                continue;
            }
            let source = found.iter().find_map(|(root, name)| match root {
                Root::Var => sensitive.contains(name.as_str()).then(|| name.clone()),
                Root::Local => tainted.get(name).cloned(),
            });
            if let Some(source) = source {
                tainted.insert(local.clone(), source);
            }
        }
        if tainted.len() == before {
            return tainted;
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Root {
    Var,
    Local,
}

/// Every `var.NAME` and `local.NAME` in what it visits, with its span.
#[derive(Default)]
struct References {
    found: Vec<(Root, String, std::ops::Range<usize>)>,
}

impl Visit for References {
    fn visit_traversal(&mut self, node: &Traversal) {
        if let (Expression::Variable(root), Some(first)) = (&node.expr, node.operators.first()) {
            let root = match root.as_str() {
                "var" => Some(Root::Var),
                "local" => Some(Root::Local),
                _ => None,
            };
            if let (Some(root), TraversalOperator::GetAttr(name)) = (root, first.value()) {
                let range = node.span().unwrap_or(0..0);
                self.found.push((root, name.as_str().to_owned(), range));
            }
        }
        visit_traversal(self, node);
    }
}

/// The text of each sensitive value, as messages could print it.
pub fn values(vars: &BTreeMap<String, Variable>) -> Vec<String> {
    let mut out = Vec::new();
    for var in vars.values().filter(|v| v.sensitive) {
        collect(var.value.as_ref(), &mut out);
    }
    out.retain(|s| !s.is_empty());
    // The longest first, so a value inside another is masked as part of the longer one.
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

fn collect(value: Option<&Value>, out: &mut Vec<String>) {
    match value {
        Some(Value::String(s)) => out.push(s.clone()),
        Some(Value::Number(n)) => out.push(n.to_string()),
        Some(Value::Array(items)) => items.iter().for_each(|i| collect(Some(i), out)),
        Some(Value::Object(map)) => map.values().for_each(|v| collect(Some(v), out)),
        _ => {}
    }
}

/// Masks every sensitive value in the messages and hints of `diags`.
pub fn mask(diags: &mut Diagnostics, secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    let hide = |text: &str| {
        secrets
            .iter()
            .fold(text.to_owned(), |t, s| t.replace(s.as_str(), MASK))
    };
    for d in &mut diags.0 {
        d.message = hide(&d.message);
        d.help = d.help.as_deref().map(hide);
    }
}

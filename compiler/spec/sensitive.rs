//! Sensitive variables. Every attribute of a spec ends up in a file of the out dir —
//! scripts and configs meant to be reviewed and committed — so a value derived from a
//! sensitive variable may reach no attribute (KP051), whatever the expression: `var.pw`,
//! `var["pw"]`, `var` as a whole (`labels = var`, `for k, v in var`), a local built from
//! any of them, or a function, operator or template over such a value.
//!
//! The analysis is on the syntax, before evaluation, and errs on the safe side: the only
//! way an HCL expression reads a variable is through the names `var` and `local`, so every
//! occurrence of those names is found. A name it cannot resolve (`var[local.key]`, `var`
//! itself) counts as reading every variable. Messages never print a sensitive value: the
//! renderers mask it as `(sensitive)`, see [`needles`].

use std::collections::{BTreeMap, BTreeSet};

use hcl::edit::expr::{Expression, TraversalOperator};
use hcl::edit::structure::{Body, Structure};
use hcl::edit::visit::{visit_expr, Visit};
use hcl::edit::Span as _;
use hcl::Value;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, FileId, Span};
use crate::spec::Variable;

pub use crate::diagnostic::MASK;

/// Reports every use of a sensitive variable outside `variable` and `locals` blocks;
/// returns the locals whose value may derive from one, with that variable (their
/// evaluation errors must not quote the value either).
pub fn check(
    bodies: &[(FileId, Body)],
    vars: &BTreeMap<String, Variable>,
    diags: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let sensitive: BTreeSet<&str> = vars
        .values()
        .filter(|v| v.sensitive)
        .map(|v| v.name.value.as_str())
        .collect();
    let Some(first) = sensitive.first().copied() else {
        return BTreeMap::new();
    };
    let tainted = tainted_locals(bodies, &sensitive, first);
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
            for (reference, range) in refs.found {
                let Some(source) = reference.source(&sensitive, first, &tainted) else {
                    continue;
                };
                let through = reference.through();
                diags.push(
                    Diagnostic::error(
                        Code::Sensitive,
                        Some(Span { file: *file, range }),
                        format!("sensitive variable {source:?}{through} would be written into the generated files"),
                    )
                    .with_help("every attribute ends up in the scripts and configs of the out dir; secrets reach the nodes at run time instead (the join token: KUBEPLAN_JOIN_TOKEN, or typed when the node's script asks). If the value is not secret, remove sensitive = true"),
                );
            }
        }
    }
    tainted
}

/// A read of `var` or `local`: by name, or by a key kubeplan cannot know before
/// evaluating (`None`: `var` itself, `var[EXPR]`, `var.*`).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Reference {
    Var(Option<String>),
    Local(Option<String>),
}

impl Reference {
    /// The sensitive variable this reference may read, if any.
    fn source(
        &self,
        sensitive: &BTreeSet<&str>,
        first: &str,
        tainted: &BTreeMap<String, String>,
    ) -> Option<String> {
        match self {
            Reference::Var(Some(name)) => sensitive.contains(name.as_str()).then(|| name.clone()),
            Reference::Var(None) => Some(first.to_owned()),
            Reference::Local(Some(name)) => tainted.get(name).cloned(),
            Reference::Local(None) => tainted.values().next().cloned(),
        }
    }

    /// How the message names the way the value got here.
    fn through(&self) -> String {
        match self {
            Reference::Var(Some(_)) => String::new(),
            Reference::Var(None) => {
                " (read through `var` as a whole or by a computed key)".to_owned()
            }
            Reference::Local(Some(name)) => format!(" (through local.{name})"),
            Reference::Local(None) => {
                " (read through `local` as a whole or by a computed key)".to_owned()
            }
        }
    }
}

/// The locals whose value may depend on a sensitive variable, with that variable.
fn tainted_locals(
    bodies: &[(FileId, Body)],
    sensitive: &BTreeSet<&str>,
    first: &str,
) -> BTreeMap<String, String> {
    let mut uses: Vec<(String, Vec<Reference>)> = Vec::new();
    for (_, body) in bodies {
        for block in body.get_blocks("locals") {
            for attr in block.body.attributes() {
                let mut refs = References::default();
                refs.visit_expr(&attr.value);
                let found = refs.found.into_iter().map(|(r, _)| r).collect();
                uses.push((attr.key.as_str().to_owned(), found));
            }
        }
    }
    // Taint flows from a local to the locals that read it: seed with the locals that read
    // a sensitive variable, then follow the readers (a local read as a whole or by a
    // computed key is read by every local that uses `local` so).
    let mut readers: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut reads_any: Vec<usize> = Vec::new();
    let mut tainted: BTreeMap<String, String> = BTreeMap::new();
    let mut work: Vec<usize> = Vec::new();
    for (i, (local, found)) in uses.iter().enumerate() {
        for reference in found {
            match reference {
                Reference::Local(Some(name)) => readers.entry(name.as_str()).or_default().push(i),
                Reference::Local(None) => reads_any.push(i),
                Reference::Var(_) => {}
            }
        }
        let direct = found.iter().find_map(|r| match r {
            Reference::Var(_) => r.source(sensitive, first, &BTreeMap::new()),
            Reference::Local(_) => None,
        });
        if let Some(source) = direct {
            if tainted.insert(local.clone(), source).is_none() {
                work.push(i);
            }
        }
    }
    let mut any_seen = false;
    while let Some(i) = work.pop() {
        let (local, _) = &uses[i];
        let source = tainted[local].clone();
        let mut next: Vec<usize> = readers.get(local.as_str()).cloned().unwrap_or_default();
        if !any_seen {
            any_seen = true;
            next.extend(&reads_any);
        }
        for j in next {
            if !tainted.contains_key(&uses[j].0) {
                tainted.insert(uses[j].0.clone(), source.clone());
                work.push(j);
            }
        }
    }
    tainted
}

/// The locals `expr` reads by name, or `None` when it reads `local` as a whole or by a
/// computed key (and so may read any of them).
pub(super) fn local_reads(expr: &Expression) -> Option<Vec<String>> {
    let mut refs = References::default();
    refs.visit_expr(expr);
    let mut names = Vec::new();
    for (reference, _) in refs.found {
        match reference {
            Reference::Local(Some(name)) => names.push(name),
            Reference::Local(None) => return None,
            Reference::Var(_) => {}
        }
    }
    Some(names)
}

/// Every read of `var` and `local` in what it visits, with its span.
#[derive(Default)]
struct References {
    found: Vec<(Reference, std::ops::Range<usize>)>,
}

impl References {
    fn root(name: &str, key: Option<String>) -> Option<Reference> {
        match name {
            "var" => Some(Reference::Var(key)),
            "local" => Some(Reference::Local(key)),
            _ => None,
        }
    }
}

impl Visit for References {
    fn visit_expr(&mut self, node: &Expression) {
        match node {
            Expression::Variable(root) => {
                if let Some(r) = Self::root(root.as_str(), None) {
                    self.found.push((r, node.span().unwrap_or(0..0)));
                }
            }
            Expression::Traversal(t) => {
                let Expression::Variable(root) = &t.expr else {
                    return visit_expr(self, node);
                };
                let key = match t.operators.first().map(|o| o.value()) {
                    Some(TraversalOperator::GetAttr(name)) => Some(name.as_str().to_owned()),
                    Some(TraversalOperator::Index(Expression::String(s))) => {
                        Some(s.value().clone())
                    }
                    _ => None,
                };
                let Some(r) = Self::root(root.as_str(), key) else {
                    return visit_expr(self, node);
                };
                self.found.push((r, node.span().unwrap_or(0..0)));
                // An index may read variables of its own: var[local.key].
                for operator in &t.operators {
                    self.visit_traversal_operator(operator);
                }
            }
            _ => visit_expr(self, node),
        }
    }
}

/// Every text a message could show of a sensitive value: each string or number in it, as
/// it is and as Rust's `{:?}`, JSON and HCL escape it (a value holding a quote, a
/// backslash, a tab or a newline is printed escaped), longest first so that a value
/// inside another is masked as part of the longer one.
pub fn needles(vars: &BTreeMap<String, Variable>) -> Vec<String> {
    let mut leaves = Vec::new();
    for var in vars.values().filter(|v| v.sensitive) {
        collect(var.value.as_ref(), &mut leaves);
    }
    let mut out = BTreeSet::new();
    for leaf in leaves {
        let debug = format!("{leaf:?}");
        let json = serde_json::to_string(&leaf).unwrap_or_default();
        let hcl = hcl::format::to_string(&Value::String(leaf.clone())).unwrap_or_default();
        for quoted in [debug, json, hcl] {
            if let Some(inner) = quoted.strip_prefix('"').and_then(|q| q.strip_suffix('"')) {
                out.insert(inner.to_owned());
            }
        }
        out.insert(leaf);
    }
    let mut out: Vec<String> = out.into_iter().filter(|s| !s.is_empty()).collect();
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

fn collect(value: Option<&Value>, out: &mut Vec<String>) {
    match value {
        Some(Value::String(s)) => out.push(s.clone()),
        Some(Value::Number(n)) => out.push(n.to_string()),
        Some(Value::Array(items)) => items.iter().for_each(|i| collect(Some(i), out)),
        Some(Value::Object(map)) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            collect(Some(v), out)
        }),
        _ => {}
    }
}

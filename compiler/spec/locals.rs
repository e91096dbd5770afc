//! `locals { NAME = EXPR }`: named values computed once from variables, functions and
//! other locals, read as `local.NAME`, as in Terraform.

use std::collections::BTreeMap;

use hcl::edit::structure::{Attribute, Body, Structure};
use hcl::eval::Context;
use hcl::Value;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, FileId, Span};
use crate::spec::reader::{evaluate, EvalError};

/// Evaluates every `locals` block and declares `local` in `ctx`. `tainted` are the locals
/// that may derive from a sensitive variable, with it: their errors quote nothing.
pub fn resolve(
    bodies: &[(FileId, Body)],
    ctx: &mut Context<'_>,
    tainted: &BTreeMap<String, String>,
    diags: &mut Diagnostics,
) {
    let mut pending: Vec<(FileId, &Attribute)> = Vec::new();
    let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
    for (file, body) in bodies {
        for block in body.get_blocks("locals") {
            if !block.labels.is_empty() {
                diags.push(
                    Diagnostic::error(
                        Code::BlockLabels,
                        Some(span(*file, &block.ident)),
                        "locals block takes no label",
                    )
                    .with_help("write locals { NAME = VALUE }"),
                );
            }
            for structure in block.body.iter() {
                match structure {
                    Structure::Attribute(attr) => {
                        let name = attr.key.as_str();
                        let here = span(*file, &attr.key);
                        if seen.contains_key(name) {
                            diags.push(
                                Diagnostic::error(
                                    Code::Duplicate,
                                    Some(here),
                                    format!("local {name:?} is defined twice"),
                                )
                                .with_help(
                                    "each local value has one definition; rename or remove one",
                                ),
                            );
                            continue;
                        }
                        seen.insert(name, here);
                        pending.push((*file, attr));
                    }
                    Structure::Block(b) => diags.push(
                        Diagnostic::error(
                            Code::UnknownBlock,
                            Some(span(*file, &b.ident)),
                            format!("unknown block `{}` in locals block", b.ident.as_str()),
                        )
                        .with_help("locals hold only NAME = VALUE attributes"),
                    ),
                }
            }
        }
    }
    evaluate_in_order(&pending, ctx, tainted, diags);
}

/// Evaluates the locals once each, every one after the locals it reads (in the order
/// written where that does not matter), and declares `local` in `ctx`. Each local is
/// evaluated with a `local` that holds only the locals it reads, so a chain of n locals
/// takes time linear in n (evaluating in passes, with every local again each pass, was
/// cubic: 2,000 locals took minutes). A local that reads one that failed, one in a cycle or
/// one that does not exist is evaluated without it, and its error says which.
fn evaluate_in_order(
    pending: &[(FileId, &Attribute)],
    ctx: &mut Context<'_>,
    tainted: &BTreeMap<String, String>,
    diags: &mut Diagnostics,
) {
    let index: BTreeMap<&str, usize> = pending
        .iter()
        .enumerate()
        .map(|(i, (_, attr))| (attr.key.as_str(), i))
        .collect();
    // What each local reads: other locals by index, or every local (`local` on its own or
    // indexed by an expression).
    let reads: Vec<Reads> = pending
        .iter()
        .map(
            |(_, attr)| match super::sensitive::local_reads(&attr.value) {
                None => Reads::All,
                Some(names) => {
                    let mut ids: Vec<usize> = names
                        .iter()
                        .filter_map(|n| index.get(n.as_str()).copied())
                        .collect();
                    ids.sort_unstable();
                    ids.dedup();
                    Reads::Some(ids)
                }
            },
        )
        .collect();
    let order = dependency_order(&reads);
    let mut values: Vec<Option<Value>> = vec![None; pending.len()];
    for i in order {
        let (file, attr) = pending[i];
        let mut local = hcl::Map::new();
        match &reads[i] {
            Reads::All => {
                for (j, v) in values.iter().enumerate() {
                    if let Some(v) = v {
                        local.insert(pending[j].1.key.as_str().to_owned(), v.clone());
                    }
                }
            }
            Reads::Some(ids) => {
                for &j in ids {
                    if let Some(v) = &values[j] {
                        local.insert(pending[j].1.key.as_str().to_owned(), v.clone());
                    }
                }
            }
        }
        ctx.declare_var("local", Value::Object(local));
        match evaluate(&attr.value, ctx) {
            Ok(v) => values[i] = Some(v),
            Err(e) => {
                let message = match (&e, tainted.get(attr.key.as_str())) {
                    // A bound names no value; the evaluator's message may quote one made
                    // from the secret.
                    (EvalError::Limit(_), _) | (_, None) => e.to_string(),
                    (_, Some(var)) => format!("cannot evaluate it (the evaluator's message is not shown: the value derives from the sensitive variable {var:?})"),
                };
                diags.push(
                    Diagnostic::error(e.code(), Some(span(file, &attr.value)), format!("local {:?}: {message}", attr.key.as_str()))
                        .with_help(match e {
                            EvalError::Limit(_) => crate::spec::limits::HINT,
                            _ => "locals may use var.NAME, other locals and functions; two locals that need each other form a cycle",
                        }),
                );
            }
        }
    }
    let mut all = hcl::Map::new();
    for (i, v) in values.into_iter().enumerate() {
        if let Some(v) = v {
            all.insert(pending[i].1.key.as_str().to_owned(), v);
        }
    }
    ctx.declare_var("local", Value::Object(all));
}

/// Which locals one local reads.
enum Reads {
    All,
    Some(Vec<usize>),
}

/// An order in which every local comes after those it reads, where the reads allow one:
/// Kahn's algorithm, taking the first local in written order among those ready. Locals in a
/// cycle (or after one) come last, in written order.
fn dependency_order(reads: &[Reads]) -> Vec<usize> {
    let n = reads.len();
    let mut waiting = vec![0usize; n];
    let mut readers: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut readers_of_all = Vec::new();
    for i in 0..n {
        match &reads[i] {
            Reads::All => {
                waiting[i] = n - 1;
                readers_of_all.push(i);
            }
            Reads::Some(ids) => {
                for &j in ids.iter().filter(|&&j| j != i) {
                    waiting[i] += 1;
                    readers[j].push(i);
                }
            }
        }
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..n).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    let mut done = vec![false; n];
    while let Some(i) = ready.pop_first() {
        done[i] = true;
        order.push(i);
        for &r in readers[i]
            .iter()
            .chain(readers_of_all.iter().filter(|&&r| r != i))
        {
            waiting[r] -= 1;
            if waiting[r] == 0 {
                ready.insert(r);
            }
        }
    }
    order.extend((0..n).filter(|&i| !done[i]));
    order
}

fn span(file: FileId, node: &impl hcl::edit::Span) -> Span {
    Span {
        file,
        range: node.span().unwrap_or(0..0),
    }
}

//! `locals { NAME = EXPR }`: named values computed once from variables, functions and
//! other locals, read as `local.NAME`, as in Terraform.

use std::collections::BTreeMap;

use hcl::edit::structure::{Attribute, Body, Structure};
use hcl::eval::Context;
use hcl::Value;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, FileId, Span};
use crate::spec::reader::evaluate;

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
    // Locals may refer to each other in any order: evaluate in passes until none is left
    // or a pass makes no progress (an undefined name or a cycle).
    let mut values = hcl::Map::new();
    ctx.declare_var("local", Value::Object(values.clone()));
    while !pending.is_empty() {
        let mut left = Vec::new();
        for (file, attr) in pending.iter().copied() {
            match evaluate(&attr.value, ctx) {
                Ok(v) => {
                    values.insert(attr.key.as_str().to_owned(), v);
                }
                Err(_) => left.push((file, attr)),
            }
        }
        ctx.declare_var("local", Value::Object(values.clone()));
        if left.len() == pending.len() {
            for (file, attr) in left {
                let message = match tainted.get(attr.key.as_str()) {
                    // The evaluator's message may quote a value made from the secret.
                    Some(var) => format!("cannot evaluate it (the evaluator's message is not shown: the value derives from the sensitive variable {var:?})"),
                    None => evaluate(&attr.value, ctx)
                        .err()
                        .map(|e| e.to_string())
                        .unwrap_or_default(),
                };
                diags.push(
                    Diagnostic::error(Code::Evaluation, Some(span(file, &attr.value)), format!("local {:?}: {message}", attr.key.as_str()))
                        .with_help("locals may use var.NAME, other locals and functions; two locals that need each other form a cycle"),
                );
            }
            return;
        }
        pending = left;
    }
}

fn span(file: FileId, node: &impl hcl::edit::Span) -> Span {
    Span {
        file,
        range: node.span().unwrap_or(0..0),
    }
}

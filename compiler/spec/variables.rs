//! Input variables: `variable` blocks and the values given for them.
//!
//! Precedence, lowest first, as in Terraform: `default`, `KUBEPLAN_VAR_NAME` from the
//! environment, `--var-file` files in the order given, `--var NAME=VALUE` in the order given.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use hcl::edit::structure::{Block, Body, Structure};
use hcl::eval::Context;
use hcl::Value;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, FileId, SourceMap, Span};
use crate::spec::reader::{evaluate, BodyReader, EvalError, Field, Schema};
use crate::spec::{block_label, Spanned};

/// Where variable values come from, besides the spec's defaults.
#[derive(Clone, Debug, Default)]
pub struct VarInputs {
    /// `--var NAME=VALUE`, in order.
    pub vars: Vec<String>,
    /// `--var-file FILE`, in order.
    pub var_files: Vec<PathBuf>,
    /// The process environment (`KUBEPLAN_VAR_NAME=VALUE`); passed in so the library
    /// never reads global state.
    pub env: Vec<(String, String)>,
    /// The names of `KUBEPLAN_VAR_NAME` variables whose value is not UTF-8: reported,
    /// never printed.
    pub env_not_utf8: Vec<String>,
}

impl VarInputs {
    /// The `KUBEPLAN_VAR_NAME` entries of an environment such as `std::env::vars_os()`.
    /// A variable of any other name is not read, so no value, UTF-8 or not, can stop a run.
    pub fn read_env(&mut self, vars: impl IntoIterator<Item = (OsString, OsString)>) {
        for (key, value) in vars {
            let Some(key) = key.to_str().filter(|k| k.starts_with(ENV_PREFIX)) else {
                continue;
            };
            match value.into_string() {
                Ok(value) => self.env.push((key.to_owned(), value)),
                Err(_) => self.env_not_utf8.push(key.to_owned()),
            }
        }
    }
}

/// A declared variable.
#[derive(Clone, Debug)]
pub struct Variable {
    pub name: Spanned<String>,
    pub description: Option<String>,
    /// Sensitive values are never printed by kubeplan.
    pub sensitive: bool,
    pub value: Option<Value>,
}

pub(crate) const VARIABLE: Schema = Schema {
    name: "variable",
    attributes: &["default", "description", "sensitive"],
    blocks: &[],
};

const ENV_PREFIX: &str = "KUBEPLAN_VAR_";

/// Collects every `variable` block of the spec files, then applies the inputs.
pub fn resolve(
    sources: &mut SourceMap,
    bodies: &[(FileId, Body)],
    inputs: &VarInputs,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Variable> {
    let mut vars: BTreeMap<String, Variable> = BTreeMap::new();
    let empty = Context::new();
    for (file, body) in bodies {
        for block in body.get_blocks("variable") {
            if let Some(var) = declare(*file, block, &empty, diags) {
                if let Some(first) = vars.get(&var.name.value) {
                    let at = sources.location(&first.name.span);
                    diags.push(
                        Diagnostic::error(
                            Code::Duplicate,
                            Some(var.name.span.clone()),
                            format!("variable {:?} is declared twice", var.name.value),
                        )
                        .with_help(format!("it is first declared at {at}; remove one")),
                    );
                } else {
                    vars.insert(var.name.value.clone(), var);
                }
            }
        }
    }
    for (key, value) in &inputs.env {
        if let Some(var) = key.strip_prefix(ENV_PREFIX).and_then(|n| vars.get_mut(n)) {
            var.value = Some(Value::String(value.clone()));
        }
    }
    for key in &inputs.env_not_utf8 {
        if let Some(var) = key.strip_prefix(ENV_PREFIX).and_then(|n| vars.get(n)) {
            diags.push(
                Diagnostic::error(
                    Code::VariableValue,
                    Some(var.name.span.clone()),
                    format!("the environment variable {key} is not valid UTF-8 text (its value is not shown)"),
                )
                .with_help(format!("set {key} to UTF-8 text, e.g. convert it with iconv, or pass the value with --var {}=VALUE", var.name.value)),
            );
        }
    }
    for path in &inputs.var_files {
        apply_var_file(sources, path, &mut vars, diags);
    }
    for assignment in &inputs.vars {
        apply_cli_var(assignment, &mut vars, diags);
    }
    for var in vars.values().filter(|v| v.value.is_none()) {
        diags.push(
            Diagnostic::error(
                Code::VariableValue,
                Some(var.name.span.clone()),
                format!("variable {:?} has no value", var.name.value),
            )
            .with_help(format!(
                "give it a default, or pass --var {0}=VALUE, a --var-file, or {ENV_PREFIX}{0}",
                var.name.value
            )),
        );
    }
    vars
}

fn declare(
    file: FileId,
    block: &Block,
    empty: &Context,
    diags: &mut Diagnostics,
) -> Option<Variable> {
    let name = block_label(file, block, diags)?;
    let header = name.span.clone();
    let no_vars: [String; 0] = [];
    let mut r = BodyReader::new(file, &block.body, header, &VARIABLE, empty, diags, &no_vars);
    let description = r.string("description").optional().map(|s| s.value);
    let sensitive = match r.value("sensitive") {
        Field::Present(Spanned {
            value: Value::Bool(b),
            ..
        }) => b,
        Field::Present(v) => {
            r.diags.push(
                Diagnostic::error(
                    Code::WrongType,
                    Some(v.span),
                    "`sensitive` must be true or false",
                )
                .with_help("write sensitive = true"),
            );
            false
        }
        _ => false,
    };
    let value = match block.body.get_attribute("default") {
        // The evaluator's message may quote the value: not for a secret.
        Some(attr) if sensitive => match evaluate(&attr.value, empty) {
            Ok(v) => Some(v),
            Err(_) => {
                r.diags.push(
                    Diagnostic::error(
                        Code::Evaluation,
                        Some(span(file, &attr.value)),
                        format!("the default of the sensitive variable {:?} cannot be evaluated (the evaluator's message is not shown)", name.value),
                    )
                    .with_help("a default is a literal value: a string, a number, true or false, or a list or object of them"),
                );
                None
            }
        },
        _ => r.value("default").optional().map(|v| v.value),
    };
    Some(Variable {
        name,
        description,
        sensitive,
        value,
    })
}

fn apply_var_file(
    sources: &mut SourceMap,
    path: &PathBuf,
    vars: &mut BTreeMap<String, Variable>,
    diags: &mut Diagnostics,
) {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    Code::Input,
                    None,
                    format!("cannot read variable file {}: {e}", path.display()),
                )
                .with_help("check the path given to --var-file"),
            );
            return;
        }
    };
    let file = match super::encoding::read(sources, path.display().to_string(), bytes, true) {
        Ok(file) => file,
        Err(d) => {
            diags.push(d);
            return;
        }
    };
    let text = &sources.file(file).text;
    let body = match hcl::edit::parser::parse_body(text) {
        Ok(b) => b,
        Err(e) => {
            diags.push(crate::spec::syntax_error(file, text, &e));
            return;
        }
    };
    let empty = Context::new();
    for structure in body.iter() {
        let (key, span, value) = match structure {
            Structure::Attribute(a) => (
                a.key.as_str(),
                span(file, &a.key),
                evaluate(&a.value, &empty),
            ),
            Structure::Block(b) => {
                diags.push(
                    Diagnostic::error(
                        Code::UnknownBlock,
                        Some(span(file, &b.ident)),
                        "variable files hold only NAME = VALUE lines",
                    )
                    .with_help("move blocks into the spec's *.hcl files"),
                );
                continue;
            }
        };
        let Some(var) = vars.get_mut(key) else {
            diags.push(undeclared(key, Some(span)));
            continue;
        };
        match value {
            Ok(v) => var.value = Some(v),
            // The evaluator's message may quote the value, a secret perhaps: not shown.
            // A value past the limits says only its bound.
            Err(EvalError::Limit(e)) => diags.push(
                Diagnostic::error(Code::Limit, Some(span), e.to_string())
                    .with_help(super::limits::HINT),
            ),
            Err(_) => diags.push(
                Diagnostic::error(
                    Code::Evaluation,
                    Some(span),
                    format!("the value given for {key:?} is not a literal value"),
                )
                .with_help("variable files take literal values only: strings, numbers, true or false, lists and objects of them (the value is not shown, as it may be a secret)"),
            ),
        }
    }
}

fn apply_cli_var(assignment: &str, vars: &mut BTreeMap<String, Variable>, diags: &mut Diagnostics) {
    let Some((name, value)) = assignment.split_once('=') else {
        // The argument is not shown: `--var pw:SECRET` holds a secret with a typo.
        diags.push(
            Diagnostic::error(
                Code::VariableValue,
                None,
                "a --var argument is not NAME=VALUE (it is not shown: it may hold a secret)",
            )
            .with_help("write --var NAME=VALUE, with an = between the name and the value"),
        );
        return;
    };
    match vars.get_mut(name) {
        Some(var) => var.value = Some(Value::String(value.to_owned())),
        None => diags.push(undeclared(name, None)),
    }
}

fn undeclared(name: &str, span: Option<Span>) -> Diagnostic {
    Diagnostic::error(
        Code::VariableValue,
        span,
        format!("a value is given for the undeclared variable {name:?}"),
    )
    .with_help(format!(
        "declare it in the spec with variable {name:?} {{}}, or remove the value"
    ))
}

fn span(file: FileId, node: &impl hcl::edit::Span) -> Span {
    Span {
        file,
        range: node.span().unwrap_or(0..0),
    }
}

/// The evaluation context that spec expressions see: `var.NAME` for every variable with a value.
pub fn context(vars: &BTreeMap<String, Variable>) -> Context<'static> {
    let mut object = hcl::Map::new();
    for (name, var) in vars {
        if let Some(value) = &var.value {
            object.insert(name.clone(), value.clone());
        }
    }
    let mut ctx = Context::new();
    ctx.declare_var("var", Value::Object(object));
    ctx
}

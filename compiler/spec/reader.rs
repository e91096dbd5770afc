//! Reads one HCL body against its schema: evaluates each attribute, checks its type,
//! parses it into a domain type, and reports unknown, duplicate and missing entries.

use hcl::edit::expr::Expression as EditExpr;
use hcl::edit::structure::{Attribute, Block, Body, Structure};
use hcl::eval::{Context, Evaluate};
use hcl::Value;

use crate::diagnostic::{Code, Diagnostic, Diagnostics, FileId, Span};
use crate::model::Keyword;
use crate::spec::Spanned;

/// The attributes and blocks a body may hold.
pub struct Schema {
    /// The block's name in messages (`node`, `network`).
    pub name: &'static str,
    pub attributes: &'static [&'static str],
    pub blocks: &'static [&'static str],
}

/// What reading one attribute gave.
pub enum Field<T> {
    Absent,
    /// Present but wrong; already reported.
    Invalid,
    Present(Spanned<T>),
}

impl<T> Field<T> {
    /// The value, reporting KP005 when it is absent.
    pub fn required(self, r: &mut BodyReader<'_, '_>, key: &str) -> Option<Spanned<T>> {
        match self {
            Field::Present(v) => Some(v),
            Field::Invalid => None,
            Field::Absent => {
                r.diags.push(
                    Diagnostic::error(
                        Code::MissingAttribute,
                        Some(r.header.clone()),
                        format!(
                            "{} block is missing the required attribute `{key}`",
                            r.schema.name
                        ),
                    )
                    .with_help(format!("add `{key} = ...` inside the block")),
                );
                None
            }
        }
    }

    /// Continues with a present value; absent and invalid fields pass through.
    pub fn and_then<U>(self, f: impl FnOnce(Spanned<T>) -> Field<U>) -> Field<U> {
        match self {
            Field::Present(v) => f(v),
            Field::Absent => Field::Absent,
            Field::Invalid => Field::Invalid,
        }
    }

    /// The value when present and valid.
    pub fn optional(self) -> Option<Spanned<T>> {
        match self {
            Field::Present(v) => Some(v),
            _ => None,
        }
    }

    /// The value, or `default` spanned at the block header when absent. `None` when invalid.
    pub fn or_default(self, r: &BodyReader<'_, '_>, default: T) -> Option<Spanned<T>> {
        match self {
            Field::Present(v) => Some(v),
            Field::Invalid => None,
            Field::Absent => Some(Spanned::new(default, r.header.clone())),
        }
    }
}

/// Reads a body's attributes one by one, collecting diagnostics.
pub struct BodyReader<'a, 'd> {
    pub file: FileId,
    pub body: &'a Body,
    pub header: Span,
    pub schema: &'a Schema,
    pub ctx: &'a Context<'a>,
    pub diags: &'d mut Diagnostics,
    pub var_names: &'a [String],
}

impl<'a, 'd> BodyReader<'a, 'd> {
    /// Starts reading a body; reports unknown and duplicate attributes and blocks at once.
    pub fn new(
        file: FileId,
        body: &'a Body,
        header: Span,
        schema: &'a Schema,
        ctx: &'a Context<'a>,
        diags: &'d mut Diagnostics,
        var_names: &'a [String],
    ) -> Self {
        let mut reader = BodyReader {
            file,
            body,
            header,
            schema,
            ctx,
            diags,
            var_names,
        };
        reader.check_structure();
        reader
    }

    /// The span of an edit-tree node in this file.
    pub fn span_of(&self, node: &impl hcl::edit::Span) -> Span {
        Span {
            file: self.file,
            range: node.span().unwrap_or_else(|| self.header.range.clone()),
        }
    }

    fn check_structure(&mut self) {
        // hcl-edit already refuses an attribute set twice (a KP001 syntax error).
        for structure in self.body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    let key = attr.key.as_str();
                    if !self.schema.attributes.contains(&key) {
                        let span = self.span_of(&attr.key);
                        self.diags.push(
                            Diagnostic::error(
                                Code::UnknownAttribute,
                                Some(span),
                                format!("unknown attribute `{key}` in {} block", self.schema.name),
                            )
                            .with_help(valid_list("attributes", self.schema.attributes)),
                        );
                    }
                }
                Structure::Block(block) => {
                    let ident = block.ident.as_str();
                    if !self.schema.blocks.contains(&ident) {
                        let span = self.span_of(&block.ident);
                        self.diags.push(
                            Diagnostic::error(
                                Code::UnknownBlock,
                                Some(span),
                                format!("unknown block `{ident}` in {} block", self.schema.name),
                            )
                            .with_help(valid_list("blocks", self.schema.blocks)),
                        );
                    }
                }
            }
        }
    }

    fn attribute(&self, key: &str) -> Option<&'a Attribute> {
        self.body.get_attribute(key)
    }

    /// The one nested block named `ident`, if present; a second one is reported.
    pub fn block(&mut self, ident: &str) -> Option<&'a Block> {
        let body: &'a Body = self.body;
        let mut blocks = body.blocks().filter(|b| b.ident.as_str() == ident);
        let first = blocks.next()?;
        for extra in blocks {
            let span = self.span_of(&extra.ident);
            self.diags.push(
                Diagnostic::error(
                    Code::Duplicate,
                    Some(span),
                    format!("block `{ident}` appears twice"),
                )
                .with_help("merge the two blocks into one"),
            );
        }
        Some(first)
    }

    /// Evaluates an attribute; `Invalid` when evaluation fails.
    pub fn value(&mut self, key: &str) -> Field<Value> {
        let Some(attr) = self.attribute(key) else {
            return Field::Absent;
        };
        let span = self.span_of(&attr.value);
        match evaluate(&attr.value, self.ctx) {
            Ok(v) => Field::Present(Spanned::new(v, span)),
            Err(e) => {
                let hint = match &e {
                    EvalError::Arithmetic(_) => "change the arithmetic so that nothing is divided by zero and every number stays finite".to_owned(),
                    EvalError::Hcl(_) => declared_vars(self.var_names),
                    EvalError::Limit(_) => super::limits::HINT.to_owned(),
                };
                self.diags
                    .push(Diagnostic::error(e.code(), Some(span), e.to_string()).with_help(hint));
                Field::Invalid
            }
        }
    }

    /// A string attribute. Numbers and booleans convert to strings, as in Terraform.
    pub fn string(&mut self, key: &str) -> Field<String> {
        self.value(key).and_then(|v| match as_string(&v.value) {
            Some(s) => Field::Present(Spanned::new(s, v.span)),
            None => self.wrong_type(key, "a string", &v),
        })
    }

    /// A whole number in the range of `T`. Strings of digits convert, as in Terraform.
    pub fn number<T: TryFrom<u64>>(&mut self, key: &str) -> Field<T> {
        self.value(key).and_then(|v| {
            let n = match &v.value {
                Value::Number(n) => n.as_u64(),
                Value::String(s) => s.trim().parse::<u64>().ok(),
                _ => None,
            };
            match n.and_then(|n| T::try_from(n).ok()) {
                Some(n) => Field::Present(Spanned::new(n, v.span)),
                None => self.wrong_type(key, "a whole number in range", &v),
            }
        })
    }

    /// A bool attribute; the strings "true" and "false" convert, as in Terraform.
    pub fn boolean(&mut self, key: &str) -> Field<bool> {
        self.value(key).and_then(|v| {
            let b = match &v.value {
                Value::Bool(b) => Some(*b),
                Value::String(s) if s == "true" => Some(true),
                Value::String(s) if s == "false" => Some(false),
                _ => None,
            };
            match b {
                Some(b) => Field::Present(Spanned::new(b, v.span)),
                None => self.wrong_type(key, "true or false", &v),
            }
        })
    }

    /// A list of strings; each element keeps its own span when written as a list literal.
    pub fn string_list(&mut self, key: &str) -> Field<Vec<Spanned<String>>> {
        self.value(key).and_then(|v| {
            let Value::Array(items) = &v.value else {
                return self.wrong_type(key, "a list of strings", &v);
            };
            let spans = self.element_spans(key, items.len(), &v.span);
            let strings: Option<Vec<Spanned<String>>> = items
                .iter()
                .zip(spans)
                .map(|(item, span)| as_string(item).map(|s| Spanned::new(s, span)))
                .collect();
            match strings {
                Some(s) => Field::Present(Spanned::new(s, v.span)),
                None => self.wrong_type(key, "a list of strings", &v),
            }
        })
    }

    /// A map of strings (`{ key = "value" }`), keys sorted.
    pub fn string_map(&mut self, key: &str) -> Field<Vec<(String, String)>> {
        self.value(key).and_then(|v| {
            let Value::Object(entries) = &v.value else {
                return self.wrong_type(key, "a map of strings", &v);
            };
            let pairs: Option<Vec<(String, String)>> = entries
                .iter()
                .map(|(k, val)| as_string(val).map(|s| (k.clone(), s)))
                .collect();
            match pairs {
                Some(mut p) => {
                    p.sort();
                    Field::Present(Spanned::new(p, v.span))
                }
                None => self.wrong_type(key, "a map of strings", &v),
            }
        })
    }

    /// A string attribute parsed into `T` by `parse`; a failure is reported with `code`.
    pub fn parsed<T>(
        &mut self,
        key: &str,
        code: Code,
        hint: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Field<T> {
        self.string(key).and_then(|s| match parse(&s.value) {
            Ok(t) => Field::Present(Spanned::new(t, s.span)),
            Err(why) => {
                self.diags.push(
                    Diagnostic::error(code, Some(s.span), format!("invalid `{key}`: {why}"))
                        .with_help(hint),
                );
                Field::Invalid
            }
        })
    }

    /// A keyword from a closed set.
    pub fn keyword<K: Keyword>(&mut self, key: &str) -> Field<K> {
        self.string(key).and_then(|s| self.keyword_of(s))
    }

    fn keyword_of<K: Keyword>(&mut self, s: Spanned<String>) -> Field<K> {
        match K::parse(&s.value) {
            Some(k) => Field::Present(Spanned::new(k, s.span)),
            None => {
                self.diags.push(
                    Diagnostic::error(
                        K::CODE,
                        Some(s.span),
                        format!("unknown {} {:?}", K::WHAT, s.value),
                    )
                    .with_help(format!("expected one of: {}", K::accepted())),
                );
                Field::Invalid
            }
        }
    }

    /// A list of keywords; each element keeps its own span when written as a list literal.
    pub fn keyword_list<K: Keyword>(&mut self, key: &str) -> Field<Vec<Spanned<K>>> {
        self.value(key).and_then(|v| self.keywords_of(key, v))
    }

    fn keywords_of<K: Keyword>(&mut self, key: &str, v: Spanned<Value>) -> Field<Vec<Spanned<K>>> {
        let Value::Array(items) = &v.value else {
            return self.wrong_type(key, "a list of strings", &v);
        };
        let spans = self.element_spans(key, items.len(), &v.span);
        let mut out = Vec::new();
        let mut ok = true;
        for (item, span) in items.iter().zip(spans) {
            let Some(s) = as_string(item) else {
                self.diags.push(
                    Diagnostic::error(
                        Code::WrongType,
                        Some(span),
                        format!("`{key}` must be a list of strings"),
                    )
                    .with_help(format!("write each {} as a quoted string", K::WHAT)),
                );
                ok = false;
                continue;
            };
            match self.keyword_of::<K>(Spanned::new(s, span)) {
                Field::Present(k) => out.push(k),
                _ => ok = false,
            }
        }
        if ok {
            Field::Present(Spanned::new(out, v.span))
        } else {
            Field::Invalid
        }
    }

    fn element_spans(&self, key: &str, len: usize, whole: &Span) -> Vec<Span> {
        match self.attribute(key).map(|a| &a.value) {
            Some(EditExpr::Array(array)) if array.len() == len => {
                array.iter().map(|e| self.span_of(e)).collect()
            }
            _ => vec![whole.clone(); len],
        }
    }

    fn wrong_type<T>(&mut self, key: &str, expected: &str, got: &Spanned<Value>) -> Field<T> {
        self.diags.push(
            Diagnostic::error(
                Code::WrongType,
                Some(got.span.clone()),
                format!("`{key}` must be {expected}, not {}", type_name(&got.value)),
            )
            .with_help(format!("change the value of `{key}` to {expected}")),
        );
        Field::Invalid
    }
}

/// Why an expression could not be evaluated.
#[derive(Debug, PartialEq)]
pub enum EvalError {
    /// Arithmetic without a finite result, or on values not known in advance.
    Arithmetic(String),
    /// What hcl-rs reported: an undefined name, a type mismatch, a function's error.
    Hcl(String),
    /// A value or an evaluation that may grow past kubeplan's limits (`limits`).
    Limit(super::limits::Exceeded),
}

impl EvalError {
    /// The diagnostic code: KP054 past a limit, KP008 otherwise.
    pub fn code(&self) -> Code {
        match self {
            EvalError::Limit(_) => Code::Limit,
            _ => Code::Evaluation,
        }
    }
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvalError::Arithmetic(m) | EvalError::Hcl(m) => f.write_str(m),
            EvalError::Limit(e) => e.fmt(f),
        }
    }
}

/// Evaluates an edit-tree expression with hcl-rs's evaluator, after checking that its value
/// and work stay within the limits (`limits`) and working out its arithmetic (which hcl-rs
/// can panic on; see `arithmetic`).
pub fn evaluate(expr: &EditExpr, ctx: &Context) -> Result<Value, EvalError> {
    super::limits::check(expr, ctx).map_err(EvalError::Limit)?;
    let mut expr = expr.clone();
    super::arithmetic::fold(&mut expr, ctx).map_err(EvalError::Arithmetic)?;
    let expr: hcl::Expression = expr.into();
    expr.evaluate(ctx)
        .map_err(|e| EvalError::Hcl(e.to_string()))
}

/// The string form of a primitive value, as Terraform converts it.
pub fn as_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The HCL name of a value's type, for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn valid_list(what: &str, names: &[&str]) -> String {
    if names.is_empty() {
        format!("this block takes no {what}")
    } else {
        format!("valid {what} here: {}", names.join(", "))
    }
}

fn declared_vars(names: &[String]) -> String {
    if names.is_empty() {
        "no variables are declared; declare one with a variable \"NAME\" { default = ... } block"
            .to_owned()
    } else {
        format!(
            "declared variables: {}",
            names
                .iter()
                .map(|n| format!("var.{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

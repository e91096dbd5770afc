//! Bounds on what evaluating one expression may build and cost, checked before hcl-rs
//! evaluates it (docs/spec.md#limits).
//!
//! hcl-rs evaluates eagerly and clones every value it reads, so a few bytes of spec can ask
//! for exponential memory (`l1 = [local.l0, local.l0]`, 24 times, is 2^24 elements) or
//! quadratic time (`[for x in local.big : local.big]`). Before evaluating, [`check`] works out
//! an upper bound of the result's size and of the work (values built and copied) from the
//! sizes of the values the expression reads, and refuses the expression when either is past
//! its limit. The bound is linear to compute and never below the truth, so nothing under the
//! limits is refused; a `for` is bounded as if every element passed its `if`.

use std::collections::HashMap;

use hcl::edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl::edit::template::{Directive, Element, Template};
use hcl::eval::Context;
use hcl::{Identifier, Value};

/// The most "units" one evaluated value may hold: one per value (list, object, string,
/// number, bool, null) plus one per byte of each string and object key. A cluster's worth of
/// node attributes (5,000 nodes) is a few hundred thousand.
pub const MAX_VALUE_SIZE: u64 = 1_000_000;

/// The most units evaluating one expression may build or copy (hcl-rs copies every value it
/// reads): a few times the largest value, so that a loop over a big list that reads another
/// big list each time is refused rather than run for minutes.
pub const MAX_WORK: u64 = 4 * MAX_VALUE_SIZE;

/// The widest field `format` pads to (functions::MAX_WIDTH), for its bound.
const FORMAT_WIDTH: u64 = 1000;

/// Why an expression is refused: its bounds, over the limits.
#[derive(Debug, PartialEq, Eq)]
pub struct Exceeded {
    pub size: u64,
    pub work: u64,
}

impl std::fmt::Display for Exceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.size > MAX_VALUE_SIZE {
            write!(
                f,
                "this expression can build a value of up to {} elements and characters, over kubeplan's limit of {MAX_VALUE_SIZE}",
                self.size
            )
        } else {
            write!(
                f,
                "evaluating this expression can copy up to {} elements and characters, over kubeplan's limit of {MAX_WORK}",
                self.work
            )
        }
    }
}

/// The hint of the diagnostic for an [`Exceeded`].
pub const HINT: &str = "build smaller values: a chain of locals that each double a list, or a `for` over a large list that reads another large list, grows past any machine (limits: docs/spec.md#limits)";

/// Refuses `expr` when the value it evaluates to, or the work of evaluating it in `ctx`, may
/// exceed the limits.
pub fn check(expr: &Expression, ctx: &Context) -> Result<(), Exceeded> {
    let mut est = Estimator {
        ctx,
        scopes: Vec::new(),
        spent: 0,
    };
    let b = est.expr(expr);
    if b.size > MAX_VALUE_SIZE || b.work > MAX_WORK || est.spent > MAX_WORK {
        return Err(Exceeded {
            size: b.size,
            work: b.work.max(est.spent),
        });
    }
    Ok(())
}

/// The size of a value in units (see [`MAX_VALUE_SIZE`]), counting no further than `cap`.
pub fn size(value: &Value, cap: u64) -> u64 {
    let mut total = 0u64;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        total = total.saturating_add(1);
        match v {
            Value::String(s) => total = total.saturating_add(s.len() as u64),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                for (k, item) in map {
                    total = total.saturating_add(k.len() as u64);
                    stack.push(item);
                }
            }
            _ => {}
        }
        if total > cap {
            return total;
        }
    }
    total
}

/// Upper bounds for one expression: the size of its value and the work of evaluating it.
#[derive(Clone, Copy, Debug)]
struct Bound {
    size: u64,
    work: u64,
}

impl Bound {
    const ONE: Bound = Bound { size: 1, work: 1 };

    fn scalar(work: u64) -> Bound {
        Bound { size: 1, work }
    }
}

fn add(a: u64, b: u64) -> u64 {
    a.saturating_add(b)
}

fn mul(a: u64, b: u64) -> u64 {
    a.saturating_mul(b)
}

struct Estimator<'a, 'c> {
    ctx: &'a Context<'c>,
    /// The variables of the `for` expressions and directives around: their values' size.
    scopes: Vec<HashMap<String, u64>>,
    /// Work spent measuring the values read, which stops once past `MAX_WORK`.
    spent: u64,
}

impl Estimator<'_, '_> {
    fn expr(&mut self, expr: &Expression) -> Bound {
        match expr {
            Expression::Null(_) | Expression::Bool(_) | Expression::Number(_) => Bound::ONE,
            Expression::String(s) => {
                let n = add(1, s.value().len() as u64);
                Bound { size: n, work: n }
            }
            Expression::Array(array) => {
                let mut b = Bound::ONE;
                for item in array.iter() {
                    let i = self.expr(item);
                    b.size = add(b.size, i.size);
                    b.work = add(b.work, i.work);
                }
                b
            }
            Expression::Object(object) => {
                let mut b = Bound::ONE;
                for (key, value) in object.iter() {
                    let k = match key {
                        ObjectKey::Ident(ident) => {
                            let n = ident.value().as_str().len() as u64;
                            Bound { size: n, work: n }
                        }
                        ObjectKey::Expression(e) => self.expr(e),
                    };
                    let v = self.expr(value.expr());
                    b.size = add(b.size, add(k.size, v.size));
                    b.work = add(b.work, add(k.work, v.work));
                }
                b
            }
            Expression::StringTemplate(t) => self.template(t),
            Expression::HeredocTemplate(h) => self.template(&h.template),
            Expression::Parenthesis(p) => self.expr(p.inner()),
            Expression::Variable(v) => {
                let n = self.variable(v.value().as_str(), &[]);
                Bound { size: n, work: n }
            }
            Expression::Traversal(t) => self.traversal(&t.expr, &t.operators),
            Expression::FuncCall(call) => self.func_call(call),
            Expression::Conditional(c) => {
                let cond = self.expr(&c.cond_expr);
                let t = self.expr(&c.true_expr);
                let f = self.expr(&c.false_expr);
                Bound {
                    size: t.size.max(f.size),
                    work: add(cond.work, t.work.max(f.work)),
                }
            }
            Expression::UnaryOp(op) => Bound::scalar(add(1, self.expr(&op.expr).work)),
            Expression::BinaryOp(op) => {
                let l = self.expr(&op.lhs_expr);
                let r = self.expr(&op.rhs_expr);
                // kubeplan's arithmetic pre-check evaluates the operands once more.
                Bound::scalar(mul(2, add(1, add(l.work, r.work))))
            }
            Expression::ForExpr(f) => {
                let coll = self.expr(&f.intro.collection_expr);
                let mut names = vec![f.intro.value_var.value().as_str()];
                if let Some(k) = &f.intro.key_var {
                    names.push(k.value().as_str());
                }
                self.scopes.push(
                    names
                        .into_iter()
                        .map(|n| (n.to_owned(), coll.size))
                        .collect(),
                );
                let key = f.key_expr.as_ref().map_or(Bound::ONE, |k| self.expr(k));
                let value = self.expr(&f.value_expr);
                let cond = f.cond.as_ref().map_or(Bound::ONE, |c| self.expr(&c.expr));
                self.scopes.pop();
                // At most one iteration per element, and no collection has more elements
                // than its size.
                Bound {
                    size: add(1, mul(coll.size, add(key.size, value.size))),
                    work: add(
                        coll.work,
                        mul(coll.size, add(1, add(key.work, add(value.work, cond.work)))),
                    ),
                }
            }
        }
    }

    fn template(&mut self, template: &Template) -> Bound {
        let mut b = Bound::ONE;
        for element in template.iter() {
            let e = match element {
                Element::Literal(lit) => {
                    let n = lit.value().len() as u64;
                    Bound { size: n, work: n }
                }
                Element::Interpolation(i) => self.expr(&i.expr),
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(d) => {
                        let cond = self.expr(&d.if_expr.cond_expr);
                        let t = self.template(&d.if_expr.template);
                        let f = d
                            .else_expr
                            .as_ref()
                            .map_or(Bound::ONE, |e| self.template(&e.template));
                        Bound {
                            size: t.size.max(f.size),
                            work: add(cond.work, t.work.max(f.work)),
                        }
                    }
                    Directive::For(d) => {
                        let f = &d.for_expr;
                        let coll = self.expr(&f.collection_expr);
                        let mut scope = HashMap::new();
                        scope.insert(f.value_var.value().as_str().to_owned(), coll.size);
                        if let Some(k) = &f.key_var {
                            scope.insert(k.value().as_str().to_owned(), coll.size);
                        }
                        self.scopes.push(scope);
                        let body = self.template(&f.template);
                        self.scopes.pop();
                        Bound {
                            size: mul(coll.size, body.size),
                            work: add(coll.work, mul(coll.size, add(1, body.work))),
                        }
                    }
                },
            };
            b.size = add(b.size, e.size);
            b.work = add(b.work, e.work);
        }
        b
    }

    fn traversal(
        &mut self,
        root: &Expression,
        operators: &[hcl::edit::Decorated<TraversalOperator>],
    ) -> Bound {
        let mut index_work = 0u64;
        let mut splat = false;
        // The attribute names leading the traversal, to measure only the part of a variable
        // that is read (hcl-rs copies only that part).
        let mut path: Vec<&str> = Vec::new();
        let mut path_open = true;
        for op in operators {
            match op.value() {
                TraversalOperator::GetAttr(name) if path_open => path.push(name.value().as_str()),
                TraversalOperator::Index(Expression::String(s)) if path_open => {
                    path.push(s.value().as_str())
                }
                TraversalOperator::Index(e) => {
                    path_open = false;
                    index_work = add(index_work, self.expr(e).work);
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    path_open = false;
                    splat = true;
                }
                _ => path_open = false,
            }
        }
        let base = match root {
            Expression::Variable(v) => {
                let n = self.variable(v.value().as_str(), &path);
                Bound { size: n, work: n }
            }
            other => self.expr(other),
        };
        // After a splat the index expressions run once per element.
        let index_work = if splat {
            mul(base.size, index_work)
        } else {
            index_work
        };
        Bound {
            size: base.size,
            work: add(base.work, index_work),
        }
    }

    fn func_call(&mut self, call: &hcl::edit::expr::FuncCall) -> Bound {
        let args: Vec<Bound> = call.args.iter().map(|a| self.expr(a)).collect();
        let work = args.iter().fold(0u64, |w, a| add(w, a.work));
        let sizes = |i: usize| args.get(i).map_or(0, |a| a.size);
        let total = args.iter().fold(0u64, |s, a| add(s, a.size));
        let size = match call.name.name.value().as_str() {
            // A number.
            "length" => 1,
            // An IPv4 address or CIDR: "255.255.255.255/32" is 18 bytes.
            "cidrhost" | "cidrsubnet" => 19,
            // Lowercasing or uppercasing one character gives at most three.
            "lower" | "upper" => mul(3, sizes(0)),
            // The separator between every two elements.
            "join" => add(mul(sizes(0), sizes(1)), sizes(1)),
            // Each verb of the format pads to at most FORMAT_WIDTH.
            "format" => add(mul(sizes(0), FORMAT_WIDTH + 1), total),
            _ => total,
        };
        Bound {
            size,
            work: add(work, size),
        }
    }

    /// The size of the part of variable `name` reached by `path` (as far as it leads), as
    /// read: a `for` variable's bound, or the declared value, measured.
    fn variable(&mut self, name: &str, path: &[&str]) -> u64 {
        if let Some(n) = self.scopes.iter().rev().find_map(|s| s.get(name)) {
            return *n;
        }
        let Ok(ident) = Identifier::new(name) else {
            return 1;
        };
        let Some(mut value) = self.ctx.var(&ident) else {
            return 1; // undefined: evaluating it is an error
        };
        for key in path {
            match value.as_object().and_then(|o| o.get(*key)) {
                Some(v) => value = v,
                None => break,
            }
        }
        let cap = MAX_WORK.saturating_sub(self.spent).saturating_add(1);
        let n = size(value, cap);
        self.spent = add(self.spent, n);
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(src: &str, ctx: &Context) -> Result<(), Exceeded> {
        let expr: Expression = src.parse().unwrap();
        check(&expr, ctx)
    }

    #[test]
    fn a_doubled_list_is_measured_and_a_loop_over_it_multiplied() {
        let mut ctx = Context::new();
        let big: Vec<Value> = (0..200_000).map(Value::from).collect();
        let mut local = hcl::Map::new();
        local.insert("big".to_owned(), Value::Array(big));
        local.insert("small".to_owned(), Value::from(vec![1, 2, 3]));
        ctx.declare_var("local", Value::Object(local));
        assert_eq!(bound("[local.small, local.small]", &ctx), Ok(()));
        assert_eq!(bound("[local.big, local.big]", &ctx), Ok(()));
        let e = bound(
            "[local.big, local.big, local.big, local.big, local.big, local.big]",
            &ctx,
        )
        .unwrap_err();
        assert!(e.size > MAX_VALUE_SIZE, "{e:?}");
        // Quadratic: the bound multiplies the loop by what its body reads.
        let e = bound("[for x in local.big : length(local.big)]", &ctx).unwrap_err();
        assert!(e.work > MAX_WORK && e.size <= MAX_VALUE_SIZE, "{e:?}");
        assert_eq!(bound("[for x in local.small : local.small]", &ctx), Ok(()));
        // A string doubled in a template counts its characters.
        let mut ctx = Context::new();
        let mut local = hcl::Map::new();
        local.insert("s".to_owned(), Value::from("x".repeat(600_000)));
        ctx.declare_var("local", Value::Object(local));
        assert_eq!(bound("\"${local.s}!\"", &ctx), Ok(()));
        assert!(bound("\"${local.s}${local.s}\"", &ctx).is_err());
        assert!(bound("join(local.s, [local.s])", &ctx).is_err());
    }

    #[test]
    fn literals_are_never_refused_below_the_limit() {
        let ctx = Context::new();
        let list = format!("[{}]", vec!["1"; 10_000].join(","));
        assert_eq!(bound(&list, &ctx), Ok(()));
        // Three nested loops over 1,000 elements: a billion, refused before running.
        let thousand = format!("[{}]", vec!["1"; 1000].join(","));
        let nested =
            format!("[for a in {thousand} : [for b in {thousand} : [for c in {thousand} : c]]]");
        assert!(bound(&nested, &ctx).is_err());
    }
}

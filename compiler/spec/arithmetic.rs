//! Arithmetic (`+ - * / %`) worked out by kubeplan before hcl-rs evaluates an expression.
//!
//! hcl-rs 0.20 (hcl-primitives 0.1.13) panics on `x / 0` and any other result that is not
//! a finite number, on `x % 0` between integers, and on integer overflow in debug builds
//! (wrapping silently in release ones); the fuzzer found the first. So every arithmetic
//! operation is folded here, bottom-up, into a number literal: a result that is not a
//! finite number is an error with the operation in its message, and an operation whose
//! operands are not known before evaluation (a `for` expression's variables) is refused.

use hcl::edit::expr::{BinaryOperator, Expression as EditExpr};
use hcl::edit::visit_mut::{visit_expr_mut, VisitMut};
use hcl::edit::Formatted;
use hcl::eval::{Context, Evaluate};
use hcl::{Number, Value};

/// Replaces every arithmetic operation in `expr` by its result.
pub(crate) fn fold(expr: &mut EditExpr, ctx: &Context) -> Result<(), String> {
    let mut folder = Folder { ctx, error: None };
    folder.visit_expr_mut(expr);
    folder.error.map_or(Ok(()), Err)
}

struct Folder<'a, 'c> {
    ctx: &'a Context<'c>,
    error: Option<String>,
}

impl VisitMut for Folder<'_, '_> {
    fn visit_expr_mut(&mut self, expr: &mut EditExpr) {
        if self.error.is_some() {
            return;
        }
        visit_expr_mut(self, expr); // operands first
        if self.error.is_some() {
            // An operand failed and stays unfolded: evaluating it below is what panics.
            return;
        }
        let EditExpr::BinaryOp(op) = &*expr else {
            return;
        };
        let operator = *op.operator.value();
        let symbol = match operator {
            BinaryOperator::Plus => "+",
            BinaryOperator::Minus => "-",
            BinaryOperator::Mul => "*",
            BinaryOperator::Div => "/",
            BinaryOperator::Mod => "%",
            _ => return,
        };
        let operand = |e: &EditExpr| {
            let e: hcl::Expression = e.clone().into();
            e.evaluate(self.ctx)
        };
        let (lhs, rhs) = match (operand(&op.lhs_expr), operand(&op.rhs_expr)) {
            (Ok(Value::Number(a)), Ok(Value::Number(b))) => (a, b),
            (Ok(_), Ok(_)) => return, // not two numbers: hcl-rs reports the type error
            (Err(e), _) | (_, Err(e)) => {
                self.error = Some(format!(
                    "cannot work out `{symbol}`: {e} (kubeplan computes arithmetic only on values known outside `for` expressions)"
                ));
                return;
            }
        };
        match compute(lhs, operator, rhs) {
            Some(n) => *expr = EditExpr::Number(Formatted::new(n)),
            None => {
                self.error = Some(format!(
                    "{lhs} {symbol} {rhs} has no finite result (division by zero, or too large)"
                ))
            }
        }
    }
}

/// The result, as Terraform computes it: exact for integers while they fit, else a float;
/// `None` when it is not a finite number.
fn compute(a: Number, op: BinaryOperator, b: Number) -> Option<Number> {
    let int = |n: Number| n.as_i64().map(i128::from).or(n.as_u64().map(i128::from));
    if let (Some(x), Some(y)) = (int(a), int(b)) {
        let exact = match op {
            BinaryOperator::Plus => x.checked_add(y),
            BinaryOperator::Minus => x.checked_sub(y),
            BinaryOperator::Mul => x.checked_mul(y),
            BinaryOperator::Mod => x.checked_rem(y),
            _ => None, // division goes through floats: 5 / 2 is 2.5
        };
        if let Some(r) = exact {
            if let Ok(r) = i64::try_from(r) {
                return Some(Number::from(r));
            }
            if let Ok(r) = u64::try_from(r) {
                return Some(Number::from(r));
            }
        }
        if op == BinaryOperator::Mod && y == 0 {
            return None;
        }
    }
    let (x, y) = (a.as_f64()?, b.as_f64()?);
    let r = match op {
        BinaryOperator::Plus => x + y,
        BinaryOperator::Minus => x - y,
        BinaryOperator::Mul => x * y,
        BinaryOperator::Div => x / y,
        BinaryOperator::Mod => x % y,
        _ => return None,
    };
    Number::from_f64(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(text: &str) -> Result<Value, String> {
        let ctx = Context::new();
        let mut expr = hcl::edit::parser::parse_expr(text).unwrap();
        fold(&mut expr, &ctx)?;
        let expr: hcl::Expression = expr.into();
        expr.evaluate(&ctx).map_err(|e| e.to_string())
    }

    #[test]
    fn arithmetic_gives_terraforms_results() {
        assert_eq!(eval("1 + 2 * 3"), Ok(Value::from(7)));
        assert_eq!(eval("5 / 2"), Ok(Value::from(2.5)));
        assert_eq!(eval("7 % 3"), Ok(Value::from(1)));
        assert_eq!(eval("-7 % 3"), Ok(Value::from(-1)));
        assert_eq!(eval("2 - 5"), Ok(Value::from(-3)));
        assert_eq!(eval("\"x${10 / 4}\""), Ok(Value::from("x2.5")));
        assert_eq!(
            eval("18446744073709551615 + 1"),
            Ok(Value::from(18_446_744_073_709_551_616.0))
        );
    }

    #[test]
    fn what_would_panic_in_hcl_rs_is_an_error() {
        for text in [
            "1 / 0",
            "\"x${1/0}\"",
            "[1, 2 % 0]",
            "1e308 * 10",
            "1.5 % 0",
            "true ? 0 / 0 : 1",
            // An outer operation around the failing one (issue 15).
            "1 + 1 % 0",
            "(1 % 0) + 1",
            "length([1 % 0]) + 1",
        ] {
            let err = eval(text).unwrap_err();
            assert!(err.contains("has no finite result"), "{text}: {err}");
        }
        let err = eval("[for x in [0, 1] : 1 / x]").unwrap_err();
        assert!(err.contains("outside `for` expressions"), "{err}");
    }
}

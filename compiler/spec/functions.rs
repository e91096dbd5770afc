//! The HCL functions a spec may call, with Terraform's names and behaviour:
//! `cidrsubnet`, `cidrhost`, `format`, `join`, `lower`, `upper`, `length`.

use std::net::Ipv4Addr;

use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};
use hcl::Value;
use ipnet::Ipv4Net;

/// Every function name, for documentation and hints.
pub const NAMES: [&str; 7] = [
    "cidrhost",
    "cidrsubnet",
    "format",
    "join",
    "length",
    "lower",
    "upper",
];

/// Declares every function in `ctx`.
pub fn declare(ctx: &mut Context<'_>) {
    let s = || ParamType::String;
    let n = || ParamType::Number;
    ctx.declare_func(
        "cidrsubnet",
        FuncDef::builder().params([s(), n(), n()]).build(cidrsubnet),
    );
    ctx.declare_func(
        "cidrhost",
        FuncDef::builder().params([s(), n()]).build(cidrhost),
    );
    ctx.declare_func(
        "format",
        FuncDef::builder()
            .param(s())
            .variadic_param(ParamType::Any)
            .build(format),
    );
    ctx.declare_func(
        "join",
        FuncDef::builder()
            .params([s(), ParamType::array_of(ParamType::Any)])
            .build(join),
    );
    ctx.declare_func("lower", FuncDef::builder().param(s()).build(lower));
    ctx.declare_func("upper", FuncDef::builder().param(s()).build(upper));
    ctx.declare_func(
        "length",
        FuncDef::builder().param(ParamType::Any).build(length),
    );
}

fn str_arg(args: &FuncArgs, i: usize) -> Result<&str, String> {
    args[i]
        .as_str()
        .ok_or_else(|| format!("argument {} must be a string", i + 1))
}

fn int_arg(args: &FuncArgs, i: usize) -> Result<i64, String> {
    args[i]
        .as_i64()
        .ok_or_else(|| format!("argument {} must be a whole number", i + 1))
}

fn network(prefix: &str) -> Result<Ipv4Net, String> {
    prefix
        .parse::<Ipv4Net>()
        .map(|n| n.trunc())
        .map_err(|_| format!("{prefix:?} is not an IPv4 CIDR prefix"))
}

/// `cidrsubnet("10.0.0.0/16", 8, 2)` is `"10.0.2.0/24"`.
fn cidrsubnet(args: FuncArgs) -> Result<Value, String> {
    let net = network(str_arg(&args, 0)?)?;
    let newbits = int_arg(&args, 1)?;
    let netnum = int_arg(&args, 2)?;
    let prefix = i64::from(net.prefix_len()) + newbits;
    if !(0..=32).contains(&newbits) || prefix > 32 {
        return Err(format!(
            "cannot extend prefix /{} by {newbits} bits",
            net.prefix_len()
        ));
    }
    let count = 1i64 << newbits;
    if !(0..count).contains(&netnum) {
        return Err(format!(
            "netnum {netnum} does not fit in {newbits} bits (0 to {})",
            count - 1
        ));
    }
    let size = 1u64 << (32 - prefix);
    let base = u64::from(u32::from(net.network())) + netnum as u64 * size;
    let addr = Ipv4Addr::from(base as u32);
    Ok(Value::String(format!("{addr}/{prefix}")))
}

/// `cidrhost("10.0.1.0/24", 5)` is `"10.0.1.5"`; a negative number counts from the end.
fn cidrhost(args: FuncArgs) -> Result<Value, String> {
    let net = network(str_arg(&args, 0)?)?;
    let hostnum = int_arg(&args, 1)?;
    let size = 1i64 << (32 - net.prefix_len());
    let index = if hostnum < 0 { size + hostnum } else { hostnum };
    if !(0..size).contains(&index) {
        return Err(format!(
            "host number {hostnum} is outside {net}, which has {size} addresses"
        ));
    }
    let addr = Ipv4Addr::from(u32::from(net.network()) + index as u32);
    Ok(Value::String(addr.to_string()))
}

/// The widest `format` field: wider ones are refused.
const MAX_WIDTH: usize = 1000;

/// Terraform's `format`: `%s`, `%d`, `%v` and `%%`, with an optional `-`/`0` flag and width.
fn format(args: FuncArgs) -> Result<Value, String> {
    let spec = str_arg(&args, 0)?;
    let mut values = args.variadic_args();
    let mut out = String::new();
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        let mut left = false;
        let mut zero = false;
        while let Some(&f) = chars.peek() {
            match f {
                '-' => left = true,
                '0' => zero = true,
                _ => break,
            }
            chars.next();
        }
        // A width past MAX_WIDTH is refused: it would overflow, or pad gigabytes (the
        // fuzzer found `%3333…01d`).
        let mut width = 0usize;
        while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            width = width * 10 + d as usize;
            if width > MAX_WIDTH {
                return Err(format!("a format width is at most {MAX_WIDTH}"));
            }
            chars.next();
        }
        let verb = chars
            .next()
            .ok_or_else(|| "the format ends in the middle of a % verb".to_owned())?;
        let value = values
            .next()
            .ok_or_else(|| format!("not enough arguments for the format {spec:?}"))?;
        let text = match verb {
            's' | 'v' => crate::spec::reader::as_string(value)
                .ok_or_else(|| format!("%{verb} needs a string, number or bool"))?,
            'd' => value
                .as_i64()
                .ok_or_else(|| "%d needs a whole number".to_owned())?
                .to_string(),
            other => {
                return Err(format!(
                    "unsupported format verb %{other}; use %s, %d or %v"
                ))
            }
        };
        let pad = width.saturating_sub(text.chars().count());
        if left {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', pad));
        } else if zero && verb == 'd' {
            let (sign, digits) = text.split_at(usize::from(text.starts_with('-')));
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', pad));
            out.push_str(digits);
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&text);
        }
    }
    if values.next().is_some() {
        return Err(format!("too many arguments for the format {spec:?}"));
    }
    Ok(Value::String(out))
}

fn join(args: FuncArgs) -> Result<Value, String> {
    let sep = str_arg(&args, 0)?;
    let items = args[1].as_array().map(Vec::as_slice).unwrap_or_default();
    let parts: Option<Vec<String>> = items.iter().map(crate::spec::reader::as_string).collect();
    let parts = parts.ok_or_else(|| "join takes a list of strings".to_owned())?;
    Ok(Value::String(parts.join(sep)))
}

fn lower(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(str_arg(&args, 0)?.to_lowercase()))
}

fn upper(args: FuncArgs) -> Result<Value, String> {
    Ok(Value::String(str_arg(&args, 0)?.to_uppercase()))
}

fn length(args: FuncArgs) -> Result<Value, String> {
    let n = match &args[0] {
        Value::Array(a) => a.len(),
        Value::Object(o) => o.len(),
        Value::String(s) => s.chars().count(),
        other => {
            return Err(format!(
                "length takes a list, map or string, not {}",
                crate::spec::reader::type_name(other)
            ))
        }
    };
    Ok(Value::from(n as u64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcl::eval::Evaluate;

    fn eval(expr: &str) -> Result<Value, String> {
        let mut ctx = Context::new();
        declare(&mut ctx);
        let e: hcl::Expression = hcl::edit::parser::parse_expr(expr)
            .map_err(|e| e.to_string())?
            .into();
        e.evaluate(&ctx).map_err(|e| e.to_string())
    }

    #[test]
    fn a_format_width_past_the_limit_is_an_error_not_an_overflow() {
        let err = eval(&format!("format(\"%{}1d\", 7)", "3".repeat(40))).unwrap_err();
        assert!(err.contains("a format width is at most 1000"), "{err}");
        assert_eq!(
            eval("format(\"%1000d\", 7)")
                .unwrap()
                .as_str()
                .unwrap()
                .len(),
            1000
        );
    }

    fn s(v: &str) -> Value {
        Value::String(v.to_owned())
    }

    #[test]
    fn cidr_functions_match_terraform() {
        assert_eq!(
            eval(r#"cidrsubnet("10.0.0.0/16", 8, 2)"#),
            Ok(s("10.0.2.0/24"))
        );
        assert_eq!(
            eval(r#"cidrsubnet("10.244.0.0/16", 10, 3)"#),
            Ok(s("10.244.0.192/26"))
        );
        assert_eq!(eval(r#"cidrhost("10.0.1.0/24", 5)"#), Ok(s("10.0.1.5")));
        assert_eq!(eval(r#"cidrhost("10.0.1.0/24", -2)"#), Ok(s("10.0.1.254")));
        assert!(eval(r#"cidrsubnet("10.0.0.0/16", 8, 256)"#).is_err());
        assert!(eval(r#"cidrhost("10.0.1.0/30", 4)"#).is_err());
    }

    #[test]
    fn format_pads_and_counts_its_arguments() {
        assert_eq!(eval(r#"format("win-%02d", 7)"#), Ok(s("win-07")));
        assert_eq!(eval(r#"format("%s:%d %%", "a", 6443)"#), Ok(s("a:6443 %")));
        assert!(eval(r#"format("%s %s", "a")"#).is_err());
        assert!(eval(r#"format("%s", "a", "b")"#).is_err());
    }

    #[test]
    fn string_and_list_functions() {
        assert_eq!(eval(r#"join(",", ["a", "b"])"#), Ok(s("a,b")));
        assert_eq!(eval(r#"lower("LTSC2019")"#), Ok(s("ltsc2019")));
        assert_eq!(eval(r#"upper("ab")"#), Ok(s("AB")));
        assert_eq!(eval(r#"length(["a", "b", "c"])"#), Ok(Value::from(3u64)));
        assert_eq!(eval(r#"length("héllo")"#), Ok(Value::from(5u64)));
    }
}

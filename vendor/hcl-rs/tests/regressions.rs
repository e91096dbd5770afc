mod common;

use common::{assert_deserialize, assert_format};
use hcl::eval::{Context, Evaluate};
use hcl::{expr::*, Attribute, Body, Identifier, Value};
use indoc::indoc;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::PathBuf;

// https://github.com/martinohmann/hcl-rs/issues/44
#[test]
fn issue_44() {
    #[derive(Deserialize, Debug, PartialEq)]
    pub struct Config {
        #[serde(rename = "project")]
        pub projects: HashMap<String, Project>,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    pub struct Project {
        pub proj_type: String,
        pub spec: Option<PathBuf>,
        pub dockerfile: Option<PathBuf>,
        pub scripts: Option<Vec<Script>>,
    }

    #[derive(Deserialize, Debug, PartialEq, Eq)]
    pub struct Script {
        pub name: String,
        pub command: String,
    }

    let expected = Config {
        projects: {
            let mut map = HashMap::new();
            map.insert(
                "a".into(),
                Project {
                    proj_type: "generic".into(),
                    spec: Some(PathBuf::from("./test.spec")),
                    dockerfile: None,
                    scripts: None,
                },
            );
            map
        },
    };

    let input = indoc! {r#"
        project "a" {
            proj_type = "generic"
            spec = "./test.spec"
        }
    "#};

    assert_deserialize(input, expected);
}

// https://github.com/martinohmann/hcl-rs/issues/66
#[test]
fn issue_66() {
    let expected =
        hcl::body!({ a = (Traversal::new(Variable::unchecked("b"), [Expression::from("c")])) });

    assert_deserialize(r#"a = b["c"]"#, expected);
}

// https://github.com/martinohmann/hcl-rs/issues/81
#[test]
fn issue_81() {
    let var = Variable::unchecked("module");

    let expected = hcl::body!({
        attr_splat = (Traversal::builder(var.clone()).attr("instance").attr_splat().attr("id").build())
        full_splat = (Traversal::builder(var).attr("instance").full_splat().attr("id").build())
    });

    let input = indoc! {r#"
        attr_splat = module.instance.*.id
        full_splat = module.instance[*].id
    "#};

    assert_deserialize(input, expected);
}

// https://github.com/martinohmann/hcl-rs/issues/83
#[test]
fn issue_83() {
    let expected = hcl::body!({
        attr = (Traversal::new(
            Variable::unchecked("module"),
            [
                TraversalOperator::GetAttr("instance".into()),
                TraversalOperator::LegacyIndex(0),
                TraversalOperator::GetAttr("id".into()),
            ],
        ))
    });

    assert_deserialize("attr = module.instance.0.id", expected);
}

// https://github.com/martinohmann/hcl-rs/issues/137
#[test]
fn issue_137() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Config {
        expr: Expression,
        bin_op: BinaryOp,
        op: Operation,
        cond: Conditional,
        cond_string: String,
        nested: Nested,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Nested {
        template_expr: TemplateExpr,
        heredoc: Heredoc,
    }

    let bin_op = BinaryOp::new(1, BinaryOperator::Plus, 1);

    let expected = Config {
        expr: Expression::from(bin_op.clone()),
        bin_op: bin_op.clone(),
        op: Operation::Binary(bin_op),
        cond: Conditional::new(Variable::unchecked("var"), true, false),
        cond_string: String::from("${var ? true : false}"),
        nested: Nested {
            template_expr: TemplateExpr::from("${some_var}"),
            heredoc: Heredoc::new(Identifier::unchecked("EOS"), "${some_var}\n")
                .with_strip_mode(HeredocStripMode::Indent),
        },
    };

    let input = indoc! {r#"
        expr = 1 + 1
        bin_op = 1 + 1
        op = 1 + 1
        cond = var ? true : false
        cond_string = var ? true : false

        nested {
          template_expr = "${some_var}"
          heredoc = <<-EOS
            ${some_var}
          EOS
        }
    "#};

    assert_deserialize(input, expected);
}

// https://github.com/martinohmann/hcl-rs/issues/87
#[test]
fn issue_87() {
    let expr = Expression::from(
        FuncCall::builder("foo")
            .arg(Expression::from_iter([("bar", FuncCall::new("baz"))]))
            .build(),
    );

    assert_format(
        expr,
        indoc! {r#"
            foo({ "bar" = baz() })
        "#}
        .trim_end(),
    );
}

// https://github.com/martinohmann/hcl-rs/issues/91
#[test]
fn issue_91() {
    assert_format(
        hcl::attribute!(_foo = "bar"),
        indoc! {r#"
            _foo = "bar"
        "#},
    );
}

// https://github.com/martinohmann/hcl-rs/issues/131
#[test]
fn issue_131() {
    assert_format(
        hcl::attribute!(a = (TemplateExpr::from(r#"${"b"}"#))),
        indoc! {r#"
            a = "${"b"}"
        "#},
    );

    assert_format(
        hcl::value!({ a = r#"${"b"}"# }),
        indoc! {r#"
            {
              "a" = "${"b"}"
            }
        "#}
        .trim_end(),
    );
}

// https://github.com/martinohmann/hcl-rs/issues/242
#[test]
fn issue_242() {
    let body: Body = hcl::from_str(indoc! {r#"
      b = <<-EOF
        make TARGET=$${GIT_BRANCH}
      EOF
    "#
    })
    .unwrap();

    let context = Context::new();
    let value = body
        .into_attributes()
        .find(|attr| attr.key == Identifier::from("b"))
        .expect("key not found")
        .expr
        .evaluate(&context)
        .unwrap();

    assert_eq!(value, Value::from("make TARGET=${GIT_BRANCH}\n"));
}

// https://github.com/martinohmann/hcl-rs/issues/248
#[test]
fn issue_248() {
    let body = Body::builder()
        .add_attribute(Attribute::new("attr", "${foo}"))
        .build();

    let formatted = hcl::format::to_string(&body).unwrap();
    assert_eq!(formatted, "attr = \"$${foo}\"\n");

    let parsed = hcl::parse(&formatted).unwrap();
    assert_eq!(parsed, body);
}

// https://github.com/martinohmann/hcl-rs/issues/344
#[test]
fn issue_344() {
    use hcl::Expression;
    use vecmap::VecMap;

    let value = [("foo", "bar"), ("baz", "qux")];
    assert!(hcl::to_string(&VecMap::from_iter(value)).is_ok());
    assert!(hcl::to_string(&Expression::from_iter(value)).is_ok());

    let value = [(1usize, "bar"), (2usize, "qux")];
    assert!(hcl::to_string(&VecMap::from_iter(value)).is_err());
    assert!(hcl::to_string(&Expression::from_iter(value)).is_err());

    let value = true;
    assert!(hcl::to_string(&value).is_err());
    assert!(hcl::to_string(&Expression::Bool(value)).is_err());

    let value = [1, 2];
    assert!(hcl::to_string(&value).is_err());
    assert!(hcl::to_string(&Expression::from_iter(value)).is_err());
}

// https://github.com/martinohmann/hcl-rs/issues/514
#[test]
fn nested_collection_in_compact_object_roundtrip() {
    let input = r#"variable "nested_list" {
  type = object({ scopes = optional(list(string), []), path = string })
}
"#;

    let deserialized: Body = hcl::from_str(input).expect("Failed to deserialize");
    let serialized = hcl::format::to_string(&deserialized).expect("Failed to serialize");
    assert_eq!(input, serialized);
}

// https://github.com/martinohmann/hcl-rs/issues/548
#[test]
fn issue_548() {
    // `\b`, `\f` and `\/` are JSON escapes which are not part of the HCL spec.
    assert!(hcl::from_str::<Value>(r#"a = "\b""#).is_err());
    assert!(hcl::from_str::<Value>(r#"a = "\f""#).is_err());
    assert!(hcl::from_str::<Value>(r#"a = "\/""#).is_err());

    // Backspace and form feed must be encoded using unicode escapes so that the formatted output
    // can be parsed again.
    let body = Body::builder()
        .add_attribute(("a", "a\u{8}b\u{c}c"))
        .build();

    let formatted = hcl::format::to_string(&body).unwrap();
    assert_eq!(formatted, "a = \"a\\u0008b\\u000cc\"\n");

    let parsed: Body = hcl::from_str(&formatted).unwrap();
    assert_eq!(parsed, body);
}

// https://github.com/martinohmann/hcl-rs/issues/567
#[test]
fn issue_567() {
    for key in ["true", "false", "null", "for"] {
        let mut object = Object::new();
        object.insert(
            ObjectKey::Identifier(Identifier::new(key).unwrap()),
            1.into(),
        );
        let body = Body::builder()
            .add_attribute(("o", Expression::Object(object)))
            .build();

        let formatted = hcl::format::to_string(&body).unwrap();
        assert_eq!(formatted, format!("o = {{\n  \"{key}\" = 1\n}}\n"));

        let expected: Value = hcl::from_body(body).unwrap();
        let parsed: Value = hcl::from_str(&formatted).unwrap();
        assert_eq!(parsed, expected);

        // String keys must not be emitted as bare keywords when identifier keys are preferred.
        let mut object = Object::new();
        object.insert(ObjectKey::from(key), 1.into());
        let body = Body::builder()
            .add_attribute(("o", Expression::Object(object)))
            .build();

        let mut buf = Vec::new();
        let mut formatter = hcl::format::Formatter::builder()
            .prefer_ident_keys(true)
            .build(&mut buf);
        hcl::format::Format::format(&body, &mut formatter).unwrap();
        let formatted = String::from_utf8(buf).unwrap();
        assert_eq!(formatted, format!("o = {{\n  \"{key}\" = 1\n}}\n"));

        let parsed: Body = hcl::from_str(&formatted).unwrap();
        assert_eq!(parsed, body);
    }
}

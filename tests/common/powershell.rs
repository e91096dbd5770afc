//! Parsing helpers for the PowerShell tests (`tests/powershell.rs`,
//! `tests/powershell_semantics.rs`): the tree-sitter-powershell grammar, a pre-order walk,
//! and the ERROR/MISSING nodes of a tree.

use tree_sitter::{Node, Parser, Tree};

/// Parses `source` with tree-sitter-powershell.
pub fn parse(source: &str) -> Tree {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .expect("the PowerShell grammar loads");
    parser
        .parse(source, None)
        .expect("the parser returns a tree")
}

/// Every ERROR and MISSING node, as `line:column: text`.
pub fn syntax_errors(tree: &Tree, source: &str) -> Vec<String> {
    let mut errors = Vec::new();
    walk(tree.root_node(), &mut |n| {
        if n.is_error() || n.is_missing() {
            let at = n.start_position();
            let text: String = source[n.byte_range()].chars().take(60).collect();
            let what = if n.is_missing() {
                format!("missing {}", n.kind())
            } else {
                "syntax error".to_owned()
            };
            errors.push(format!(
                "{}:{}: {what} near {text:?}",
                at.row + 1,
                at.column + 1
            ));
        }
    });
    errors
}

/// Calls `f` on `node` and every node below it, in document order.
pub fn walk<'t>(node: Node<'t>, f: &mut impl FnMut(Node<'t>)) {
    f(node);
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        walk(child, f);
    }
}

/// The first child of `n` of kind `kind`.
pub fn first_child<'t>(n: Node<'t>, kind: &str) -> Option<Node<'t>> {
    let mut cursor = n.walk();
    let found = n.children(&mut cursor).find(|c| c.kind() == kind);
    found
}

/// Every generated PowerShell script of the corpus, with its spec.
pub fn scripts() -> Vec<(
    &'static super::specs::Compiled,
    &'static kubeplan::render::Artifact,
)> {
    super::specs::artifacts()
        .filter(|(_, a)| a.path.ends_with(".ps1"))
        .collect()
}

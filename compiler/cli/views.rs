//! How a command shows its result: for people, or as JSON (docs/json-output.md). Each
//! command computes one result and hands it to its view, as Terraform's
//! `internal/command/views` do; no command decides output format on its own.

use std::path::Path;

use kubeplan::plan::Plan;
use kubeplan::state::State;
use kubeplan::{json_output, lifecycle, plan, Compiled};

use super::report;

/// The two views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Human,
    Json,
}

impl View {
    /// The view `--json` chooses.
    pub fn new(json: bool) -> View {
        if json {
            View::Json
        } else {
            View::Human
        }
    }

    /// validate's result: the diagnostics and, for a valid spec, the cluster. True when
    /// the spec is valid.
    pub fn validated(self, compiled: &Compiled) -> bool {
        match self {
            View::Json => {
                let doc = json_output::Document::new(
                    "validate",
                    &compiled.sources,
                    &compiled.diagnostics.0,
                );
                let doc = match &compiled.output {
                    Some(out) if doc.valid => doc.with_cluster(out),
                    _ => doc,
                };
                print!("{}", doc.to_json());
                doc.valid
            }
            View::Human => match report(compiled) {
                Some(out) => {
                    println!(
                        "Success! The spec is valid: cluster {} with {} nodes, {} artifacts.",
                        out.cluster.name,
                        out.cluster.nodes.len(),
                        out.artifacts.len()
                    );
                    true
                }
                None => false,
            },
        }
    }

    /// plan's result: the diagnostics and, when there is one, the plan against the state
    /// `previous`. The plan, when the spec was valid.
    pub fn planned<'p>(
        self,
        compiled: &Compiled,
        plan: Option<&'p Plan>,
        previous: Option<&State>,
    ) -> Option<&'p Plan> {
        match self {
            View::Json => {
                let doc =
                    json_output::Document::new("plan", &compiled.sources, &compiled.diagnostics.0);
                match (plan, &compiled.output) {
                    (Some(plan), Some(out)) => {
                        let nodes = lifecycle::classify(previous, &out.record);
                        print!("{}", doc.with_plan(plan, previous, nodes).to_json());
                        Some(plan)
                    }
                    _ => {
                        print!("{}", doc.to_json());
                        None
                    }
                }
            }
            View::Human => {
                report(compiled)?;
                let plan = plan?;
                let out = compiled.output.as_ref()?;
                let nodes = lifecycle::classify(previous, &out.record);
                print!("{}", lifecycle::render_human(&nodes));
                print!("{}", plan::render_human(plan));
                Some(plan)
            }
        }
    }

    /// A note beside the result: for people on standard output after a blank line,
    /// beside JSON on standard error, which keeps standard output one document.
    pub fn note(self, text: &str) {
        match self {
            View::Json => eprintln!("{text}"),
            View::Human => println!("\n{text}"),
        }
    }

    /// plan --save wrote the plan to `file`: how to apply it.
    pub fn saved_plan(self, file: &Path, dir: &Path) {
        let text = format!(
            "Saved the plan to {0}. To apply exactly these changes, run:\n    kubeplan apply --plan {0} {1}",
            file.display(),
            dir.display()
        );
        match self {
            View::Json => eprintln!("\n{text}"),
            View::Human => println!("\n{text}"),
        }
    }
}

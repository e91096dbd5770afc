//! `kubeplan validate`: every rule over the spec; writes nothing.

use std::process::ExitCode;

use kubeplan::error::Error;
use kubeplan::json_output;

use super::args::SpecPaths;
use super::{compile, exit, load_state, report};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: SpecPaths,
    /// Print the result as JSON (docs/json-output.md) on standard output.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<ExitCode, Error> {
    let Args {
        target: SpecPaths { spec, paths },
        json,
    } = args;
    let (state_path, _) = paths.resolve(&spec.dir);
    let previous = load_state(&state_path)?;
    let compiled = compile(&spec, previous.as_ref())?;
    if json {
        let doc =
            json_output::Document::new("validate", &compiled.sources, &compiled.diagnostics.0);
        let doc = match &compiled.output {
            Some(out) if doc.valid => doc.with_cluster(out),
            _ => doc,
        };
        print!("{}", doc.to_json());
        return Ok(exit(doc.valid));
    }
    let Some(out) = report(&compiled) else {
        return Ok(ExitCode::from(1));
    };
    println!(
        "Success! The spec is valid: cluster {} with {} nodes, {} artifacts.",
        out.cluster.name,
        out.cluster.nodes.len(),
        out.artifacts.len()
    );
    Ok(ExitCode::SUCCESS)
}

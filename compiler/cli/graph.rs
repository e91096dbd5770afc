//! `kubeplan graph`: the step graph in Graphviz DOT.

use std::process::ExitCode;

use super::args::SpecPaths;
use super::{compile, load_state, report};
use kubeplan::error::Error;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: SpecPaths,
}

pub fn run(args: Args) -> Result<ExitCode, Error> {
    let Args {
        target: SpecPaths { spec, paths },
    } = args;
    let (state_path, _) = paths.resolve(&spec.dir);
    let previous = load_state(&state_path)?;
    let compiled = compile(&spec, previous.as_ref())?;
    let Some(out) = report(&compiled) else {
        return Ok(ExitCode::from(1));
    };
    print!("{}", out.graph.to_dot());
    Ok(ExitCode::SUCCESS)
}

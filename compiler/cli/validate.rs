//! `kubeplan validate`: every rule over the spec; writes nothing.

use std::process::ExitCode;

use kubeplan::error::Error;

use super::args::SpecPaths;
use super::views::View;
use super::{compile, exit, load_state};

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
    Ok(exit(View::new(json).validated(&compiled)))
}

//! `kubeplan force-unlock ID`: removes the state lock of a run that is gone.

use std::process::ExitCode;

use kubeplan::error::Error;
use kubeplan::lock;

use super::args::StateArgs;

#[derive(clap::Args)]
pub struct Args {
    /// The id the lock error printed.
    id: String,
    #[command(flatten)]
    state: StateArgs,
}

pub fn run(args: Args) -> Result<ExitCode, Error> {
    let Args { id, state } = args;
    let state_path = state.state_path();
    let holder = lock::force_unlock(&state_path, &id)?;
    println!("Unlocked {}: removed {holder}.", state_path.display());
    Ok(ExitCode::SUCCESS)
}

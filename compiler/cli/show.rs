//! `kubeplan show` and `kubeplan state list`: the state as people read it.

use std::process::ExitCode;

use kubeplan::error::Error;
use kubeplan::show;

use super::args::StateArgs;
use super::{interrupted_note, load_journal, load_state};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    state: StateArgs,
    /// Print the state file's JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<ExitCode, Error> {
    let Args { state, json } = args;
    let state_path = state.state_path();
    if load_journal(&state_path)?.is_some() {
        eprintln!("{}", interrupted_note(&state_path));
    }
    match load_state(&state_path)? {
        None => println!(
            "No state: nothing has been applied yet ({} does not exist).",
            state_path.display()
        ),
        Some(s) if json => print!("{}", s.to_json()),
        Some(s) => print!("{}", show::render(&s, &state_path)),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    state: StateArgs,
    /// Only the artifacts of this node.
    #[arg(long)]
    node: Option<String>,
}

pub fn list(args: ListArgs) -> Result<ExitCode, Error> {
    let ListArgs { state, node } = args;
    let state_path = state.state_path();
    if load_journal(&state_path)?.is_some() {
        eprintln!("{}", interrupted_note(&state_path));
    }
    let Some(s) = load_state(&state_path)? else {
        return Err(Error::new(format!(
            "there is no state: {} does not exist",
            state_path.display()
        ))
        .with_hint("kubeplan apply writes it"));
    };
    for (path, record) in &s.artifacts {
        if node.is_none() || record.node == node {
            println!("{path}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `kubeplan plan`: what apply would create, update and delete; `--save` keeps it for `apply --plan`.

use std::path::PathBuf;
use std::process::ExitCode;

use kubeplan::error::Error;
use kubeplan::prepare::prepare;
use kubeplan::{apply, saved, signals};

use super::args::SpecPaths;
use super::views::View;
use super::{inputs, interrupted_note, refuse_to_save_over_an_input, take_lock};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: SpecPaths,
    /// Exit 0 when there are no changes, 2 when there are, 1 on error.
    #[arg(long)]
    detailed_exitcode: bool,
    /// Print the plan as JSON (docs/json-output.md) on standard output.
    #[arg(long)]
    json: bool,
    /// Save the plan to FILE, for `apply --plan FILE` (takes the state lock).
    #[arg(long, value_name = "FILE")]
    save: Option<PathBuf>,
    /// With --save: how long to wait for another run's lock on the state.
    #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
    lock_timeout: std::time::Duration,
}

pub fn run(args: Args) -> Result<ExitCode, Error> {
    let Args {
        target: SpecPaths { spec, paths },
        detailed_exitcode,
        json,
        save,
        lock_timeout,
    } = args;
    // SIGINT, SIGTERM and SIGHUP stop plan and apply between their stages, and
    // apply at its next safe point (see `signals`); the commands that write
    // nothing keep the default: they end at once.
    signals::install();
    let (state_path, out_dir) = paths.resolve(&spec.dir);
    if let Some(file) = &save {
        refuse_to_save_over_an_input(file, &spec, &state_path)?;
    }
    // Saving a plan reads the state under the lock, as apply does.
    let _lock = match &save {
        Some(_) => Some(take_lock(
            &state_path,
            lock_timeout,
            "plan --save",
            &spec.dir,
        )?),
        None => None,
    };
    let prepared = prepare(&spec.dir, &inputs(&spec), &state_path, &out_dir, "plan")?;
    let (compiled, previous, inflight) =
        (&prepared.compiled, &prepared.previous, &prepared.inflight);
    let view = View::new(json);
    let Some(plan) = view.planned(compiled, prepared.plan.as_ref(), previous.as_ref()) else {
        return Ok(ExitCode::from(1));
    };
    if inflight.is_some() {
        view.note(&interrupted_note(&state_path));
    }
    if let (Some(file), Some(out)) = (&save, &compiled.output) {
        let saved = saved::SavedPlan::new(plan, &out.spec_hash, previous.as_ref());
        apply::write_atomic(file, saved.to_json().as_bytes(), 0o644, apply::parent(file))?;
        view.saved_plan(file, &spec.dir);
    }
    Ok(if detailed_exitcode && !plan.is_empty() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

//! `kubeplan apply`: writes the artifacts into the out dir and records them in the state.

use std::path::PathBuf;
use std::process::ExitCode;

use kubeplan::error::Error;
use kubeplan::prepare::prepare;
use kubeplan::{apply, plan, signals};

use super::args::SpecPaths;
use super::{confirmed, inputs, interrupted_note, read_saved, report, take_lock};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: SpecPaths,
    /// Apply without asking for confirmation.
    #[arg(long)]
    auto_approve: bool,
    /// Overwrite, restore or delete files changed outside kubeplan since the last apply.
    #[arg(long)]
    force: bool,
    /// Apply exactly the plan `plan --save FILE` saved; refused if anything changed since.
    #[arg(long, value_name = "FILE")]
    plan: Option<PathBuf>,
    /// How long to wait for another run's lock on the state (e.g. 30s, 2m).
    #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
    lock_timeout: std::time::Duration,
}

pub fn run(args: Args) -> Result<ExitCode, Error> {
    let Args {
        target: SpecPaths { spec, paths },
        auto_approve,
        force,
        plan: saved_file,
        lock_timeout,
    } = args;
    signals::install();
    let (state_path, out_dir) = paths.resolve(&spec.dir);
    let saved = match &saved_file {
        Some(file) => Some(read_saved(file)?),
        None => None,
    };
    let _lock = take_lock(&state_path, lock_timeout, "apply", &spec.dir)?;
    let prepared = prepare(&spec.dir, &inputs(&spec), &state_path, &out_dir, "apply")?;
    let (compiled, previous, inflight) =
        (&prepared.compiled, &prepared.previous, &prepared.inflight);
    let (Some(out), Some(plan)) = (report(compiled), &prepared.plan) else {
        return Ok(ExitCode::from(1));
    };
    if let (Some(saved), Some(file)) = (&saved, &saved_file) {
        saved
            .check(plan, &out.spec_hash, previous.as_ref())
            .map_err(|stale| {
                Error::new(format!(
                    "the saved plan {} is stale, nothing was written: {stale}",
                    file.display()
                ))
                .with_hint(format!(
                    "make and review a new plan with kubeplan plan --save {}, then apply that",
                    file.display()
                ))
            })?;
    }
    let nodes = kubeplan::lifecycle::classify(previous.as_ref(), &out.record);
    print!("{}", kubeplan::lifecycle::render_human(&nodes));
    print!("{}", plan::render_human(plan));
    if inflight.is_some() {
        println!("\n{}", interrupted_note(&state_path));
    }
    // A saved plan was the approval. With drift and no --force, apply::apply refuses
    // (naming the files), so there is nothing to ask.
    let refused = plan.drifted().next().is_some() && !force;
    let ask = saved.is_none() && !auto_approve && !refused && !plan.is_empty();
    if ask && !confirmed()? {
        return Err(Error::new(
            "apply cancelled: answer yes to apply, or pass --auto-approve",
        ));
    }
    let target = apply::Target {
        out_dir: &out_dir,
        state_path: &state_path,
        force,
    };
    let r = apply::apply(
        plan,
        &out.artifacts,
        previous.as_ref(),
        &out.spec_hash,
        &out.record,
        &target,
    )?;
    if let Some(signal) = signals::caught() {
        eprintln!(
            "note: {} arrived while the files were being renamed into place; apply finished first",
            signals::name(signal)
        );
    }
    println!(
        "\nApply complete! {} created, {} updated, {} deleted. Artifacts in {}, state serial {} in {}.",
        r.created,
        r.updated,
        r.deleted,
        out_dir.display(),
        r.serial,
        state_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

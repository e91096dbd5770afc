//! The `kubeplan` command: parses arguments, runs the pipeline, prints, and exits.
//! Exit codes follow Terraform: 0 success, 1 error, 2 changes (plan --detailed-exitcode).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use kubeplan::diagnostic::render_human;
use kubeplan::spec::VarInputs;
use kubeplan::{apply, lock, plan, state, Compiled, Output};

#[derive(Parser)]
#[command(
    name = "kubeplan",
    version,
    about = "Plan and write the bring-up of a Kubernetes cluster with Linux and Windows nodes"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the spec against every rule; write nothing.
    Validate {
        #[command(flatten)]
        spec: SpecArgs,
        #[command(flatten)]
        paths: PathArgs,
    },
    /// Show what apply would create, update and delete in the out dir.
    Plan {
        #[command(flatten)]
        spec: SpecArgs,
        #[command(flatten)]
        paths: PathArgs,
        /// Exit 0 when there are no changes, 2 when there are, 1 on error.
        #[arg(long)]
        detailed_exitcode: bool,
    },
    /// Write the artifacts into the out dir and record them in the state.
    Apply {
        #[command(flatten)]
        spec: SpecArgs,
        #[command(flatten)]
        paths: PathArgs,
        /// Apply without asking for confirmation.
        #[arg(long)]
        auto_approve: bool,
        /// Overwrite, restore or delete files changed outside kubeplan since the last apply.
        #[arg(long)]
        force: bool,
        /// How long to wait for another run's lock on the state (e.g. 30s, 2m).
        #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
        lock_timeout: std::time::Duration,
    },
    /// Remove the state lock of a run that is gone, given the lock's id.
    ForceUnlock {
        /// The id the lock error printed.
        id: String,
        /// The directory holding the spec's *.hcl files.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The state file [default: DIR/kubeplan.state.json].
        #[arg(long)]
        state: Option<PathBuf>,
    },
    /// Print the step graph in Graphviz DOT.
    Graph {
        #[command(flatten)]
        spec: SpecArgs,
        #[command(flatten)]
        paths: PathArgs,
    },
}

#[derive(Args)]
struct SpecArgs {
    /// The directory holding the spec's *.hcl files.
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Set a variable: NAME=VALUE (repeatable; later wins).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Read variable values from an HCL file of NAME = VALUE lines (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
}

#[derive(Args)]
struct PathArgs {
    /// The state file [default: DIR/kubeplan.state.json].
    #[arg(long)]
    state: Option<PathBuf>,
    /// Where artifacts are written [default: DIR/out].
    #[arg(long)]
    out: Option<PathBuf>,
}

impl PathArgs {
    fn resolve(&self, dir: &Path) -> (PathBuf, PathBuf) {
        (
            self.state
                .clone()
                .unwrap_or_else(|| dir.join("kubeplan.state.json")),
            self.out.clone().unwrap_or_else(|| dir.join("out")),
        )
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Validate { spec, paths } => {
            let (state_path, _) = paths.resolve(&spec.dir);
            let previous = load_state(&state_path)?;
            let compiled = compile(&spec, previous.as_ref())?;
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
        Command::Graph { spec, paths } => {
            let (state_path, _) = paths.resolve(&spec.dir);
            let previous = load_state(&state_path)?;
            let compiled = compile(&spec, previous.as_ref())?;
            let Some(out) = report(&compiled) else {
                return Ok(ExitCode::from(1));
            };
            print!("{}", out.graph.to_dot());
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan {
            spec,
            paths,
            detailed_exitcode,
        } => {
            let (state_path, out_dir) = paths.resolve(&spec.dir);
            let previous = load_state(&state_path)?;
            let compiled = compile(&spec, previous.as_ref())?;
            let Some(out) = report(&compiled) else {
                return Ok(ExitCode::from(1));
            };
            let plan = plan::diff(&out.artifacts, previous.as_ref(), |p| {
                read_current(&out_dir, p)
            });
            print!("{}", plan::render_human(&plan));
            Ok(if detailed_exitcode && !plan.is_empty() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::ForceUnlock { id, dir, state } => {
            let state_path = state.unwrap_or_else(|| dir.join("kubeplan.state.json"));
            let holder = lock::force_unlock(&state_path, &id).map_err(|e| e.to_string())?;
            println!("Unlocked {}: removed {holder}.", state_path.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Apply {
            spec,
            paths,
            auto_approve,
            force,
            lock_timeout,
        } => {
            let (state_path, out_dir) = paths.resolve(&spec.dir);
            // Not the whole command line: `--var` may carry a secret.
            let command = format!("kubeplan apply {}", spec.dir.display());
            let lock =
                lock::acquire(&state_path, lock_timeout, &command).map_err(|e| e.to_string())?;
            if let Some(gone) = lock.replaced() {
                eprintln!("note: replaced the lock of a run on this host that is no longer running: {gone}");
            }
            let previous = load_state(&state_path)?;
            let compiled = compile(&spec, previous.as_ref())?;
            let Some(out) = report(&compiled) else {
                return Ok(ExitCode::from(1));
            };
            let plan = plan::diff(&out.artifacts, previous.as_ref(), |p| {
                read_current(&out_dir, p)
            });
            print!("{}", plan::render_human(&plan));
            // With drift and no --force, apply::apply refuses (naming the files): no question.
            let refused = plan.drifted().next().is_some() && !force;
            if !refused && !plan.is_empty() && !auto_approve && !confirmed()? {
                return Err(
                    "apply cancelled: answer yes to apply, or pass --auto-approve".to_owned(),
                );
            }
            let target = apply::Target {
                out_dir: &out_dir,
                state_path: &state_path,
                force,
            };
            let r = apply::apply(
                &plan,
                &out.artifacts,
                previous.as_ref(),
                &out.spec_hash,
                &out.memory,
                &target,
            )
            .map_err(|e| e.to_string())?;
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
    }
}

fn compile(spec: &SpecArgs, previous: Option<&state::State>) -> Result<Compiled, String> {
    let inputs = VarInputs {
        vars: spec.vars.clone(),
        var_files: spec.var_files.clone(),
        env: std::env::vars()
            .filter(|(k, _)| k.starts_with("KUBEPLAN_VAR_"))
            .collect(),
    };
    kubeplan::compile(&spec.dir, &inputs, previous).map_err(|e| e.to_string())
}

/// Prints the diagnostics to stderr; returns the output when there was no error.
fn report(compiled: &Compiled) -> Option<&Output> {
    let diags = &compiled.diagnostics;
    if !diags.0.is_empty() {
        eprint!("{}", render_human(&compiled.sources, &diags.0));
    }
    if diags.has_errors() {
        let errors = diags.0.iter().filter(|d| d.is_error()).count();
        eprintln!("kubeplan: {errors} error(s); nothing was written.");
        return None;
    }
    compiled.output.as_ref()
}

fn load_state(path: &Path) -> Result<Option<state::State>, String> {
    state::load(path).map_err(|e| {
        let backup = state::backup_path(path);
        let restore = if backup.exists() {
            format!(
                "the state before the last apply is kept in {}: check it and copy it over {}, or restore the state from version control",
                backup.display(),
                path.display()
            )
        } else {
            format!(
                "there is no backup ({} does not exist): restore the state from version control",
                backup.display()
            )
        };
        format!("{}: {e}\nhint: {restore}; kubeplan does not ignore a state it cannot trust", path.display())
    })
}

fn read_current(out_dir: &Path, path: &str) -> Option<plan::OnDisk> {
    use std::os::unix::fs::PermissionsExt;
    let path = out_dir.join(path);
    let mode = std::fs::metadata(&path).ok()?.permissions().mode();
    let bytes = std::fs::read(&path).ok()?;
    Some(plan::OnDisk { bytes, mode })
}

/// Asks for `yes` on a terminal; refuses without one.
fn confirmed() -> Result<bool, String> {
    if !std::io::stdin().is_terminal() {
        return Err(
            "apply needs confirmation, and standard input is not a terminal: pass --auto-approve"
                .to_owned(),
        );
    }
    print!("\nDo you want to apply these changes? Only 'yes' will be accepted.\n  Enter a value: ");
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| e.to_string())?;
    Ok(answer.trim() == "yes")
}

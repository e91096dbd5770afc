//! The `kubeplan` command: parses arguments, runs the pipeline, prints, and exits.
//! Exit codes follow Terraform: 0 success, 1 error, 2 changes (plan --detailed-exitcode).

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use kubeplan::diagnostic::render_human;
use kubeplan::prepare::{prepare, PrepareError};
use kubeplan::spec::VarInputs;
use kubeplan::{
    apply, journal, lock, machine, plan, saved, show, signals, state, Compiled, Output,
};

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
        /// Print the result as JSON (docs/json-output.md) on standard output.
        #[arg(long)]
        json: bool,
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
        /// Print the plan as JSON (docs/json-output.md) on standard output.
        #[arg(long)]
        json: bool,
        /// Save the plan to FILE, for `apply --plan FILE` (takes the state lock).
        #[arg(long, value_name = "FILE")]
        save: Option<PathBuf>,
        /// With --save: how long to wait for another run's lock on the state.
        #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
        lock_timeout: std::time::Duration,
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
        /// Apply exactly the plan `plan --save FILE` saved; refused if anything changed since.
        #[arg(long, value_name = "FILE")]
        plan: Option<PathBuf>,
        /// How long to wait for another run's lock on the state (e.g. 30s, 2m).
        #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
        lock_timeout: std::time::Duration,
    },
    /// Print the state: its history, nodes and artifacts.
    Show {
        /// The directory holding the spec's *.hcl files.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The state file [default: DIR/kubeplan.state.json].
        #[arg(long)]
        state: Option<PathBuf>,
        /// Print the state file's JSON.
        #[arg(long)]
        json: bool,
    },
    /// Inspect the state.
    State {
        #[command(subcommand)]
        command: StateCommand,
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

#[derive(Subcommand)]
enum StateCommand {
    /// List the artifacts the state tracks, one path per line.
    List {
        /// The directory holding the spec's *.hcl files.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The state file [default: DIR/kubeplan.state.json].
        #[arg(long)]
        state: Option<PathBuf>,
        /// Only the artifacts of this node.
        #[arg(long)]
        node: Option<String>,
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
            state_path(dir, self.state.clone()),
            self.out.clone().unwrap_or_else(|| dir.join("out")),
        )
    }
}

fn main() -> ExitCode {
    // Output into a closed pipe (`kubeplan plan D | head -1`) ends the process quietly, as
    // it does any Unix tool, instead of a panic in print!: the Rust runtime ignores SIGPIPE.
    // SAFETY: at the start of main, before any thread exists; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap exits 2 on a usage error, the code `plan --detailed-exitcode` gives for
            // "changes present": a CI job would read a mistyped flag as changes.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            // Not eprintln!: after SIGHUP the terminal may be gone, and that must not panic.
            let _ = writeln!(std::io::stderr(), "error: {message}");
            match signals::caught() {
                Some(signal) => ExitCode::from(signals::exit_code(signal)),
                None => ExitCode::from(1),
            }
        }
    }
}

/// The journal of an apply of this state that did not finish, if there is one.
fn load_journal(state_path: &Path) -> Result<Option<journal::Journal>, String> {
    journal::load(state_path).map_err(|e| e.to_string())
}

/// What `plan`, `apply`, `show` and `state list` say when they find a journal.
fn interrupted_note(state_path: &Path) -> String {
    format!(
        "note: an apply of this state did not finish (it was killed, stopped by a signal or failed); {} lists every file it may have written: those are kubeplan's own, not drift, and apply removes the ones the spec does not want",
        journal::journal_path(state_path).display()
    )
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Validate { spec, paths, json } => {
            let (state_path, _) = paths.resolve(&spec.dir);
            let previous = load_state(&state_path)?;
            let compiled = compile(&spec, previous.as_ref())?;
            if json {
                let doc =
                    machine::Document::new("validate", &compiled.sources, &compiled.diagnostics.0);
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
            json,
            save,
            lock_timeout,
        } => {
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
            let prepared = prepare(&spec.dir, &inputs(&spec), &state_path, &out_dir, "plan")
                .map_err(error_text)?;
            let (compiled, previous, inflight) =
                (&prepared.compiled, &prepared.previous, &prepared.inflight);
            let doc = machine::Document::new("plan", &compiled.sources, &compiled.diagnostics.0);
            if !json && report(compiled).is_none() {
                return Ok(ExitCode::from(1));
            }
            let (Some(plan), Some(out)) = (&prepared.plan, &compiled.output) else {
                if json {
                    print!("{}", doc.to_json());
                }
                return Ok(ExitCode::from(1));
            };
            if json {
                print!("{}", doc.with_plan(plan, previous.as_ref()).to_json());
            } else {
                print!("{}", plan::render_human(plan));
            }
            if inflight.is_some() {
                let note = interrupted_note(&state_path);
                if json {
                    eprintln!("{note}");
                } else {
                    println!("\n{note}");
                }
            }
            if let Some(file) = &save {
                let saved = saved::SavedPlan::new(plan, &out.spec_hash, previous.as_ref());
                apply::write_atomic(file, saved.to_json().as_bytes(), 0o644, apply::parent(file))
                    .map_err(|e| e.to_string())?;
                let note = format!(
                    "\nSaved the plan to {0}. To apply exactly these changes, run:\n    kubeplan apply --plan {0} {1}",
                    file.display(),
                    spec.dir.display()
                );
                if json {
                    eprintln!("{note}");
                } else {
                    println!("{note}");
                }
            }
            Ok(if detailed_exitcode && !plan.is_empty() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Show { dir, state, json } => {
            let state_path = state_path(&dir, state);
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
        Command::State {
            command: StateCommand::List { dir, state, node },
        } => {
            let state_path = state_path(&dir, state);
            if load_journal(&state_path)?.is_some() {
                eprintln!("{}", interrupted_note(&state_path));
            }
            let Some(s) = load_state(&state_path)? else {
                return Err(format!(
                    "there is no state: {} does not exist\nhint: kubeplan apply writes it",
                    state_path.display()
                ));
            };
            for (path, record) in &s.artifacts {
                if node.is_none() || record.node == node {
                    println!("{path}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::ForceUnlock { id, dir, state } => {
            let state_path = state_path(&dir, state);
            let holder = lock::force_unlock(&state_path, &id).map_err(|e| e.to_string())?;
            println!("Unlocked {}: removed {holder}.", state_path.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Apply {
            spec,
            paths,
            auto_approve,
            force,
            plan: saved_file,
            lock_timeout,
        } => {
            signals::install();
            let (state_path, out_dir) = paths.resolve(&spec.dir);
            let saved = match &saved_file {
                Some(file) => Some(read_saved(file)?),
                None => None,
            };
            let _lock = take_lock(&state_path, lock_timeout, "apply", &spec.dir)?;
            let prepared = prepare(&spec.dir, &inputs(&spec), &state_path, &out_dir, "apply")
                .map_err(error_text)?;
            let (compiled, previous, inflight) =
                (&prepared.compiled, &prepared.previous, &prepared.inflight);
            let (Some(out), Some(plan)) = (report(compiled), &prepared.plan) else {
                return Ok(ExitCode::from(1));
            };
            if let (Some(saved), Some(file)) = (&saved, &saved_file) {
                saved
                    .check(plan, &out.spec_hash, previous.as_ref())
                    .map_err(|stale| {
                        format!(
                            "the saved plan {0} is stale, nothing was written: {stale}\nhint: make and review a new plan with kubeplan plan --save {0}, then apply that",
                            file.display()
                        )
                    })?;
            }
            print!("{}", plan::render_human(plan));
            if inflight.is_some() {
                println!("\n{}", interrupted_note(&state_path));
            }
            // A saved plan was the approval. With drift and no --force, apply::apply refuses
            // (naming the files), so there is nothing to ask.
            let refused = plan.drifted().next().is_some() && !force;
            let ask = saved.is_none() && !auto_approve && !refused && !plan.is_empty();
            if ask && !confirmed()? {
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
                plan,
                &out.artifacts,
                previous.as_ref(),
                &out.spec_hash,
                &out.memory,
                &target,
            )
            .map_err(|e| e.to_string())?;
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
    }
}

/// `--state FILE`, or `DIR/kubeplan.state.json`; a link there is followed to its target.
fn state_path(dir: &Path, state: Option<PathBuf>) -> PathBuf {
    state::follow_links(&state.unwrap_or_else(|| dir.join("kubeplan.state.json")))
}

fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Takes the state lock for `kubeplan WHAT DIR`, saying so when it replaced a dead run's.
fn take_lock(
    state_path: &Path,
    timeout: std::time::Duration,
    what: &str,
    dir: &Path,
) -> Result<lock::Lock, String> {
    // Not the whole command line: `--var` may carry a secret.
    let command = format!("kubeplan {what} {}", dir.display());
    let lock = lock::acquire(state_path, timeout, &command).map_err(|e| e.to_string())?;
    if let Some(gone) = lock.replaced() {
        eprintln!(
            "note: replaced the lock of a run on this host that is no longer running: {gone}"
        );
    }
    Ok(lock)
}

/// `plan --save FILE` writes FILE: never over the state (its latest serial would be
/// lost, the backup being one apply older), its backup, its lock, a spec file or a
/// variable file.
fn refuse_to_save_over_an_input(
    file: &Path,
    spec: &SpecArgs,
    state_path: &Path,
) -> Result<(), String> {
    let mut inputs = vec![
        (state_path.to_path_buf(), "the state"),
        (state::backup_path(state_path), "the state's backup"),
        (lock::lock_path(state_path), "the state's lock"),
    ];
    if let Ok(entries) = std::fs::read_dir(&spec.dir) {
        for path in entries.flatten().map(|e| e.path()) {
            if path.extension().is_some_and(|e| e == "hcl") {
                inputs.push((path, "a spec file"));
            }
        }
    }
    inputs.extend(
        spec.var_files
            .iter()
            .map(|f| (f.clone(), "a variable file")),
    );
    let target = resolved(file);
    match inputs.iter().find(|(input, _)| resolved(input) == target) {
        Some((input, what)) => Err(format!(
            "plan --save {} would overwrite {what}, {}\nhint: save the plan to a file of its own, e.g. kubeplan plan --save plan.json",
            file.display(),
            input.display()
        )),
        None => Ok(()),
    }
}

/// A path with its folder's symlinks and `..` resolved, the file itself too when it exists.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let parent = apply::parent(path);
    let parent = parent
        .canonicalize()
        .unwrap_or_else(|_| parent.to_path_buf());
    match path.file_name() {
        Some(name) => parent.join(name),
        None => parent,
    }
}

fn read_saved(file: &Path) -> Result<saved::SavedPlan, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read the saved plan {}: {e}", file.display()))?;
    saved::SavedPlan::parse(&text).map_err(|e| {
        format!(
            "{}: {e}\nhint: give a file written by kubeplan plan --save",
            file.display()
        )
    })
}

/// Compiles the spec. With `out_dir` (plan, apply), nodes that did not change since the
/// apply that wrote `previous` there are not rendered again.
fn compile(spec: &SpecArgs, previous: Option<&state::State>) -> Result<Compiled, String> {
    kubeplan::compile(&spec.dir, &inputs(spec), previous).map_err(|e| e.to_string())
}

/// The variable inputs: `--var`, `--var-file` and `KUBEPLAN_VAR_*` from the environment.
fn inputs(spec: &SpecArgs) -> VarInputs {
    let mut inputs = VarInputs {
        vars: spec.vars.clone(),
        var_files: spec.var_files.clone(),
        ..VarInputs::default()
    };
    // vars_os: std::env::vars panics on a value that is not UTF-8, printing it.
    inputs.read_env(std::env::vars_os());
    inputs
}

/// An error of `prepare` as printed: its message, then its hint.
fn error_text(e: PrepareError) -> String {
    match e.hint() {
        Some(hint) => format!("{e}\nhint: {hint}"),
        None => e.to_string(),
    }
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
    kubeplan::prepare::load_state(path).map_err(error_text)
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
    // A read restarts after a signal (SA_RESTART): wait with poll(2), which returns on
    // one, so Ctrl-C at the prompt cancels.
    loop {
        kubeplan::prepare::stop_if_signalled("apply").map_err(error_text)?;
        let mut fd = libc::pollfd {
            fd: libc::STDIN_FILENO,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, and its count.
        if unsafe { libc::poll(&mut fd, 1, 200) } > 0 {
            break;
        }
    }
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| e.to_string())?;
    Ok(answer.trim() == "yes")
}

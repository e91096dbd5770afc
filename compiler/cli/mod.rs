//! The `kubeplan` command: the arguments, one module per command, and what they share.
//! Only this folder prints. Exit codes follow Terraform: 0 success, 1 error, 2 changes
//! (plan --detailed-exitcode).

mod apply;
mod args;
mod force_unlock;
mod graph;
mod plan;
mod show;
mod validate;
mod views;

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use kubeplan::diagnostic::render_human;
use kubeplan::error::Error;
use kubeplan::spec::VarInputs;
use kubeplan::{journal, lock, saved, signals, state, Compiled, Output};

use args::SpecArgs;

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
    Validate(validate::Args),
    /// Show what apply would create, update and delete in the out dir.
    Plan(plan::Args),
    /// Write the artifacts into the out dir and record them in the state.
    Apply(apply::Args),
    /// Print the state: its history, nodes and artifacts.
    Show(show::Args),
    /// Inspect the state.
    State {
        #[command(subcommand)]
        command: StateCommand,
    },
    /// Remove the state lock of a run that is gone, given the lock's id.
    ForceUnlock(force_unlock::Args),
    /// Print the step graph in Graphviz DOT.
    Graph(graph::Args),
}

#[derive(Subcommand)]
enum StateCommand {
    /// List the artifacts the state tracks, one path per line.
    List(show::ListArgs),
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Apply(args) => apply::run(args),
        Command::Show(args) => show::run(args),
        Command::State {
            command: StateCommand::List(args),
        } => show::list(args),
        Command::ForceUnlock(args) => force_unlock::run(args),
        Command::Graph(args) => graph::run(args),
    }
}

/// Parses the command line, runs the command, prints its error, and gives the exit code.
pub fn main() -> ExitCode {
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
        Err(e) => {
            // Not eprintln!: after SIGHUP the terminal may be gone, and that must not panic.
            let mut text = format!("error: {}", e.message());
            if let Some(hint) = e.hint() {
                text.push_str("\nhint: ");
                text.push_str(hint);
            }
            let _ = writeln!(std::io::stderr(), "{text}");
            match signals::caught() {
                Some(signal) => ExitCode::from(signals::exit_code(signal)),
                None => ExitCode::from(1),
            }
        }
    }
}

/// The journal of an apply of this state that did not finish, if there is one.
fn load_journal(state_path: &Path) -> Result<Option<journal::Journal>, Error> {
    Ok(journal::load(state_path)?)
}

/// What `plan`, `apply`, `show` and `state list` say when they find a journal.
fn interrupted_note(state_path: &Path) -> String {
    format!(
        "note: an apply of this state did not finish (it was killed, stopped by a signal or failed); {} lists every file it may have written: those are kubeplan's own, not drift, and apply removes the ones the spec does not want",
        journal::journal_path(state_path).display()
    )
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
) -> Result<lock::Lock, Error> {
    // Not the whole command line: `--var` may carry a secret.
    let command = format!("kubeplan {what} {}", dir.display());
    let lock = lock::acquire(state_path, timeout, &command)?;
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
) -> Result<(), Error> {
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
        Some((input, what)) => Err(Error::new(format!(
            "plan --save {} would overwrite {what}, {}",
            file.display(),
            input.display()
        ))
        .with_hint("save the plan to a file of its own, e.g. kubeplan plan --save plan.json")),
        None => Ok(()),
    }
}

/// A path with its folder's symlinks and `..` resolved, the file itself too when it exists.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    let parent = kubeplan::apply::parent(path);
    let parent = parent
        .canonicalize()
        .unwrap_or_else(|_| parent.to_path_buf());
    match path.file_name() {
        Some(name) => parent.join(name),
        None => parent,
    }
}

fn read_saved(file: &Path) -> Result<saved::SavedPlan, Error> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read the saved plan {}: {e}", file.display()))?;
    saved::SavedPlan::parse(&text).map_err(|e| {
        Error::new(format!("{}: {e}", file.display()))
            .with_hint("give a file written by kubeplan plan --save")
    })
}

/// Compiles the spec. With `out_dir` (plan, apply), nodes that did not change since the
/// apply that wrote `previous` there are not rendered again.
fn compile(spec: &SpecArgs, previous: Option<&state::State>) -> Result<Compiled, Error> {
    Ok(kubeplan::compile(&spec.dir, &inputs(spec), previous)?)
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

fn load_state(path: &Path) -> Result<Option<state::State>, Error> {
    Ok(kubeplan::prepare::load_state(path)?)
}

/// Asks for `yes` on a terminal; refuses without one.
fn confirmed() -> Result<bool, Error> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::new(
            "apply needs confirmation, and standard input is not a terminal: pass --auto-approve",
        ));
    }
    print!("\nDo you want to apply these changes? Only 'yes' will be accepted.\n  Enter a value: ");
    std::io::stdout().flush()?;
    // A read restarts after a signal (SA_RESTART): wait with poll(2), which returns on
    // one, so Ctrl-C at the prompt cancels.
    loop {
        kubeplan::prepare::stop_if_signalled("apply")?;
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
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

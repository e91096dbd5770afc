//! What `plan` and `apply` both do before they part: load the state and the journal of an
//! apply that did not finish, compile the spec against them, and diff the artifacts with
//! the state, the out dir and the journal. Between the stages a caught signal stops it
//! (`signals`). The caller takes the lock first when it needs one.

use std::path::{Path, PathBuf};

use crate::journal::{self, Journal, JournalError};
use crate::plan::{self, Plan};
use crate::render::RenderError;
use crate::spec::VarInputs;
use crate::state::{self, State, StateError};
use crate::{signals, Compiled};

/// The state, the journal, the compile and, when the spec is valid, the plan.
pub struct Prepared {
    pub previous: Option<State>,
    /// The journal of an apply of this state that did not finish.
    pub inflight: Option<Journal>,
    pub compiled: Compiled,
    /// None when the spec has errors (they are in `compiled.diagnostics`).
    pub plan: Option<Plan>,
}

/// Why `prepare` stopped.
#[derive(Debug)]
pub enum PrepareError {
    /// The state exists and cannot be trusted.
    State(PathBuf, StateError),
    Journal(JournalError),
    Render(RenderError),
    /// A signal arrived; `what` is the command it stopped.
    Stopped {
        what: &'static str,
        signal: i32,
    },
}

impl crate::error::Hint for PrepareError {
    fn hint(&self) -> Option<String> {
        match self {
            PrepareError::State(path, _) => Some(restore_hint(path)),
            PrepareError::Journal(e) => e.hint(),
            PrepareError::Render(_) | PrepareError::Stopped { .. } => None,
        }
    }
}

impl std::fmt::Display for PrepareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrepareError::State(path, e) => write!(f, "{}: {e}", path.display()),
            PrepareError::Journal(e) => e.fmt(f),
            PrepareError::Render(e) => e.fmt(f),
            PrepareError::Stopped { what, signal } => write!(
                f,
                "{what} stopped by {}: nothing was written",
                signals::name(*signal)
            ),
        }
    }
}

impl std::error::Error for PrepareError {}

/// Where a state that cannot be trusted can be restored from.
fn restore_hint(path: &Path) -> String {
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
    format!("{restore}; kubeplan does not ignore a state it cannot trust")
}

/// Loads the state at `state_path`.
pub fn load_state(state_path: &Path) -> Result<Option<State>, PrepareError> {
    state::load(state_path).map_err(|e| PrepareError::State(state_path.to_owned(), e))
}

/// An error when a signal arrived since the last look: the long commands look between
/// their stages.
pub fn stop_if_signalled(what: &'static str) -> Result<(), PrepareError> {
    match signals::caught() {
        Some(signal) => Err(PrepareError::Stopped { what, signal }),
        None => Ok(()),
    }
}

/// Loads the state and the journal, compiles the spec in `dir` (nodes unchanged since the
/// last apply into `out_dir` are not rendered again) and, when it is valid, diffs it.
/// `what` names the command in the message of a signal that stops it.
pub fn prepare(
    dir: &Path,
    inputs: &VarInputs,
    state_path: &Path,
    out_dir: &Path,
    what: &'static str,
) -> Result<Prepared, PrepareError> {
    let previous = load_state(state_path)?;
    let inflight = journal::load(state_path).map_err(PrepareError::Journal)?;
    let compiled = crate::compile_since(dir, inputs, previous.as_ref(), out_dir)
        .map_err(PrepareError::Render)?;
    stop_if_signalled(what)?;
    let root = crate::outdir::Root::open(out_dir);
    let plan = match &compiled.output {
        Some(out) if !compiled.diagnostics.has_errors() => Some(plan::diff_after(
            &out.artifacts,
            previous.as_ref(),
            inflight.as_ref(),
            |p| plan::OnDisk::read(&root, p),
        )),
        _ => None,
    };
    stop_if_signalled(what)?;
    Ok(Prepared {
        previous,
        inflight,
        compiled,
        plan,
    })
}

//! The state lock: `apply` holds `STATE.lock` beside the state file while it reads the
//! state, writes the out dir and records the result, so two runs never interleave. The
//! lock file says who holds it; a run that finds it waits up to `--lock-timeout`, then
//! fails naming the holder. The holder also keeps an advisory lock (`flock`) on the file
//! while it runs, so a lock left by a run on this host that was killed is recognised as
//! stale and replaced; a lock from another host needs `kubeplan force-unlock ID`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use serde::{Deserialize, Serialize};

/// Who holds a lock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    /// A random id; `force-unlock` takes it.
    pub id: String,
    pub pid: u32,
    pub host: String,
    /// When the lock was taken, RFC 3339 in UTC.
    pub created: String,
    /// The command line of the run that holds it.
    pub command: String,
}

impl std::fmt::Display for LockInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "lock {} held by pid {} on {} since {}, running `{}`",
            self.id, self.pid, self.host, self.created, self.command
        )
    }
}

/// A lock this process holds; released on drop.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    info: LockInfo,
    /// The lock file, open and `flock`ed for as long as this run holds it.
    _file: fs::File,
    /// The lock of a killed run on this host that this one replaced.
    replaced: Option<LockInfo>,
}

/// Why a lock could not be taken or removed.
#[derive(Debug)]
pub enum LockError {
    /// Another run holds it (its lock file as read, or `None` if unreadable).
    Held {
        path: PathBuf,
        holder: Option<Box<LockInfo>>,
    },
    /// `force-unlock` was given an id that is not the lock's.
    WrongId {
        path: PathBuf,
        holder: Box<LockInfo>,
    },
    NotLocked(PathBuf),
    /// `force-unlock` of a lock whose run still holds its `flock`: it is alive.
    Alive {
        path: PathBuf,
        holder: Box<LockInfo>,
    },
    Io(PathBuf, std::io::Error),
    /// A signal (SIGINT, SIGTERM, SIGHUP) arrived while waiting for the lock.
    Interrupted(i32),
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Held {
                path,
                holder: Some(h),
            } => {
                write!(f, "the state is locked: {h} ({})", path.display())
            }
            LockError::Held { path, holder: None } => write!(
                f,
                "the state is locked by {}, which cannot be read",
                path.display()
            ),
            LockError::WrongId { path, holder } => {
                write!(f, "{} is not this lock's id: {holder}", path.display())
            }
            LockError::NotLocked(path) => write!(
                f,
                "the state is not locked ({} does not exist)",
                path.display()
            ),
            LockError::Alive { path, holder } => write!(
                f,
                "the run holding {} is still running: {holder}",
                path.display()
            ),
            LockError::Io(path, e) => write!(f, "cannot use lock {}: {e}", path.display()),
            LockError::Interrupted(signal) => write!(
                f,
                "stopped by {} while waiting for the state lock: nothing was written",
                crate::signals::name(*signal)
            ),
        }
    }
}

impl crate::error::Hint for LockError {
    fn hint(&self) -> Option<String> {
        match self {
            LockError::Held { holder: Some(h), .. } => Some(format!(
                "wait for that run, pass --lock-timeout to wait longer, or, if it is gone, run: kubeplan force-unlock {}",
                h.id
            )),
            LockError::Held { holder: None, .. } => {
                Some("if no kubeplan run is using this state, remove that file".to_owned())
            }
            LockError::WrongId { holder, .. } => Some(format!(
                "check the id and run kubeplan force-unlock {}",
                holder.id
            )),
            LockError::Alive { holder, .. } => Some(format!(
                "let it finish, or stop pid {} first; force-unlock removes only the lock of a run that is gone",
                holder.pid
            )),
            LockError::NotLocked(_) | LockError::Io(..) | LockError::Interrupted(_) => None,
        }
    }
}

impl std::error::Error for LockError {}

/// The lock file of a state file: `kubeplan.state.json.lock` beside it.
pub fn lock_path(state_path: &Path) -> PathBuf {
    let mut name = state_path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    state_path.with_file_name(name)
}

/// Takes the lock of `state_path`, waiting up to `timeout` while another run holds it.
pub fn acquire(state_path: &Path, timeout: Duration, command: &str) -> Result<Lock, LockError> {
    let path = lock_path(state_path);
    let info = LockInfo {
        id: uuid::Uuid::new_v4().to_string(),
        pid: std::process::id(),
        host: gethostname::gethostname().to_string_lossy().into_owned(),
        created: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        command: command.to_owned(),
    };
    // A timeout past what an Instant can hold (`--lock-timeout 584000000000y`) waits forever.
    let deadline = Instant::now().checked_add(timeout);
    let mut replaced = None;
    let mut vanished = 0;
    loop {
        match try_create(&path, &info) {
            Ok(file) => {
                remove_orphans(crate::apply::parent(&path));
                return Ok(Lock {
                    path,
                    info,
                    _file: file,
                    replaced,
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if let Some(stale) = remove_if_dead(&path, &info.host) {
                    replaced = Some(stale);
                    continue;
                }
                if let Some(signal) = crate::signals::caught() {
                    return Err(LockError::Interrupted(signal));
                }
                let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
                if left == Some(Duration::ZERO) {
                    return Err(LockError::Held {
                        holder: read(&path).map(Box::new),
                        path,
                    });
                }
                std::thread::sleep(Duration::from_millis(50).min(left.unwrap_or(Duration::MAX)));
            }
            // Our temporary file was taken for an orphan in the instant before its flock.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && vanished < 10 => vanished += 1,
            Err(e) => return Err(LockError::Io(path, e)),
        }
    }
}

/// Creates the lock file only if none exists, complete from its first moment: the
/// holder's details go to a temporary file, `flock`ed from its creation, synced and then
/// hard-linked into place (which fails when the lock exists), so a reader never sees an
/// empty lock nor an unheld one. Returns the open, locked file.
fn try_create(path: &Path, info: &LockInfo) -> std::io::Result<fs::File> {
    let dir = crate::apply::parent(path);
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)?;
    tmp.as_file().lock()?;
    let text = serde_json::to_string_pretty(info).expect("lock info serialises") + "\n";
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    fs::hard_link(tmp.path(), path)?;
    Ok(tmp.into_file())
}

/// The prefix of a lock's temporary file before it is linked into place.
const TEMP_PREFIX: &str = ".kubeplan-lock-";

/// Removes the temporary lock files of runs killed while they took a lock: those whose
/// `flock` nobody holds. (A run taking a lock holds its file's `flock` from the start,
/// and one whose file vanishes before the link just tries again.)
fn remove_orphans(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
            continue;
        }
        if let Ok(file) = open_nofollow(&entry.path()) {
            if file.try_lock().is_ok() {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Removes the lock at `path` when its holder ran on this host and is gone: nobody holds
/// the file's `flock` (the kernel drops it when a process dies). Returns who held it.
/// Only a run holding the `flock` of the file at `path` removes or replaces it, so two
/// runs finding the same stale lock cannot remove each other's new one.
fn remove_if_dead(path: &Path, host: &str) -> Option<LockInfo> {
    use std::os::unix::fs::MetadataExt;
    let file = open_nofollow(path).ok()?;
    let holder = read(path)?;
    if holder.host != host || file.try_lock().is_err() {
        return None;
    }
    let (opened, now) = (file.metadata().ok()?, fs::metadata(path).ok()?);
    if (opened.dev(), opened.ino()) != (now.dev(), now.ino()) {
        return None; // replaced meanwhile by a run that held this file's lock
    }
    fs::remove_file(path).ok()?;
    Some(holder)
}

/// Reads who holds the lock. A link planted at the lock's path is not followed: it
/// reads as a lock that cannot be read, which no run removes or replaces.
fn read(path: &Path) -> Option<LockInfo> {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut open_nofollow(path).ok()?, &mut text).ok()?;
    serde_json::from_str(&text).ok()
}

/// Opens the lock file for reading, refusing a symbolic link (`ELOOP`).
fn open_nofollow(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

/// Removes the lock of `state_path` if its id is `id` and the run that took it is gone:
/// a live run holds the file's `flock`, and would otherwise go on to write the state that
/// another run now locks.
pub fn force_unlock(state_path: &Path, id: &str) -> Result<LockInfo, LockError> {
    let path = lock_path(state_path);
    if fs::symlink_metadata(&path).is_err() {
        return Err(LockError::NotLocked(path));
    }
    let Some(holder) = read(&path) else {
        return Err(LockError::Held { path, holder: None });
    };
    if holder.id != id {
        return Err(LockError::WrongId {
            path,
            holder: Box::new(holder),
        });
    }
    let file = open_nofollow(&path).map_err(|e| LockError::Io(path.clone(), e))?;
    if file.try_lock().is_err() {
        return Err(LockError::Alive {
            path,
            holder: Box::new(holder),
        });
    }
    fs::remove_file(&path).map_err(|e| LockError::Io(path, e))?;
    Ok(holder)
}

impl Lock {
    pub fn info(&self) -> &LockInfo {
        &self.info
    }

    /// The lock of a killed run on this host that was found and replaced, if any.
    pub fn replaced(&self) -> Option<&LockInfo> {
        self.replaced.as_ref()
    }
}

impl Drop for Lock {
    /// Removes the lock file if it is still this lock's (force-unlock may have removed it).
    fn drop(&mut self) {
        if read(&self.path).is_some_and(|h| h.id == self.info.id) {
            let _ = fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_names_the_first_and_force_unlock_needs_its_id() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("kubeplan.state.json");
        let first = acquire(&state, Duration::ZERO, "kubeplan apply").unwrap();
        let err = acquire(&state, Duration::from_millis(120), "kubeplan apply").unwrap_err();
        let message = err.to_string();
        assert!(message.contains(&first.info().id), "{message}");
        assert!(
            message.contains(&format!("pid {}", std::process::id())),
            "{message}"
        );
        assert!(message.contains("running `kubeplan apply`"), "{message}");
        assert!(matches!(
            force_unlock(&state, "not-the-id"),
            Err(LockError::WrongId { .. })
        ));
        // The run that holds it is alive (its flock is held): not removed.
        let id = first.info().id.clone();
        assert!(matches!(
            force_unlock(&state, &id),
            Err(LockError::Alive { .. })
        ));
        assert!(lock_path(&state).exists());
        drop(first);
        assert!(!lock_path(&state).exists(), "released on drop");
        // A lock whose run is gone goes with its id.
        let stale = left_behind(&state, "another-host");
        assert_eq!(force_unlock(&state, &stale.id).unwrap(), stale);
        let again = acquire(&state, Duration::ZERO, "kubeplan apply").unwrap();
        drop(again);
        assert!(!lock_path(&state).exists(), "released on drop");
    }

    fn left_behind(state: &Path, host: &str) -> LockInfo {
        let info = LockInfo {
            id: "killed-run".to_owned(),
            pid: 4_000_000,
            host: host.to_owned(),
            created: "2026-11-23T08:00:00Z".to_owned(),
            command: "kubeplan apply .".to_owned(),
        };
        fs::write(lock_path(state), serde_json::to_string(&info).unwrap()).unwrap();
        info
    }

    #[test]
    fn a_lock_left_by_a_killed_run_on_this_host_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("kubeplan.state.json");
        let host = gethostname::gethostname().to_string_lossy().into_owned();
        let stale = left_behind(&state, &host);
        let lock = acquire(&state, Duration::ZERO, "kubeplan apply").unwrap();
        assert_eq!(lock.replaced(), Some(&stale));
        assert_eq!(read(&lock_path(&state)).unwrap().id, lock.info().id);
    }

    #[test]
    fn a_lock_from_another_host_is_never_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("kubeplan.state.json");
        let stale = left_behind(&state, "another-host");
        let err = acquire(&state, Duration::ZERO, "kubeplan apply").unwrap_err();
        assert!(
            matches!(&err, LockError::Held { holder: Some(h), .. } if **h == stale),
            "{err}"
        );
    }
}

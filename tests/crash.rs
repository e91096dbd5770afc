//! Crash safety: `apply` killed with SIGKILL at random moments, 200 times, on the
//! node-pool example (52 nodes, 262 artifacts). After every kill the state parses and
//! records either the old or the new out tree, `plan` lists exactly the files still to
//! write (and no drift), and one more `apply` converges to the tree of a run that was
//! never interrupted.
//!
//! Half the runs start from nothing; half from an applied older spec (Kubernetes 1.30,
//! 60 workers), so updates, deletions and cleanup scripts are interrupted too. The seed
//! is fixed; `KUBEPLAN_CRASH_SEED=N` tries another, `KUBEPLAN_CRASH_RUNS=N` another count.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kubeplan::state::State;

/// Every file (content, owner-executable bit) and every folder under a directory.
#[derive(Debug, PartialEq, Eq)]
struct Tree {
    files: BTreeMap<String, (Vec<u8>, bool)>,
    dirs: BTreeSet<String>,
}

fn tree(root: &Path) -> Tree {
    let mut t = Tree {
        files: BTreeMap::new(),
        dirs: BTreeSet::new(),
    };
    if root.exists() {
        walk(root, root, &mut t);
    }
    t
}

fn walk(root: &Path, dir: &Path, t: &mut Tree) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if path.is_dir() {
            t.dirs.insert(name);
            walk(root, &path, t);
        } else {
            let exec = fs::metadata(&path).unwrap().permissions().mode() & 0o100 != 0;
            t.files.insert(name, (fs::read(&path).unwrap(), exec));
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

fn kubeplan(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(assert_cmd::cargo::cargo_bin("kubeplan"))
        .args(args)
        .arg(dir)
        .output()
        .unwrap()
}

fn load(dir: &Path) -> Option<State> {
    kubeplan::state::load(&dir.join("kubeplan.state.json"))
        .unwrap_or_else(|e| panic!("{}: the state does not load: {e}", dir.display()))
}

/// A starting point and what an uninterrupted apply from it gives.
struct Scenario {
    name: &'static str,
    /// A folder holding main.hcl and, for updates, the out dir and state of the older spec.
    start: tempfile::TempDir,
    before: Tree,
    before_state: Option<State>,
    after: Tree,
    after_state: State,
    /// Wall time of a `plan` from the start (about when apply begins to write) and of the
    /// uninterrupted apply: kills are spread from three quarters of the first (apply writes
    /// nothing before it has planned) to 1.1 times the second.
    plan_time: Duration,
    apply_time: Duration,
}

fn scenario(name: &'static str, older: Option<&str>, spec: &str) -> Scenario {
    let start = tempfile::tempdir().unwrap();
    if let Some(older) = older {
        fs::write(start.path().join("main.hcl"), older).unwrap();
        let out = kubeplan(start.path(), &["apply", "--auto-approve"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    fs::write(start.path().join("main.hcl"), spec).unwrap();
    let before = tree(&start.path().join("out"));
    let before_state = load(start.path());

    let began = Instant::now();
    let out = kubeplan(start.path(), &["plan"]);
    let plan_time = began.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let reference = tempfile::tempdir().unwrap();
    copy_dir(start.path(), reference.path());
    let began = Instant::now();
    let out = kubeplan(reference.path(), &["apply", "--auto-approve"]);
    let apply_time = began.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Scenario {
        name,
        before,
        before_state,
        after: tree(&reference.path().join("out")),
        after_state: load(reference.path()).unwrap(),
        plan_time,
        apply_time,
        start,
    }
}

/// Where a kill landed, as the out dir and state show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Landed {
    BeforeAnyWrite,
    WhileWriting,
    AfterTheState,
}

/// True for a file apply staged beside its target, `.NAME.kubeplan-tmp-staged`.
fn staged(path: &str) -> bool {
    path.ends_with(".kubeplan-tmp-staged")
}

/// The file lines of a human plan, after its per-node summary: (symbol, path).
fn planned(stdout: &str) -> Vec<(char, String)> {
    let files = stdout
        .split_once("kubeplan will perform the following actions:")
        .map_or("", |(_, files)| files);
    files
        .lines()
        .filter_map(|l| {
            let l = l.strip_prefix("  ")?;
            let symbol = l.chars().next()?;
            let rest = l.strip_prefix(['+', '~', '-', '*'])?.strip_prefix(' ')?;
            Some((symbol, rest.split(" (").next()?.to_owned()))
        })
        .collect()
}

fn kill_and_recover(s: &Scenario, delay: Duration, run: usize) -> Landed {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(s.start.path(), dir.path());
    let context = format!("{} run {run}, killed after {delay:?}", s.name);

    let mut child = Command::new(assert_cmd::cargo::cargo_bin("kubeplan"))
        .args(["apply", "--auto-approve"])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(delay);
    child.kill().unwrap(); // SIGKILL; an apply that already finished is simply reaped
    child.wait().unwrap();

    // The state parses and records the old or the new tree, nothing in between.
    let state = load(dir.path());
    let records = state.as_ref().map(|s| &s.artifacts);
    let landed = if records == Some(&s.after_state.artifacts) {
        Landed::AfterTheState
    } else {
        assert_eq!(
            records,
            s.before_state.as_ref().map(|s| &s.artifacts),
            "{context}: the state is neither the old nor the new one"
        );
        // Files staged for renaming count as writing too: apply writes every file beside
        // its target before it renames any into place.
        let mut now = tree(&dir.path().join("out"));
        let any_staged = now.files.keys().any(|p| staged(p));
        now.files.retain(|p, _| !staged(p));
        if now == s.before && !any_staged {
            Landed::BeforeAnyWrite
        } else {
            Landed::WhileWriting
        }
    };

    // plan lists exactly the files that differ from the uninterrupted tree, and no drift.
    let out = kubeplan(dir.path(), &["plan"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{context}: plan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains("! drift"), "{context}: {stdout}");
    let now = tree(&dir.path().join("out"));
    let to_write: BTreeSet<String> = planned(&stdout)
        .into_iter()
        .filter(|(symbol, _)| *symbol != '*')
        .map(|(_, path)| path)
        .collect();
    let differ: BTreeSet<String> = s
        .after
        .files
        .keys()
        .chain(now.files.keys())
        .filter(|p| !staged(p))
        .filter(|p| s.after.files.get(*p) != now.files.get(*p))
        .cloned()
        .collect();
    assert_eq!(
        to_write, differ,
        "{context}: the plan is not what is left\n{stdout}"
    );

    // One more apply converges: the same tree and records as the uninterrupted run.
    let out = kubeplan(dir.path(), &["apply", "--auto-approve"]);
    assert!(
        out.status.success(),
        "{context}: apply after the kill failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        tree(&dir.path().join("out")) == s.after,
        "{context}: the out tree differs from an uninterrupted apply's"
    );
    let state = load(dir.path()).unwrap();
    assert_eq!(state.artifacts, s.after_state.artifacts, "{context}");
    assert_eq!(
        (&state.nodes, &state.removed_nodes),
        (&s.after_state.nodes, &s.after_state.removed_nodes),
        "{context}"
    );
    assert!(
        !kubeplan::lock::lock_path(&dir.path().join("kubeplan.state.json")).exists(),
        "{context}: the lock is released"
    );
    let leftovers: Vec<PathBuf> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".kubeplan")
        })
        .collect();
    assert!(leftovers.is_empty(), "{context}: {leftovers:?}");
    landed
}

#[test]
fn apply_killed_at_200_random_points_always_recovers_to_the_same_tree() {
    let spec = common::specs::example_spec("node-pool");
    let older = spec
        .replace("\"1.35.8\"", "\"1.35.7\"")
        .replace("default     = 50", "default     = 60");
    assert_ne!(older, spec);
    let scenarios = [
        scenario("cold apply", None, &spec),
        scenario("update from 1.35.7 and 60 workers", Some(&older), &spec),
    ];
    let seed: u64 = std::env::var("KUBEPLAN_CRASH_SEED").map_or(20261123, |s| s.parse().unwrap());
    let runs: usize = std::env::var("KUBEPLAN_CRASH_RUNS").map_or(200, |s| s.parse().unwrap());
    let mut rng = fastrand::Rng::with_seed(seed);
    let plan: Vec<(usize, Duration)> = (0..runs)
        .map(|run| {
            let s = &scenarios[run % 2];
            let min = s.plan_time.as_micros() as u64 * 3 / 4;
            let max = (s.apply_time.as_micros() as u64 * 11 / 10).max(min + 1);
            (run, Duration::from_micros(rng.u64(min..=max)))
        })
        .collect();

    let landed: Vec<Landed> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let (plan, scenarios) = (&plan, &scenarios);
                scope.spawn(move || {
                    plan.iter()
                        .filter(|(run, _)| run % 2 == w)
                        .map(|&(run, delay)| kill_and_recover(&scenarios[run % 2], delay, run))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let count = |l| landed.iter().filter(|&&x| x == l).count();
    let (before, writing, after) = (
        count(Landed::BeforeAnyWrite),
        count(Landed::WhileWriting),
        count(Landed::AfterTheState),
    );
    common::specs::report(
        "apply killed with SIGKILL",
        runs,
        &format!(
            "runs (seed {seed}): {before} before any write, {writing} while writing, {after} after the state; each recovered to the uninterrupted tree"
        ),
    );
    assert!(
        writing * 4 >= runs,
        "only {writing} of {runs} kills landed while apply was writing: the delays miss the write phase"
    );
}

// ---------------------------------------------------------------------------------------
// Interruptions followed by another spec (issue 15): kills, signals, a full disk and a
// folder apply may not write, each at a random point, then a random different spec.

/// A variant of the node-pool example: its nodes' interfaces, which every node's files
/// name (one of [`INTERFACES`]: a change either way is one a running cluster takes, as
/// a Kubernetes downgrade is not), and its pool size (given as `--var
/// windows_workers=N`, a variable change).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Variant {
    interfaces: Interfaces,
    workers: u32,
}

/// The Linux and the Windows nodes' interface.
type Interfaces = (&'static str, &'static str);

const INTERFACES: [Interfaces; 2] = [("eth0", "Ethernet"), ("ens192", "Ethernet0")];

impl Variant {
    fn random(rng: &mut fastrand::Rng) -> Variant {
        Variant {
            interfaces: INTERFACES[rng.usize(..INTERFACES.len())],
            workers: rng.u32(2..=9),
        }
    }

    /// Another variant than `self`.
    fn other(self, rng: &mut fastrand::Rng) -> Variant {
        loop {
            let v = Variant::random(rng);
            if v != self {
                return v;
            }
        }
    }

    /// Writes the spec into `dir`; returns the `--var` to give with it.
    fn write(self, dir: &Path) -> String {
        let (linux, windows) = self.interfaces;
        let spec = common::specs::example_spec("node-pool")
            .replace("\"eth0\"", &format!("{linux:?}"))
            .replace("\"Ethernet\"", &format!("{windows:?}"));
        fs::write(dir.join("main.hcl"), spec).unwrap();
        format!("windows_workers={}", self.workers)
    }
}

/// `kubeplan ARGS --var VAR DIR`, as `user` (root when none).
fn kubeplan_as(dir: &Path, args: &[&str], var: &str, user: Option<u32>) -> Command {
    let bin = assert_cmd::cargo::cargo_bin("kubeplan");
    let mut cmd = match user {
        None => Command::new(bin),
        Some(uid) => {
            let mut c = Command::new("setpriv");
            c.arg(format!("--reuid={uid}"))
                .arg(format!("--regid={uid}"))
                .arg("--clear-groups")
                .arg(bin);
            c
        }
    };
    cmd.args(args).args(["--var", var]).arg(dir);
    cmd
}

fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Mounts a tmpfs of `size` bytes on `path`; fails the test, with the reason, when
    /// mount is not possible here (the test needs root and mount(8)).
    fn mount(path: &Path, size: u64) -> Tmpfs {
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(path)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run mount(8): {e}; this test mounts a tmpfs and needs root")
            });
        assert!(
            out.status.success(),
            "cannot mount a tmpfs on {}: {}; this test mounts a tmpfs and needs root",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs(path.to_owned())
    }

    /// Gives the tmpfs `size` bytes (at least what it holds).
    fn resize(&self, size: u64) {
        let out = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Bytes in use.
    fn used(&self) -> u64 {
        let path = std::ffi::CString::new(self.0.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string and a zeroed statvfs to fill.
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::statvfs(path.as_ptr(), &mut st) }, 0);
        (st.f_blocks - st.f_bfree) as u64 * st.f_frsize as u64
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// How an apply is stopped.
#[derive(Clone, Copy, Debug)]
enum Interruption {
    /// SIGKILL after this long.
    Kill(Duration),
    /// SIGINT, SIGTERM or SIGHUP after this long.
    Signal(i32, Duration),
    /// The out dir and the state on a tmpfs with this many bytes free.
    NoSpace(u64),
    /// Run as an unprivileged user, with this folder of the out dir ("" for the out dir
    /// itself) owned by root: EACCES (root itself ignores permission bits, and a
    /// `chattr +i` folder gives EPERM, not EACCES).
    ReadOnly(usize),
}

/// What happened to the interrupted apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Finished,
    /// Killed, or stopped itself, before it wrote any file into place: no journal left.
    Stopped,
    /// Killed or failed after it began to write files into place and before the new
    /// state was on disk: its journal is left for the next run.
    Midway,
}

const NOBODY: u32 = 65534;

fn chown_all(path: &Path, uid: u32) {
    let status = Command::new("chown")
        .args(["-R", &format!("{uid}:{uid}")])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// Every file and folder under `root`, `/`-separated.
fn entries(root: &Path) -> (BTreeSet<String>, BTreeSet<String>) {
    let t = tree(root);
    (t.files.into_keys().collect(), t.dirs)
}

/// One run: `start` applied (or nothing), then `interrupted` applied and stopped as
/// `how`, then `next` planned and applied. Returns what became of the stopped apply.
fn interrupt_then_change(
    run_no: usize,
    start: Option<Variant>,
    interrupted: Variant,
    how: Interruption,
    next: Variant,
) -> Outcome {
    let context =
        format!("run {run_no}: from {start:?}, {interrupted:?} stopped by {how:?}, then {next:?}");
    let holder = tempfile::tempdir().unwrap();
    let dir = holder.path().join("spec");
    fs::create_dir(&dir).unwrap();
    let tmpfs = matches!(how, Interruption::NoSpace(_)).then(|| Tmpfs::mount(&dir, 64 << 20));
    if let Some(start) = start {
        let var = start.write(&dir);
        let (ok, _, err) = run(&mut kubeplan_as(
            &dir,
            &["apply", "--auto-approve"],
            &var,
            None,
        ));
        assert!(ok, "{context}: the first apply failed: {err}");
    }
    let var = interrupted.write(&dir);
    let apply = ["apply", "--auto-approve"];
    let outcome = match how {
        Interruption::Kill(delay) | Interruption::Signal(_, delay) => {
            let child = kubeplan_as(&dir, &apply, &var, None)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            std::thread::sleep(delay);
            let signal = match how {
                Interruption::Signal(signal, _) => signal,
                _ => libc::SIGKILL,
            };
            // SAFETY: kill(2) of our own child, which is not reaped before the wait below.
            unsafe { libc::kill(child.id() as i32, signal) };
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            use std::os::unix::process::ExitStatusExt;
            match (out.status.code(), out.status.signal()) {
                (Some(0), _) => Outcome::Finished,
                (_, Some(libc::SIGKILL)) => Outcome::Stopped,
                (Some(code), _) if signal != libc::SIGKILL => {
                    assert_eq!(code, 128 + signal, "{context}: {err}");
                    let name = match signal {
                        libc::SIGINT => "SIGINT",
                        libc::SIGTERM => "SIGTERM",
                        _ => "SIGHUP",
                    };
                    assert!(
                        err.contains(&format!("stopped by {name}")),
                        "{context}: {err}"
                    );
                    Outcome::Stopped
                }
                other => panic!("{context}: apply ended with {other:?}: {err}"),
            }
        }
        Interruption::NoSpace(free) => {
            let tmpfs = tmpfs.as_ref().unwrap();
            tmpfs.resize((tmpfs.used() + free).div_ceil(4096) * 4096);
            let (ok, _, err) = run(&mut kubeplan_as(&dir, &apply, &var, None));
            tmpfs.resize(64 << 20); // the operator frees space
            if ok {
                Outcome::Finished
            } else {
                assert!(err.contains("No space left on device"), "{context}: {err}");
                assert!(err.contains("apply stopped"), "{context}: {err}");
                Outcome::Stopped
            }
        }
        Interruption::ReadOnly(pick) => {
            let out = dir.join("out");
            fs::create_dir_all(&out).unwrap();
            let mut folders: Vec<PathBuf> = vec![out.clone()];
            folders.extend(
                fs::read_dir(&out)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.is_dir()),
            );
            folders.sort();
            let folder = &folders[pick % folders.len()];
            chown_all(holder.path(), NOBODY);
            std::os::unix::fs::chown(folder, Some(0), Some(0)).unwrap();
            let (ok, _, err) = run(&mut kubeplan_as(&dir, &apply, &var, Some(NOBODY)));
            std::os::unix::fs::chown(folder, Some(NOBODY), Some(NOBODY)).unwrap(); // fixed
            if ok {
                Outcome::Finished
            } else {
                assert!(err.contains("Permission denied"), "{context}: {err}");
                assert!(err.contains("apply stopped"), "{context}: {err}");
                Outcome::Stopped
            }
        }
    };
    let journal = dir.join("kubeplan.state.json.inflight");
    let outcome = match outcome {
        Outcome::Stopped if journal.exists() => Outcome::Midway,
        other => other,
    };
    if matches!(how, Interruption::Signal(..)) {
        // A signal stops apply before the first file is written into place, or not at all.
        assert_ne!(outcome, Outcome::Midway, "{context}");
    }
    let (files, _) = entries(&dir.join("out"));
    if outcome != Outcome::Finished && !matches!(how, Interruption::Kill(_)) {
        // A run that stopped itself cleaned up: nothing staged, no lock.
        let staged: Vec<&String> = files.iter().filter(|p| staged(p)).collect();
        assert!(
            staged.is_empty(),
            "{context}: staged files left: {staged:?}"
        );
        assert!(
            !kubeplan::lock::lock_path(&dir.join("kubeplan.state.json")).exists(),
            "{context}: the lock was not released"
        );
    }

    another_spec_converges(&context, &dir, None, next);
    drop(tmpfs);
    outcome
}

/// `next` written into `dir` and planned: no drift that a human did not make; applied
/// without `--force`; planned again: no changes. Then every file of the out dir is
/// tracked, no folder is there that no tracked file needs, and nothing is left beside the
/// state (`state`, or `dir/kubeplan.state.json` when none). Used after an interrupted or
/// failed apply.
fn another_spec_converges(context: &str, dir: &Path, state: Option<&Path>, next: Variant) {
    let default = dir.join("kubeplan.state.json");
    let state = state.unwrap_or(&default);
    let state_arg = state.to_str().unwrap();
    let with = |args: &[&'static str]| -> Vec<&str> {
        let mut all = args.to_vec();
        all.extend(["--state", state_arg]);
        all
    };
    let var = next.write(dir);
    let (ok, plan, err) = run(&mut kubeplan_as(dir, &with(&["plan"]), &var, None));
    assert!(ok, "{context}: plan failed: {err}");
    for false_drift in ["! drift", "outside kubeplan", "not written by kubeplan"] {
        assert!(
            !plan.contains(false_drift) && !err.contains(false_drift),
            "{context}: plan reports drift:\n{plan}{err}"
        );
    }
    let apply = with(&["apply", "--auto-approve"]);
    let (ok, _, err) = run(&mut kubeplan_as(dir, &apply, &var, None));
    assert!(ok, "{context}: apply of the next spec failed: {err}");
    let (ok, plan, err) = run(&mut kubeplan_as(dir, &with(&["plan"]), &var, None));
    assert!(ok && plan.contains("No changes."), "{context}: {plan}{err}");
    assert!(!plan.contains("did not finish"), "{context}: {plan}");

    // Every file in the out dir is tracked, and nothing else is left.
    let recorded = kubeplan::state::load(state)
        .unwrap_or_else(|e| panic!("{context}: the state does not load: {e}"))
        .unwrap();
    let (files, dirs) = entries(&dir.join("out"));
    let tracked: BTreeSet<String> = recorded.artifacts.keys().cloned().collect();
    assert_eq!(
        files, tracked,
        "{context}: untracked files, or tracked ones missing"
    );
    let needed: BTreeSet<String> = tracked
        .iter()
        .flat_map(|p| {
            let parts: Vec<&str> = p.split('/').collect();
            (1..parts.len()).map(move |n| parts[..n].join("/"))
        })
        .collect();
    assert_eq!(dirs, needed, "{context}: folders no tracked file needs");
    let beside: Vec<String> = fs::read_dir(state.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.ends_with(".lock") || n.ends_with(".inflight"))
        .collect();
    assert!(
        beside.is_empty(),
        "{context}: left beside the state: {beside:?}"
    );
}

#[test]
fn a_full_disk_at_the_lock_the_journal_the_backup_or_the_state_then_another_spec_converges() {
    // The state on a tmpfs of its own, the out dir on the test's disk: each page of free
    // space more moves the ENOSPC one write later (the lock, the journal, the backup, the
    // new state), until the apply fits. A growing pool, so that the new state needs more
    // pages than the backup it replaces frees.
    let holder = tempfile::tempdir().unwrap();
    let dir = holder.path().join("spec");
    let state_dir = holder.path().join("state");
    fs::create_dir_all(&dir).unwrap();
    fs::create_dir_all(&state_dir).unwrap();
    let tmpfs = Tmpfs::mount(&state_dir, 64 << 20);
    let state = state_dir.join("kubeplan.state.json");
    let journal = kubeplan::journal::journal_path(&state);
    let backup = kubeplan::state::backup_path(&state);
    let apply = [
        "apply",
        "--auto-approve",
        "--state",
        state.to_str().unwrap(),
    ];
    let small = Variant {
        interfaces: INTERFACES[0],
        workers: 2,
    };
    let large = Variant {
        workers: 9,
        ..small
    };
    let other = Variant {
        interfaces: INTERFACES[1],
        workers: 5,
    };
    let var = other.write(&dir);
    assert!(run(&mut kubeplan_as(&dir, &apply, &var, None)).0);
    let mut stopped_at: BTreeMap<&str, usize> = BTreeMap::new();
    let mut fitted = false;
    for pages in 0..64u64 {
        let context = format!("{pages} pages free");
        let var = small.write(&dir);
        let (ok, _, err) = run(&mut kubeplan_as(&dir, &apply, &var, None));
        assert!(ok, "{context}: the first apply failed: {err}");
        tmpfs.resize(tmpfs.used() + pages * 4096);
        let var = large.write(&dir);
        let (ok, _, err) = run(&mut kubeplan_as(&dir, &apply, &var, None));
        tmpfs.resize(64 << 20); // the operator frees space
        if ok {
            fitted = true;
            break;
        }
        assert!(err.contains("No space left on device"), "{context}: {err}");
        let cannot_write = |p: &Path| err.contains(&format!("cannot write {}:", p.display()));
        let at = if err.contains("cannot use lock") {
            "lock"
        } else if cannot_write(&journal) {
            "journal"
        } else if cannot_write(&backup) {
            "backup"
        } else if cannot_write(&state) {
            "state"
        } else {
            panic!("{context}: stopped elsewhere: {err}")
        };
        *stopped_at.entry(at).or_default() += 1;
        // The out dir was written only once the journal was on disk; then the journal is
        // left for the next run.
        let wrote = matches!(at, "backup" | "state");
        assert_eq!(
            journal.exists(),
            wrote,
            "{context}: stopped at the {at}: {err}"
        );
        if !wrote {
            assert!(
                err.contains("no file in the out dir was written") || at == "lock",
                "{context}: {err}"
            );
        }
        another_spec_converges(
            &format!("{context}, stopped at the {at}"),
            &dir,
            Some(&state),
            other,
        );
    }
    assert!(fitted, "the apply never fitted: {stopped_at:?}");
    common::specs::report(
        "apply stopped by a full disk at each write beside the state",
        stopped_at.values().sum(),
        &format!("runs: {stopped_at:?}, each followed by another spec that planned without drift and converged without --force"),
    );
    assert_eq!(
        stopped_at.keys().copied().collect::<Vec<_>>(),
        ["backup", "journal", "lock", "state"],
        "a full disk stopped the apply at {stopped_at:?}"
    );
}

#[test]
fn apply_stopped_by_kills_signals_a_full_disk_or_eacces_then_another_spec_converges_without_force()
{
    // Timing: how long a plan and an apply of a cold start take here (the fastest of
    // three, so the binary's first load does not count).
    let big = Variant {
        interfaces: INTERFACES[0],
        workers: 9,
    };
    let (mut plan_time, mut apply_time) = (Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        let probe = tempfile::tempdir().unwrap();
        let var = big.write(probe.path());
        let began = Instant::now();
        assert!(run(&mut kubeplan_as(probe.path(), &["plan"], &var, None)).0);
        plan_time = plan_time.min(began.elapsed());
        let began = Instant::now();
        assert!(
            run(&mut kubeplan_as(
                probe.path(),
                &["apply", "--auto-approve"],
                &var,
                None
            ))
            .0
        );
        apply_time = apply_time.min(began.elapsed());
    }
    let seed: u64 = std::env::var("KUBEPLAN_CRASH_SEED").map_or(20261202, |s| s.parse().unwrap());
    let runs: usize = std::env::var("KUBEPLAN_INTERRUPT_RUNS").map_or(32, |s| s.parse().unwrap());
    let mut rng = fastrand::Rng::with_seed(seed);
    // Delays come from a stream of their own: the ranges they are drawn from follow this
    // machine's speed, and must not shift the variants and free space every other case
    // draws (so that those, and the ENOSPC runs stopped midway, are the same each run).
    let mut timing = fastrand::Rng::with_seed(seed ^ 0x5eed);
    let mut delay = || {
        let min = plan_time.as_micros() as u64 * 3 / 4;
        let max = (apply_time.as_micros() as u64 * 11 / 10).max(min + 1);
        Duration::from_micros(timing.u64(min..=max))
    };
    let cases: Vec<(usize, Option<Variant>, Variant, Interruption, Variant)> = (0..runs)
        .map(|run| {
            let start = (run % 3 != 0).then(|| Variant::random(&mut rng));
            let mut interrupted = match start {
                Some(s) => s.other(&mut rng),
                None => Variant::random(&mut rng),
            };
            let how = match run % 4 {
                0 => Interruption::Kill(delay()),
                1 => {
                    let signal = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP][rng.usize(..3)];
                    Interruption::Signal(signal, delay())
                }
                2 => Interruption::NoSpace(rng.u64(0..=400 << 10)),
                _ => Interruption::ReadOnly(rng.usize(..)),
            };
            if let (Interruption::ReadOnly(_), Some(s)) = (how, start) {
                // Every folder is written: the interfaces change.
                interrupted.interfaces = *INTERFACES.iter().find(|i| **i != s.interfaces).unwrap();
            }
            let next = interrupted.other(&mut rng);
            (run, start, interrupted, how, next)
        })
        .collect();
    let outcomes: Vec<(Interruption, Outcome)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let cases = &cases;
                scope.spawn(move || {
                    cases
                        .iter()
                        .filter(|c| c.0 % 2 == w)
                        .map(|&(run, start, interrupted, how, next)| {
                            (
                                how,
                                interrupt_then_change(run, start, interrupted, how, next),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let stopped = |kind: fn(&Interruption) -> bool| {
        outcomes
            .iter()
            .filter(|(how, o)| kind(how) && *o != Outcome::Finished)
            .count()
    };
    let midway = |kind: fn(&Interruption) -> bool| {
        outcomes
            .iter()
            .filter(|(how, o)| kind(how) && *o == Outcome::Midway)
            .count()
    };
    let (mut killed_midway, full_midway) = (
        midway(|h| matches!(h, Interruption::Kill(_))),
        midway(|h| matches!(h, Interruption::NoSpace(_))),
    );
    // Whether a random kill lands between the first file written into place and the new
    // state is up to the scheduler. When none did, search for that moment: a kill that
    // came too early moves the next one later, one that came too late moves it earlier.
    let mut searched = 0;
    let (mut early, mut late) = (Duration::ZERO, apply_time * 2);
    while killed_midway + full_midway == 0 && searched < 12 {
        let (run, start, interrupted, _, next) = cases[0];
        let at = (early + late) / 2;
        searched += 1;
        match interrupt_then_change(run, start, interrupted, Interruption::Kill(at), next) {
            Outcome::Stopped => early = at,
            Outcome::Finished => late = at,
            Outcome::Midway => killed_midway += 1,
        }
    }
    let (killed, signalled, full, denied) = (
        stopped(|h| matches!(h, Interruption::Kill(_))),
        stopped(|h| matches!(h, Interruption::Signal(..))),
        stopped(|h| matches!(h, Interruption::NoSpace(_))),
        stopped(|h| matches!(h, Interruption::ReadOnly(_))),
    );
    common::specs::report(
        "apply interrupted, then another spec",
        runs,
        &format!(
            "runs (seed {seed}): stopped: {killed} by SIGKILL ({killed_midway} after some files were written into place), {signalled} by a signal, {full} by ENOSPC ({full_midway} after), {denied} by EACCES; {searched} more kills searched for the midway moment; each next spec planned without drift and converged without --force"
        ),
    );
    for (what, n) in [
        ("SIGKILL", killed),
        ("signal", signalled),
        ("ENOSPC", full),
        ("EACCES", denied),
    ] {
        assert!(
            n * 4 >= runs / 4,
            "only {n} of {} {what} runs stopped the apply part way",
            runs / 4
        );
    }
    assert!(
        killed_midway + full_midway > 0,
        "no kill or full disk landed while files were being written into place"
    );
}

/// A folder with the node-pool spec at `variant` applied.
fn applied(variant: Variant) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let var = variant.write(dir.path());
    let (ok, _, err) = run(&mut kubeplan_as(
        dir.path(),
        &["apply", "--auto-approve"],
        &var,
        None,
    ));
    assert!(ok, "{err}");
    (dir, var)
}

#[test]
fn an_apply_that_failed_writing_the_backup_is_undone_by_a_revert_without_drift_or_leftovers() {
    // Six workers applied; an apply down to four fails after every file is in place, at
    // the backup (a folder is in its way, as ENOSPC or EACCES would stop it there).
    let six = Variant {
        interfaces: INTERFACES[0],
        workers: 6,
    };
    let (dir, var6) = applied(six);
    let backup = kubeplan::state::backup_path(&dir.path().join("kubeplan.state.json"));
    fs::create_dir_all(backup.join("in-the-way")).unwrap();
    let var4 = Variant { workers: 4, ..six }.write(dir.path());
    let (ok, _, err) = run(&mut kubeplan_as(
        dir.path(),
        &["apply", "--auto-approve"],
        &var4,
        None,
    ));
    assert!(!ok, "the apply was to fail at the backup");
    assert!(
        err.contains("apply stopped:") && err.contains("the state was not updated"),
        "{err}"
    );
    let out = dir.path().join("out");
    assert!(
        out.join("_cleanup/win-05/reset.ps1").exists(),
        "the interrupted run wrote the cleanup scripts"
    );
    assert!(!out.join("win-05").exists(), "and removed win-05's folder");
    fs::remove_dir_all(&backup).unwrap();

    // The revert: win-05 and win-06 are live, so their cleanup scripts (which drain and
    // reset them) must go; their files are kubeplan's own, not drift.
    six.write(dir.path());
    let (ok, plan, err) = run(&mut kubeplan_as(dir.path(), &["plan"], &var6, None));
    assert!(ok, "{err}");
    assert!(!plan.contains("! drift"), "{plan}");
    assert!(
        plan.contains("did not finish"),
        "plan says an apply was interrupted: {plan}"
    );
    for script in ["remove-node.sh", "reset.ps1"] {
        assert!(
            plan.contains(&format!("- _cleanup/win-05/{script} (delete")),
            "{plan}"
        );
    }
    let (ok, json, err) = run(&mut kubeplan_as(
        dir.path(),
        &["plan", "--json"],
        &var6,
        None,
    ));
    assert!(ok && err.contains("did not finish"), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let script = doc["plan"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "_cleanup/win-05/reset.ps1")
        .unwrap();
    assert_eq!(script["action"], "delete", "{script}");
    assert!(
        script["before_sha256"].is_string(),
        "what the run wrote: {script}"
    );
    assert_eq!(
        script["before_sha256"], script["current_sha256"],
        "{script}"
    );
    let (ok, _, err) = run(Command::new(assert_cmd::cargo::cargo_bin("kubeplan"))
        .args(["state", "list"])
        .arg(dir.path()));
    assert!(
        ok && err.contains("did not finish"),
        "state list says so too: {err}"
    );
    let (ok, _, err) = run(&mut kubeplan_as(
        dir.path(),
        &["apply", "--auto-approve"],
        &var6,
        None,
    ));
    assert!(ok, "apply without --force: {err}");
    let (ok, plan, _) = run(&mut kubeplan_as(dir.path(), &["plan"], &var6, None));
    assert!(
        ok && plan.contains("No changes.") && !plan.contains("did not finish"),
        "{plan}"
    );
    assert!(!out.join("_cleanup").exists(), "{:?}", entries(&out).1);
    let state = load(dir.path()).unwrap();
    assert_eq!(
        entries(&out).0,
        state.artifacts.keys().cloned().collect::<BTreeSet<_>>()
    );
}

#[test]
fn a_node_folder_on_another_filesystem_is_written_without_a_cross_device_rename() {
    let (dir, _) = applied(Variant {
        interfaces: INTERFACES[1],
        workers: 3,
    });
    let node = dir.path().join("out/win-02");
    let saved: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(&node)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let bytes = fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    let mount = Tmpfs::mount(&node, 16 << 20);
    for (path, bytes) in &saved {
        fs::write(path, bytes).unwrap();
    }
    // Modes as they were, from the state.
    let state = load(dir.path()).unwrap();
    for (path, record) in &state.artifacts {
        if path.starts_with("win-02/") {
            fs::set_permissions(
                dir.path().join("out").join(path),
                fs::Permissions::from_mode(record.mode),
            )
            .unwrap();
        }
    }
    let var = Variant {
        interfaces: INTERFACES[0],
        workers: 3,
    }
    .write(dir.path());
    let (ok, _, err) = run(&mut kubeplan_as(
        dir.path(),
        &["apply", "--auto-approve"],
        &var,
        None,
    ));
    assert!(ok, "{err}");
    let (ok, plan, _) = run(&mut kubeplan_as(dir.path(), &["plan"], &var, None));
    assert!(ok && plan.contains("No changes."), "{plan}");
    let (files, _) = entries(&node);
    assert!(files.iter().all(|f| !staged(f)), "{files:?}");
    drop(mount);
}

#[test]
fn sigterm_while_waiting_for_the_lock_exits_143_and_leaves_the_holders_lock() {
    let (dir, var) = applied(Variant {
        interfaces: INTERFACES[0],
        workers: 2,
    });
    let state = dir.path().join("kubeplan.state.json");
    let holder = kubeplan::lock::acquire(&state, Duration::ZERO, "kubeplan apply .").unwrap();
    let child = kubeplan_as(
        dir.path(),
        &["apply", "--auto-approve", "--lock-timeout", "1m"],
        &var,
        None,
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: kill(2) of our own child, not yet reaped.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let began = Instant::now();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(began.elapsed() < Duration::from_secs(5), "it waited on");
    assert_eq!(out.status.code(), Some(143), "{err}");
    assert!(
        err.contains("stopped by SIGTERM while waiting for the state lock"),
        "{err}"
    );
    let still = kubeplan::lock::acquire(&state, Duration::ZERO, "x").unwrap_err();
    assert!(still.to_string().contains(&holder.info().id), "{still}");
    drop(holder);
}

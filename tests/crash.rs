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

/// Lines of a human plan: (symbol, path).
fn planned(stdout: &str) -> Vec<(char, String)> {
    stdout
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
        // Files staged for renaming count as writing too: apply writes every file into
        // the staging folder before it renames any into place.
        let mut now = tree(&dir.path().join("out"));
        let staged = now.dirs.remove(kubeplan::apply::STAGING);
        now.files
            .retain(|p, _| !p.starts_with(&format!("{}/", kubeplan::apply::STAGING)));
        if now == s.before && !staged {
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
        .filter(|p| !p.starts_with(kubeplan::apply::STAGING))
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
        .replace("\"1.31.2\"", "\"1.30.6\"")
        .replace("default     = 50", "default     = 60");
    assert_ne!(older, spec);
    let scenarios = [
        scenario("cold apply", None, &spec),
        scenario("update from 1.30.6 and 60 workers", Some(&older), &spec),
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

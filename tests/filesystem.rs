//! kubeplan touches nothing outside the out dir and the state's folder: symbolic links
//! planted at every position (out dir, node folder, file, staged file, an older
//! kubeplan's staging folder, state, backup, journal, lock) are reported and never
//! followed, and a forged state or saved plan naming paths outside the out dir is refused
//! before any file is touched. Each test keeps an "outside" tree the links point into,
//! and checks it is byte for byte as it was, with the same modification times and nothing
//! added or removed.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use assert_cmd::Command;
use predicates::prelude::*;

use common::three_node_spec;

/// A spec folder (`spec/`: the spec, `out/`, the state) beside the `outside/` tree that
/// links point into, in one temporary folder.
struct Sandbox {
    root: tempfile::TempDir,
}

impl Sandbox {
    fn new(spec: &str) -> Sandbox {
        let root = tempfile::tempdir().unwrap();
        fs::create_dir_all(root.path().join("spec")).unwrap();
        fs::write(root.path().join("spec/main.hcl"), spec).unwrap();
        let outside = root.path().join("outside");
        fs::create_dir_all(outside.join("sub")).unwrap();
        fs::write(outside.join("f"), "a file that is not kubeplan's\n").unwrap();
        fs::write(outside.join("sub/g"), "another\n").unwrap();
        Sandbox { root }
    }

    fn spec(&self) -> PathBuf {
        self.root.path().join("spec")
    }

    fn out(&self) -> PathBuf {
        self.spec().join("out")
    }

    fn state(&self) -> PathBuf {
        self.spec().join("kubeplan.state.json")
    }

    fn outside(&self) -> PathBuf {
        self.root.path().join("outside")
    }

    fn write_spec(&self, spec: &str) {
        fs::write(self.spec().join("main.hcl"), spec).unwrap();
    }

    /// `kubeplan ARGS... SPEC`.
    fn kubeplan(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("kubeplan").unwrap();
        cmd.args(args)
            .arg(self.spec())
            .env_remove("KUBEPLAN_VAR_k8s_version");
        cmd
    }

    fn apply(&self, args: &[&str]) -> assert_cmd::assert::Assert {
        let mut all = vec!["apply", "--auto-approve"];
        all.extend_from_slice(args);
        self.kubeplan(&all).assert()
    }

    /// The next plan has no changes.
    fn assert_converged(&self) {
        self.kubeplan(&["plan", "--detailed-exitcode"])
            .assert()
            .code(0);
    }

    /// Replaces the folder `name` of the out dir by a link to a copy of it outside.
    fn link_out_folder(&self, name: &str) {
        let copy = self.outside().join(name);
        copy_dir(&self.out().join(name), &copy);
        fs::remove_dir_all(self.out().join(name)).unwrap();
        symlink(&copy, self.out().join(name)).unwrap();
    }
}

/// Each entry under `dir`, not following links: its kind, content (a link's target),
/// mode and modification time.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (String, Vec<u8>, u32, SystemTime)> {
    let mut all = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let (kind, content) = if meta.file_type().is_symlink() {
                let target = fs::read_link(&path).unwrap();
                ("link", target.into_os_string().into_encoded_bytes())
            } else if meta.is_dir() {
                todo.push(path.clone());
                ("folder", Vec::new())
            } else {
                ("file", fs::read(&path).unwrap())
            };
            let mode = meta.permissions().mode();
            all.insert(
                path,
                (kind.to_owned(), content, mode, meta.modified().unwrap()),
            );
        }
    }
    all.insert(
        dir.to_path_buf(),
        (
            "folder".to_owned(),
            Vec::new(),
            0,
            fs::metadata(dir).unwrap().modified().unwrap(),
        ),
    );
    all
}

/// Copies the folder `from` to `to` (which does not exist yet).
fn copy_dir(from: &Path, to: &Path) {
    let copied = std::process::Command::new("cp")
        .arg("-R")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(copied.success());
}

/// The `! drift:` line under the plan line of `path`, if any.
fn drift_of(plan: &str, path: &str) -> Option<String> {
    let mut lines = plan.lines();
    lines.find(|l| l.contains(&format!(" {path} (")))?;
    let next = lines.next()?.trim();
    next.strip_prefix("! drift: ").map(str::to_owned)
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

fn is_link(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn is_real_folder(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// The three-node example with a second Linux worker.
fn four_node_spec() -> String {
    three_node_spec()
        + "\nnode \"worker-2\" {\n  os        = \"linux\"\n  distro    = \"ubuntu-22.04\"\n  roles     = [\"worker\"]\n  address   = \"10.0.0.12\"\n  interface = \"ens192\"\n}\n"
}

const IN_LINK: &str =
    "is in a folder that is a symbolic link, which kubeplan never follows in the out dir";
const IS_LINK: &str = "is a symbolic link, which kubeplan never follows in the out dir";

#[test]
fn links_at_a_node_folder_a_file_the_staging_folder_and_the_backup_are_never_followed() {
    let sandbox = Sandbox::new(&three_node_spec());
    sandbox.apply(&[]).code(0);
    let out = sandbox.out();
    // A node folder that is a link to a copy of itself: read through, it would look
    // unchanged.
    sandbox.link_out_folder("cp-1");
    // A file that is a link to a copy of itself.
    fs::copy(
        out.join("win-1/bootstrap.ps1"),
        sandbox.outside().join("bootstrap.ps1"),
    )
    .unwrap();
    fs::remove_file(out.join("win-1/bootstrap.ps1")).unwrap();
    symlink(
        sandbox.outside().join("bootstrap.ps1"),
        out.join("win-1/bootstrap.ps1"),
    )
    .unwrap();
    // The staging folder, which apply clears first.
    fs::create_dir_all(sandbox.outside().join("staging")).unwrap();
    fs::write(sandbox.outside().join("staging/keep"), "kept\n").unwrap();
    symlink(sandbox.outside().join("staging"), out.join(".kubeplan-tmp")).unwrap();
    // A staged file of this apply (runbook.md changes with the new node), left from
    // elsewhere as a link: written through, it would overwrite what it points to.
    symlink(
        sandbox.outside().join("sub/g"),
        out.join(".runbook.md.kubeplan-tmp-staged"),
    )
    .unwrap();
    // The state's backup, which apply replaces.
    symlink(
        sandbox.outside().join("f"),
        sandbox.spec().join("kubeplan.state.json.backup"),
    )
    .unwrap();
    // The folder of a new node, already a link.
    fs::create_dir_all(sandbox.outside().join("worker-2")).unwrap();
    symlink(sandbox.outside().join("worker-2"), out.join("worker-2")).unwrap();
    sandbox.write_spec(&four_node_spec());
    let before = snapshot(&sandbox.outside());

    let plan = sandbox.kubeplan(&["plan"]).assert().code(0);
    let plan = stdout(&plan);
    assert_eq!(
        drift_of(&plan, "cp-1/bootstrap.sh").as_deref(),
        Some(IN_LINK),
        "{plan}"
    );
    assert_eq!(
        drift_of(&plan, "win-1/bootstrap.ps1").as_deref(),
        Some(IS_LINK),
        "{plan}"
    );
    assert_eq!(
        drift_of(&plan, "worker-2/bootstrap.sh").as_deref(),
        Some(IN_LINK),
        "{plan}"
    );
    assert!(plan.contains("  + worker-2/bootstrap.sh (create"), "{plan}");

    sandbox
        .apply(&[])
        .code(1)
        .stderr(predicate::str::contains(format!(
            "  cp-1/bootstrap.sh: {IN_LINK}"
        )))
        .stderr(predicate::str::contains(format!(
            "  win-1/bootstrap.ps1: {IS_LINK}"
        )))
        .stderr(predicate::str::contains(format!(
            "  worker-2/bootstrap.sh: {IN_LINK}"
        )))
        .stderr(predicate::str::contains("nothing was written"));
    assert_eq!(
        snapshot(&sandbox.outside()),
        before,
        "apply wrote nothing outside"
    );
    assert!(is_link(&out.join("cp-1")) && is_link(&out.join("worker-2")));

    // --force replaces each link by a file or folder of the out dir's own.
    sandbox.apply(&["--force"]).code(0);
    assert_eq!(
        snapshot(&sandbox.outside()),
        before,
        "apply --force wrote nothing outside"
    );
    assert!(is_real_folder(&out.join("cp-1")), "cp-1 is a folder now");
    assert!(
        is_real_folder(&out.join("worker-2")),
        "worker-2 is a folder now"
    );
    assert!(out.join("worker-2/bootstrap.sh").is_file());
    assert!(!is_link(&out.join("win-1/bootstrap.ps1")));
    assert!(!is_link(&sandbox.spec().join("kubeplan.state.json.backup")));
    assert!(!out.join(".kubeplan-tmp").exists());
    assert!(!out.join(".runbook.md.kubeplan-tmp-staged").exists());
    assert!(!is_link(&out.join("runbook.md")));
    sandbox.assert_converged();
}

#[test]
fn a_removed_node_whose_folder_is_a_link_loses_the_link_not_what_it_points_to() {
    let sandbox = Sandbox::new(&four_node_spec());
    sandbox.apply(&[]).code(0);
    sandbox.link_out_folder("worker-2");
    sandbox.write_spec(&three_node_spec());
    let before = snapshot(&sandbox.outside());

    let plan = sandbox.kubeplan(&["plan"]).assert().code(0);
    let plan = stdout(&plan);
    assert!(plan.contains("  - worker-2/bootstrap.sh (delete"), "{plan}");
    assert_eq!(
        drift_of(&plan, "worker-2/bootstrap.sh").as_deref(),
        Some(IN_LINK),
        "{plan}"
    );
    sandbox.apply(&[]).code(1);
    assert_eq!(
        snapshot(&sandbox.outside()),
        before,
        "nothing deleted through the link"
    );

    sandbox.apply(&["--force"]).code(0);
    assert_eq!(
        snapshot(&sandbox.outside()),
        before,
        "nothing deleted through the link"
    );
    assert!(
        fs::symlink_metadata(sandbox.out().join("worker-2")).is_err(),
        "the link is gone"
    );
    assert!(sandbox
        .out()
        .join("_cleanup/worker-2/remove-node.sh")
        .is_file());
}

/// The state with `extra` artifacts recorded, as whoever forged it would seal it.
fn forge(sandbox: &Sandbox, extra: &[&str], format_1: bool) {
    let text = fs::read_to_string(sandbox.state()).unwrap();
    let mut state = kubeplan::state::parse(&text).unwrap();
    let template = state.artifacts.values().next().unwrap().clone();
    for path in extra {
        let content = fs::read(sandbox.out().join(path)).unwrap_or_default();
        let record = kubeplan::state::ArtifactRecord {
            sha256: kubeplan::hash::sha256_hex(&content),
            ..template.clone()
        };
        state.artifacts.insert((*path).to_owned(), record);
    }
    let forged = if format_1 {
        state.format_version = 1;
        state.checksum = None;
        serde_json::to_string_pretty(&state).unwrap()
    } else {
        state.to_json() // a checksum anyone can recompute
    };
    fs::write(sandbox.state(), forged).unwrap();
}

#[test]
fn a_forged_state_with_paths_outside_the_out_dir_is_refused_by_every_command() {
    let sandbox = Sandbox::new(&three_node_spec());
    sandbox.apply(&[]).code(0);
    let applied = fs::read_to_string(sandbox.state()).unwrap();
    let absolute = sandbox.outside().join("sub/g").display().to_string();
    let cases = [
        ("../outside/f", false),
        (absolute.as_str(), false),
        ("cp-1/../../../outside/f", false),
        ("../outside/f", true),
    ];
    for (bad, format_1) in cases {
        fs::write(sandbox.state(), &applied).unwrap();
        forge(&sandbox, &[bad], format_1);
        let before = snapshot(&sandbox.outside());
        let commands: [&[&str]; 7] = [
            &["plan"],
            &["apply", "--auto-approve"],
            &["apply", "--auto-approve", "--force"],
            &["validate"],
            &["graph"],
            &["show"],
            &["state", "list"],
        ];
        for command in commands {
            sandbox
                .kubeplan(command)
                .assert()
                .code(1)
                .stderr(predicate::str::contains(format!(
                    "{}: the state records the artifact path {bad:?}, which is not a path inside the out dir",
                    sandbox.state().display()
                )));
        }
        assert_eq!(
            snapshot(&sandbox.outside()),
            before,
            "{bad}: nothing touched outside"
        );
    }
}

#[test]
fn a_forged_saved_plan_with_a_path_outside_the_out_dir_is_refused() {
    let sandbox = Sandbox::new(&three_node_spec());
    let saved = sandbox.root.path().join("plan.json");
    sandbox
        .kubeplan(&["plan", "--save", saved.to_str().unwrap()])
        .assert()
        .code(0);
    let text = fs::read_to_string(&saved).unwrap();
    fs::write(&saved, text.replace("\"runbook.md\"", "\"../outside/f\"")).unwrap();
    let before = snapshot(&sandbox.outside());
    sandbox
        .kubeplan(&["apply", "--plan", saved.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the saved plan names the artifact path \"../outside/f\", which is not a path inside the out dir",
        ));
    assert_eq!(snapshot(&sandbox.outside()), before);
    assert!(!sandbox.out().exists(), "nothing written");
}

#[test]
fn a_state_that_is_a_link_is_written_backed_up_and_locked_beside_its_target() {
    let sandbox = Sandbox::new(&three_node_spec());
    let shared = sandbox.root.path().join("shared");
    fs::create_dir_all(&shared).unwrap();
    let target = shared.join("cluster.json");
    symlink(&target, sandbox.state()).unwrap();

    sandbox.apply(&[]).code(0);
    sandbox.write_spec(&three_node_spec().replace("Ethernet0", "Ethernet1"));
    sandbox.apply(&[]).code(0);
    assert!(is_link(&sandbox.state()), "the link stays a link");
    let state = kubeplan::state::parse(&fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(state.serial, 2);
    assert!(shared.join("cluster.json.backup").is_file());
    let mut beside_link: Vec<String> = fs::read_dir(sandbox.spec())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    beside_link.sort();
    assert_eq!(beside_link, ["kubeplan.state.json", "main.hcl", "out"]);

    // The lock that counts is the one beside the target.
    let lock = r#"{"id":"other","pid":1,"host":"another-host","created":"2026-11-23T08:00:00Z","command":"kubeplan apply ."}"#;
    fs::write(shared.join("cluster.json.lock"), lock).unwrap();
    sandbox
        .apply(&[])
        .code(1)
        .stderr(predicate::str::contains("the state is locked: lock other"))
        .stderr(predicate::str::contains(
            shared.join("cluster.json.lock").display().to_string(),
        ));
}

#[test]
fn a_lock_that_is_a_link_is_not_followed_read_or_removed() {
    let sandbox = Sandbox::new(&three_node_spec());
    let lock = sandbox.spec().join("kubeplan.state.json.lock");
    symlink(sandbox.outside().join("f"), &lock).unwrap();
    let before = snapshot(&sandbox.outside());
    sandbox
        .apply(&[])
        .code(1)
        .stderr(predicate::str::contains("which cannot be read"));
    sandbox
        .kubeplan(&["force-unlock", "some-id"])
        .assert()
        .code(1);
    assert_eq!(snapshot(&sandbox.outside()), before);
    assert!(is_link(&lock), "the link is left for its owner");
    assert!(!sandbox.out().exists(), "nothing written");
}

#[test]
fn a_journal_that_is_a_link_is_not_followed_or_replaced() {
    let sandbox = Sandbox::new(&three_node_spec());
    sandbox.apply(&[]).code(0);
    let journal = sandbox.spec().join("kubeplan.state.json.inflight");
    // A journal kubeplan would accept, outside: read through the link, plan would take
    // its paths as kubeplan's own writes.
    fs::write(
        sandbox.outside().join("journal"),
        r#"{"format_version":1,"artifacts":{}}"#,
    )
    .unwrap();
    symlink(sandbox.outside().join("journal"), &journal).unwrap();
    let before = snapshot(&sandbox.outside());
    for args in [&["plan"][..], &["apply", "--auto-approve", "--force"]] {
        sandbox
            .kubeplan(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains(
                "cannot read the journal of an interrupted apply: it is a link",
            ));
    }
    assert_eq!(snapshot(&sandbox.outside()), before);
    assert!(is_link(&journal), "the link is left for its owner");
    fs::remove_file(&journal).unwrap();
    sandbox.assert_converged();
}

#[test]
fn an_out_dir_that_is_a_link_is_the_users_choice_and_is_followed() {
    let sandbox = Sandbox::new(&three_node_spec());
    let real = sandbox.root.path().join("real-out");
    fs::create_dir_all(&real).unwrap();
    symlink(&real, sandbox.out()).unwrap();
    sandbox.apply(&[]).code(0);
    assert!(is_link(&sandbox.out()));
    assert!(real.join("cp-1/bootstrap.sh").is_file());
    sandbox.assert_converged();
}

#[test]
fn a_node_folder_replaced_by_a_file_is_drift_that_force_replaces() {
    let sandbox = Sandbox::new(&three_node_spec());
    sandbox.apply(&[]).code(0);
    let folder = sandbox.out().join("worker-1");
    fs::remove_dir_all(&folder).unwrap();
    fs::write(&folder, "notes\n").unwrap();
    let plan = sandbox.kubeplan(&["plan"]).assert().code(0);
    assert_eq!(
        drift_of(&stdout(&plan), "worker-1/bootstrap.sh").as_deref(),
        Some("is in a folder that is a file")
    );
    sandbox.apply(&[]).code(1).stderr(predicate::str::contains(
        "worker-1/bootstrap.sh: is in a folder that is a file",
    ));
    assert_eq!(fs::read_to_string(&folder).unwrap(), "notes\n");
    sandbox.apply(&["--force"]).code(0);
    assert!(folder.join("bootstrap.sh").is_file());
    sandbox.assert_converged();
}

#[test]
fn a_failed_apply_leaves_no_empty_folder_behind() {
    let sandbox = Sandbox::new(&three_node_spec());
    sandbox.apply(&[]).code(0);
    // A folder with a user's file in it where bootstrap.sh goes: apply --force stops.
    let blocked = sandbox.out().join("cp-1/bootstrap.sh");
    fs::remove_file(&blocked).unwrap();
    fs::create_dir(&blocked).unwrap();
    fs::write(blocked.join("mine"), "mine\n").unwrap();
    sandbox.write_spec(&four_node_spec());
    let plan = sandbox.kubeplan(&["plan"]).assert().code(0);
    assert_eq!(
        drift_of(&stdout(&plan), "cp-1/bootstrap.sh").as_deref(),
        Some("is a folder or a special file, not a regular file")
    );
    sandbox
        .apply(&["--force"])
        .code(1)
        .stderr(predicate::str::contains(
            "cp-1/bootstrap.sh: it is a folder",
        ));
    assert_eq!(fs::read_to_string(blocked.join("mine")).unwrap(), "mine\n");
    assert!(
        !sandbox.out().join("worker-2").exists(),
        "no empty folder for the new node"
    );

    fs::remove_dir_all(&blocked).unwrap();
    sandbox.write_spec(&three_node_spec());
    sandbox.apply(&["--force"]).code(0);
    sandbox.assert_converged();
    assert!(!sandbox.out().join("worker-2").exists());
}

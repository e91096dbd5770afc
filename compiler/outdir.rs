//! The out dir as kubeplan touches it. Every artifact path, whether it comes from the
//! spec, the state or a saved plan, is a normalised relative path inside the out dir
//! ([`check_path`], run when a state or saved plan is parsed). Below the out dir kubeplan
//! never follows a symbolic link: each path is walked one folder at a time from an open
//! folder, opening the next with `O_NOFOLLOW`, so a link (git stores them) that points
//! elsewhere is found and reported, never read, written or deleted through, even when it
//! appears between the plan and the apply. The out dir itself may be a link: that is the
//! user's choice, as a Terraform working directory may be.

use std::fs;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

/// The folder in the out dir where apply stages its files; no artifact may use it.
const STAGING: &str = crate::apply::STAGING;

/// Why a path is not a normalised relative path inside the out dir.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadPath {
    Empty,
    Absolute,
    /// A `.` or `..` component.
    Dots,
    /// `a//b` or a trailing `/`.
    EmptyComponent,
    /// A backslash: a separator on Windows, where the out dir may be checked out.
    Backslash,
    /// NUL or another control character (a newline would also split the plan's lines).
    Control,
    /// The staging folder of an older kubeplan, which apply removes with everything in
    /// it, or a name apply gives its temporary files.
    Staging,
}

impl std::fmt::Display for BadPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BadPath::Empty => "it is empty",
            BadPath::Absolute => "it is absolute",
            BadPath::Dots => "it has a `.` or `..` component",
            BadPath::EmptyComponent => "it has an empty component (`//`, or a trailing `/`)",
            BadPath::Backslash => "it has a backslash",
            BadPath::Control => "it has a control character",
            BadPath::Staging => {
                "it uses a name apply keeps for its temporary files (.kubeplan-tmp)"
            }
        })
    }
}

/// Checks that `path` names a file inside the out dir: relative, `/`-separated, with no
/// empty, `.` or `..` component, no backslash and no control character.
pub fn check_path(path: &str) -> Result<(), BadPath> {
    if path.is_empty() {
        return Err(BadPath::Empty);
    }
    if path.starts_with('/') {
        return Err(BadPath::Absolute);
    }
    if path.contains('\\') {
        return Err(BadPath::Backslash);
    }
    if path.chars().any(char::is_control) {
        return Err(BadPath::Control);
    }
    for component in path.split('/') {
        match component {
            "" => return Err(BadPath::EmptyComponent),
            "." | ".." => return Err(BadPath::Dots),
            _ => {}
        }
    }
    // `.kubeplan-tmp`, and `.NAME.kubeplan-tmp-staged` and the like beside each target.
    if path
        .split('/')
        .any(|c| c == STAGING || c.contains(".kubeplan-tmp-"))
    {
        return Err(BadPath::Staging);
    }
    Ok(())
}

/// What is at an artifact's path in the out dir, found without following a link.
#[derive(Debug)]
pub enum Found {
    /// Nothing, or a folder on the way is missing.
    Nothing,
    /// A regular file, open for reading, with its size and mode as it was opened.
    File { file: fs::File, len: u64, mode: u32 },
    /// The path itself is a symbolic link.
    Link,
    /// A folder on the way is a symbolic link.
    LinkedFolder,
    /// A folder on the way is a file (or anything else that is not a folder).
    FileFolder,
    /// The path is a folder, a FIFO, a socket or a device.
    NotAFile,
    /// It cannot be looked at (no permission, …): treated as nothing, as before.
    Unreadable,
}

/// The out dir, opened once for the many files a plan reads or an apply writes: each
/// path below it is walked from this folder, so the out dir's own path is not looked up
/// again for every file (23,000 times at 5,000 nodes).
pub struct Root {
    path: PathBuf,
    fd: Result<OwnedFd, Errno>,
}

impl Root {
    /// Opens `out_dir` as it is now; a missing out dir holds nothing.
    pub fn open(out_dir: &Path) -> Root {
        Root {
            path: out_dir.to_owned(),
            fd: rustix::fs::open(out_dir, dir_flags(), Mode::empty()),
        }
    }

    /// Makes `out_dir` (and its parents) when it is missing, then opens it, for writing.
    pub fn create(out_dir: &Path) -> Result<Root, OutDirError> {
        fs::create_dir_all(out_dir).map_err(|e| OutDirError::new(out_dir, "", e))?;
        let root = Root::open(out_dir);
        root.dir()?;
        Ok(root)
    }

    /// The out dir's path, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn dir(&self) -> Result<&OwnedFd, OutDirError> {
        self.fd
            .as_ref()
            .map_err(|e| OutDirError::new(&self.path, "", *e))
    }

    /// Looks at `path` (checked with [`check_path`]) under the out dir.
    pub fn find(&self, path: &str) -> Found {
        match &self.fd {
            Ok(root) => find_from(root, path),
            Err(Errno::NOENT) => Found::Nothing,
            Err(_) => Found::Unreadable,
        }
    }
}

/// Looks at `path` (checked with [`check_path`]) under `out_dir`.
pub fn find(out_dir: &Path, path: &str) -> Found {
    Root::open(out_dir).find(path)
}

fn find_from(root: &OwnedFd, path: &str) -> Found {
    if check_path(path).is_err() {
        return Found::Unreadable;
    }
    let (folders, name) = split(path);
    // O_NONBLOCK: a FIFO planted here must not hang the plan.
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
    // The common case in one call: openat2(2) with RESOLVE_NO_SYMLINKS fails on a link
    // anywhere on the way (Linux 5.6+). Anything but a file or nothing, and a kernel
    // without openat2, is looked at folder by folder below, which says what is in the way.
    let resolve = ResolveFlags::NO_SYMLINKS | ResolveFlags::BENEATH;
    match rustix::fs::openat2(root, path, flags, Mode::empty(), resolve) {
        Ok(fd) => return opened(fd),
        Err(Errno::NOENT) => return Found::Nothing,
        Err(_) => {}
    }
    let Ok(mut dir) = rustix::io::dup(root) else {
        return Found::Unreadable;
    };
    for folder in folders {
        dir = match rustix::fs::openat(&dir, folder, dir_flags() | OFlags::NOFOLLOW, Mode::empty())
        {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Found::Nothing,
            Err(_) => {
                return match kind_at(&dir, folder) {
                    Some(FileType::Symlink) => Found::LinkedFolder,
                    Some(_) => Found::FileFolder,
                    None => Found::Unreadable,
                }
            }
        };
    }
    match rustix::fs::openat(&dir, name, flags, Mode::empty()) {
        Ok(fd) => opened(fd),
        Err(Errno::NOENT) => Found::Nothing,
        Err(Errno::LOOP) => Found::Link,
        Err(_) => Found::Unreadable,
    }
}

/// What [`find`] opened: a regular file, or something else.
fn opened(fd: OwnedFd) -> Found {
    match rustix::fs::fstat(&fd) {
        Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::RegularFile => Found::File {
            file: fs::File::from(fd),
            len: u64::try_from(st.st_size).unwrap_or(0),
            mode: st.st_mode,
        },
        Ok(_) => Found::NotAFile,
        Err(_) => Found::Unreadable,
    }
}

/// `a/b/c` as (`[a, b]`, `c`).
fn split(path: &str) -> (Vec<&str>, &str) {
    let mut parts: Vec<&str> = path.split('/').collect();
    let name = parts.pop().unwrap_or_default();
    (parts, name)
}

fn dir_flags() -> OFlags {
    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC
}

/// The type of `name` in `dir`, the link itself for a link.
fn kind_at(dir: &impl AsFd, name: &str) -> Option<FileType> {
    let st = rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW).ok()?;
    Some(FileType::from_raw_mode(st.st_mode))
}

/// A failed operation on the out dir, with the path it failed on.
#[derive(Debug)]
pub struct OutDirError {
    pub path: std::path::PathBuf,
    pub source: std::io::Error,
}

impl OutDirError {
    fn new(out_dir: &Path, rel: &str, source: impl Into<std::io::Error>) -> Self {
        OutDirError {
            path: out_dir.join(rel),
            source: source.into(),
        }
    }

    /// A link, or a file where a folder belongs, that only `--force` replaces.
    fn in_the_way(out_dir: &Path, rel: &str, what: &str) -> Self {
        let message = format!(
            "{what}; kubeplan never follows a link or writes over a file in the out dir without --force: remove it, or pass --force to replace it"
        );
        OutDirError::new(out_dir, rel, std::io::Error::other(message))
    }
}

/// Opens the folder `folders` (components of a checked path) under `out_dir`, creating
/// what is missing, without following a link. A link or a file where a folder belongs
/// is an error, or with `force` is removed (a link itself, never what it points to) and
/// replaced by a folder. Each folder made is pushed onto `made`, outermost first.
fn make_folders(
    root: &Root,
    folders: &[&str],
    force: bool,
    made: &mut Vec<PathBuf>,
) -> Result<OwnedFd, OutDirError> {
    let out_dir = root.path();
    let root = root.dir()?;
    let mut opened: Option<OwnedFd> = None;
    for (i, folder) in folders.iter().enumerate() {
        let dir = opened.as_ref().unwrap_or(root);
        let rel = || folders[..=i].join("/");
        let err = |e: Errno| OutDirError::new(out_dir, &rel(), e);
        let open =
            || rustix::fs::openat(dir, *folder, dir_flags() | OFlags::NOFOLLOW, Mode::empty());
        let next = match open() {
            Ok(fd) => fd,
            Err(Errno::NOENT) => {
                mkdir(dir, folder).map_err(err)?;
                made.push(out_dir.join(rel()));
                open().map_err(err)?
            }
            Err(e) => {
                let what = match kind_at(dir, folder) {
                    Some(FileType::Symlink) => "it is a symbolic link",
                    Some(FileType::Directory) | None => return Err(err(e)),
                    Some(_) => "it is a file where kubeplan needs a folder",
                };
                if !force {
                    return Err(OutDirError::in_the_way(out_dir, &rel(), what));
                }
                rustix::fs::unlinkat(dir, *folder, AtFlags::empty()).map_err(err)?;
                mkdir(dir, folder).map_err(err)?;
                made.push(out_dir.join(rel()));
                open().map_err(err)?
            }
        };
        opened = Some(next);
    }
    match opened {
        Some(dir) => Ok(dir),
        None => rustix::io::dup(root).map_err(|e| OutDirError::new(out_dir, "", e)),
    }
}

fn mkdir(dir: &OwnedFd, name: &str) -> Result<(), Errno> {
    match rustix::fs::mkdirat(dir, name, Mode::from_raw_mode(0o777)) {
        Err(Errno::EXIST) => Ok(()), // made meanwhile; the open after it checks what it is
        other => other,
    }
}

/// Makes the place of the file `path` under `out_dir` ready for [`rename_into`], before
/// anything is renamed: its folders exist (see [`make_folders`], which pushes what it
/// made onto `made`), and a folder at `path` itself is removed when it is empty and
/// `force` is given (plan reported it); a folder with files in it is never removed.
pub fn make_place(
    root: &Root,
    path: &str,
    force: bool,
    made: &mut Vec<PathBuf>,
) -> Result<(), OutDirError> {
    let out_dir = root.path();
    let (folders, name) = split(path);
    let dir = make_folders(root, &folders, force, made)?;
    if kind_at(&dir, name) != Some(FileType::Directory) {
        return Ok(());
    }
    let refuse = |why: String| {
        let message = format!("it is a folder{why}; kubeplan removes a folder in the place of a file only when it is empty and --force is given");
        Err(OutDirError::new(
            out_dir,
            path,
            std::io::Error::other(message),
        ))
    };
    if !force {
        return refuse(String::new());
    }
    match rustix::fs::unlinkat(&dir, name, AtFlags::REMOVEDIR) {
        Ok(()) | Err(Errno::NOENT) => Ok(()),
        Err(e) => refuse(format!(" ({e})")),
    }
}

/// Writes `content` with `mode` to a new file `staged` (a bare name) in the folder of
/// `path` under `out_dir`, whose place [`make_place`] made. The folders are opened again
/// without following a link, so a link put there since is refused (or, with `force`,
/// replaced by a folder), and the file is created, never opened through a link: a file or
/// link already at `staged` is removed first.
pub fn stage(
    root: &Root,
    path: &str,
    staged: &str,
    content: &[u8],
    mode: u32,
    force: bool,
) -> Result<(), OutDirError> {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let (folders, _) = split(path);
    let rel = sibling(path, staged);
    let out_dir = root.path();
    let dir = make_folders(root, &folders, force, &mut Vec::new())?;
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let err = |e: std::io::Error| OutDirError::new(out_dir, &rel, e);
    // The name is apply's (check_path refuses it for an artifact): whatever is there, a
    // link included, is left from elsewhere and goes; unlinking a link never follows it.
    match rustix::fs::unlinkat(&dir, staged, AtFlags::empty()) {
        Ok(()) | Err(Errno::NOENT) => {}
        Err(e) => return Err(err(e.into())),
    }
    let fd = rustix::fs::openat(&dir, staged, flags, Mode::from_raw_mode(0o600))
        .map_err(|e| err(e.into()))?;
    let mut file = fs::File::from(fd);
    file.write_all(content).map_err(err)?;
    file.set_permissions(fs::Permissions::from_mode(mode))
        .map_err(err)
}

/// Renames the file `staged` that [`stage`] wrote to `path`, in the same folder, opened
/// again without following a link; the rename replaces a link at `path` itself, never
/// what it points to.
pub fn rename_staged(
    root: &Root,
    path: &str,
    staged: &str,
    force: bool,
) -> Result<(), OutDirError> {
    let (folders, name) = split(path);
    let dir = make_folders(root, &folders, force, &mut Vec::new())?;
    rustix::fs::renameat(&dir, staged, &dir, name)
        .map_err(|e| OutDirError::new(root.path(), path, e))
}

/// Removes the file `staged` from the folder of `path` under `out_dir`, if it is there;
/// a folder on the way that is missing, a link or a file means there is nothing to
/// remove. A `path` that is not a checked path (a journal edited by hand) is left.
pub fn remove_staged(out_dir: &Path, path: &str, staged: &str) -> Result<(), OutDirError> {
    if check_path(path).is_err() {
        return Ok(());
    }
    let (folders, _) = split(path);
    let Ok(mut dir) = rustix::fs::open(out_dir, dir_flags(), Mode::empty()) else {
        return Ok(());
    };
    for folder in folders {
        match rustix::fs::openat(&dir, folder, dir_flags() | OFlags::NOFOLLOW, Mode::empty()) {
            Ok(fd) => dir = fd,
            Err(_) => return Ok(()),
        }
    }
    match rustix::fs::unlinkat(&dir, staged, AtFlags::empty()) {
        Ok(()) | Err(Errno::NOENT) => Ok(()),
        Err(e) => Err(OutDirError::new(out_dir, &sibling(path, staged), e)),
    }
}

/// The path of the file `name` in the folder of `path`.
fn sibling(path: &str, name: &str) -> String {
    match path.rsplit_once('/') {
        Some((folder, _)) => format!("{folder}/{name}"),
        None => name.to_owned(),
    }
}

/// Removes the file at `path` under `out_dir`, then each folder it leaves empty, without
/// following a link: a link at `path` is removed itself; a folder on the way that is a
/// link is an error, or with `force` the link is removed (what it points to stays). A
/// file where a folder on the way belongs means the artifact is gone already: it is left.
pub fn remove(out_dir: &Path, path: &str, force: bool) -> Result<(), OutDirError> {
    let (folders, name) = split(path);
    let mut chain: Vec<OwnedFd> = Vec::new();
    match rustix::fs::open(out_dir, dir_flags(), Mode::empty()) {
        Ok(fd) => chain.push(fd),
        Err(Errno::NOENT) => return Ok(()),
        Err(e) => return Err(OutDirError::new(out_dir, "", e)),
    }
    for (i, folder) in folders.iter().enumerate() {
        let rel = folders[..=i].join("/");
        let dir = chain.last().expect("the out dir is open");
        match rustix::fs::openat(dir, *folder, dir_flags() | OFlags::NOFOLLOW, Mode::empty()) {
            Ok(fd) => chain.push(fd),
            Err(Errno::NOENT) => return Ok(()),
            Err(e) => {
                return match kind_at(dir, folder) {
                    Some(FileType::Symlink) if force => {
                        rustix::fs::unlinkat(dir, *folder, AtFlags::empty())
                            .map_err(|e| OutDirError::new(out_dir, &rel, e))?;
                        prune(&chain, &folders[..i]);
                        Ok(())
                    }
                    Some(FileType::Symlink) => Err(OutDirError::in_the_way(
                        out_dir,
                        &rel,
                        "it is a symbolic link",
                    )),
                    Some(FileType::Directory) | None => Err(OutDirError::new(out_dir, &rel, e)),
                    Some(_) => Ok(()),
                };
            }
        }
    }
    let dir = chain.last().expect("the out dir is open");
    match kind_at(dir, name) {
        None | Some(FileType::Directory) => {}
        Some(FileType::Symlink) if !force => {
            return Err(OutDirError::in_the_way(
                out_dir,
                path,
                "it is a symbolic link",
            ))
        }
        Some(_) => match rustix::fs::unlinkat(dir, name, AtFlags::empty()) {
            Ok(()) | Err(Errno::NOENT) => {}
            Err(e) => return Err(OutDirError::new(out_dir, path, e)),
        },
    }
    prune(&chain, &folders);
    Ok(())
}

/// Removes `folders` (the open `chain` holds the out dir and then each of them) from the
/// innermost out, as long as each is empty.
fn prune(chain: &[OwnedFd], folders: &[&str]) {
    for (i, folder) in folders.iter().enumerate().rev() {
        if rustix::fs::unlinkat(&chain[i], *folder, AtFlags::REMOVEDIR).is_err() {
            break;
        }
    }
}

/// Removes the folders in `made` (outermost first, as [`make_folders`] lists them) that
/// are empty: after a failed apply, no folder it made for files it did not write stays.
pub fn remove_empty(made: &[std::path::PathBuf]) {
    for folder in made.iter().rev() {
        let _ = fs::remove_dir(folder);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_normalised_relative_paths_inside_the_out_dir_pass() {
        for good in [
            "cp-1/bootstrap.sh",
            "runbook.md",
            "_cleanup/w-1/reset.ps1",
            "a/.b/c",
        ] {
            assert_eq!(check_path(good), Ok(()), "{good}");
        }
        for (bad, problem) in [
            ("", BadPath::Empty),
            ("/etc/passwd", BadPath::Absolute),
            ("../x", BadPath::Dots),
            ("a/../../x", BadPath::Dots),
            ("./a", BadPath::Dots),
            ("a/./b", BadPath::Dots),
            ("a//b", BadPath::EmptyComponent),
            ("a/", BadPath::EmptyComponent),
            ("..\\x", BadPath::Backslash),
            ("a\0b", BadPath::Control),
            ("a\nb", BadPath::Control),
            ("a\u{7f}", BadPath::Control),
            (".kubeplan-tmp/x", BadPath::Staging),
            ("w-1/.bootstrap.ps1.kubeplan-tmp-staged", BadPath::Staging),
        ] {
            assert_eq!(check_path(bad), Err(problem), "{bad:?}");
        }
    }

    #[test]
    fn find_reports_links_and_files_in_the_way_without_following_them() {
        let root = tempfile::tempdir().unwrap();
        let (out, outside) = (root.path().join("out"), root.path().join("outside"));
        fs::create_dir_all(out.join("real")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("f"), "outside").unwrap();
        fs::write(out.join("real/f"), "inside").unwrap();
        std::os::unix::fs::symlink(&outside, out.join("linked")).unwrap();
        std::os::unix::fs::symlink(outside.join("f"), out.join("real/link")).unwrap();
        fs::write(out.join("file"), "").unwrap();
        assert!(matches!(find(&out, "real/f"), Found::File { .. }));
        assert!(matches!(find(&out, "linked/f"), Found::LinkedFolder));
        assert!(matches!(find(&out, "real/link"), Found::Link));
        assert!(matches!(find(&out, "file/f"), Found::FileFolder));
        assert!(matches!(find(&out, "real"), Found::NotAFile));
        assert!(matches!(find(&out, "missing/f"), Found::Nothing));
        assert!(matches!(find(&out, "../outside/f"), Found::Unreadable));
    }
}

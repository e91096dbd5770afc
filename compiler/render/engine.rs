//! The template engine: every template under `templates/`, embedded in the binary, parsed
//! once per process for each network and cloud a cluster runs, with the quoting filters
//! and `error()`; and the digest of the templates and the code that renders them.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use include_dir::{include_dir, Dir};
use tera::{Kwargs, State, Tera};

use super::{quote, RenderError};
use crate::hash::Fields;
use crate::network::Kind;

static TEMPLATES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The templates, parsed once per process and network, and their digest.
pub(super) struct Engine {
    pub(super) tera: Tera,
    /// SHA-256 over this kubeplan's version, the rendering code and every template's name
    /// and text: part of each node's inputs, so a new kubeplan, a changed filter or
    /// changed templates render every node again.
    pub(super) digest: [u8; 32],
}

/// The names under which the OS templates include the cluster's network partials, and
/// where each network's partial of that name is (named by
/// [`PodNetwork::partials`](crate::network::PodNetwork::partials)).
pub(super) const NETWORK_PARTIALS: [(&str, &str, &str); 3] = [
    ("windows/network.ps1", "windows/network/", ".ps1"),
    ("linux/network.sh", "linux/network/", ".sh"),
    ("cluster/network.md", "cluster/network/", ".md"),
];

/// The name under which cloud-network.sh includes the cloud's partial, and the partial of
/// a platform that is not a cloud.
pub(super) const CLOUD_PARTIAL: &str = "cluster/cloud.sh";
pub(super) const NO_CLOUD: &str = "none";

/// The templates for a cluster of the network `kind` on a cloud (its partial's name, or
/// [`NO_CLOUD`]): every template under its own name, and the network's and the cloud's
/// partials also under the names the templates include.
pub(super) fn engine(kind: Kind, cloud: &'static str) -> Result<&'static Engine, RenderError> {
    type Engines = HashMap<(Kind, &'static str), Result<&'static Engine, String>>;
    static ENGINES: OnceLock<Mutex<Engines>> = OnceLock::new();
    let mut engines = ENGINES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    engines
        .entry((kind, cloud))
        .or_insert_with(|| build_engine(kind, cloud).map(|e| &*Box::leak(Box::new(e))))
        .clone()
        .map_err(RenderError)
}

fn build_engine(kind: Kind, cloud: &str) -> Result<Engine, String> {
    let mut tera = Tera::new();
    tera.autoescape_on(Vec::<&str>::new());
    // `sh(quoted=true)` for an assignment's value: always in single quotes.
    tera.register_filter("sh", |s: &str, kwargs: Kwargs, _: &State| {
        let quoted: Option<bool> = kwargs.get("quoted")?;
        Ok::<_, tera::Error>(if quoted == Some(true) {
            quote::sh_quoted(s)
        } else {
            quote::sh(s)
        })
    });
    tera.register_filter("ps", |s: &str, _: Kwargs, _: &State| quote::ps(s));
    tera.register_filter("json", |s: &str, _: Kwargs, _: &State| quote::json(s));
    // Ends every `if / elif` chain over a kind, so that a kind a template does not
    // know fails the render instead of falling into another kind's branch.
    tera.register_function("error", |kwargs: Kwargs, _: &State| {
        let message: String = kwargs.must_get("message")?;
        Err::<String, _>(tera::Error::message(message))
    });
    let mut files = Vec::new();
    collect(&TEMPLATES, &mut files);
    files.sort_unstable();
    let mut digest = Fields::default();
    digest.field(env!("CARGO_PKG_VERSION").as_bytes());
    // The code that turns a context into text: the engine, the rendering and the quoting
    // filters.
    digest.field(include_str!("engine.rs").as_bytes());
    digest.field(include_str!("mod.rs").as_bytes());
    digest.field(include_str!("quote.rs").as_bytes());
    for (name, text) in &files {
        digest.field(name.as_bytes());
        digest.field(text.as_bytes());
    }
    let partials = kind.get().partials();
    let mut aliases = Vec::new();
    for (alias, dir, ext) in NETWORK_PARTIALS {
        let own = format!("{dir}{partials}{ext}");
        let text = files
            .iter()
            .find(|(name, _)| *name == own)
            .map(|(_, text)| *text)
            .ok_or_else(|| format!("the network {kind:?} has no partial {own}"))?;
        aliases.push((alias, text));
    }
    let own = format!("cluster/cloud/{cloud}.sh");
    let text = files
        .iter()
        .find(|(name, _)| *name == own)
        .map(|(_, text)| *text)
        .ok_or_else(|| format!("the cloud {cloud} has no partial {own}"))?;
    aliases.push((CLOUD_PARTIAL, text));
    tera.add_raw_templates(files.into_iter().chain(aliases))
        .map_err(|e| format!("{e:?}"))?;
    Ok(Engine {
        tera,
        digest: digest.finish(),
    })
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<(&'static str, &'static str)>) {
    for file in dir.files() {
        if let (Some(name), Some(text)) = (file.path().to_str(), file.contents_utf8()) {
            out.push((name, text));
        }
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_network_and_cloud_has_its_partials() {
        // The engine of a network and cloud fails to build when one of their partials is
        // missing or does not parse.
        for kind in Kind::ALL {
            for cloud in ["aws", "gce", "azure", NO_CLOUD] {
                if let Err(e) = engine(*kind, cloud) {
                    panic!("{kind:?} on {cloud}: {e}");
                }
            }
        }
    }
}

//! The incremental skip: a node whose inputs are what the last apply recorded, and whose
//! files are in the out dir exactly as that apply wrote them, is not rendered again
//! (`render::render_since`). This module answers render's question from the state and
//! the out dir, so that render itself never reads a file.

use crate::hash::sha256_hex;
use crate::plan::{holds, OnDisk};
use crate::state::State;

/// The state and the out dir an apply left them in.
pub struct LastApply<'a> {
    pub state: &'a State,
    pub out_dir: &'a crate::outdir::Root,
}

impl crate::render::PriorOutput for LastApply<'_> {
    fn unchanged(&self, node: &str, inputs: &str, path: &str, mode: u32) -> Option<String> {
        let recorded = self.state.nodes.get(node)?;
        if recorded.inputs.as_deref() != Some(inputs) {
            return None;
        }
        let r = self.state.artifacts.get(path)?;
        if r.mode != mode || r.node.as_deref() != Some(node) {
            return None;
        }
        let current = OnDisk::read(self.out_dir, path)?;
        let file = current.file()?;
        holds(file, &sha256_hex(file.0), &r.sha256, r.mode).then(|| r.sha256.clone())
    }
}

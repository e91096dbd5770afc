//! kubeplan's one hash, SHA-256: of a file's content (lowercase hex, as state and plans
//! record it), and of a sequence of fields, each framed by its length.

use sha2::{Digest, Sha256};

/// The SHA-256 of `bytes` in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// SHA-256 over a sequence of fields, each preceded by its length, so that no two
/// different sequences hash the same bytes.
#[derive(Default)]
pub struct Fields(Sha256);

impl Fields {
    /// Adds one field.
    pub fn field(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// The SHA-256 of the fields so far.
    pub fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }

    /// [`Self::finish`] in lowercase hex.
    pub fn finish_hex(self) -> String {
        hex::encode(self.finish())
    }
}

/// SHA-256 of bytes written to it (`io::Write`), so a serializer's output is hashed as it
/// is written, never held whole; it counts them too.
#[derive(Default)]
pub struct Writer {
    hash: Sha256,
    len: usize,
}

impl Writer {
    /// The SHA-256 of what was written, in lowercase hex, and its length in bytes.
    pub fn finish_hex(self) -> (String, usize) {
        (hex::encode(self.hash.finalize()), self.len)
    }
}

impl std::io::Write for Writer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.hash.update(bytes);
        self.len += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The spec's hash as states and saved plans record it: each file's name and text, in
/// order, each followed by a NUL byte. It predates [`Fields`] and keeps its bytes: every
/// recorded state holds it, and another hash would read as a changed spec.
pub fn spec_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut h = Sha256::new();
    for (name, text) in files {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_vector() {
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_spec_hash_is_over_names_and_texts_each_ended_by_nul() {
        assert_eq!(
            super::spec_files([("a.hcl", "x"), ("b.hcl", "")]),
            super::sha256_hex(b"a.hcl\0x\0b.hcl\0\0")
        );
    }

    #[test]
    fn the_writer_hashes_what_is_written_in_pieces_as_one() {
        use std::io::Write;
        let mut w = super::Writer::default();
        w.write_all(b"a").unwrap();
        w.write_all(b"bc").unwrap();
        assert_eq!(w.finish_hex(), (super::sha256_hex(b"abc"), 3));
    }

    #[test]
    fn fields_are_framed_by_their_length() {
        let hash = |fields: &[&str]| {
            let mut h = super::Fields::default();
            for f in fields {
                h.field(f.as_bytes());
            }
            h.finish_hex()
        };
        assert_ne!(hash(&["ab", "c"]), hash(&["a", "bc"]));
        assert_eq!(hash(&["ab", "c"]), hash(&["ab", "c"]));
    }
}

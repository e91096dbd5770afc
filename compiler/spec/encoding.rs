//! The text of a spec or variable file: UTF-8, as HCL is (a UTF-8 byte-order mark, which
//! Windows editors write, is dropped). Anything else is refused with the encoding it
//! seems to be and the place of the first byte that is not UTF-8, since an editor's
//! "Save as" is the fix and the operator must know which file and where.

use crate::diagnostic::{Code, Diagnostic, FileId, SourceMap, Span};

/// The file's text, added to `sources` (privately for a variable file); or, when it is
/// not UTF-8, a KP010 at the first bad byte (the file is added so the location renders).
pub fn read(
    sources: &mut SourceMap,
    name: String,
    bytes: Vec<u8>,
    private: bool,
) -> Result<FileId, Diagnostic> {
    let add = |sources: &mut SourceMap, text: String| {
        if private {
            sources.add_private(name.clone(), text)
        } else {
            sources.add(name.clone(), text)
        }
    };
    let utf16 = match bytes.as_slice() {
        [0xFF, 0xFE, ..] => Some("UTF-16 little-endian"),
        [0xFE, 0xFF, ..] => Some("UTF-16 big-endian"),
        // No mark, but ASCII text with a zero byte beside each character.
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => Some("UTF-16 little-endian"),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => Some("UTF-16 big-endian"),
        _ => None,
    };
    if let Some(encoding) = utf16 {
        let file = add(sources, String::new());
        return Err(Diagnostic::error(
            Code::Input,
            Some(Span { file, range: 0..0 }),
            format!("{name} is {encoding} text; kubeplan reads UTF-8, as HCL is defined"),
        )
        .with_help(format!("save it as UTF-8 (Notepad: Save As, Encoding UTF-8; PowerShell 5.1: Get-Content FILE | Set-Content -Encoding UTF8 NEW; Linux: iconv -f UTF-16 -t UTF-8 {name})")));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(add(sources, without_bom(text))),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let byte = e.as_bytes()[at];
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // The lossy text has the same bytes up to `at`: the location is exact.
            let end = at + text[at..].chars().next().map_or(0, char::len_utf8);
            let file = add(sources, text);
            Err(Diagnostic::error(
                Code::Input,
                Some(Span { file, range: at..end }),
                format!("{name} is not UTF-8 text: byte 0x{byte:02X} here is not valid UTF-8 (the file may be Latin-1 or Windows-1252)"),
            )
            .with_help(format!("save the file as UTF-8, e.g. iconv -f WINDOWS-1252 -t UTF-8 {name}")))
        }
    }
}

/// The text without the UTF-8 byte-order mark Windows editors put at its start: HCL
/// does not know it, and the mark is no character a location should count.
pub(crate) fn without_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}

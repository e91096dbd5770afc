//! Quoting for each target language, applied by the template filters `sh`, `ps` and `json`.
//! No value from a spec reaches a script except through one of these.

/// Quotes a string as one bash word. Plain words stay as they are, for readable scripts;
/// anything else is single-quoted, each `'` written as `'\''`.
pub fn sh(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'-' | b'.' | b'/' | b':' | b'@' | b'%' | b'+' | b','
                )
        });
    if plain {
        return s.to_owned();
    }
    sh_quoted(s)
}

/// Quotes a string as one bash word, always in single quotes: for the value of an
/// assignment, where a plain word that names a command (`NODE_NAME=cp`) reads to
/// shellcheck like a command's output forgotten (SC2209).
pub fn sh_quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The characters PowerShell treats as a single quote inside a single-quoted string: the
/// ASCII one and its typographic look-alikes.
const PS_SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// Quotes a string as a PowerShell verbatim string: single quotes, with every quote
/// character (and its look-alikes, which PowerShell also honours) doubled.
pub fn ps(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if PS_SINGLE_QUOTES.contains(&c) {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// A JSON string literal (also a valid YAML scalar).
pub fn json(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_stay_readable() {
        assert_eq!(sh("ens192"), "ens192");
        assert_eq!(sh("10.0.0.10:6443"), "10.0.0.10:6443");
        assert_eq!(sh(""), "''");
    }

    #[test]
    fn bash_reads_back_exactly_the_value() {
        for value in [
            "a b",
            "it's",
            "$(id)",
            "`id`",
            "a;b && c",
            "line\nbreak",
            "'",
            "\\",
            "*",
            "~root",
            "\"q\"",
        ] {
            let out = std::process::Command::new("bash")
                .arg("-c")
                .arg(format!("printf %s {}", sh(value)))
                .output()
                .expect("bash runs");
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                value,
                "quoted as {}",
                sh(value)
            );
        }
    }

    #[test]
    fn powershell_quotes_double_every_quote_kind() {
        assert_eq!(ps("Ethernet 2"), "'Ethernet 2'");
        assert_eq!(ps("it's"), "'it''s'");
        assert_eq!(ps("a\u{2019}b"), "'a\u{2019}\u{2019}b'");
        assert_eq!(ps("$env:PATH"), "'$env:PATH'");
    }

    #[test]
    fn json_escapes() {
        assert_eq!(json("a\"b\n"), r#""a\"b\n""#);
    }
}

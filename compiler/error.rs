//! `Error`: what a command reports when it fails, a message and, where kubeplan knows
//! one, a hint of what to do. Library errors implement [`Hint`]; `cli` turns each into an
//! `Error` and prints it in one place, `error: MESSAGE` then `hint: HINT`.

/// An error that may know what the user can do about it. Its `Display` is the message
/// alone; the hint is never part of it.
pub trait Hint: std::fmt::Display {
    /// What to do about it, if kubeplan knows.
    fn hint(&self) -> Option<String> {
        None
    }
}

/// A failed command's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    message: String,
    hint: Option<String>,
}

impl Error {
    /// An error without a hint.
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            hint: None,
        }
    }

    /// The error with a hint of what to do.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl<E: Hint> From<E> for Error {
    fn from(e: E) -> Self {
        Error {
            message: e.to_string(),
            hint: e.hint(),
        }
    }
}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::new(message)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::new(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Locked;

    impl std::fmt::Display for Locked {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("the state is locked")
        }
    }

    impl Hint for Locked {
        fn hint(&self) -> Option<String> {
            Some("wait".to_owned())
        }
    }

    #[test]
    fn a_library_error_keeps_its_message_and_hint_apart() {
        let e = Error::from(Locked);
        assert_eq!(e.message(), "the state is locked");
        assert_eq!(e.hint(), Some("wait"));
        assert_eq!(e.to_string(), "the state is locked");
        assert_eq!(Error::from("no hint".to_owned()).hint(), None);
    }
}

//! Closed sets of words a spec may use (`os = "linux"`), parsed into enums at the spec boundary.

use crate::diagnostic::Code;

/// A value from a closed set of words.
pub trait Keyword: Sized + Copy {
    /// What the word names, for messages ("operating system").
    const WHAT: &'static str;
    /// The code reported when a word is not in the set.
    const CODE: Code = Code::InvalidValue;
    /// Parses one word; `None` when it is not in the set.
    fn parse(word: &str) -> Option<Self>;
    /// The accepted words, as shown in a hint.
    fn accepted() -> String;
}

/// Declares an enum of spec keywords with its words, `as_str`, `Display`, `Serialize` and `Keyword`.
macro_rules! keyword_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($variant:ident = $word:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant,)* }

        impl $name {
            /// The word as written in a spec.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word,)* }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl $crate::model::keyword::Keyword for $name {
            const WHAT: &'static str = $what;
            fn parse(word: &str) -> Option<Self> {
                match word { $($word => Some($name::$variant),)* _ => None }
            }
            fn accepted() -> String {
                [$($word,)*].join(", ")
            }
        }
    };
}

pub(crate) use keyword_enum;

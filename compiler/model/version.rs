//! Kubernetes versions, which decide kubeadm API versions and kubelet flags.

use std::str::FromStr;

/// A Kubernetes release `1.MINOR.PATCH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl KubeVersion {
    /// A version from its parts.
    pub const fn new(major: u32, minor: u32, patch: u32) -> Self {
        KubeVersion {
            major,
            minor,
            patch,
        }
    }

    /// `v1.29` — the channel of the pkgs.k8s.io package repository.
    pub fn minor_channel(self) -> String {
        format!("v{}.{}", self.major, self.minor)
    }
}

impl FromStr for KubeVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bare = s.strip_prefix('v').unwrap_or(s);
        let parts: Vec<&str> = bare.split('.').collect();
        let [major, minor, patch] = parts.as_slice() else {
            return Err(format!("{s:?} is not MAJOR.MINOR.PATCH"));
        };
        let num = |p: &str| {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 4 {
                return Err(format!("{s:?} is not MAJOR.MINOR.PATCH"));
            }
            p.parse::<u32>().map_err(|e| e.to_string())
        };
        Ok(KubeVersion::new(num(major)?, num(minor)?, num(patch)?))
    }
}

impl std::fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl serde::Serialize for KubeVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A component's release as its publisher tags it: `2.1.4`, `v0.27.0`, `v1.7.1-flannel1`.
/// It goes into download URLs and file names, so only digits, dots and a `-suffix` of
/// letters, digits and dots are accepted.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct ComponentVersion(String);

impl ComponentVersion {
    /// The version as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ComponentVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not a release such as \"2.1.4\" or \"v0.27.0\"");
        let bare = s.strip_prefix('v').unwrap_or(s);
        let (numbers, suffix) = match bare.split_once('-') {
            Some((n, suffix)) => (n, Some(suffix)),
            None => (bare, None),
        };
        let numbers_ok = numbers.split('.').count() <= 4
            && numbers
                .split('.')
                .all(|p| !p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit()));
        let suffix_ok = suffix.is_none_or(|x| {
            !x.is_empty()
                && x.len() <= 24
                && x.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.')
        });
        if numbers_ok && suffix_ok {
            Ok(ComponentVersion(s.to_owned()))
        } else {
            Err(bad())
        }
    }
}

impl std::fmt::Display for ComponentVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_and_without_v() {
        assert_eq!("1.29.4".parse(), Ok(KubeVersion::new(1, 29, 4)));
        assert_eq!("v1.31.0".parse(), Ok(KubeVersion::new(1, 31, 0)));
        assert!("1.29".parse::<KubeVersion>().is_err());
        assert!("1.29.x".parse::<KubeVersion>().is_err());
        assert!("1.29.4; rm".parse::<KubeVersion>().is_err());
    }

    #[test]
    fn component_versions_are_tags_and_nothing_else() {
        for ok in ["2.1.4", "v0.27.0", "v1.7.1-flannel1", "3.10.2", "0.3.21"] {
            assert!(ok.parse::<ComponentVersion>().is_ok(), "{ok}");
        }
        for bad in [
            "",
            "v",
            "2..1",
            "2.1.4/../x",
            "2.1.4 ",
            "1.0-",
            "1.0-a/b",
            "$(x)",
            "1.2.3.4.5",
        ] {
            assert!(bad.parse::<ComponentVersion>().is_err(), "{bad}");
        }
    }
}

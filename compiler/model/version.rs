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
}

//! Newtypes for names and strings that can only be built valid, so they are safe to
//! put into scripts, units and file paths.

use std::str::FromStr;

/// A node name: a DNS label (RFC 1123), used as hostname, Kubernetes node name and folder name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct NodeName(String);

impl NodeName {
    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for NodeName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        if s.is_empty() || s.len() > 63 {
            return Err(format!("{s:?} must be 1 to 63 characters long"));
        }
        if !s.chars().all(ok_char) {
            return Err(format!(
                "{s:?} may hold only lowercase letters, digits and '-'"
            ));
        }
        if s.starts_with('-') || s.ends_with('-') {
            return Err(format!("{s:?} must start and end with a letter or digit"));
        }
        Ok(NodeName(s.to_owned()))
    }
}

impl std::fmt::Display for NodeName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The package manager a Linux family installs Kubernetes with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageManager {
    Apt,
    Dnf,
    Zypper,
}

/// A Linux distribution family kubeplan can install Kubernetes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DistroFamily {
    Ubuntu,
    Debian,
    Rhel,
    Centos,
    Rocky,
    Almalinux,
    Sles,
}

const FAMILIES: [(&str, DistroFamily); 7] = [
    ("ubuntu", DistroFamily::Ubuntu),
    ("debian", DistroFamily::Debian),
    ("rhel", DistroFamily::Rhel),
    ("centos", DistroFamily::Centos),
    ("rocky", DistroFamily::Rocky),
    ("almalinux", DistroFamily::Almalinux),
    ("sles", DistroFamily::Sles),
];

impl DistroFamily {
    /// The `ID` in `/etc/os-release`.
    pub fn os_release_id(self) -> &'static str {
        FAMILIES
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("", |(name, _)| name)
    }

    /// The package manager of the family.
    pub fn package_manager(self) -> PackageManager {
        match self {
            DistroFamily::Ubuntu | DistroFamily::Debian => PackageManager::Apt,
            DistroFamily::Rhel
            | DistroFamily::Centos
            | DistroFamily::Rocky
            | DistroFamily::Almalinux => PackageManager::Dnf,
            DistroFamily::Sles => PackageManager::Zypper,
        }
    }
}

/// A Linux distribution and release, written `FAMILY-VERSION` (`ubuntu-22.04`, `sles-15-sp2`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Distro {
    pub family: DistroFamily,
    /// The release as written after the family (`22.04`, `8.6`, `15-sp2`).
    pub version: String,
}

impl Distro {
    /// The major release number, as `VERSION_ID` in `/etc/os-release` starts with it.
    pub fn major(&self) -> &str {
        self.version.split(['.', '-']).next().unwrap_or("")
    }

    /// The release as numbers: `8.3` → (8, 3), `15-sp2` and `15.2` → (15, 2).
    pub fn release(&self) -> (u32, u32) {
        let mut parts = self
            .version
            .split(['.', '-'])
            .map(|p| p.trim_start_matches("sp").parse::<u32>().unwrap_or(0));
        (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
    }

    /// True for the releases seed 001 names for the vmxnet3 offload bug on ESXi 6.7u2+:
    /// RHEL and CentOS 8.3 or later (and the RHEL rebuilds Rocky and AlmaLinux), SLES 15 SP2
    /// or later.
    pub fn has_vmxnet3_offload_bug(&self) -> bool {
        match self.family {
            DistroFamily::Rhel
            | DistroFamily::Centos
            | DistroFamily::Rocky
            | DistroFamily::Almalinux => self.release() >= (8, 3),
            DistroFamily::Sles => self.release() >= (15, 2),
            DistroFamily::Ubuntu | DistroFamily::Debian => false,
        }
    }

    /// The families kubeplan accepts, for hints.
    pub fn accepted_families() -> String {
        FAMILIES
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl FromStr for Distro {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (family, version) = s
            .split_once('-')
            .ok_or_else(|| format!("{s:?} is not FAMILY-VERSION, e.g. ubuntu-22.04"))?;
        let family = FAMILIES
            .iter()
            .find(|(name, _)| *name == family)
            .map(|(_, f)| *f)
            .ok_or_else(|| format!("{family:?} is not a Linux family kubeplan installs on"))?;
        let version_ok = !version.is_empty()
            && version.len() <= 16
            && version.starts_with(|c: char| c.is_ascii_digit())
            && version
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase() || c == '.' || c == '-');
        if !version_ok {
            return Err(format!(
                "{version:?} is not a release number, e.g. 22.04 or 15-sp2"
            ));
        }
        Ok(Distro {
            family,
            version: version.to_owned(),
        })
    }
}

impl std::fmt::Display for Distro {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.family.os_release_id(), self.version)
    }
}

/// Where nodes reach the API server: `HOST:PORT`, HOST an IPv4 address or a DNS name.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
}

impl FromStr for Endpoint {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (host, port) = s
            .rsplit_once(':')
            .ok_or_else(|| format!("{s:?} is not HOST:PORT, e.g. 10.0.0.10:6443"))?;
        let port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("{port:?} is not a port number from 1 to 65535"))?;
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if host.is_empty() || host.len() > 253 || !host.split('.').all(label_ok) {
            return Err(format!("{host:?} is not an IPv4 address or DNS name"));
        }
        Ok(Endpoint {
            host: host.to_owned(),
            port,
        })
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// The `sha256:<hex>` pin of the cluster CA's public key that `kubeadm join` checks.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct CaCertHash(String);

impl CaCertHash {
    /// The pin as written, `sha256:<hex>`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CaCertHash {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let hex = s.strip_prefix("sha256:").unwrap_or("");
        if hex.len() != 64
            || !hex
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        {
            return Err(format!(
                "{s:?} is not sha256: followed by 64 lowercase hex digits"
            ));
        }
        Ok(CaCertHash(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_names_are_dns_labels() {
        assert!("win-1".parse::<NodeName>().is_ok());
        assert!("Win-1".parse::<NodeName>().is_err());
        assert!("-a".parse::<NodeName>().is_err());
        assert!("a.b".parse::<NodeName>().is_err());
        assert!("a".repeat(64).parse::<NodeName>().is_err());
    }

    #[test]
    fn distros_split_family_and_version() {
        let d: Distro = "sles-15-sp2".parse().unwrap();
        assert_eq!(d.family, DistroFamily::Sles);
        assert_eq!(d.major(), "15");
        assert_eq!(d.to_string(), "sles-15-sp2");
        assert!("plan9-4".parse::<Distro>().is_err());
        assert_eq!(d.release(), (15, 2));
        assert!(d.has_vmxnet3_offload_bug());
        assert!(!"sles-15-sp1"
            .parse::<Distro>()
            .unwrap()
            .has_vmxnet3_offload_bug());
        assert!("rhel-8.3"
            .parse::<Distro>()
            .unwrap()
            .has_vmxnet3_offload_bug());
        assert!(!"centos-8.2"
            .parse::<Distro>()
            .unwrap()
            .has_vmxnet3_offload_bug());
        assert!(!"ubuntu-22.04"
            .parse::<Distro>()
            .unwrap()
            .has_vmxnet3_offload_bug());
        assert!("ubuntu-22.04;reboot".parse::<Distro>().is_err());
    }

    #[test]
    fn endpoints_need_host_and_port() {
        let e: Endpoint = "10.0.0.10:6443".parse().unwrap();
        assert_eq!(e.port, 6443);
        assert!("k8s.example.com:443".parse::<Endpoint>().is_ok());
        assert!("10.0.0.10".parse::<Endpoint>().is_err());
        assert!("$(id):6443".parse::<Endpoint>().is_err());
        assert!("h:0".parse::<Endpoint>().is_err());
    }

    #[test]
    fn ca_hash_is_sha256_hex() {
        assert!(format!("sha256:{}", "a".repeat(64))
            .parse::<CaCertHash>()
            .is_ok());
        assert!("sha256:abc".parse::<CaCertHash>().is_err());
    }
}

//! Windows Server releases. Their builds, image tags and lifecycle are rows of the release
//! matrix (`releases/matrix.toml`, seed 004's table and Microsoft's since).

use crate::diagnostic::Code;
use crate::model::Keyword;

/// A Windows Server release that can host Kubernetes Windows containers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WindowsVersion {
    Ltsc2016,
    V1709,
    V1803,
    Ltsc2019,
    V1903,
    V1909,
    V2004,
    V20H2,
    Ltsc2022,
    Ltsc2025,
}

use WindowsVersion::*;

const ALL: [WindowsVersion; 10] = [
    Ltsc2016, V1709, V1803, Ltsc2019, V1903, V1909, V2004, V20H2, Ltsc2022, Ltsc2025,
];

impl WindowsVersion {
    /// The `windows_version` word, the key of its row in the release matrix.
    pub fn name(self) -> &'static str {
        match self {
            Ltsc2016 => "ltsc2016",
            V1709 => "1709",
            V1803 => "1803",
            Ltsc2019 => "ltsc2019",
            V1903 => "1903",
            V1909 => "1909",
            V2004 => "2004",
            V20H2 => "20H2",
            Ltsc2022 => "ltsc2022",
            Ltsc2025 => "ltsc2025",
        }
    }

    /// The OS build number that `[Environment]::OSVersion.Version.Build` reports.
    pub fn build(self) -> u32 {
        crate::releases::matrix().windows(self).build
    }

    /// The tag of the matching `servercore` / `nanoserver` base images.
    pub fn image_tag(self) -> &'static str {
        &crate::releases::matrix().windows(self).image_tag
    }

    /// The release id (`1809` for ltsc2019), as Microsoft's lifecycle pages name it.
    pub fn release(self) -> &'static str {
        &crate::releases::matrix().windows(self).release
    }

    /// True for the long-term servicing releases (2016, 2019, 2022, 2025).
    pub fn is_ltsc(self) -> bool {
        crate::releases::matrix().windows(self).channel == "ltsc"
    }
}

/// How a container of one Windows release runs on a host of another (seed 004).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Isolation {
    /// Same build: process isolation (and Hyper-V isolation).
    Process,
    /// Container older than the host: Hyper-V isolation only.
    HyperV,
    /// Container newer than the host: never runs.
    Unsupported,
}

impl WindowsVersion {
    /// Every release, oldest first.
    pub fn all() -> &'static [WindowsVersion] {
        &ALL
    }

    /// How a `container` image runs on this host: seed 004's table (the same build runs with
    /// process isolation, an older one with Hyper-V isolation, a newer one not at all), and
    /// the older releases the matrix says this host also process-isolates (Windows Server
    /// 2025 runs 2022 images so: Microsoft's version-compatibility.md since d579eae8).
    pub fn isolation_for(self, container: WindowsVersion) -> Isolation {
        let also = crate::releases::matrix()
            .windows(self)
            .process_isolates
            .iter();
        match container.build().cmp(&self.build()) {
            std::cmp::Ordering::Equal => Isolation::Process,
            std::cmp::Ordering::Less if also.clone().any(|w| w == container.name()) => {
                Isolation::Process
            }
            std::cmp::Ordering::Less => Isolation::HyperV,
            std::cmp::Ordering::Greater => Isolation::Unsupported,
        }
    }

    /// Microsoft's IIS sample image for this release.
    pub fn iis_image(self) -> String {
        format!(
            "mcr.microsoft.com/windows/servercore/iis:windowsservercore-{}",
            self.image_tag()
        )
    }
}

impl std::fmt::Display for WindowsVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.image_tag())
    }
}

impl serde::Serialize for WindowsVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.image_tag())
    }
}

impl Keyword for WindowsVersion {
    const WHAT: &'static str = "Windows Server version";
    const CODE: Code = Code::WindowsVersion;

    fn parse(word: &str) -> Option<Self> {
        let word = word.to_ascii_lowercase();
        let word = word.strip_prefix("ltsc").unwrap_or(&word);
        let found = match word {
            "2016" | "1607" => Ltsc2016,
            "2019" | "1809" => Ltsc2019,
            "2022" | "21h2" => Ltsc2022,
            "2025" | "24h2" => Ltsc2025,
            "20h2" => V20H2,
            other => *ALL.iter().find(|v| v.name().eq_ignore_ascii_case(other))?,
        };
        Some(found)
    }

    fn accepted() -> String {
        ALL.iter()
            .map(|v| match v.is_ltsc() {
                true => {
                    format!(
                        "{} (or {}, build {})",
                        v.image_tag(),
                        v.release(),
                        v.build()
                    )
                }
                false => format!("{} (build {})", v.image_tag(), v.build()),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_parse_to_the_same_release() {
        assert_eq!(WindowsVersion::parse("ltsc2019"), Some(Ltsc2019));
        assert_eq!(WindowsVersion::parse("1809"), Some(Ltsc2019));
        assert_eq!(WindowsVersion::parse("20H2"), Some(V20H2));
        assert_eq!(WindowsVersion::parse("2016"), Some(Ltsc2016));
        assert_eq!(WindowsVersion::parse("1803"), Some(V1803));
        assert_eq!(WindowsVersion::parse("vista"), None);
    }

    #[test]
    fn isolation_follows_the_compatibility_table() {
        assert_eq!(Ltsc2019.isolation_for(Ltsc2019), Isolation::Process);
        assert_eq!(Ltsc2022.isolation_for(Ltsc2019), Isolation::HyperV);
        assert_eq!(Ltsc2019.isolation_for(Ltsc2022), Isolation::Unsupported);
        assert_eq!(V20H2.isolation_for(V2004), Isolation::HyperV);
        assert_eq!(V1909.isolation_for(V1903), Isolation::HyperV);
        assert_eq!(Ltsc2025.isolation_for(Ltsc2022), Isolation::Process);
        assert_eq!(Ltsc2025.isolation_for(Ltsc2019), Isolation::HyperV);
        assert_eq!(Ltsc2022.isolation_for(Ltsc2025), Isolation::Unsupported);
    }

    #[test]
    fn builds_match_the_matrix() {
        assert_eq!(Ltsc2019.build(), 17763);
        assert_eq!(Ltsc2022.build(), 20348);
        assert_eq!(Ltsc2025.build(), 26100);
        assert_eq!(Ltsc2025.image_tag(), "ltsc2025");
        assert_eq!(WindowsVersion::parse("2025"), Some(Ltsc2025));
        assert_eq!(WindowsVersion::parse("24H2"), Some(Ltsc2025));
        assert_eq!(V20H2.image_tag(), "20H2");
        assert!(WindowsVersion::accepted().contains("1803 (build 17134)"));
    }
}

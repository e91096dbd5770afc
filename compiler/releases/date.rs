//! Today's date, against which end-of-life dates are judged.

use std::time::SystemTime;

/// The environment variable that fixes "today" (`YYYY-MM-DD`), for reproducible runs and
/// tests: `KUBEPLAN_TODAY=2027-03-01 kubeplan validate` shows what validate will say then.
pub const TODAY_VARIABLE: &str = "KUBEPLAN_TODAY";

/// A day as `YYYY-MM-DD`, which orders like the days it names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Today(String);

impl Today {
    /// The day, checked to be a real `YYYY-MM-DD` date.
    pub fn parse(s: &str) -> Result<Self, String> {
        let ok = s.len() == 10 && humantime::parse_rfc3339(&format!("{s}T00:00:00Z")).is_ok();
        if ok {
            Ok(Today(s.to_owned()))
        } else {
            Err(format!("{s:?} is not a date YYYY-MM-DD"))
        }
    }

    /// True when `day` (`YYYY-MM-DD`) is before today.
    pub fn is_after(&self, day: &str) -> bool {
        self.0.as_str() > day
    }
}

/// Today in UTC, or the day `KUBEPLAN_TODAY` names.
pub fn today() -> Result<Today, String> {
    match std::env::var(TODAY_VARIABLE) {
        Ok(day) => Today::parse(&day).map_err(|e| format!("{TODAY_VARIABLE}: {e}")),
        Err(_) => {
            let now = humantime::format_rfc3339(SystemTime::now()).to_string();
            Today::parse(&now[..10])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_and_compare() {
        let d = Today::parse("2027-03-01").unwrap();
        assert!(d.is_after("2027-02-28"));
        assert!(!d.is_after("2027-03-01"));
        assert!(Today::parse("2027-02-30").is_err());
        assert!(Today::parse("27-03-01").is_err());
        assert!(Today::parse("2027-03-01; rm").is_err());
    }
}

//! AWS: EC2 drops pod traffic unless each instance's source/destination check is off
//! (seeds 000 and 001). No `cloud` block settings; a node's instance is its `instance_id`,
//! else the one instance holding its address, looked up by the script.

use super::Provider;

/// AWS's settings: none.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Aws;

impl Provider for Aws {
    fn partial(&self) -> &'static str {
        "aws"
    }

    /// The instance id, or empty: the script looks the instance up by the node's address.
    fn instance(&self, _node: &str, instance_id: Option<&str>) -> String {
        instance_id.unwrap_or_default().to_owned()
    }

    /// AWS routes nothing per node.
    fn route(&self, _cluster: &str, _node: &str) -> String {
        String::new()
    }
}

/// What is wrong with an EC2 instance id, if anything.
pub(super) fn instance_id_problem(id: &str) -> Option<&'static str> {
    (!is_ec2_instance_id(id))
        .then_some("an EC2 instance id is i- and 8 or 17 hex digits, e.g. \"i-0abc123def4567890\"")
}

fn is_ec2_instance_id(s: &str) -> bool {
    s.strip_prefix("i-").is_some_and(|hex| {
        matches!(hex.len(), 8 | 17)
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec2_instance_ids_have_8_or_17_hex_digits() {
        assert!(is_ec2_instance_id("i-0abc123def4567890"));
        assert!(is_ec2_instance_id("i-1234abcd"));
        assert!(!is_ec2_instance_id("i-1234abc"));
        assert!(!is_ec2_instance_id("i-0ABC123DEF4567890"));
        assert!(!is_ec2_instance_id("0abc123def4567890"));
    }
}

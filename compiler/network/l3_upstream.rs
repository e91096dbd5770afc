//! L3 upstream routing (seed 003): no overlay and no flanneld. Each node has a plain
//! bridge on its pod subnet (an l2bridge HNS network `cbr0` on Windows), and the
//! top-of-rack router carries a static route per node, from `_cluster/routes.tsv`.

use super::{FileStep, NodeFile, Place, PodNetwork};
use crate::cluster::Network;
use crate::model::NetworkMode;

pub struct L3Upstream;

impl PodNetwork for L3Upstream {
    fn plugin(&self) -> &'static str {
        "flannel"
    }

    fn mode(&self) -> NetworkMode {
        NetworkMode::L3Upstream
    }

    fn title(&self) -> &'static str {
        "l3-upstream routing"
    }

    fn partials(&self) -> &'static str {
        "l3-upstream"
    }

    fn hns_network(&self, _network: &Network) -> String {
        "cbr0".to_owned()
    }

    fn files(&self, place: Place) -> Vec<NodeFile> {
        match place {
            Place::Windows => vec![NodeFile::new(
                "10-l2bridge.json",
                "windows/10-l2bridge.json",
                FileStep::Setup,
            )],
            Place::Linux { .. } => vec![NodeFile::new(
                "10-bridge.conflist",
                "linux/10-bridge.conflist",
                FileStep::Setup,
            )],
        }
    }
}

//! CNI configurations: every one deserialises into the typed structs of its plugin
//! (`tests/cni/types.rs`, unknown fields rejected), and every Linux configuration list is
//! run for real — containernetworking-plugins' binaries execute `ADD` and then `DEL` in
//! network namespaces this test creates and removes, so addresses, bridges and iptables
//! rules exist only inside them.

mod common;
#[path = "cni/types.rs"]
mod types;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::specs::{self, report};
use common::text;
use common::yaml;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// Deserialises `value` as `T`, with the path of the first field that does not fit.
fn typed<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    T::deserialize(value).map_err(|e| e.to_string())
}

/// What kind of configuration an artifact holds, by its file name.
fn check_typed(path: &str, content: &str) -> Option<Result<usize, String>> {
    let file = path.rsplit('/').next().unwrap();
    let json = || serde_json::from_str::<Value>(content).map_err(|e| e.to_string());
    let result = match file {
        "10-flannel.json" => json()
            .and_then(|v| typed::<types::WindowsFlannel>(&v))
            .map(|_| 1),
        "10-l2bridge.json" => json().and_then(|v| {
            let types::WindowsBridge::SdnBridge(conf) = typed(&v)?;
            (conf.name.is_some() && conf.cni_version.is_some())
                .then_some(1)
                .ok_or_else(|| "a top-level config needs name and cniVersion".to_owned())
        }),
        "10-ovn.json" => json().and_then(|v| typed::<types::Ovn>(&v)).map(|_| 1),
        "net-conf.json" => json()
            .and_then(|v| typed::<types::FlannelNetConf>(&v))
            .map(|_| 1),
        f if f.ends_with(".conflist") => {
            json().and_then(|v| typed::<types::ConfList>(&v)).map(|_| 1)
        }
        "kube-flannel.yml" => flannel_manifest(content).map(|_| 2),
        "calico.yaml" => calico_manifest(content),
        _ => return None,
    };
    Some(result)
}

/// Flannel's ConfigMap: its `cni-conf.json` (as written, and typed) and `net-conf.json`.
struct FlannelManifest {
    cni: Value,
    net_conf: types::FlannelNetConf,
}

fn flannel_manifest(content: &str) -> Result<FlannelManifest, String> {
    let docs = yaml::documents(content)?;
    let cm = docs
        .iter()
        .find(|d| d["kind"] == "ConfigMap" && d["metadata"]["name"] == "kube-flannel-cfg")
        .ok_or("no kube-flannel-cfg ConfigMap")?;
    let cm: types::ConfigMap = typed(cm)?;
    let cni = cm.data.get("cni-conf.json").ok_or("no cni-conf.json")?;
    let net = cm.data.get("net-conf.json").ok_or("no net-conf.json")?;
    let cni: Value = serde_json::from_str(cni).map_err(|e| format!("cni-conf.json: {e}"))?;
    let net = serde_json::from_str(net).map_err(|e| format!("net-conf.json: {e}"))?;
    typed::<types::ConfList>(&cni).map_err(|e| format!("cni-conf.json: {e}"))?;
    Ok(FlannelManifest {
        cni,
        net_conf: typed(&net).map_err(|e| format!("net-conf.json: {e}"))?,
    })
}

/// The Calico objects Calico's Windows CNI config is made from.
fn calico_manifest(content: &str) -> Result<usize, String> {
    let mut checked = 0;
    for doc in yaml::documents(content)? {
        let kind = doc["kind"].as_str().unwrap_or_default();
        let result = match kind {
            "Installation" => typed::<types::Object<types::InstallationSpec>>(&doc).map(|_| ()),
            "FelixConfiguration" => {
                typed::<types::Object<types::FelixConfigurationSpec>>(&doc).map(|_| ())
            }
            "IPAMConfig" => typed::<types::Object<types::IpamConfigSpec>>(&doc).map(|_| ()),
            _ => continue,
        };
        result.map_err(|e| format!("{kind}: {e}"))?;
        checked += 1;
    }
    if checked == 3 {
        Ok(checked)
    } else {
        Err(format!(
            "expected Installation, FelixConfiguration and IPAMConfig, found {checked}"
        ))
    }
}

#[test]
fn every_cni_config_fits_its_plugins_documented_fields() {
    let mut failures = Vec::new();
    let mut configs = 0;
    for (spec, a) in specs::artifacts() {
        let data = a.path.ends_with(".json") || a.path.ends_with(".conflist");
        match check_typed(&a.path, text(a)) {
            Some(Ok(n)) => configs += n,
            Some(Err(e)) => failures.push(format!("{}/{}: {e}", spec.name, a.path)),
            None if data => failures.push(format!(
                "{}/{}: no typed check knows this file; add one to tests/cni.rs",
                spec.name, a.path
            )),
            None => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    report(
        "cni typed structs",
        configs,
        "CNI and network configs, no unknown field",
    );
}

#[test]
fn an_unknown_field_is_rejected_with_its_name() {
    let with = |key: &str, value: Value| {
        let mut v: Value = serde_json::from_str(
            r#"{"name":"cbr0","cniVersion":"0.3.0","type":"flannel","delegate":{"type":"sdnbridge","AdditionalArgs":[]}}"#,
        )
        .unwrap();
        v["delegate"][key] = value;
        typed::<types::WindowsFlannel>(&v)
    };
    assert!(with("optionalFlags", json!({"forceBridgeGateway": true})).is_ok());
    let e = with("master", json!("Ethernet")).unwrap_err();
    assert!(e.contains("unknown field `master`"), "{e}");
    let e = with("optionalFlags", json!({"forceBridgeGatway": true})).unwrap_err();
    assert!(e.contains("unknown field `forceBridgeGatway`"), "{e}");
}

// --- running the Linux configuration lists ----------------------------------------------

const CNI_BIN: &str = "/usr/lib/cni";

/// A pair of network namespaces: `host` stands for the node (bridges and iptables rules
/// go there), `pod` for the sandbox. Both are removed on drop.
struct Sandbox {
    host: String,
    pod: String,
    data: tempfile::TempDir,
}

impl Sandbox {
    fn new(tag: &str) -> Self {
        let id = format!("kp{}{tag}", std::process::id());
        let sandbox = Sandbox {
            host: format!("{id}h"),
            pod: format!("{id}p"),
            data: tempfile::tempdir().expect("temp dir"),
        };
        for ns in [&sandbox.host, &sandbox.pod] {
            run("ip", &["netns", "add", ns]);
        }
        run_in(&sandbox.host, &["ip", "link", "set", "lo", "up"]);
        sandbox
    }

    fn netns_path(&self) -> String {
        format!("/var/run/netns/{}", self.pod)
    }

    /// Runs one plugin as a runtime would: the config on stdin, the `CNI_*` environment,
    /// inside the host namespace, with host-local's store in this sandbox's directory.
    fn exec(&self, command: &str, conf: &Value) -> Result<Value, String> {
        let plugin = conf["type"].as_str().expect("a plugin type");
        let mut child = Command::new("unshare")
            .args(["--mount", "sh", "-c"])
            .arg("mount --bind \"$0\" /var/lib/cni && exec ip netns exec \"$1\" \"$2\"")
            .arg(self.data.path())
            .arg(&self.host)
            .arg(Path::new(CNI_BIN).join(plugin))
            .env("CNI_COMMAND", command)
            .env("CNI_CONTAINERID", &self.pod)
            .env("CNI_NETNS", self.netns_path())
            .env("CNI_IFNAME", "eth0")
            .env("CNI_PATH", CNI_BIN)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("unshare runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(conf.to_string().as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Err(format!(
                "{plugin} {command} failed: {stdout}{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        if stdout.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&stdout).map_err(|e| format!("{plugin} {command}: {e}: {stdout}"))
    }

    /// `ip -4 -o addr` and `ip -4 route` inside the pod namespace.
    fn pod_network(&self) -> String {
        let addr = run_in(
            &self.pod,
            &["ip", "-4", "-o", "addr", "show", "dev", "eth0"],
        );
        let routes = run_in(&self.pod, &["ip", "-4", "route"]);
        format!("{addr}{routes}")
    }

    /// Addresses host-local still holds for `network`.
    fn leases(&self, network: &str) -> Vec<String> {
        let dir = self.data.path().join("networks").join(network);
        std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .filter(|n| n.parse::<std::net::Ipv4Addr>().is_ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for ns in [&self.pod, &self.host] {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn run_in(ns: &str, args: &[&str]) -> String {
    let mut all = vec!["netns", "exec", ns];
    all.extend_from_slice(args);
    run("ip", &all)
}

/// Runs a configuration list as libcni does: `ADD` through the plugins in order, each
/// given the previous result, then `DEL` in reverse order with the final result.
fn add_then_del(sandbox: &Sandbox, list: &Value) -> Result<(Value, String), String> {
    let plugins = list["plugins"].as_array().expect("plugins");
    let mut prev: Option<Value> = None;
    let configs: Vec<Value> = plugins
        .iter()
        .map(|p| {
            let mut conf = p.clone();
            conf["name"] = list["name"].clone();
            conf["cniVersion"] = list["cniVersion"].clone();
            if conf["capabilities"]["portMappings"] == true {
                // What the kubelet passes for a pod with a hostPort.
                conf["runtimeConfig"] = json!({"portMappings": [
                    {"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}
                ]});
            }
            conf
        })
        .collect();
    for conf in &configs {
        let mut conf = conf.clone();
        if let Some(prev) = &prev {
            conf["prevResult"] = prev.clone();
        }
        prev = Some(sandbox.exec("ADD", &conf)?);
    }
    let result = prev.unwrap_or(Value::Null);
    let network = sandbox.pod_network();
    for conf in configs.iter().rev() {
        let mut conf = conf.clone();
        conf["prevResult"] = result.clone();
        sandbox.exec("DEL", &conf)?;
    }
    Ok((result, network))
}

/// flannel's plugin is not in Debian's containernetworking-plugins: expand its config
/// into the `bridge` delegate as flannel-io/cni-plugin does, from a node subnet of
/// the cluster's network (flannel's subnet.env), and run that for real.
fn expand_flannel(list: &Value, net_conf: &types::FlannelNetConf) -> Value {
    let network: ipnet::Ipv4Net = net_conf.network.parse().expect("Network parses");
    let node_subnet = network
        .subnets(24)
        .expect("a /24 fits")
        .nth(1)
        .expect("two /24s");
    let vxlan = matches!(net_conf.backend, types::FlannelBackend::Vxlan { .. });
    let mut plugins = Vec::new();
    for p in list["plugins"].as_array().expect("plugins") {
        if p["type"] != "flannel" {
            plugins.push(p.clone());
            continue;
        }
        let mut delegate = p["delegate"].clone();
        delegate["type"] = json!("bridge");
        delegate["isGateway"] = json!(true);
        delegate["ipMasq"] = json!(false);
        delegate["mtu"] = json!(if vxlan { 1450 } else { 1500 });
        delegate["ipam"] = json!({
            "type": "host-local",
            "ranges": [[{"subnet": node_subnet.to_string()}]],
            "routes": [{"dst": network.to_string()}],
        });
        plugins.push(delegate);
    }
    json!({"cniVersion": list["cniVersion"], "name": list["name"], "plugins": plugins})
}

/// Each distinct Linux configuration list of the examples, ready to run.
fn linux_lists() -> Vec<(String, Value, String)> {
    let mut lists: Vec<(String, Value, String)> = Vec::new();
    for (spec, a) in specs::artifacts() {
        let (list, expect_route) = if a.path.ends_with(".conflist") {
            let v: Value = serde_json::from_str(text(a)).unwrap();
            let typed: types::ConfList = typed(&v).unwrap();
            let subnet = match &typed.plugins[0] {
                types::LinuxPlugin::Bridge(b) => b.ipam.as_ref().unwrap().ranges.as_ref().unwrap()
                    [0][0]
                    .subnet
                    .clone(),
                other => panic!("unexpected first plugin {other:?}"),
            };
            (v, subnet)
        } else if a.path.ends_with("kube-flannel.yml") {
            let flannel = flannel_manifest(text(a)).unwrap();
            let expanded = expand_flannel(&flannel.cni, &flannel.net_conf);
            (expanded, flannel.net_conf.network.clone())
        } else {
            continue;
        };
        if !lists.iter().any(|(_, l, _)| *l == list) {
            lists.push((format!("{}/{}", spec.name, a.path), list, expect_route));
        }
    }
    lists
}

#[test]
fn linux_conflists_add_and_delete_a_pod_for_real() {
    let bridge = PathBuf::from(CNI_BIN).join("bridge");
    assert!(
        bridge.is_file(),
        "{} is missing; install the CNI plugins with: apt-get install -y containernetworking-plugins (scripts/test.sh does this)",
        bridge.display()
    );
    common::specs::require("iptables", "apt-get install -y iptables");
    assert!(
        Path::new("/var/lib/cni").is_dir() || std::fs::create_dir_all("/var/lib/cni").is_ok(),
        "cannot create /var/lib/cni, the mount point for host-local's store (run as root)"
    );
    let lists = linux_lists();
    assert!(
        lists.len() >= 2,
        "the examples have flannel and bridge lists"
    );
    for (i, (source, list, expect)) in lists.iter().enumerate() {
        let sandbox = Sandbox::new(&i.to_string());
        let (result, network) =
            add_then_del(&sandbox, list).unwrap_or_else(|e| panic!("{source}: {e}"));
        let ip = result["ips"][0]["address"].as_str().unwrap_or_default();
        let subnet: ipnet::Ipv4Net = expect.parse().unwrap();
        let addr: ipnet::Ipv4Net = ip
            .parse()
            .unwrap_or_else(|_| panic!("{source}: ADD gave {result}"));
        assert!(
            subnet.contains(&addr.addr()),
            "{source}: pod address {ip} outside {subnet}"
        );
        assert!(
            network.contains(&format!("inet {ip}")),
            "{source}: eth0 in the pod namespace has {ip}:\n{network}"
        );
        let name = list["name"].as_str().unwrap();
        assert!(
            sandbox.leases(name).is_empty(),
            "{source}: DEL released the address, host-local still holds {:?}",
            sandbox.leases(name)
        );
        let links = run_in(&sandbox.pod, &["ip", "-o", "link"]);
        assert!(
            !links.contains("eth0"),
            "{source}: DEL removed eth0:\n{links}"
        );
    }
    report(
        "cni ADD/DEL (containernetworking-plugins)",
        lists.len(),
        "Linux configuration lists run in network namespaces",
    );
}

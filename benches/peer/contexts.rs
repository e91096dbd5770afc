//! Prints, as JSON, the template context of every node of a spec and the files it gets:
//! what scripts/bench-scale.sh hands to Ansible so that its `template` module renders
//! kubeplan's templates for the same nodes.
//! `cargo run --release --example bench-contexts -- DIR [NAME=VALUE]...`

use std::process::ExitCode;

use kubeplan::spec::VarInputs;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: bench-contexts DIR [NAME=VALUE]...");
        return ExitCode::from(2);
    };
    let inputs = VarInputs {
        vars: args.collect(),
        ..VarInputs::default()
    };
    let compiled = match kubeplan::compile(dir.as_ref(), &inputs, None) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let Some(out) = compiled.output else {
        eprintln!("{dir}: the spec has errors; run kubeplan validate {dir}");
        return ExitCode::FAILURE;
    };
    match kubeplan::render::node_contexts(&out.cluster) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

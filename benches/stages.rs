//! Each stage of the pipeline on its own — load, validate, graph, render, plan — for
//! clusters of 50, 500 and 5,000 nodes: benches/scale.hcl with 3 control-plane nodes,
//! 10% Linux workers and the rest Windows workers on flannel host-gw.
//! `cargo bench --bench stages`; scripts/bench-scale.sh times whole processes.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use kubeplan::spec::{self, VarInputs};
use kubeplan::{apply, graph, plan, render, state, validate};

const SIZES: [usize; 3] = [50, 500, 5_000];
const SPEC: &str = include_str!("scale.hcl");

/// The variables that make benches/scale.hcl a cluster of `nodes` nodes: 3 control-plane,
/// 10% Linux workers, the rest Windows workers (one of them win-edge, outside the pool).
fn inputs(nodes: usize) -> VarInputs {
    let linux = nodes / 10;
    let windows = nodes - 3 - linux - 1;
    VarInputs {
        vars: vec![
            format!("linux_workers={linux}"),
            format!("windows_workers={windows}"),
        ],
        ..VarInputs::default()
    }
}

fn files() -> Vec<(String, String)> {
    vec![("scale.hcl".to_owned(), SPEC.to_owned())]
}

fn stages(c: &mut Criterion) {
    for nodes in SIZES {
        let mut group = c.benchmark_group(format!("{nodes} nodes"));
        if nodes >= 500 {
            group.sample_size(10);
            group.measurement_time(Duration::from_secs(4));
        }
        let compiled = kubeplan::compile_texts(files(), &inputs(nodes), None).expect("renders");
        assert!(
            !compiled.diagnostics.has_errors(),
            "benches/scale.hcl must validate"
        );
        let out = compiled.output.expect("a cluster");
        let spec = spec::load_texts(files(), &inputs(nodes))
            .spec
            .expect("benches/scale.hcl loads");

        group.bench_function(BenchmarkId::new("load", nodes), |b| {
            b.iter_batched(
                || (files(), inputs(nodes)),
                |(files, inputs)| black_box(spec::load_texts(files, &inputs)),
                BatchSize::SmallInput,
            )
        });
        group.bench_function(BenchmarkId::new("validate", nodes), |b| {
            b.iter(|| {
                let mut diags = validate::validate(&spec, None);
                black_box(kubeplan::translate::translate(&spec, None, &mut diags))
            })
        });
        group.bench_function(BenchmarkId::new("graph", nodes), |b| {
            b.iter(|| black_box(graph::build(&out.cluster, &[])))
        });
        group.bench_function(BenchmarkId::new("render", nodes), |b| {
            b.iter(|| black_box(render::render(&out.cluster, &out.graph, &[])))
        });

        // plan: the no-op plan after an apply of the same spec, as `kubeplan plan` makes
        // it: nodes whose inputs are recorded are checked on disk, not rendered; the
        // cluster-wide files are rendered; every file is read back and compared.
        let dir = tempfile::tempdir().expect("a temp dir");
        let out_dir = dir.path().join("out");
        let state_path = dir.path().join("kubeplan.state.json");
        let first = plan::diff(&out.artifacts, None, |_| None);
        let target = apply::Target {
            out_dir: &out_dir,
            state_path: &state_path,
            force: false,
        };
        apply::apply(
            &first,
            &out.artifacts,
            None,
            &out.spec_hash,
            &out.record,
            &target,
        )
        .expect("apply");
        let applied = state::load(&state_path)
            .expect("the state loads")
            .expect("apply wrote a state");
        let root = kubeplan::outdir::Root::open(&out_dir);
        let recorded = kubeplan::incremental::LastApply {
            state: &applied,
            out_dir: &root,
        };
        group.bench_function(BenchmarkId::new("plan", nodes), |b| {
            b.iter(|| {
                let rendered = render::render_since(&out.cluster, &out.graph, &[], Some(&recorded))
                    .expect("renders");
                let p = plan::diff(&rendered.artifacts, Some(&applied), |path| {
                    plan::OnDisk::read(&root, path)
                });
                assert!(p.is_empty(), "nothing changed since the apply");
                p
            })
        });
        group.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);

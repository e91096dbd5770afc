//! Fuzz target for time and memory: any text as a spec file must load and validate in time
//! linear in its size. It fails (panics) when loading, validating and rendering take longer
//! than `BASE + PER_BYTE * len` in each of three tries (the least of three keeps a loaded
//! machine from failing it); scripts/fuzz.sh runs it under libFuzzer's `-rss_limit_mb` and
//! `-malloc_limit_mb`, which fail it on memory. Exponential parsing (`1+1+(` repeated) or
//! a doubling chain of locals fails it within a few hundred bytes.
//! Run: scripts/fuzz.sh [SECONDS] (docs/testing.md).

#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;

/// What any input may take, however small: the cost of rendering a whole cluster.
const BASE: Duration = Duration::from_millis(500);
/// What each byte may add (a sanitizer build is several times slower than release).
const PER_BYTE: Duration = Duration::from_micros(500);

fn run(text: &str) -> Duration {
    let start = Instant::now();
    let files = vec![("main.hcl".to_owned(), text.to_owned())];
    let inputs = kubeplan::spec::VarInputs::default();
    if let Ok(compiled) = kubeplan::compile_texts(files, &inputs, None) {
        let _ = kubeplan::diagnostic::render_human(&compiled.sources, &compiled.diagnostics.0);
    }
    start.elapsed()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return; // kubeplan reads spec files as UTF-8 and refuses others before parsing
    };
    let bound = BASE + PER_BYTE * u32::try_from(text.len()).unwrap_or(u32::MAX);
    // Only the least of three runs counts, and the other two run only when the first is slow.
    let mut least = run(text);
    for _ in 0..2 {
        if least <= bound {
            return;
        }
        least = least.min(run(text));
    }
    if least > bound {
        panic!(
            "{} bytes took {least:?} to load and validate (least of three), over the bound of {bound:?}",
            text.len()
        );
    }
});

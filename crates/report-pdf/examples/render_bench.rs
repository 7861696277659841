//! How long a report takes to render, and the memory it leaves behind.
//!
//! `cargo run --release -p report-pdf --example render_bench [N] [--write DIR]` renders the sample second-opinion
//! report (three opinions, a summary, a measurement table: two A4 pages) in English and in Arabic:
//! the first render of each on its own (fonts and template warm up then), then the mean of N (50 by
//! default), then more, alternating languages, up to 200 and 1,000 renders in all, with the
//! process's resident memory (VmRSS) read from `/proc/self/status`. Figures go in `docs/benchmarks.md`.

#[path = "../tests/support/sample.rs"]
mod sample;

use std::error::Error;
use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::kernel::lang::Lang;
use domain::kernel::report::{FactValue, ReportDocument, ReportRenderer};
use report_pdf::TypstRenderer;

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The process's resident memory in MiB, where `/proc` has it.
fn resident_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn show_memory(when: &str) {
    match resident_mib() {
        Some(mib) => println!("resident memory {when}: {mib:.1} MiB"),
        None => println!("resident memory {when}: unknown (no /proc/self/status)"),
    }
}

/// The report with its own case id.
fn variant(report: &ReportDocument, i: u32) -> ReportDocument {
    let mut report = report.clone();
    if let Some(fact) = report.facts.first_mut() {
        fact.value = FactValue::Plain(format!("0193a4f2-7c1e-7b3d-9a41-{i:012}"));
    }
    report
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut n: u32 = 50;
    let mut out: Option<std::path::PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--write" => out = Some(args.next().ok_or("--write needs a folder")?.into()),
            _ => n = arg.parse()?,
        }
    }
    show_memory("at start");
    let catalogues = Arc::new(i18n::Catalogues::load()?);
    let started = Instant::now();
    let renderer = TypstRenderer::new(catalogues)?;
    println!(
        "set-up (fonts, template): {:.1} ms",
        millis(started.elapsed())
    );

    let reports = [Lang::En, Lang::Ar].map(sample::second_opinion);
    for report in &reports {
        let started = Instant::now();
        let pdf = renderer.render(report)?;
        let first = started.elapsed();
        if let Some(dir) = &out {
            let lang: &str = report.lang.into();
            std::fs::create_dir_all(dir)?;
            std::fs::write(dir.join(format!("report-{lang}.pdf")), &pdf)?;
        }
        // Each report of the series differs (its case id), as real ones do: typst would otherwise
        // hand back its memoised result for the same input.
        let series: Vec<_> = (0..n).map(|i| variant(report, i)).collect();
        let started = Instant::now();
        for report in &series {
            renderer.render(report)?;
        }
        let mean = started.elapsed() / n.max(1);
        println!(
            "{:?}: {} bytes; first render {:.1} ms, mean of {n} {:.2} ms",
            report.lang,
            pdf.len(),
            millis(first),
            millis(mean),
        );
    }
    // Then up to 200 renders in all, and on to 1,000: memory should stay flat.
    let mut done = 2 * (n + 1);
    for target in [200, 1000] {
        while done < target {
            renderer.render(&variant(&reports[(done % 2) as usize], done))?;
            done += 1;
        }
        show_memory(&format!("after {done} renders"));
    }
    Ok(())
}

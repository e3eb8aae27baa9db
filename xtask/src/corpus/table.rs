//! Each spec's figures and the tables they are printed in.

use std::path::PathBuf;
use std::time::Duration;

use super::smoke;

/// One spec's figures.
pub struct Row {
    pub name: String,
    pub spec: PathBuf,
    pub operations: usize,
    pub generate: Duration,
    pub lines: usize,
    pub clippy: Option<Duration>,
    pub smoke: Option<smoke::Smoke>,
    /// The smoke example against the crate's own mock (the specs of [`WITH_MOCK`](super::specs::WITH_MOCK)).
    pub own_mock: Option<smoke::Smoke>,
    pub failure: Option<String>,
}

/// The smoke test's table.
pub fn print_smoke(rows: &[Row], build: Duration) {
    println!("\nsmoke examples built in {:.0} s\n", build.as_secs_f64());
    println!("| spec | operations | called | accepted | decoded | misses explained | time |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let Some(s) = &row.smoke else { continue };
        if let Some(why) = &s.not_run {
            println!(
                "| {} | {} | not run: {why} | | | | |",
                row.name, s.operations
            );
            continue;
        }
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.1} s |",
            row.name,
            s.operations,
            s.called,
            s.accepted,
            s.decoded,
            s.explained,
            s.time.as_secs_f64()
        );
    }
    println!("\nagainst the crate's own mock (`mock` feature)\n");
    println!("| spec | operations | called | decoded | requests the mock found wrong | time |");
    println!("|---|---:|---:|---:|---:|---:|");
    for row in rows {
        let Some(s) = &row.own_mock else { continue };
        println!(
            "| {} | {} | {} | {} | {} | {:.1} s |",
            row.name,
            s.operations,
            s.called,
            s.decoded,
            s.violations.len(),
            s.time.as_secs_f64()
        );
    }
}

/// The table of every spec's figures.
pub fn print_table(rows: &[Row]) {
    println!("| spec | operations | generate | lines | clippy | result |");
    println!("|---|---:|---:|---:|---:|---|");
    for row in rows {
        println!(
            "| {} | {} | {:.2} s | {} | {} | {} |",
            row.name,
            row.operations,
            row.generate.as_secs_f64(),
            row.lines,
            row.clippy
                .map(|d| format!("{:.1} s", d.as_secs_f64()))
                .unwrap_or_else(|| "-".into()),
            if row.failure.is_some() {
                "FAILED"
            } else {
                "ok"
            }
        );
    }
}

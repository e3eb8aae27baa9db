//! `cargo xtask modules [SRC...]`: a crate's modules, their line counts and the import edges
//! between them, failing when the edges make a cycle.
//!
//! The graph is read from the source text, not from the compiler: each file is a module
//! (`lib.rs` the crate root, `a/mod.rs` and `a.rs` the module `a`, `a/b.rs` the module
//! `a::b`; a folder with both `lib.rs` and `main.rs` has them as one root; inline modules such as `mod tests { .. }` belong to their file). A path inside
//! module `m` that names another module `n` is an edge `m → n`: `crate::n::..`,
//! `super::..`, `self::..`, and paths that start with the name of a child module of `m`
//! (as `pub use child::Item;` does). The path counts wherever it appears (in `use`, in
//! expressions, in types), with `use` groups (`use crate::{a, b::{c, d}}`) expanded; comments,
//! strings and character literals are skipped, so doc comments and doc tests add no edge, and
//! so is the input of `quote!` and its siblings, which is the generated crate's code. A
//! path is attributed to the longest known module it starts with, so importing an item that a
//! parent module re-exports is an edge to the parent: code that should not depend on the
//! parent imports the item from the module that defines it.
//!
//! This module builds and prints the graph and finds a cycle; `tokens` reads source text
//! into identifiers and punctuation, and `paths` finds the module paths among them.

mod paths;
mod tokens;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use self::paths::paths;
use self::tokens::tokenize;

/// The crates checked when no source folder is named: every crate of the workspace but the
/// generated one and the tests must stay free of cycles.
const DEFAULT_SOURCES: &[&str] = &["runtime/src", "codegen/src", "xtask/src", "tools/src"];

/// Prints each source folder's modules and edges; fails if any has a cycle.
pub fn run(args: &[&str]) -> Result<(), String> {
    let sources: Vec<&str> = if args.is_empty() {
        DEFAULT_SOURCES.to_vec()
    } else {
        args.to_vec()
    };
    let mut failures = Vec::new();
    for source in sources {
        let graph = Graph::read(Path::new(source))?;
        print!("{}", graph.report(source));
        if let Some(cycle) = graph.cycle() {
            failures.push(format!(
                "{source}: the module graph has a cycle: {}",
                cycle.join(" → ")
            ));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// A crate's modules, keyed by their path below the crate root (`""` for the root).
#[derive(Debug, Default)]
pub struct Graph {
    /// Module → (lines, the modules it imports).
    modules: BTreeMap<String, (usize, BTreeSet<String>)>,
}

impl Graph {
    /// Reads every `.rs` file under `src`.
    pub fn read(src: &Path) -> Result<Graph, String> {
        let mut files = Vec::new();
        collect(src, &mut files)?;
        files.sort();
        let mut texts: BTreeMap<String, String> = BTreeMap::new();
        for file in files {
            let relative = file.strip_prefix(src).map_err(|e| e.to_string())?;
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("reading {}: {e}", file.display()))?;
            // `lib.rs` and `main.rs` are both the root: their texts are joined.
            let module_text = texts.entry(module_of(relative)).or_default();
            module_text.push_str(&text);
            if !module_text.ends_with('\n') {
                module_text.push('\n');
            }
        }
        Ok(Graph::from_sources(
            texts.iter().map(|(m, t)| (m.as_str(), t.as_str())),
        ))
    }

    /// Builds the graph from (module path, source text) pairs.
    pub fn from_sources<'a>(sources: impl IntoIterator<Item = (&'a str, &'a str)>) -> Graph {
        let sources: Vec<(&str, &str)> = sources.into_iter().collect();
        let known: BTreeSet<String> = sources.iter().map(|(m, _)| (*m).to_owned()).collect();
        let mut graph = Graph::default();
        for (module, text) in sources {
            let tokens = tokenize(text);
            let mut edges = BTreeSet::new();
            for path in paths(&tokens, module, &known) {
                if let Some(target) = longest_module(&path, &known)
                    && target != module
                {
                    edges.insert(target);
                }
            }
            graph
                .modules
                .insert(module.to_owned(), (text.lines().count(), edges));
        }
        graph
    }

    /// A table of modules, lines and imports.
    pub fn report(&self, source: &str) -> String {
        let name = |m: &str| {
            if m.is_empty() {
                "crate".to_owned()
            } else {
                m.to_owned()
            }
        };
        let width = self
            .modules
            .keys()
            .map(|m| name(m).len())
            .max()
            .unwrap_or(5);
        let lines: usize = self.modules.values().map(|(n, _)| n).sum();
        let edges: usize = self.modules.values().map(|(_, e)| e.len()).sum();
        let mut out = format!(
            "{source}: {} modules, {lines} lines, {edges} import edges\n",
            self.modules.len()
        );
        for (module, (count, imports)) in &self.modules {
            let imports: Vec<String> = imports.iter().map(|m| name(m)).collect();
            let _ = writeln!(
                out,
                "  {:width$} {count:>5}  → {}",
                name(module),
                if imports.is_empty() {
                    "-".to_owned()
                } else {
                    imports.join(", ")
                }
            );
        }
        match self.cycle() {
            None => out.push_str("  no cycle\n"),
            Some(cycle) => {
                let _ = writeln!(out, "  CYCLE: {}", cycle.join(" → "));
            }
        }
        out
    }

    /// One cycle, as the modules along it with the first repeated at the end.
    pub fn cycle(&self) -> Option<Vec<String>> {
        // Depth-first search, colouring modules: on the stack (grey) or finished (black).
        let mut finished = BTreeSet::new();
        for start in self.modules.keys() {
            let mut stack: Vec<String> = Vec::new();
            if let Some(cycle) = self.visit(start, &mut stack, &mut finished) {
                return Some(cycle);
            }
        }
        None
    }

    fn visit(
        &self,
        module: &str,
        stack: &mut Vec<String>,
        finished: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if finished.contains(module) {
            return None;
        }
        if let Some(at) = stack.iter().position(|m| m == module) {
            let mut cycle: Vec<String> = stack[at..].to_vec();
            cycle.push(module.to_owned());
            let name = |m: String| if m.is_empty() { "crate".to_owned() } else { m };
            return Some(cycle.into_iter().map(name).collect());
        }
        stack.push(module.to_owned());
        if let Some((_, imports)) = self.modules.get(module) {
            for next in imports {
                if let Some(cycle) = self.visit(next, stack, finished) {
                    return Some(cycle);
                }
            }
        }
        stack.pop();
        finished.insert(module.to_owned());
        None
    }
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    Ok(())
}

/// `lib.rs` → `""`, `a.rs` and `a/mod.rs` → `a`, `a/b.rs` → `a::b`.
fn module_of(relative: &Path) -> String {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let file = parts.pop().unwrap_or_default();
    let stem = file.trim_end_matches(".rs");
    if !(parts.is_empty() && (stem == "lib" || stem == "main")) && stem != "mod" {
        parts.push(stem.to_owned());
    }
    parts.join("::")
}

fn longest_module(path: &[String], known: &BTreeSet<String>) -> Option<String> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|candidate| known.contains(candidate))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(sources: &[(&str, &str)]) -> Graph {
        Graph::from_sources(sources.iter().copied())
    }

    fn edges(graph: &Graph, module: &str) -> Vec<String> {
        graph.modules[module].1.iter().cloned().collect()
    }

    #[test]
    fn a_two_module_cycle_is_found_and_named() {
        let graph = graph(&[
            ("", "mod a;\nmod b;\n"),
            ("a", "use crate::b::B;\npub struct A;\n"),
            (
                "b",
                "pub struct B;\nfn f() -> crate::a::A { crate::a::A }\n",
            ),
        ]);
        assert_eq!(edges(&graph, "a"), ["b"]);
        assert_eq!(edges(&graph, "b"), ["a"]);
        let cycle = graph.cycle().expect("a cycle");
        assert_eq!(cycle, ["a", "b", "a"]);
        assert!(graph.report("src").contains("CYCLE: a → b → a"));
    }

    #[test]
    fn a_layered_crate_has_no_cycle() {
        let graph = graph(&[
            (
                "",
                "mod a;\nmod b;\npub use a::A;\npub use b::{B, self as bee};\n",
            ),
            (
                "a",
                "pub struct A;\n/// Not an edge: [`crate::b::B`]\nconst S: &str = \"crate::b::B\";\n",
            ),
            (
                "b",
                "use crate::{a::{self, A}};\npub struct B(A);\n#[cfg(test)]\nmod tests { use super::*; }\n",
            ),
        ]);
        assert_eq!(edges(&graph, ""), ["a", "b"]);
        assert!(edges(&graph, "a").is_empty());
        assert_eq!(edges(&graph, "b"), ["a"]);
        assert_eq!(graph.cycle(), None);
    }

    #[test]
    fn super_and_child_paths_resolve_from_the_file() {
        let graph = graph(&[
            ("", "mod ws;\nmod error;\n"),
            ("error", "pub struct E;\n"),
            ("ws", "mod session;\npub use session::Session;\n"),
            (
                "ws::session",
                "use super::super::error::E;\nfn f(c: char) -> bool { c == '\"' }\npub struct Session<'a>(&'a E);\nmod tests { use super::Session; fn g() { let _ = super::super::Config; } }\n",
            ),
        ]);
        assert_eq!(edges(&graph, "ws"), ["ws::session"]);
        assert_eq!(edges(&graph, "ws::session"), ["error", "ws"]);
    }

    #[test]
    fn generated_code_in_quote_adds_no_edge() {
        let graph = graph(&[
            ("", "mod a;\nmod b;\npub use b::B;\n"),
            ("a", "pub struct A;\n"),
            (
                "b",
                "pub struct B;\nfn f() { let _ = quote! { use crate::{Client, types}; crate::a::x() }; let _ = crate::a::A; }\n",
            ),
        ]);
        assert_eq!(edges(&graph, "b"), ["a"]);
        assert_eq!(graph.cycle(), None);
    }

    #[test]
    fn files_name_modules() {
        assert_eq!(module_of(Path::new("lib.rs")), "");
        assert_eq!(module_of(Path::new("auth.rs")), "auth");
        assert_eq!(module_of(Path::new("http/mod.rs")), "http");
        assert_eq!(module_of(Path::new("http/send.rs")), "http::send");
    }
}

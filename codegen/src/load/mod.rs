//! Stage 1: read documents (YAML or JSON), follow `$ref` within and across files, and hand
//! out located nodes. Nothing here knows OpenAPI from AsyncAPI.

mod pointer;

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::diag::{Diagnostic, Location, push_token};
pub use pointer::parse_pointer;

/// Every file reachable from the root document through `$ref`, parsed.
#[derive(Debug)]
pub struct Sources {
    files: BTreeMap<Arc<PathBuf>, Value>,
    root: Arc<PathBuf>,
}

/// A value inside a loaded document, with where it came from.
#[derive(Clone, Copy, Debug)]
pub struct Node<'a> {
    pub value: &'a Value,
    pub loc: &'a Location,
}

impl Sources {
    /// Every loaded file, by path, in path order.
    pub fn files(&self) -> impl Iterator<Item = (&Path, &Value)> {
        self.files
            .iter()
            .map(|(path, value)| (path.as_path(), value))
    }

    /// Loads `root` and every file its references reach.
    pub fn load(root: &Path) -> Result<Self, Diagnostic> {
        Self::load_all(&[root])
    }

    /// Loads several documents (an OpenAPI and an AsyncAPI one, say) into one set, so that a
    /// schema both reach is one schema. The first is the root.
    pub fn load_all(roots: &[&Path]) -> Result<Self, Diagnostic> {
        let paths: Vec<Arc<PathBuf>> = roots.iter().map(|r| Arc::new(normalize(r))).collect();
        let Some(root) = paths.first().cloned() else {
            return Err(Diagnostic::error(
                &Location::new(Arc::new(PathBuf::new()), ""),
                "no document to load",
            ));
        };
        let mut files = BTreeMap::new();
        let mut queue: VecDeque<(Arc<PathBuf>, Option<Location>)> =
            paths.into_iter().map(|p| (p, None)).collect();
        while let Some((path, referrer)) = queue.pop_front() {
            if files.contains_key(&path) {
                continue;
            }
            let value = read_document(&path, referrer.as_ref())?;
            let mut refs = Vec::new();
            collect_refs(&value, &path, &mut String::new(), &mut refs);
            for (loc, reference) in refs {
                let file = reference.split('#').next().unwrap_or_default();
                if !file.is_empty() && !is_remote(file) {
                    queue.push_back((Arc::new(relative_to(&path, file)), Some(loc)));
                }
            }
            files.insert(path, value);
        }
        Ok(Self { files, root })
    }

    /// Builds sources from an in-memory document (tests, embedded specs).
    pub fn from_value(name: &str, value: Value) -> Self {
        let root = Arc::new(PathBuf::from(name));
        Self {
            files: BTreeMap::from([(root.clone(), value)]),
            root,
        }
    }

    /// The location of a loaded document's root.
    pub fn document(&self, file: &Path) -> Option<Location> {
        let file = normalize(file);
        self.files
            .keys()
            .find(|k| ***k == file)
            .map(|k| Location::new(k.clone(), ""))
    }

    pub fn root_location(&self) -> Location {
        Location::new(self.root.clone(), "")
    }

    pub fn root_value(&self) -> &Value {
        &self.files[&self.root]
    }

    /// The value at `loc`, if the file is loaded and the pointer exists.
    pub fn get(&self, loc: &Location) -> Option<&Value> {
        let doc = self.files.get(&loc.file)?;
        let mut current = doc;
        for token in loc.borrowed_tokens() {
            current = match current {
                Value::Object(map) => map.get(token.as_ref())?,
                Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(current)
    }

    /// The value at `loc`, to rewrite in place (OpenAPI 3.1 schemas into 3.0 spelling).
    pub fn get_mut(&mut self, loc: &Location) -> Option<&mut Value> {
        let mut current = self.files.get_mut(&loc.file)?;
        for token in loc.borrowed_tokens() {
            current = match current {
                Value::Object(map) => map.get_mut(token.as_ref())?,
                Value::Array(items) => items.get_mut(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(current)
    }

    /// Resolves `reference` (as written at `from`) to the location it points at.
    pub fn resolve(&self, from: &Location, reference: &str) -> Result<Location, Diagnostic> {
        let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        if is_remote(file) {
            return Err(Diagnostic::error(
                from,
                format!(
                    "`$ref: {reference}` points at a remote document; only local files are supported"
                ),
            ));
        }
        let path = if file.is_empty() {
            from.file.clone()
        } else {
            let path = relative_to(&from.file, file);
            match self.files.keys().find(|k| ***k == path) {
                Some(k) => k.clone(),
                None => {
                    return Err(Diagnostic::error(
                        from,
                        format!(
                            "`$ref: {reference}`: file {} was not loaded",
                            path.display()
                        ),
                    ));
                }
            }
        };
        let tokens = parse_pointer(fragment)
            .map_err(|e| Diagnostic::error(from, format!("`$ref: {reference}`: {e}")))?;
        let mut target = Location::new(path, "");
        for t in tokens {
            target = target.join(t);
        }
        if self.get(&target).is_none() {
            return Err(Diagnostic::error(
                from,
                format!("`$ref: {reference}` points at nothing: {target} does not exist"),
            ));
        }
        Ok(target)
    }

    /// Follows `$ref` chains from `loc` until a value that is not a reference, guarding
    /// against cycles. Returns the final location.
    pub fn follow(&self, loc: &Location) -> Result<Location, Diagnostic> {
        let mut current = loc.clone();
        for _ in 0..64 {
            let Some(value) = self.get(&current) else {
                return Err(Diagnostic::error(
                    &current,
                    "expected a value here, found nothing",
                ));
            };
            match value.get("$ref").and_then(Value::as_str) {
                Some(reference) => current = self.resolve(&current.join("$ref"), reference)?,
                None => return Ok(current),
            }
        }
        Err(Diagnostic::error(
            loc,
            "`$ref` chain is longer than 64 steps (a reference cycle?)",
        ))
    }

    /// Deserializes the value at `loc` into `T`, reporting the exact failing path.
    pub fn parse<T: DeserializeOwned>(&self, loc: &Location, what: &str) -> Result<T, Diagnostic> {
        let value = self
            .get(loc)
            .ok_or_else(|| Diagnostic::error(loc, format!("expected {what}, found nothing")))?;
        parse_value(value, loc, what)
    }
}

/// Deserializes `value` (found at `loc`) into `T` with a located error.
pub fn parse_value<T: DeserializeOwned>(
    value: &Value,
    loc: &Location,
    what: &str,
) -> Result<T, Diagnostic> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let mut at = loc.clone();
        for segment in e.path().iter() {
            use serde_path_to_error::Segment;
            match segment {
                Segment::Map { key } => at = at.join(key),
                Segment::Seq { index } => at = at.join(index),
                Segment::Enum { variant } => at = at.join(variant),
                Segment::Unknown => {}
            }
        }
        Diagnostic::error(&at, format!("expected {what}: {}", e.inner()))
    })
}

fn is_remote(file: &str) -> bool {
    file.starts_with("http://") || file.starts_with("https://")
}

fn relative_to(base: &Path, file: &str) -> PathBuf {
    let file = percent_encoding::percent_decode_str(file).decode_utf8_lossy();
    normalize(&base.parent().unwrap_or(Path::new("")).join(file.as_ref()))
}

/// Lexically normalizes `a/./b/../c` to `a/c`, so one file always has one key.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn read_document(path: &Path, referrer: Option<&Location>) -> Result<Value, Diagnostic> {
    let here = Location::new(Arc::new(path.to_path_buf()), "");
    let text = std::fs::read_to_string(path).map_err(|e| {
        let at = referrer.unwrap_or(&here);
        Diagnostic::error(at, format!("cannot read {}: {e}", path.display()))
    })?;
    parse_text(&text, &here)
}

/// Parses JSON or YAML text into a JSON value; YAML keys become strings.
pub fn parse_text(text: &str, loc: &Location) -> Result<Value, Diagnostic> {
    if text.trim_start().starts_with('{')
        && let Ok(value) = serde_json::from_str(text)
    {
        return Ok(value);
    }
    let yaml: serde_yaml::Value = serde_yaml::from_str(text)
        .map_err(|e| Diagnostic::error(loc, format!("not valid YAML or JSON: {e}")))?;
    yaml_to_json(yaml, loc)
}

fn yaml_to_json(yaml: serde_yaml::Value, loc: &Location) -> Result<Value, Diagnostic> {
    use serde_yaml::Value as Y;
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        Diagnostic::error(loc, format!("number {f} cannot be represented in JSON"))
                    })?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| yaml_to_json(v, &loc.join(i)))
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    Y::Null => "null".to_owned(),
                    other => {
                        return Err(Diagnostic::error(
                            loc,
                            format!("expected a string key, found {other:?}"),
                        ));
                    }
                };
                let value = yaml_to_json(v, &loc.join(&key))?;
                out.insert(key, value);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value, loc)?,
    })
}

/// Every `$ref` under `value` (at `pointer` in `file`), with where it is written. The
/// pointer is one string, grown and cut back as the walk goes, where a location for every
/// node of a large document was a string each.
fn collect_refs(
    value: &Value,
    file: &Arc<PathBuf>,
    pointer: &mut String,
    out: &mut Vec<(Location, String)>,
) {
    let start = pointer.len();
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    if let Value::String(s) = v {
                        push_token(pointer, k);
                        out.push((Location::new(file.clone(), pointer.clone()), s.clone()));
                    }
                } else if k != "example" && k != "examples" {
                    push_token(pointer, k);
                    collect_refs(v, file, pointer, out);
                }
                pointer.truncate(start);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                push_token(pointer, i);
                collect_refs(v, file, pointer, out);
                pointer.truncate(start);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;

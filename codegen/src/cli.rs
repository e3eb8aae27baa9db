//! The command line of `autessa-codegen`: a client crate, its reference docs, or both, from
//! OpenAPI and AsyncAPI documents. The binary only calls [`run`]; tests call it too.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{
    Config, DocsConfig, Flags, GeneratedFile, Grouping, PackageMeta, RUNTIME_VERSION, RustConfig,
    diff, docs, load_api,
};

pub const USAGE: &str = "usage: autessa-codegen [--openapi FILE] [--asyncapi FILE] [--out DIR] [--docs DIR] \
[--docs-overview FILE] [--changelog FILE] [--crate-name NAME] \
[--crate-version VERSION] [--runtime TOML] [--features-by tag|tag-prefix] [--env-prefix PREFIX] [--flag EXTENSION=NOTE]... \
[--description TEXT] [--license SPDX] [--repository URL] [--homepage URL] [--documentation URL] \
[--keywords A,B] [--categories A,B] [--no-publish] \
[--previous-openapi FILE] [--previous-asyncapi FILE] [--since GIT-REVISION] [--report-json FILE]";

/// What the command line asks for.
struct Options {
    config: Config,
    out: Option<PathBuf>,
    docs_dir: Option<PathBuf>,
    docs: DocsConfig,
    previous_openapi: Option<PathBuf>,
    previous_asyncapi: Option<PathBuf>,
    since: Option<String>,
    report_json: Option<PathBuf>,
}

/// Runs the command line with `args` (without the program name): writes what it asks for
/// and prints warnings and change reports; the error is the message to show.
pub fn run(args: Vec<String>) -> Result<(), String> {
    let Some(mut options) = parse(args)? else {
        println!("{USAGE}");
        return Ok(());
    };
    let report = change_report(&mut options)?;
    let config = &options.config;
    if let Some(out) = &options.out {
        // The whole crate, the documents its mock embeds included.
        let output = crate::generate(config).map_err(|d| d.to_string())?;
        for w in &output.warnings {
            eprintln!("{w}");
        }
        write_files(out, &output.files)?;
    }
    if let Some(dir) = &options.docs_dir {
        let api = load_api(config).map_err(|d| d.to_string())?;
        if options.out.is_none() {
            for w in &api.warnings {
                eprintln!("{w}");
            }
        }
        // Without `--changelog`, the change report (when there is one) is the change log.
        let mut docs_config = options.docs.clone();
        if docs_config.changelog.is_none() {
            docs_config.changelog = report.map(|report| {
                diff::changelog(
                    None,
                    &config.rust.crate_name,
                    &config.rust.command,
                    &config.rust.crate_version,
                    Some(&report),
                )
            });
        }
        let files = docs::emit(&api, &docs_config).map_err(|d| d.to_string())?;
        write_files(dir, &files)?;
    }
    Ok(())
}

/// The options of `args`, or `None` for `--help`.
fn parse(args: Vec<String>) -> Result<Option<Options>, String> {
    let mut openapi = None;
    let mut asyncapi = None;
    let mut out = None;
    let mut crate_name = "api-client".to_owned();
    let mut crate_version = "0.1.0".to_owned();
    let mut runtime = format!("\"{RUNTIME_VERSION}\"");
    let mut package = PackageMeta {
        publish: true,
        ..PackageMeta::default()
    };
    let list = |v: String| -> Vec<String> {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let mut env_prefix = None;
    let mut flags = Flags::default();
    let mut previous_openapi = None;
    let mut previous_asyncapi = None;
    let mut report_json = None;
    let mut since = None;
    let mut docs_dir = None;
    let mut docs_overview = None;
    let mut changelog = None;
    let mut features_by = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--openapi" => openapi = Some(PathBuf::from(value()?)),
            "--asyncapi" => asyncapi = Some(PathBuf::from(value()?)),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--docs" => docs_dir = Some(PathBuf::from(value()?)),
            "--docs-overview" => docs_overview = Some(PathBuf::from(value()?)),
            "--changelog" => changelog = Some(PathBuf::from(value()?)),
            "--crate-name" => crate_name = value()?,
            "--crate-version" => crate_version = value()?,
            "--description" => package.description = value()?,
            "--license" => package.license = value()?,
            "--repository" => package.repository = value()?,
            "--homepage" => package.homepage = value()?,
            "--documentation" => package.documentation = value()?,
            "--keywords" => package.keywords = list(value()?),
            "--categories" => package.categories = list(value()?),
            "--no-publish" => package.publish = false,
            "--previous-openapi" => previous_openapi = Some(PathBuf::from(value()?)),
            "--previous-asyncapi" => previous_asyncapi = Some(PathBuf::from(value()?)),
            "--since" => since = Some(value()?),
            "--report-json" => report_json = Some(PathBuf::from(value()?)),
            "--runtime" => runtime = value()?,
            "--features-by" => {
                let by = value()?;
                let grouping = Grouping::parse(&by).ok_or_else(|| {
                    format!("--features-by takes `tag` or `tag-prefix`, not `{by}`\n{USAGE}")
                })?;
                features_by = Some(grouping);
            }
            "--env-prefix" => env_prefix = Some(value()?),
            "--flag" => {
                let v = value()?;
                let (ext, note) = v
                    .split_once('=')
                    .ok_or_else(|| format!("--flag wants EXTENSION=NOTE\n{USAGE}"))?;
                flags.0.push((ext.to_owned(), note.to_owned()));
            }
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    if openapi.is_none() && asyncapi.is_none() {
        return Err(format!("--openapi or --asyncapi is required\n{USAGE}"));
    }
    if out.is_none() && docs_dir.is_none() {
        return Err(format!("--out or --docs is required\n{USAGE}"));
    }
    if docs_dir.is_none() && (docs_overview.is_some() || changelog.is_some()) {
        return Err(format!(
            "--docs-overview and --changelog go with --docs\n{USAGE}"
        ));
    }
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let docs = DocsConfig {
        crate_name: crate_name.clone(),
        overview: docs_overview
            .as_deref()
            .map(read)
            .transpose()?
            .unwrap_or_default(),
        command: "autessa-codegen".into(),
        changelog: changelog.as_deref().map(read).transpose()?,
    };
    let env_prefix = env_prefix.unwrap_or_else(|| crate::lower::names::shouty(&crate_name));
    let config = Config {
        openapi,
        asyncapi,
        perspective: Default::default(),
        docs: None,
        flags,
        rust: RustConfig {
            crate_name,
            crate_version,
            runtime_dependency: runtime,
            env_prefix,
            command: "autessa-codegen".into(),
            package,
            features_by,
        },
    };
    Ok(Some(Options {
        config,
        out,
        docs_dir,
        docs,
        previous_openapi,
        previous_asyncapi,
        since,
        report_json,
    }))
}

/// What changed since the previous documents (given as files, or at `--since`), printed
/// and written to `--report-json`; `None` when no previous documents are given.
fn change_report(options: &mut Options) -> Result<Option<diff::Report>, String> {
    let config = &options.config;
    // The previous documents at a git revision: unpacked with the files beside them.
    let unpacked = std::env::temp_dir().join(format!("autessa-codegen-{}", std::process::id()));
    if let Some(rev) = &options.since {
        if options.previous_openapi.is_some() || options.previous_asyncapi.is_some() {
            return Err(format!(
                "--since replaces --previous-openapi and --previous-asyncapi\n{USAGE}"
            ));
        }
        let at = |path: &Option<PathBuf>, folder: &str| {
            path.as_deref()
                .map(|p| at_revision(rev, p, &unpacked.join(folder)))
                .transpose()
        };
        let found =
            at(&config.openapi, "openapi").and_then(|o| Ok((o, at(&config.asyncapi, "asyncapi")?)));
        if found.is_err() {
            let _ = std::fs::remove_dir_all(&unpacked);
        }
        (options.previous_openapi, options.previous_asyncapi) = found?;
    }
    if options.previous_openapi.is_none() && options.previous_asyncapi.is_none() {
        if options.report_json.is_some() {
            return Err(format!(
                "--report-json needs --previous-openapi, --previous-asyncapi or --since\n{USAGE}"
            ));
        }
        return Ok(None);
    }
    let before = load_api(&Config {
        openapi: options.previous_openapi.clone(),
        asyncapi: options.previous_asyncapi.clone(),
        ..config.clone()
    })
    .map_err(|d| format!("the previous documents: {d}"));
    let _ = std::fs::remove_dir_all(&unpacked);
    let before = before?;
    let now = load_api(config).map_err(|d| d.to_string())?;
    let report = diff::compare(&before, &now);
    print!("{}", report.summary());
    if let Some(path) = &options.report_json {
        std::fs::write(path, format!("{:#}\n", report.json()))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(Some(report))
}

/// Writes `files` under `dir`, creating folders as needed.
fn write_files(dir: &Path, files: &[GeneratedFile]) -> Result<(), String> {
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, &file.contents)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// The document at `path` as it was at git revision `rev`, unpacked into `into` with the
/// rest of its folder (it may refer to files beside it); returns its path there.
fn at_revision(rev: &str, path: &Path, into: &Path) -> Result<PathBuf, String> {
    let path = path
        .canonicalize()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let folder = path.parent().unwrap_or(Path::new("/"));
    let root = git(folder, &["rev-parse", "--show-toplevel"])?;
    let root = Path::new(String::from_utf8_lossy(&root).trim())
        .canonicalize()
        .map_err(|e| format!("the repository of {}: {e}", path.display()))?;
    let inside = |p: &Path| p.strip_prefix(&root).map(Path::to_path_buf);
    let (Ok(file), Ok(folder)) = (inside(&path), inside(folder)) else {
        return Err(format!(
            "{} is not inside {}",
            path.display(),
            root.display()
        ));
    };
    let folder = if folder.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        folder
    };
    let archive = git(
        &root,
        &[
            "archive",
            "--format=tar",
            rev,
            "--",
            &folder.to_string_lossy(),
        ],
    )?;
    std::fs::create_dir_all(into).map_err(|e| format!("{}: {e}", into.display()))?;
    let mut tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(into)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    let written = tar.stdin.take().map(|mut input| input.write_all(&archive));
    let status = tar.wait().map_err(|e| format!("tar: {e}"))?;
    if !status.success() || !matches!(written, Some(Ok(()))) {
        return Err(format!("cannot unpack {} at {rev}", folder.display()));
    }
    let unpacked = into.join(&file);
    if !unpacked.is_file() {
        return Err(format!("{} did not exist at {rev}", file.display()));
    }
    Ok(unpacked)
}

/// The output of `git ARGS` run in `dir`, or what git said when it failed.
fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!(
            "`git {}` in {}: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

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
    let Some(args) = Args::read(args)? else {
        return Ok(None);
    };
    if args.openapi.is_none() && args.asyncapi.is_none() {
        return Err(format!("--openapi or --asyncapi is required\n{USAGE}"));
    }
    if args.out.is_none() && args.docs_dir.is_none() {
        return Err(format!("--out or --docs is required\n{USAGE}"));
    }
    if args.docs_dir.is_none() && (args.docs_overview.is_some() || args.changelog.is_some()) {
        return Err(format!(
            "--docs-overview and --changelog go with --docs\n{USAGE}"
        ));
    }
    options(args).map(Some)
}

/// The command line's values, as given.
struct Args {
    openapi: Option<PathBuf>,
    asyncapi: Option<PathBuf>,
    out: Option<PathBuf>,
    crate_name: String,
    crate_version: String,
    runtime: String,
    package: PackageMeta,
    env_prefix: Option<String>,
    flags: Flags,
    previous_openapi: Option<PathBuf>,
    previous_asyncapi: Option<PathBuf>,
    report_json: Option<PathBuf>,
    since: Option<String>,
    docs_dir: Option<PathBuf>,
    docs_overview: Option<PathBuf>,
    changelog: Option<PathBuf>,
    features_by: Option<Grouping>,
}

impl Args {
    /// The values of the command line `words`, or `None` for `--help`.
    fn read(words: Vec<String>) -> Result<Option<Args>, String> {
        let mut args = Args {
            openapi: None,
            asyncapi: None,
            out: None,
            crate_name: "api-client".to_owned(),
            crate_version: "0.1.0".to_owned(),
            runtime: format!("\"{RUNTIME_VERSION}\""),
            package: PackageMeta {
                publish: true,
                ..PackageMeta::default()
            },
            env_prefix: None,
            flags: Flags::default(),
            previous_openapi: None,
            previous_asyncapi: None,
            report_json: None,
            since: None,
            docs_dir: None,
            docs_overview: None,
            changelog: None,
            features_by: None,
        };
        let list = |v: String| -> Vec<String> {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let mut rest = words.into_iter();
        while let Some(arg) = rest.next() {
            let mut value = || {
                rest.next()
                    .ok_or_else(|| format!("{arg} needs a value\n{USAGE}"))
            };
            match arg.as_str() {
                "--openapi" => args.openapi = Some(PathBuf::from(value()?)),
                "--asyncapi" => args.asyncapi = Some(PathBuf::from(value()?)),
                "--out" => args.out = Some(PathBuf::from(value()?)),
                "--docs" => args.docs_dir = Some(PathBuf::from(value()?)),
                "--docs-overview" => args.docs_overview = Some(PathBuf::from(value()?)),
                "--changelog" => args.changelog = Some(PathBuf::from(value()?)),
                "--crate-name" => args.crate_name = value()?,
                "--crate-version" => args.crate_version = value()?,
                "--description" => args.package.description = value()?,
                "--license" => args.package.license = value()?,
                "--repository" => args.package.repository = value()?,
                "--homepage" => args.package.homepage = value()?,
                "--documentation" => args.package.documentation = value()?,
                "--keywords" => args.package.keywords = list(value()?),
                "--categories" => args.package.categories = list(value()?),
                "--no-publish" => args.package.publish = false,
                "--previous-openapi" => args.previous_openapi = Some(PathBuf::from(value()?)),
                "--previous-asyncapi" => args.previous_asyncapi = Some(PathBuf::from(value()?)),
                "--since" => args.since = Some(value()?),
                "--report-json" => args.report_json = Some(PathBuf::from(value()?)),
                "--runtime" => args.runtime = value()?,
                "--features-by" => {
                    let by = value()?;
                    let grouping = Grouping::parse(&by).ok_or_else(|| {
                        format!("--features-by takes `tag` or `tag-prefix`, not `{by}`\n{USAGE}")
                    })?;
                    args.features_by = Some(grouping);
                }
                "--env-prefix" => args.env_prefix = Some(value()?),
                "--flag" => {
                    let v = value()?;
                    let (ext, note) = v
                        .split_once('=')
                        .ok_or_else(|| format!("--flag wants EXTENSION=NOTE\n{USAGE}"))?;
                    args.flags.0.push((ext.to_owned(), note.to_owned()));
                }
                "-h" | "--help" => return Ok(None),
                other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
            }
        }
        Ok(Some(args))
    }
}

/// The options the values `args` ask for.
fn options(args: Args) -> Result<Options, String> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let docs = DocsConfig {
        crate_name: args.crate_name.clone(),
        overview: args
            .docs_overview
            .as_deref()
            .map(read)
            .transpose()?
            .unwrap_or_default(),
        command: "autessa-codegen".into(),
        changelog: args.changelog.as_deref().map(read).transpose()?,
    };
    let env_prefix = args
        .env_prefix
        .unwrap_or_else(|| crate::lower::names::shouty(&args.crate_name));
    let config = Config {
        openapi: args.openapi,
        asyncapi: args.asyncapi,
        perspective: Default::default(),
        docs: None,
        flags: args.flags,
        rust: RustConfig {
            crate_name: args.crate_name,
            crate_version: args.crate_version,
            runtime_dependency: args.runtime,
            env_prefix,
            command: "autessa-codegen".into(),
            package: args.package,
            features_by: args.features_by,
        },
    };
    Ok(Options {
        config,
        out: args.out,
        docs_dir: args.docs_dir,
        docs,
        previous_openapi: args.previous_openapi,
        previous_asyncapi: args.previous_asyncapi,
        since: args.since,
        report_json: args.report_json,
    })
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

//! The pages of the reference: which page holds what ([`plan`]), the anchor of every
//! heading that is linked to, and the views the templates lay out (one module per kind of
//! page).

use askama::Template;

use super::markdown::tidy;
use super::model::{DocsConfig, Examples, render_error};
use crate::diag::Diagnostic;
use crate::ir::Api;

mod channels;
mod context;
mod operations;
mod overview;
mod plan;
mod prose;
mod search;
mod types;

use context::Ctx;
use plan::{CHANNELS, OVERVIEW, Plan, TYPES};
pub use search::SearchEntry;

/// One Markdown page.
pub struct Page {
    /// The file name (`README.md`, `agents.md`, ...).
    pub file: String,
    /// The page's id in the HTML reference: `[a-z0-9-]`, never containing `--`.
    pub stem: String,
    pub markdown: String,
}

pub struct Site {
    pub pages: Vec<Page>,
    pub examples: Examples,
    /// What the HTML reference's search finds: every operation, channel, message and type.
    pub index: Vec<SearchEntry>,
}

/// Why the site could not be built.
enum BuildError {
    Render(askama::Error),
    Example(Diagnostic),
}

impl From<askama::Error> for BuildError {
    fn from(e: askama::Error) -> Self {
        BuildError::Render(e)
    }
}

impl Site {
    pub fn build(api: &Api, config: &DocsConfig) -> Result<Site, Diagnostic> {
        Site::pages(api, config).map_err(|e| match e {
            BuildError::Render(e) => render_error(e),
            BuildError::Example(d) => d,
        })
    }

    fn pages(api: &Api, config: &DocsConfig) -> Result<Site, BuildError> {
        let plan = Plan::new(api);
        let mut examples = Examples::default();
        let mut pages = Vec::new();
        let markdown =
            overview::overview_page(&Ctx::new(api, config, &plan, OVERVIEW, &mut examples))
                .render()?;
        pages.push(page(OVERVIEW, "readme", markdown));
        for t in &plan.tags {
            let view =
                operations::tag_page(&mut Ctx::new(api, config, &plan, &t.file, &mut examples), t);
            pages.push(page(&t.file, &t.stem, view.render()?));
        }
        if !api.channels.is_empty() {
            let view =
                channels::channels_page(&mut Ctx::new(api, config, &plan, CHANNELS, &mut examples))
                    .map_err(BuildError::Example)?;
            pages.push(page(CHANNELS, "channels", view.render()?));
        }
        if !api.types.is_empty() {
            let view = types::types_page(&mut Ctx::new(api, config, &plan, TYPES, &mut examples));
            pages.push(page(TYPES, "types", view.render()?));
        }
        if let Some(log) = &config.changelog {
            pages.push(page(
                plan::CHANGES,
                "changes",
                overview::changes_markdown(log),
            ));
        }
        let index = search::search_index(api, &plan);
        Ok(Site {
            pages,
            examples,
            index,
        })
    }
}

fn page(file: &str, stem: &str, markdown: String) -> Page {
    Page {
        file: file.into(),
        stem: stem.into(),
        markdown: tidy(&markdown),
    }
}

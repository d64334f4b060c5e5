//! `homeport images [--update] [--format table|json]`: resolve every image of the project
//! and show each fact with its source; writes homeport.lock like plan/render/convert.

use super::{image_facts, project, EXIT_INVALID, EXIT_OK};
use crate::cli::{GlobalArgs, ImagesArgs, ImagesFormat};
use crate::output::Output;
use homeport_images::report;

pub fn run(global: &GlobalArgs, args: &ImagesArgs, out: &Output) -> u8 {
    let loaded = project::load_project(global);
    let sources = loaded.sources;
    out.diagnostics(&loaded.diagnostics, &sources);
    let Some(project) = loaded.project else {
        return EXIT_INVALID;
    };
    let gathered = match image_facts::gather(global, &project, args.update, out, &sources) {
        Ok(g) => g,
        Err(code) => return code,
    };
    let reports = report::describe(&project, &gathered.resolution);
    let text = match args.format {
        ImagesFormat::Table => report::to_table(&reports),
        ImagesFormat::Json => {
            let mut t =
                serde_json::to_string_pretty(&report::to_json(&reports)).unwrap_or_default();
            t.push('\n');
            t
        }
    };
    out.stdout(&text);
    EXIT_OK
}

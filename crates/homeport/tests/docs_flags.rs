//! The user documentation in `docs/` matches the binary: every command `--help` lists has a
//! page `docs/commands/<command>.md`, every flag a command's `--help` shows is documented on
//! its page (global options on `docs/global-options.md`), and every flag a page documents
//! in its option tables (rows starting with ``| `--``) exists.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn help(path: &[String]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_homeport"))
        .args(path)
        .arg("--help")
        .env("NO_COLOR", "1")
        .output()
        .expect("run homeport");
    assert!(out.status.success(), "{path:?} --help failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Subcommand names listed under `Commands:` (without `help`).
fn subcommands(help: &str) -> Vec<String> {
    let Some(rest) = help.split("\nCommands:\n").nth(1) else {
        return Vec::new();
    };
    rest.lines()
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// The option lines of a help text, under any options heading (`Options:`, `Compose
/// options:`): lines starting with `-x,` or `--name`.
fn option_lines(help: &str) -> Vec<&str> {
    help.lines()
        .map(str::trim_start)
        .filter(|l| {
            let b = l.as_bytes();
            (b.len() > 2 && b[0] == b'-' && b[1] != b'-' && b[1] != b' ' && b[2] == b',')
                || (l.starts_with("--") && b.get(2).is_some_and(u8::is_ascii_lowercase))
        })
        .collect()
}

/// Long flags a help text lists (without `--help`/`--version`).
fn flags(help: &str) -> BTreeSet<String> {
    option_lines(help)
        .into_iter()
        .filter_map(|l| {
            l.split([' ', ','])
                .find(|w| w.starts_with("--"))
                .map(|w| w.split(['=', '<']).next().unwrap_or(w).to_string())
        })
        .filter(|f| f != "--help" && f != "--version")
        .collect()
}

/// Every command path (`["plan"]`, `["guard", "run"]`, ...) with its help text.
fn commands() -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut todo: Vec<Vec<String>> = subcommands(&help(&[]))
        .into_iter()
        .map(|c| vec![c])
        .collect();
    while let Some(path) = todo.pop() {
        let text = help(&path);
        for sub in subcommands(&text) {
            let mut next = path.clone();
            next.push(sub);
            todo.push(next);
        }
        out.push((path, text));
    }
    out.sort();
    out
}

fn docs_dir() -> PathBuf {
    homeport_testkit::workspace_root().join("docs")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Flags documented in option-table rows (``| `--flag` ``, ``| `-f`, `--file` ``).
fn documented_flags(page: &str) -> BTreeSet<String> {
    page.lines()
        .filter(|l| l.starts_with("| `-"))
        .flat_map(|l| {
            let cell = l.split('|').nth(1).unwrap_or("");
            cell.split('`')
                .filter(|w| w.starts_with("--"))
                .map(|w| w.split([' ', '=']).next().unwrap_or(w).to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn every_command_has_a_page_and_every_flag_is_documented() {
    let global = flags(&help(&[]));
    let global_page = read(&docs_dir().join("global-options.md"));
    let global_documented = documented_flags(&global_page);
    for flag in &global {
        assert!(
            global_documented.contains(flag),
            "global option {flag} is not documented in docs/global-options.md"
        );
    }
    for flag in &global_documented {
        assert!(
            global.contains(flag),
            "docs/global-options.md documents {flag}, which does not exist"
        );
    }

    let mut problems = Vec::new();
    let mut per_page: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for (path, text) in commands() {
        let page_name = format!("{}.md", path[0]);
        let page = docs_dir().join("commands").join(&page_name);
        if !page.is_file() {
            problems.push(format!(
                "`homeport {}` has no page docs/commands/{page_name}",
                path.join(" ")
            ));
            continue;
        }
        let documented = documented_flags(&read(&page));
        let own: BTreeSet<String> = flags(&text).difference(&global).cloned().collect();
        for flag in &own {
            if !documented.contains(flag) {
                problems.push(format!(
                    "`homeport {} {flag}` is not documented in docs/commands/{page_name}",
                    path.join(" ")
                ));
            }
        }
        per_page.entry(page_name).or_default().extend(own);
    }
    for (page_name, existing) in &per_page {
        let documented = documented_flags(&read(&docs_dir().join("commands").join(page_name)));
        for flag in documented.difference(existing) {
            if !global.contains(flag) {
                problems.push(format!(
                    "docs/commands/{page_name} documents {flag}, which no such command has"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_page_is_in_the_summary() {
    let summary = read(&docs_dir().join("SUMMARY.md"));
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(docs_dir())
        .unwrap()
        .chain(std::fs::read_dir(docs_dir().join("commands")).unwrap())
    {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md")
            && path.file_name().is_some_and(|n| n != "SUMMARY.md")
        {
            pages.push(
                path.strip_prefix(docs_dir())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    assert!(pages.len() > 8);
    for page in pages {
        assert!(
            summary.contains(&format!("({page})")),
            "docs/SUMMARY.md does not link {page}"
        );
    }
}

#[test]
fn the_parsers_of_this_test_read_clap_help() {
    let text = "Usage: x\n\nCommands:\n  plan  Plan\n  help  Help\n\nOptions:\n      --force\n          - table: a possible value\n  -h, --help  Print\n\nCompose options:\n  -f, --file <FILE>  Compose\n";
    assert_eq!(subcommands(text), vec!["plan"]);
    assert_eq!(
        flags(text),
        BTreeSet::from(["--file".to_string(), "--force".to_string()])
    );
    assert_eq!(
        documented_flags("| `-f`, `--file FILE` | x |\n| `--force` | y |\ntext `--nope`\n"),
        BTreeSet::from(["--file".to_string(), "--force".to_string()])
    );
}

/// Every option line of `-h` (short help) has a description, not just `[default: ...]`.
#[test]
fn every_option_has_a_description() {
    let mut bare = Vec::new();
    for (path, _) in commands().into_iter().chain([(Vec::new(), String::new())]) {
        let out = Command::new(env!("CARGO_BIN_EXE_homeport"))
            .args(&path)
            .arg("-h")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        for trimmed in option_lines(&text) {
            // `-f, --file <FILE>  Compose file...`: the description follows two spaces.
            let description = trimmed
                .split_once("  ")
                .map(|(_, d)| d.trim())
                .unwrap_or("");
            if description.is_empty() || description.starts_with('[') {
                bare.push(format!("homeport {} {}", path.join(" "), trimmed));
            }
        }
    }
    assert!(
        bare.is_empty(),
        "options without a description:\n{}",
        bare.join("\n")
    );
}

/// The example in `rule --help` names a rule that exists.
#[test]
fn rule_help_example_exists() {
    let text = help(&["rule".to_string()]);
    let example = text
        .split("or name (")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .expect("rule --help names an example rule");
    let out = Command::new(env!("CARGO_BIN_EXE_homeport"))
        .args(["rule", example])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "homeport rule {example}");
}

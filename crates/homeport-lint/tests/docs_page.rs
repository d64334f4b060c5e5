//! `docs/lint-rules.md` is generated from the registry and kept current: SARIF's `helpUri`
//! points at its anchors. Regenerate with `UPDATE_DOCS=1 cargo test -p homeport-lint --test
//! docs_page`.

use homeport_lint::docs;
use std::path::Path;

#[test]
fn the_rules_page_matches_the_registry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/lint-rules.md");
    let expected = docs::rules_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/lint-rules.md is out of date: run `UPDATE_DOCS=1 cargo test -p homeport-lint --test docs_page`"
    );
}

#[test]
fn every_help_uri_has_its_anchor_in_the_page() {
    let page = docs::rules_markdown();
    for rule in homeport_lint::all_rules() {
        let uri = docs::help_uri(rule);
        let anchor = uri.rsplit_once('#').unwrap().1;
        assert!(
            page.contains(&format!("<a id=\"{anchor}\"></a>")),
            "{} has no anchor",
            rule.code
        );
    }
}

//! Fuzz reading a manifest file in parts (`homeport lint` on inputs over 16 MiB): for any
//! text that is valid YAML, the parts (cut from every `---` line on, here as small as one
//! byte) give exactly the objects, positions and problems of the whole text — or, where
//! yaml-rust2 read past a `---` line that YAML 1.2 says ends the document, a part that ends
//! unterminated.
#![no_main]

use homeport_diag::FileId;
use homeport_manifest::parts::Parts;
use homeport_manifest::{load_each, load_each_at};
use libfuzzer_sys::fuzz_target;

/// Whether a line starts a block scalar at the top level (`|`, `>`, after `---`, a tag or an
/// anchor): yaml-rust2 lets such a scalar run on past a `---` line, where YAML 1.2 (and
/// reading in parts) ends it. Manifests never hold one (their scalars are indented).
fn top_level_block_scalar(text: &str) -> bool {
    // YAML breaks lines at CR too; a document's root may stand indented.
    text.split(['\n', '\r']).any(|line| {
        let line = line.trim_start();
        let rest = line.strip_prefix("---").unwrap_or(line);
        rest.split_whitespace()
            .find(|token| !token.starts_with(['!', '&']))
            .is_some_and(|token| token.starts_with(['|', '>']))
    })
}

fn describe(o: &homeport_manifest::Object) -> String {
    format!("{} {:?} {} {:?} {}", o.document, o.item, o.name, o.span(), o.value)
}

fuzz_target!(|data: &[u8]| {
    let Some((&size, data)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if top_level_block_scalar(text) {
        return;
    }
    let mut whole = Vec::new();
    let each = load_each(FileId(0), text, &mut |o| whole.push(describe(&o)));
    if !each.valid {
        // An error may lie across a cut: the parts report it too, maybe elsewhere.
        return;
    }
    let whole_diags: Vec<String> = each.diagnostics.iter().map(|d| format!("{d:?}")).collect();
    let mut parts = Parts::with_part_bytes(std::io::Cursor::new(data), u64::MAX, usize::from(size));
    let (mut objects, mut diags) = (Vec::new(), Vec::new());
    while let Some(piece) = parts.next() {
        let piece = piece.expect("valid UTF-8 reads");
        let each = load_each_at(FileId(0), &piece.text, piece.part, &mut |o| {
            objects.push(describe(&o))
        });
        if !each.valid {
            // yaml-rust2 lets a flow collection or a quoted scalar run on past a `---` line
            // (YAML 1.2 forbids it there); a part cut at that line ends unterminated. That
            // is the only way a part of a valid text may fail: at its very end.
            // (A part cut before a `---` line ends with one more, not in the file.)
            let text = piece.text.strip_suffix("---\n").unwrap_or(&piece.text);
            let end = piece.part.origin.offset + text.trim_end().len();
            let at = each.diagnostics.first().and_then(|d| d.span).map(|s| s.start as usize);
            assert!(
                at.is_some_and(|at| at >= end),
                "a valid text has a part that is not, before its end: {:?} {:?}",
                piece.text,
                each.diagnostics
            );
            return;
        }
        diags.extend(each.diagnostics.iter().map(|d| format!("{d:?}")));
        parts.documents(each.documents);
    }
    assert_eq!(objects, whole);
    assert_eq!(diags, whole_diags);
});

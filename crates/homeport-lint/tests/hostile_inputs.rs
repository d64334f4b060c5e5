//! The body of the `lint_input` fuzz target (fuzz/fuzz_targets/lint_input.rs) run on stable
//! over the classes of issue 16 (deep nesting, NUL and other control bytes, a byte order
//! mark, huge mappings) and over deterministic mutations of every rule fixture: no panic, no
//! stack overflow, and a NUL or deep nesting is a diagnostic, never a silent cut.

use homeport_diag::FileId;
use homeport_lint::{check, Options};
use std::path::Path;

/// What the fuzz target does with one input; returns whether the loader reported errors.
fn lint_input(data: &[u8]) -> bool {
    let text = String::from_utf8_lossy(data);
    let loaded = homeport_manifest::load_text(FileId(0), &text);
    let options = Options {
        threads: 1,
        ..Options::default()
    };
    let _ = check(&loaded.objects, &options);
    loaded.diagnostics.iter().any(|d| d.is_error())
}

#[test]
fn the_classes_of_issue_16_are_reported_not_crashed_on() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: a, image: nginx:1.27}]}\n";
    let cases: Vec<(&str, Vec<u8>, bool)> = vec![
        (
            "deep block sequence",
            format!("{}1\n", "- ".repeat(25_000)).into_bytes(),
            true,
        ),
        (
            "deep flow mapping",
            format!("{}1{}\n", "{a: ".repeat(5_000), "}".repeat(5_000)).into_bytes(),
            true,
        ),
        (
            "deep block mapping",
            (0..2_000)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect::<String>()
                .into_bytes(),
            true,
        ),
        (
            "NUL after a document",
            format!("{pod}\0---\n{pod}").into_bytes(),
            true,
        ),
        (
            "ESC in a value",
            pod.replace("name: a}", "name: \"a\u{1b}\"}").into_bytes(),
            true,
        ),
        ("BOM", format!("\u{feff}{pod}").into_bytes(), false),
        (
            "80,000 duplicate keys",
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: a}}\ndata:\n{}",
                "  k: v\n".repeat(80_000)
            )
            .into_bytes(),
            true,
        ),
    ];
    for (name, data, errors) in cases {
        // The default 2 MB stack of a test thread: the loader must stop before it.
        assert_eq!(lint_input(&data), errors, "{name}");
    }
}

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn mutated_rule_fixtures_never_panic() {
    const BYTES: &[&[u8]] = &[
        b"\0",
        b"\xef\xbb\xbf",
        b"- ",
        b"{",
        b"}",
        b"[",
        b"]",
        b": ",
        b"\n",
        b"  ",
        b"&a ",
        b"*a",
        b"<<: *a\n",
        b"!!binary ",
        b"---\n",
        b"\t",
        b"\x1b",
        b"\xff",
        b"'",
        b"\"",
        b"1e400",
        b"-1",
        b".inf",
        b"~",
        b"kind: List\nitems:\n- ",
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path().join("bad.yaml");
        if let Ok(bytes) = std::fs::read(path) {
            seeds.push(bytes);
        }
    }
    seeds.sort();
    // `HOMEPORT_FUZZ_ROUNDS` runs longer (a brief fuzzing session on stable).
    let rounds = std::env::var("HOMEPORT_FUZZ_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3_000);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..rounds {
        let mut data = seeds[round % seeds.len()].clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(data.len() + 1);
            match rng.below(3) {
                0 => {
                    let piece = BYTES[rng.below(BYTES.len())];
                    data.splice(at..at, piece.iter().copied());
                }
                1 if !data.is_empty() => {
                    let end = (at + 1 + rng.below(16)).min(data.len());
                    data.drain(at.min(end)..end);
                }
                _ => {
                    let end = (at + rng.below(64)).min(data.len());
                    let copy: Vec<u8> = data[at.min(end)..end].to_vec();
                    data.splice(at..at, copy);
                }
            }
        }
        let _ = lint_input(&data);
    }
}

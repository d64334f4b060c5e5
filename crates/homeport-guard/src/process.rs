//! Game processes in the process table (`/proc`): names from the node's `gaming.processes`
//! (matched against `comm` or the basename of `argv[0]`) and built-in markers (Steam's
//! `reaper SteamLaunch AppId=<id>`, which starts every Steam and Proton game; gamescope).
//!
//! A poll reads `/proc` once and, per process, only its `comm` (a few bytes); `cmdline` is
//! read when a process is new or its `comm` changed (an exec), so an idle poll costs one
//! small read per process.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;

/// The kernel keeps 15 bytes of a process name in `comm`.
const COMM_LEN: usize = 15;

/// Why a process counts as a game.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameProcess {
    pub pid: u32,
    pub reason: String,
}

/// Decides from `comm` and `argv` whether a process is a game.
#[derive(Debug, Clone, Default)]
pub struct ProcessMatcher {
    names: Vec<String>,
}

impl ProcessMatcher {
    /// `names`: the node's `gaming.processes`.
    pub fn new<S: AsRef<str>>(names: &[S]) -> ProcessMatcher {
        ProcessMatcher {
            names: names
                .iter()
                .map(|n| n.as_ref().trim().to_string())
                .filter(|n| !n.is_empty())
                .collect(),
        }
    }

    /// `comm` without its newline; `argv` as the kernel gives it (NUL-separated).
    pub fn classify(&self, comm: &str, cmdline: &[u8]) -> Option<String> {
        let argv: Vec<&[u8]> = cmdline
            .split(|b| *b == 0)
            .filter(|a| !a.is_empty())
            .collect();
        let argv0 = argv.first().map(|a| basename(a)).unwrap_or_default();
        if let Some(id) = steam_app_id(&argv) {
            return Some(format!("Steam game AppId={id} (reaper SteamLaunch)"));
        }
        if comm == "gamescope" || argv0 == b"gamescope" {
            return Some("gamescope".to_string());
        }
        self.names
            .iter()
            .find(|name| comm_matches(comm, name) || argv0 == name.as_bytes())
            .map(|name| format!("process `{name}`"))
    }
}

/// `comm` is truncated to 15 bytes: a longer configured name matches its first 15 bytes.
fn comm_matches(comm: &str, name: &str) -> bool {
    if name.len() > COMM_LEN {
        name.as_bytes().get(..COMM_LEN) == Some(comm.as_bytes())
    } else {
        comm == name
    }
}

/// The last path component; Windows separators count too (Proton argv[0] can be `Z:\...\x.exe`).
fn basename(arg: &[u8]) -> &[u8] {
    match arg.iter().rposition(|b| *b == b'/' || *b == b'\\') {
        Some(i) => &arg[i + 1..],
        None => arg,
    }
}

/// Steam starts games as `.../reaper SteamLaunch AppId=<id> -- <game>`.
fn steam_app_id(argv: &[&[u8]]) -> Option<String> {
    let reaper = argv.iter().position(|a| basename(a) == b"reaper")?;
    if argv.get(reaper + 1) != Some(&&b"SteamLaunch"[..]) {
        return None;
    }
    argv[reaper + 2..].iter().find_map(|a| {
        let id = a.strip_prefix(b"AppId=")?;
        (!id.is_empty() && id.iter().all(u8::is_ascii_digit))
            .then(|| String::from_utf8_lossy(id).into_owned())
    })
}

#[derive(Debug)]
struct Seen {
    comm: String,
    hit: Option<String>,
    generation: u64,
    /// `cmdline` was empty: a kernel thread, or a process caught inside `exec` (the new
    /// `comm` is set before the new argv is); read once more at the next poll.
    recheck: bool,
}

/// Scans a process table (`/proc` by default) for games, caching per-process results.
#[derive(Debug)]
pub struct ProcessScanner {
    root: PathBuf,
    matcher: ProcessMatcher,
    seen: HashMap<u32, Seen>,
    generation: u64,
    path: PathBuf,
    buf: Vec<u8>,
}

impl ProcessScanner {
    pub fn new(matcher: ProcessMatcher) -> ProcessScanner {
        ProcessScanner::with_root(matcher, "/proc")
    }

    pub fn with_root(matcher: ProcessMatcher, root: impl Into<PathBuf>) -> ProcessScanner {
        ProcessScanner {
            root: root.into(),
            matcher,
            seen: HashMap::new(),
            generation: 0,
            path: PathBuf::new(),
            buf: Vec::with_capacity(4096),
        }
    }

    /// Every game process now running (lowest pid first). Processes that vanish while being
    /// read are skipped; an unreadable process table yields an error.
    pub fn scan(&mut self) -> std::io::Result<Vec<GameProcess>> {
        self.generation += 1;
        let generation = self.generation;
        let mut hits = Vec::new();
        for entry in std::fs::read_dir(&self.root)? {
            let Ok(entry) = entry else { continue };
            let name = entry.file_name();
            let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            let Some(comm) = self.read(pid, "comm", 64) else {
                continue;
            };
            let comm =
                String::from_utf8_lossy(comm.strip_suffix(b"\n").unwrap_or(&comm)).into_owned();
            let (fresh, retried) = match self.seen.get_mut(&pid) {
                Some(s) if s.comm == comm && !s.recheck => {
                    s.generation = generation;
                    (None, false)
                }
                Some(s) if s.comm == comm => (Some(comm), true),
                _ => (Some(comm), false),
            };
            if let Some(comm) = fresh {
                let cmdline = self.read(pid, "cmdline", 64 * 1024).unwrap_or_default();
                let hit = self.matcher.classify(&comm, &cmdline);
                let recheck = cmdline.is_empty() && !retried;
                let seen = Seen {
                    comm,
                    hit,
                    generation,
                    recheck,
                };
                self.seen.insert(pid, seen);
            }
            if let Some(reason) = self.seen.get(&pid).and_then(|s| s.hit.clone()) {
                hits.push(GameProcess { pid, reason });
            }
        }
        self.seen.retain(|_, s| s.generation == generation);
        hits.sort_by_key(|h| h.pid);
        Ok(hits)
    }

    /// The name of a running process (for NVML's pids), `None` when it is gone.
    pub fn comm_of(&mut self, pid: u32) -> Option<String> {
        let comm = self.read(pid, "comm", 64)?;
        Some(String::from_utf8_lossy(comm.strip_suffix(b"\n").unwrap_or(&comm)).into_owned())
    }

    fn read(&mut self, pid: u32, file: &str, limit: u64) -> Option<Vec<u8>> {
        self.path.clear();
        self.path.push(&self.root);
        self.path.push(pid.to_string());
        self.path.push(file);
        self.buf.clear();
        let f = File::open(&self.path).ok()?;
        f.take(limit).read_to_end(&mut self.buf).ok()?;
        Some(self.buf.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<u8> {
        let mut v = Vec::new();
        for a in args {
            v.extend_from_slice(a.as_bytes());
            v.push(0);
        }
        v
    }

    #[test]
    fn configured_names_match_comm_or_argv0_basename() {
        let m = ProcessMatcher::new(&["eldenring.exe", "factorio", "a-very-long-game-binary"]);
        assert!(m
            .classify("factorio", &argv(&["/opt/factorio/bin/x64/factorio"]))
            .is_some());
        assert!(m
            .classify("wine64-preloade", &argv(&["Z:\\games\\eldenring.exe"]))
            .is_some());
        assert!(m
            .classify("a-very-long-gam", &argv(&["./a-very-long-game-binary"]))
            .is_some());
        assert!(
            m.classify("a-very-long-gam", &argv(&["other"])).is_some(),
            "comm is truncated to 15 bytes"
        );
        assert_eq!(
            m.classify("bash", &argv(&["bash", "factorio"])),
            None,
            "only argv[0] counts"
        );
        assert_eq!(
            m.classify("factorio-server", &argv(&["factorio-server"])),
            None
        );
    }

    #[test]
    fn steam_reaper_marker_and_gamescope_are_built_in() {
        let m = ProcessMatcher::default();
        let reaper = argv(&[
            "/home/u/.steam/ubuntu12_32/reaper",
            "SteamLaunch",
            "AppId=570",
            "--",
            "/x/dota2",
        ]);
        assert_eq!(
            m.classify("reaper", &reaper).as_deref(),
            Some("Steam game AppId=570 (reaper SteamLaunch)")
        );
        assert!(m
            .classify("gamescope", &argv(&["gamescope", "-f"]))
            .is_some());
        assert_eq!(
            m.classify("steam", &argv(&["/usr/bin/steam", "-silent"])),
            None,
            "the Steam client alone is not a game"
        );
        assert_eq!(
            m.classify("reaper", &argv(&["reaper", "SteamLaunch", "AppId="])),
            None
        );
        assert_eq!(
            m.classify("grep", &argv(&["grep", "SteamLaunch", "AppId=5"])),
            None
        );
    }
}

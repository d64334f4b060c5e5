//! Progress of a copy or verify: a bar with throughput and ETA when stderr is a terminal,
//! else a plain line every few seconds (logs, CI, `kubectl exec`).

use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Shared counters; workers add to them, a reporter thread shows them.
#[derive(Debug, Default)]
pub struct Counters {
    pub bytes: AtomicU64,
    pub files: AtomicU64,
}

impl Counters {
    pub fn add(&self, bytes: u64) {
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.files.fetch_add(1, Ordering::Relaxed);
    }
}

/// A running reporter; `finish` stops it.
pub struct Progress {
    pub counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// Start reporting `label` towards `total_bytes` / `total_files`. `quiet` shows nothing.
    pub fn start(label: &str, total_bytes: u64, total_files: u64, quiet: bool) -> Progress {
        let counters = Arc::new(Counters::default());
        let stop = Arc::new(AtomicBool::new(false));
        let thread = if quiet {
            None
        } else {
            let (c, s, label) = (counters.clone(), stop.clone(), label.to_string());
            Some(std::thread::spawn(move || {
                report(&label, &c, &s, total_bytes, total_files)
            }))
        };
        Progress {
            counters,
            stop,
            thread,
        }
    }

    pub fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn report(label: &str, c: &Counters, stop: &AtomicBool, total_bytes: u64, total_files: u64) {
    let tick = Duration::from_millis(100);
    if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(total_bytes);
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(label.to_string());
        while !stop.load(Ordering::Relaxed) {
            bar.set_position(c.bytes.load(Ordering::Relaxed));
            bar.set_message(format!(
                "{}/{} files",
                c.files.load(Ordering::Relaxed),
                total_files
            ));
            std::thread::sleep(tick);
        }
        bar.finish_and_clear();
        return;
    }
    let start = Instant::now();
    let mut last = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(tick);
        if last.elapsed() < Duration::from_secs(5) {
            continue;
        }
        last = Instant::now();
        let done = c.bytes.load(Ordering::Relaxed);
        let secs = start.elapsed().as_secs_f64().max(0.001);
        let rate = done as f64 / secs;
        let eta = if rate > 0.0 {
            format!("{:.0}s", total_bytes.saturating_sub(done) as f64 / rate)
        } else {
            "?".into()
        };
        let _ = writeln!(
            std::io::stderr(),
            "{label}: {}/{} files, {} of {} ({}/s), ETA {eta}",
            c.files.load(Ordering::Relaxed),
            total_files,
            human_bytes(done),
            human_bytes(total_bytes),
            human_bytes(rate as u64),
        );
    }
}

/// `1.5 GiB`-style sizes.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

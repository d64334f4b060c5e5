//! Structured logs on stderr: JSON lines when stderr is not a terminal (journald, a pod),
//! human-readable otherwise. `HOMEPORT_LOG=debug` shows every request.

use std::io::IsTerminal;
use tracing_subscriber::filter::LevelFilter;

pub fn init() {
    let level = match std::env::var("HOMEPORT_LOG").as_deref() {
        Ok("debug") => LevelFilter::DEBUG,
        Ok("trace") => LevelFilter::TRACE,
        Ok("warn") => LevelFilter::WARN,
        Ok("error") => LevelFilter::ERROR,
        _ => LevelFilter::INFO,
    };
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr);
    // A second initialisation (tests) is harmless: the first subscriber stays.
    if std::io::stderr().is_terminal() {
        let _ = builder.with_target(false).try_init();
    } else {
        let _ = builder
            .json()
            .with_current_span(false)
            .with_span_list(false)
            .try_init();
    }
}

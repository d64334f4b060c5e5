//! Detection against the real process table: processes started by the test under game names
//! (a copy of `sleep`) and with Steam's reaper marker in argv, driven through the state
//! machine with a fake clock (hold, schedule).

use homeport_guard::clock::Clock;
use homeport_guard::detect::Detector;
use homeport_guard::process::{ProcessMatcher, ProcessScanner};
use homeport_guard::schedule::{LocalTime, Schedule};
use homeport_guard::state::{Machine, State};
use homeport_guard::Mode;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A child killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sleep_binary() -> PathBuf {
    for p in ["/usr/bin/sleep", "/bin/sleep"] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!("no sleep binary")
}

/// Start `sleep` copied to a file called `name`: its comm and argv[0] are the game's name.
fn start_named(dir: &Path, name: &str) -> Proc {
    let path = dir.join(name);
    if !path.exists() {
        std::fs::copy(sleep_binary(), &path).expect("copy sleep");
    }
    Proc(Command::new(&path).arg("30").spawn().expect("spawn game"))
}

/// Start a process whose argv carries Steam's `reaper SteamLaunch AppId=123`.
fn start_steam_game() -> Proc {
    Proc(
        Command::new("sh")
            .args([
                "-c",
                "sleep 30; :",
                "/home/player/.steam/ubuntu12_32/reaper",
                "SteamLaunch",
                "AppId=123",
                "--",
                "/games/proton",
            ])
            .spawn()
            .expect("spawn sh"),
    )
}

struct FakeClock {
    start: Instant,
    offset: Mutex<Duration>,
    local: Mutex<LocalTime>,
}

impl FakeClock {
    fn new(local: LocalTime) -> FakeClock {
        FakeClock {
            start: Instant::now(),
            offset: Mutex::new(Duration::ZERO),
            local: Mutex::new(local),
        }
    }
    fn advance(&self, d: Duration) {
        if let Ok(mut o) = self.offset.lock() {
            *o += d;
        }
    }
    fn set_local(&self, t: LocalTime) {
        if let Ok(mut l) = self.local.lock() {
            *l = t;
        }
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Instant {
        self.start + self.offset.lock().map(|o| *o).unwrap_or_default()
    }
    fn local(&self) -> LocalTime {
        self.local
            .lock()
            .map(|l| *l)
            .unwrap_or(LocalTime::new(0, 0, 0))
    }
    fn rfc3339(&self) -> String {
        "2026-12-04T18:00:00Z".into()
    }
}

/// Poll until the scanner sees (or stops seeing) a game; a spawned process needs a moment
/// to exec, so the real table is polled a few times (bounded).
fn poll_until(detector: &mut Detector, clock: &FakeClock, want: bool) -> Option<String> {
    for _ in 0..500 {
        let s = detector.poll(clock.now(), clock, Mode::Auto);
        if s.process.is_some() == want {
            return s.process;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("process detection never became {want}");
}

#[test]
fn configured_game_name_drives_the_state_machine_with_hold() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = FakeClock::new(LocalTime::new(2, 12, 0));
    let scanner = ProcessScanner::new(ProcessMatcher::new(&["hp-test-factorio"]));
    let mut detector = Detector::new(scanner, Schedule::default(), None);
    let mut machine = Machine::new(Duration::from_secs(120));

    let s = detector.poll(clock.now(), &clock, Mode::Auto);
    assert_eq!(
        machine.step(clock.now(), &s),
        None,
        "nothing runs yet: {s:?}"
    );

    let game = start_named(dir.path(), "hp-test-factorio");
    let reason = poll_until(&mut detector, &clock, true).expect("seen");
    assert!(reason.contains("hp-test-factorio"), "{reason}");
    assert!(reason.contains(&format!("pid {}", game.0.id())), "{reason}");
    let s = detector.poll(clock.now(), &clock, Mode::Auto);
    let t = machine
        .step(clock.now(), &s)
        .expect("gaming starts at the first poll that sees it");
    assert_eq!(t.to, State::Gaming);

    // The game quits (a launcher restart): within hold nothing changes.
    drop(game);
    poll_until(&mut detector, &clock, false);
    clock.advance(Duration::from_secs(30));
    let s = detector.poll(clock.now(), &clock, Mode::Auto);
    assert_eq!(machine.step(clock.now(), &s), None);
    // It comes back: still gaming, and the hold starts again from its last sighting.
    let game = start_named(dir.path(), "hp-test-factorio");
    poll_until(&mut detector, &clock, true);
    assert_eq!(
        machine.step(clock.now(), &detector.poll(clock.now(), &clock, Mode::Auto)),
        None
    );
    drop(game);
    poll_until(&mut detector, &clock, false);
    clock.advance(Duration::from_secs(119));
    assert_eq!(
        machine.step(clock.now(), &detector.poll(clock.now(), &clock, Mode::Auto)),
        None
    );
    clock.advance(Duration::from_secs(1));
    let t = machine
        .step(clock.now(), &detector.poll(clock.now(), &clock, Mode::Auto))
        .expect("idle after hold");
    assert_eq!(t.to, State::Idle);
}

#[test]
fn steam_reaper_marker_is_detected_without_configuration() {
    let clock = FakeClock::new(LocalTime::new(2, 12, 0));
    let mut detector = Detector::new(
        ProcessScanner::new(ProcessMatcher::default()),
        Schedule::default(),
        None,
    );
    let game = start_steam_game();
    let reason = poll_until(&mut detector, &clock, true).expect("seen");
    assert!(reason.contains("AppId=123"), "{reason}");
    assert!(reason.contains(&format!("pid {}", game.0.id())), "{reason}");
    drop(game);
    poll_until(&mut detector, &clock, false);
}

#[test]
fn other_processes_do_not_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = FakeClock::new(LocalTime::new(2, 12, 0));
    let mut detector = Detector::new(
        ProcessScanner::new(ProcessMatcher::new(&["hp-test-doom"])),
        Schedule::default(),
        None,
    );
    let _not_a_game = start_named(dir.path(), "hp-test-doomscroll");
    // sleep with the game's name only as an argument: argv[0] is what counts.
    let _arg = Proc(
        Command::new("sh")
            .args(["-c", "sleep 30; :", "hp-test-doom"])
            .spawn()
            .expect("spawn"),
    );
    std::thread::sleep(Duration::from_millis(100));
    let s = detector.poll(clock.now(), &clock, Mode::Auto);
    // Other tests run Steam-marked processes in parallel; none of ours may match.
    assert!(
        !s.process.as_deref().unwrap_or("").contains("hp-test-doom"),
        "{s:?}"
    );
}

#[test]
fn schedule_and_manual_mode_with_a_fake_clock() {
    let schedule =
        Schedule::parse(&["Mon-Fri 18:00-23:30", "Sat-Sun 10:00-02:00"]).expect("schedule");
    let clock = FakeClock::new(LocalTime::new(4, 17, 59)); // Friday 17:59
    let mut detector = Detector::new(
        ProcessScanner::new(ProcessMatcher::default()),
        schedule,
        None,
    );
    let mut machine = Machine::new(Duration::from_secs(60));
    assert_eq!(
        machine.step(clock.now(), &detector.poll(clock.now(), &clock, Mode::Auto)),
        None
    );
    clock.set_local(LocalTime::new(4, 18, 0));
    let t = machine
        .step(clock.now(), &detector.poll(clock.now(), &clock, Mode::Auto))
        .expect("window opens");
    assert!(t.reason.contains("Mon-Fri 18:00-23:30"), "{}", t.reason);
    // Friday 23:30: the window closes; the hold still applies.
    clock.set_local(LocalTime::new(4, 23, 30));
    clock.advance(Duration::from_secs(30));
    assert_eq!(
        machine.step(clock.now(), &detector.poll(clock.now(), &clock, Mode::Auto)),
        None
    );
    clock.advance(Duration::from_secs(60));
    assert_eq!(
        machine
            .step(clock.now(), &detector.poll(clock.now(), &clock, Mode::Auto))
            .map(|t| t.to),
        Some(State::Idle)
    );
    // Sunday 01:00 is still Saturday's window (crosses midnight) but `off` wins.
    clock.set_local(LocalTime::new(6, 1, 0));
    assert_eq!(
        machine.step(clock.now(), &detector.poll(clock.now(), &clock, Mode::Off)),
        None
    );
    assert_eq!(
        machine
            .step(clock.now(), &detector.poll(clock.now(), &clock, Mode::Auto))
            .map(|t| t.to),
        Some(State::Gaming)
    );
}

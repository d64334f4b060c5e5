//! The gaming state machine: signals in, `Idle`/`Gaming` out, with a minimum duration for
//! weak signals and a hold (hysteresis) before leaving `Gaming`, so an alt-tab, a loading
//! screen or a launcher restarting the game does not flap the node.

use crate::mode::Mode;
use std::time::{Duration, Instant};

/// What detection sees at one poll.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signals {
    /// A game process (configured name or built-in marker), with its reason.
    pub process: Option<String>,
    /// A non-desktop NVIDIA graphics process while the GPU is busy (already debounced by
    /// [`crate::gpu::GpuSignal`]), with its reason.
    pub gpu: Option<String>,
    /// The schedule window now active.
    pub schedule: Option<String>,
    /// The manual override.
    pub mode: Mode,
}

impl Signals {
    /// Why detection says "gaming" now, if it does (manual `off` wins over everything).
    pub fn reason(&self) -> Option<String> {
        match self.mode {
            Mode::Off => None,
            Mode::On => Some("manual override: on".to_string()),
            Mode::Auto => self
                .process
                .clone()
                .or_else(|| self.gpu.clone())
                .or_else(|| self.schedule.as_ref().map(|w| format!("schedule {w}"))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Idle,
    Gaming,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Idle => "idle",
            State::Gaming => "gaming",
        }
    }
}

/// A change of state and its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub to: State,
    pub reason: String,
    /// When detection first saw the cause (the start of the latency the metrics report).
    pub detected_at: Instant,
}

#[derive(Debug)]
pub struct Machine {
    hold: Duration,
    state: State,
    /// Last poll at which detection said "gaming".
    last_active: Option<Instant>,
    reason: String,
}

impl Machine {
    pub fn new(hold: Duration) -> Machine {
        Machine {
            hold,
            state: State::Idle,
            last_active: None,
            reason: String::new(),
        }
    }

    /// Start in `Gaming` (a restart found the node tainted): work stays off the node until
    /// detection has been quiet for `hold` from now.
    pub fn resume_gaming(&mut self, now: Instant, reason: &str) {
        self.state = State::Gaming;
        self.last_active = Some(now);
        self.reason = reason.to_string();
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// When `Gaming` would end if nothing is detected any more.
    pub fn releases_at(&self) -> Option<Instant> {
        match self.state {
            State::Gaming => self.last_active.map(|t| t + self.hold),
            State::Idle => None,
        }
    }

    /// One poll.
    pub fn step(&mut self, now: Instant, signals: &Signals) -> Option<Transition> {
        let reason = signals.reason();
        if let Some(r) = &reason {
            self.last_active = Some(now);
            self.reason.clone_from(r);
        }
        match (self.state, reason) {
            (State::Idle, Some(reason)) => {
                self.state = State::Gaming;
                Some(Transition {
                    to: State::Gaming,
                    reason,
                    detected_at: now,
                })
            }
            (State::Gaming, None) => {
                let forced_off = signals.mode == Mode::Off;
                let quiet_for = self
                    .last_active
                    .map_or(Duration::MAX, |t| now.saturating_duration_since(t));
                if forced_off || quiet_for >= self.hold {
                    self.state = State::Idle;
                    self.last_active = None;
                    self.reason = if forced_off {
                        "manual override: off".to_string()
                    } else {
                        format!("no gaming for {}s", self.hold.as_secs())
                    };
                    Some(Transition {
                        to: State::Idle,
                        reason: self.reason.clone(),
                        detected_at: now,
                    })
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn game() -> Signals {
        Signals {
            process: Some("process `factorio`".into()),
            ..Signals::default()
        }
    }

    #[test]
    fn gaming_starts_at_once_and_ends_after_hold() {
        let t0 = Instant::now();
        let s = |n: u64| t0 + Duration::from_secs(n);
        let mut m = Machine::new(Duration::from_secs(120));
        assert_eq!(m.step(s(0), &Signals::default()), None);
        let t = m.step(s(1), &game()).expect("starts");
        assert_eq!((t.to, t.detected_at), (State::Gaming, s(1)));
        assert_eq!(m.step(s(2), &game()), None);
        // The game quits for a launcher restart: nothing happens within hold.
        assert_eq!(m.step(s(3), &Signals::default()), None);
        assert_eq!(m.step(s(60), &game()), None);
        assert_eq!(m.step(s(179), &Signals::default()), None);
        let t = m.step(s(180), &Signals::default()).expect("ends");
        assert_eq!(t.to, State::Idle);
        assert_eq!(m.state(), State::Idle);
    }

    #[test]
    fn manual_override_wins() {
        let t0 = Instant::now();
        let mut m = Machine::new(Duration::from_secs(120));
        let on = Signals {
            mode: Mode::On,
            ..Signals::default()
        };
        assert_eq!(m.step(t0, &on).map(|t| t.to), Some(State::Gaming));
        let off = Signals {
            mode: Mode::Off,
            ..game()
        };
        let t = m
            .step(t0 + Duration::from_secs(1), &off)
            .expect("off ends gaming at once");
        assert_eq!(
            (t.to, t.reason.as_str()),
            (State::Idle, "manual override: off")
        );
        assert_eq!(
            m.step(t0 + Duration::from_secs(2), &off),
            None,
            "off ignores the game"
        );
    }

    #[test]
    fn resume_after_restart_holds_from_now() {
        let t0 = Instant::now();
        let mut m = Machine::new(Duration::from_secs(10));
        m.resume_gaming(t0, "node was tainted");
        assert_eq!(
            m.step(t0 + Duration::from_secs(9), &Signals::default()),
            None
        );
        assert!(m
            .step(t0 + Duration::from_secs(10), &Signals::default())
            .is_some());
    }
}

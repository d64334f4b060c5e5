//! `gaming.schedule`: windows such as `Mon-Fri 18:00-23:30` or `Sat-Sun 10:00-02:00` in local
//! time. A window whose end is not after its start crosses midnight and belongs to the day it
//! starts on (`Sat-Sun 10:00-02:00` covers Saturday 10:00 to Sunday 02:00 and Sunday 10:00 to
//! Monday 02:00). Without days (`18:00-23:30`) a window applies every day.

use std::fmt;

const MINUTES_PER_DAY: u32 = 24 * 60;

/// A local moment: weekday (0 = Monday) and minute of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub weekday: u8,
    pub minute: u32,
}

impl LocalTime {
    /// `weekday` 0 = Monday; `hour` 0..24, `minute` 0..60.
    pub fn new(weekday: u8, hour: u32, minute: u32) -> LocalTime {
        LocalTime {
            weekday: weekday % 7,
            minute: hour * 60 + minute,
        }
    }
}

/// One window: the days it starts on (bit 0 = Monday) and its start and end minute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    days: u8,
    start: u32,
    end: u32,
    text: String,
}

/// All windows of a node; active when any window is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    windows: Vec<Window>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("gaming.schedule `{text}`: {reason} (expected e.g. `Mon-Fri 18:00-23:30`)")]
pub struct ScheduleError {
    pub text: String,
    pub reason: String,
}

impl Schedule {
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Schedule, ScheduleError> {
        let windows = entries
            .iter()
            .map(|e| Window::parse(e.as_ref()))
            .collect::<Result<_, _>>()?;
        Ok(Schedule { windows })
    }

    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }

    /// The window covering `t`, if any.
    pub fn active(&self, t: LocalTime) -> Option<&str> {
        self.windows
            .iter()
            .find(|w| w.covers(t))
            .map(|w| w.text.as_str())
    }
}

impl Window {
    fn parse(text: &str) -> Result<Window, ScheduleError> {
        let err = |reason: &str| ScheduleError {
            text: text.to_string(),
            reason: reason.to_string(),
        };
        let parts: Vec<&str> = text.split_whitespace().collect();
        let (days, times) = match parts.as_slice() {
            [times] => (0b111_1111, *times),
            [days, times] => (parse_days(days).map_err(|r| err(&r))?, *times),
            _ => return Err(err("expected `DAYS HH:MM-HH:MM`")),
        };
        let (start, end) = times
            .split_once('-')
            .ok_or_else(|| err("the time range needs a `-` between start and end"))?;
        let start = parse_clock(start).map_err(|r| err(&r))?;
        let end = parse_clock(end).map_err(|r| err(&r))?;
        if start == end {
            return Err(err("start and end are the same time"));
        }
        Ok(Window {
            days,
            start,
            end,
            text: text.to_string(),
        })
    }

    fn starts_on(&self, weekday: u8) -> bool {
        self.days & (1 << (weekday % 7)) != 0
    }

    fn covers(&self, t: LocalTime) -> bool {
        if self.start < self.end {
            self.starts_on(t.weekday) && t.minute >= self.start && t.minute < self.end
        } else {
            // Crosses midnight: the evening part today, the morning part from yesterday's start.
            (self.starts_on(t.weekday) && t.minute >= self.start)
                || (self.starts_on((t.weekday + 6) % 7) && t.minute < self.end)
        }
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let texts: Vec<&str> = self.windows.iter().map(|w| w.text.as_str()).collect();
        f.write_str(&texts.join(", "))
    }
}

/// `Mon`, `monday`, `Tues`: at least three letters of an English day name.
fn day_index(name: &str) -> Result<u8, String> {
    const FULL: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let lower = name.to_ascii_lowercase();
    FULL.iter()
        .position(|f| lower.len() >= 3 && f.starts_with(&lower))
        .map(|i| i as u8)
        .ok_or_else(|| format!("`{name}` is not a day (Mon, Tue, Wed, Thu, Fri, Sat, Sun)"))
}

/// `Mon-Fri`, `Sat,Sun`, `Fri-Mon` (wraps), `Wed`.
fn parse_days(text: &str) -> Result<u8, String> {
    let mut mask = 0u8;
    for part in text.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day_index(a)?, day_index(b)?);
                let mut d = a;
                loop {
                    mask |= 1 << d;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => mask |= 1 << day_index(part)?,
        }
    }
    Ok(mask)
}

/// `HH:MM`, 00:00..24:00.
fn parse_clock(text: &str) -> Result<u32, String> {
    let bad = || format!("`{text}` is not a time of day (HH:MM)");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let h: u32 = h.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok((h * 60 + m) % MINUTES_PER_DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MON: u8 = 0;
    const FRI: u8 = 4;
    const SAT: u8 = 5;
    const SUN: u8 = 6;

    fn s(entries: &[&str]) -> Schedule {
        Schedule::parse(entries).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn weekday_evening_window() {
        let sch = s(&["Mon-Fri 18:00-23:30"]);
        assert!(sch.active(LocalTime::new(MON, 18, 0)).is_some());
        assert!(sch.active(LocalTime::new(FRI, 23, 29)).is_some());
        assert!(sch.active(LocalTime::new(FRI, 23, 30)).is_none());
        assert!(sch.active(LocalTime::new(MON, 17, 59)).is_none());
        assert!(sch.active(LocalTime::new(SAT, 19, 0)).is_none());
    }

    #[test]
    fn window_crossing_midnight_belongs_to_its_start_day() {
        let sch = s(&["Sat-Sun 10:00-02:00"]);
        assert!(sch.active(LocalTime::new(SAT, 10, 0)).is_some());
        assert!(
            sch.active(LocalTime::new(SUN, 1, 59)).is_some(),
            "Saturday night"
        );
        assert!(
            sch.active(LocalTime::new(MON, 1, 0)).is_some(),
            "Sunday night"
        );
        assert!(sch.active(LocalTime::new(MON, 2, 0)).is_none());
        assert!(
            sch.active(LocalTime::new(SAT, 1, 0)).is_none(),
            "Friday is not in the window"
        );
        assert!(sch.active(LocalTime::new(SUN, 5, 0)).is_none());
    }

    #[test]
    fn daily_lists_and_wrapping_ranges() {
        assert!(s(&["22:00-23:00"])
            .active(LocalTime::new(3, 22, 30))
            .is_some());
        let sch = s(&["Fri-Mon 20:00-21:00", "Wed 12:00-13:00"]);
        assert!(sch.active(LocalTime::new(SUN, 20, 30)).is_some());
        assert!(sch.active(LocalTime::new(2, 12, 30)).is_some());
        assert!(sch.active(LocalTime::new(1, 20, 30)).is_none());
        assert!(s(&["sat,sun 08:00-24:00"])
            .active(LocalTime::new(SUN, 23, 59))
            .is_some());
    }

    #[test]
    fn bad_entries_say_what_is_wrong() {
        for bad in [
            "Mon-Fri",
            "Mon-Fry 18:00-19:00",
            "Mon 25:00-26:00",
            "Mon 18:00-18:00",
            "Mon 18-19",
            "a b c",
        ] {
            let e = Schedule::parse(&[bad]).expect_err(bad);
            assert!(e.to_string().contains(bad), "{e}");
        }
    }
}

//! The NVML signal: a graphics process that is not the desktop itself (Xorg, a compositor,
//! a browser) while the GPU is busy. Utilisation alone is not enough (the node's own
//! transcodes use the GPU, as compute), and a graphics process alone is not either (every
//! desktop has one). Utilisation uses hysteresis (on at `high`, off below `low`) and must
//! stay high for `sustain` before it counts.

use std::time::{Duration, Instant};

/// Process names that hold a graphics context on any desktop; never a game.
pub const DESKTOP_PROCESSES: &[&str] = &[
    "Xorg",
    "Xwayland",
    "X",
    "gnome-shell",
    "kwin_x11",
    "kwin_wayland",
    "plasmashell",
    "mutter",
    "sway",
    "Hyprland",
    "weston",
    "xfwm4",
    "cinnamon",
    "picom",
    "compiz",
    "firefox",
    "firefox-bin",
    "chrome",
    "chromium",
    "Discord",
    "steamwebhelper",
    "steam",
    "code",
    "electron",
    "obs",
];

/// One NVML reading.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GpuSample {
    /// Highest utilisation (percent) over the node's GPUs.
    pub utilization: u32,
    /// Graphics processes with their names (resolved through `/proc`).
    pub graphics: Vec<(u32, String)>,
}

#[derive(Debug)]
pub struct GpuSignal {
    high: u32,
    low: u32,
    sustain: Duration,
    busy_since: Option<Instant>,
    busy: bool,
}

impl Default for GpuSignal {
    fn default() -> Self {
        GpuSignal::new(50, 15, Duration::from_secs(3))
    }
}

impl GpuSignal {
    pub fn new(high: u32, low: u32, sustain: Duration) -> GpuSignal {
        GpuSignal {
            high,
            low,
            sustain,
            busy_since: None,
            busy: false,
        }
    }

    /// The reason to count as gaming, if this sample (and the ones before) give one.
    pub fn update(&mut self, now: Instant, sample: &GpuSample) -> Option<String> {
        if sample.utilization >= self.high {
            let since = *self.busy_since.get_or_insert(now);
            if now.saturating_duration_since(since) >= self.sustain {
                self.busy = true;
            }
        } else if sample.utilization < self.low {
            self.busy_since = None;
            self.busy = false;
        }
        if !self.busy {
            return None;
        }
        sample
            .graphics
            .iter()
            .find(|(_, name)| !DESKTOP_PROCESSES.contains(&name.as_str()))
            .map(|(pid, name)| {
                format!(
                    "NVIDIA graphics process `{name}` (pid {pid}) at {}% GPU",
                    sample.utilization
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_a_non_desktop_graphics_process_and_sustained_load() {
        let t0 = Instant::now();
        let s = |n: u64| t0 + Duration::from_secs(n);
        let mut g = GpuSignal::default();
        let game = |u| GpuSample {
            utilization: u,
            graphics: vec![(10, "Xorg".into()), (42, "hl2_linux".into())],
        };
        let desktop = GpuSample {
            utilization: 99,
            graphics: vec![(10, "Xorg".into())],
        };
        assert_eq!(g.update(s(0), &game(90)), None, "not sustained yet");
        assert_eq!(g.update(s(2), &game(90)), None);
        assert!(g.update(s(3), &game(90)).is_some());
        assert!(
            g.update(s(4), &game(30)).is_some(),
            "hysteresis: between low and high stays on"
        );
        assert_eq!(
            g.update(s(5), &desktop),
            None,
            "the desktop alone is not a game"
        );
        assert_eq!(g.update(s(6), &game(5)), None, "below low: off");
        assert_eq!(g.update(s(7), &game(90)), None, "sustain starts again");
    }
}

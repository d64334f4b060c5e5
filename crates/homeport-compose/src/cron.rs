//! Checking a cron schedule the way a Kubernetes CronJob reads it (five fields or a macro),
//! so a schedule that would be rejected at apply time is a diagnostic at convert time.

/// Why `schedule` is not a valid CronJob schedule; `None` when it is.
pub fn cron_error(schedule: &str) -> Option<String> {
    let s = schedule.trim();
    if s.is_empty() {
        return Some("it is empty".into());
    }
    if s.starts_with("TZ=") || s.starts_with("CRON_TZ=") {
        return Some(
            "a time zone in the schedule is not supported by Kubernetes (use a UTC schedule)"
                .into(),
        );
    }
    if let Some(name) = s.strip_prefix('@') {
        const MACROS: [&str; 7] = [
            "yearly", "annually", "monthly", "weekly", "daily", "midnight", "hourly",
        ];
        return (!MACROS.contains(&name)).then(|| {
            format!("`@{name}` is not a schedule macro (use @hourly, @daily, @weekly, @monthly or @yearly)")
        });
    }
    let fields: Vec<&str> = s.split_whitespace().collect();
    if fields.len() != 5 {
        return Some(format!(
            "it has {} fields; a schedule has five (minute hour day-of-month month day-of-week)",
            fields.len()
        ));
    }
    const MONTHS: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    let specs: [(&str, u32, u32, &[&str], u32); 5] = [
        ("minute", 0, 59, &[], 0),
        ("hour", 0, 23, &[], 0),
        ("day of month", 1, 31, &[], 0),
        ("month", 1, 12, &MONTHS, 1),
        ("day of week", 0, 7, &DAYS, 0),
    ];
    for (field, (name, min, max, names, base)) in fields.iter().zip(specs) {
        if let Err(why) = check_field(field, min, max, names, base) {
            return Some(format!("the {name} field `{field}` {why}"));
        }
    }
    None
}

fn check_field(field: &str, min: u32, max: u32, names: &[&str], base: u32) -> Result<(), String> {
    let value = |v: &str| -> Result<u32, String> {
        if let Some(i) = names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
            return Ok(i as u32 + base);
        }
        let n: u32 = v
            .parse()
            .map_err(|_| format!("has `{v}`, which is not a number"))?;
        if n < min || n > max {
            return Err(format!("has {n}, outside {min}-{max}"));
        }
        Ok(n)
    };
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        if let Some(step) = step {
            let n: u32 = step
                .parse()
                .map_err(|_| format!("has the step `{step}`, which is not a number"))?;
            if n == 0 {
                return Err("has a step of 0".into());
            }
        }
        if range == "*" || range == "?" {
            continue;
        }
        match range.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (value(a)?, value(b)?);
                if a > b {
                    return Err(format!("has the range {a}-{b}, which runs backwards"));
                }
            }
            None => {
                value(range)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::cron_error;

    #[test]
    fn valid_and_invalid_schedules() {
        for ok in [
            "0 3 * * *",
            "*/15 * * * *",
            "0 0 1,15 * MON-FRI",
            "30 2 * JAN,JUL 0",
            "@daily",
            "0 0 ? * 7",
        ] {
            assert_eq!(cron_error(ok), None, "{ok}");
        }
        for bad in [
            "61 * * * *",
            "* * *",
            "0 24 * * *",
            "0 0 0 * *",
            "0 0 * 13 *",
            "*/0 * * * *",
            "5-1 * * * *",
            "@often",
            "0 x * * *",
            "CRON_TZ=UTC 0 3 * * *",
        ] {
            assert!(cron_error(bad).is_some(), "{bad}");
        }
    }
}

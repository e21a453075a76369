//! Calendar dates: reading them in the common written formats, and day numbers to compute with.
//!
//! A date is held as a **day number**: days since 1970-01-01 (negative before it), with the time
//! of day, when one is written, as a fraction of a day. Differences of day numbers are durations
//! in days, which is what a persona uses ("days as a customer", "days since the last order").
//!
//! ```
//! use personas::DateFormat;
//! assert_eq!(DateFormat::Ymd.parse("1970-01-02"), Some(1.0));
//! assert_eq!(DateFormat::Dmy.parse("02.01.1970 12:00"), Some(1.5));
//! assert_eq!(DateFormat::Mdy.parse("1/2/1970"), Some(1.0));
//! assert_eq!(DateFormat::YmdCompact.parse("19700102"), Some(1.0));
//! assert_eq!(DateFormat::Ymd.parse("1970-02-30"), None);
//! assert_eq!(personas::dates::iso(1.0), "1970-01-02");
//! ```

use serde::{Deserialize, Serialize};

/// How the day, month and year of a date are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateFormat {
    /// Year first: `2014-12-06` (also with `/` or `.` between the parts).
    Ymd,
    /// Day first: `06-12-2014`, `06/12/2014`, `06.12.2014`.
    Dmy,
    /// Month first (US): `12/06/2014`, `12-06-2014`.
    Mdy,
    /// Eight digits, year first: `20141206`.
    YmdCompact,
}

impl DateFormat {
    /// The format's name as written in schema JSON (`ymd`, `dmy`, `mdy`, `ymd_compact`).
    pub fn as_str(self) -> &'static str {
        match self {
            DateFormat::Ymd => "ymd",
            DateFormat::Dmy => "dmy",
            DateFormat::Mdy => "mdy",
            DateFormat::YmdCompact => "ymd_compact",
        }
    }

    /// The format as a pattern a person reads ("dd-mm-yyyy").
    pub fn pattern(self) -> &'static str {
        match self {
            DateFormat::Ymd => "yyyy-mm-dd",
            DateFormat::Dmy => "dd-mm-yyyy",
            DateFormat::Mdy => "mm/dd/yyyy",
            DateFormat::YmdCompact => "yyyymmdd",
        }
    }

    /// Reads a date (with an optional time ` HH:MM[:SS]` or `THH:MM[:SS]`, and an optional
    /// trailing `Z`) as a day number; `None` when the text is not a valid date in this format.
    pub fn parse(self, text: &str) -> Option<f64> {
        let text = text.trim();
        let (date, time) = split_time(text)?;
        let (y, m, d) = match self {
            DateFormat::YmdCompact => {
                if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                (
                    date[..4].parse().ok()?,
                    date[4..6].parse().ok()?,
                    date[6..].parse().ok()?,
                )
            }
            _ => {
                let [a, b, c] = three_parts(date)?;
                match self {
                    DateFormat::Ymd if a.len() == 4 => (a.parse().ok()?, month(b)?, day(c)?),
                    DateFormat::Dmy if c.len() == 4 => (c.parse().ok()?, month(b)?, day(a)?),
                    DateFormat::Mdy if c.len() == 4 => (c.parse().ok()?, month(a)?, day(b)?),
                    _ => return None,
                }
            }
        };
        Some(day_number(y, m, d)? as f64 + time)
    }
}

fn month(text: &str) -> Option<u32> {
    (1..=2)
        .contains(&text.len())
        .then(|| text.parse().ok())
        .flatten()
}

fn day(text: &str) -> Option<u32> {
    month(text)
}

/// Splits `date`, `date time` or `dateTtime` and reads the time as a fraction of a day.
fn split_time(text: &str) -> Option<(&str, f64)> {
    let text = text.strip_suffix('Z').unwrap_or(text);
    let cut = text.find([' ', 'T']);
    let Some(cut) = cut else {
        return Some((text, 0.0));
    };
    let (date, rest) = (&text[..cut], text[cut + 1..].trim());
    let parts: Vec<&str> = rest.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let number = |s: &str, max: f64| -> Option<f64> {
        let digits = s.split('.').next()?;
        if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse::<f64>().ok().filter(|x| *x < max)
    };
    let h = number(parts[0], 24.0)?;
    let m = number(parts[1], 60.0)?;
    let s = match parts.get(2) {
        Some(s) => number(s, 61.0)?,
        None => 0.0,
    };
    Some((date, (h * 3600.0 + m * 60.0 + s) / 86_400.0))
}

/// The three digit groups of a date written with `-`, `/` or `.` between them.
fn three_parts(date: &str) -> Option<[&str; 3]> {
    let separator = date.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let mut parts = date.split(separator);
    let out = [parts.next()?, parts.next()?, parts.next()?];
    if parts.next().is_some()
        || out
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some(out)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given civil date; `None` for an impossible date or a year
/// outside 1000..=9999.
pub fn day_number(y: i64, m: u32, d: u32) -> Option<i64> {
    if !(1000..=9999).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    // Count in a calendar whose year starts in March, so the leap day falls last.
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * i64::from(m) + 2) / 5 + i64::from(d) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some(era * 146_097 + day_of_era - 719_468)
}

/// The civil date `(year, month, day)` of a day number (its fraction, a time, is dropped).
pub fn civil(day: f64) -> (i64, u32, u32) {
    let z = day.floor() as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let d = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = year_of_era + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A day number written as an ISO date, `yyyy-mm-dd`.
pub fn iso(day: f64) -> String {
    let (y, m, d) = civil(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The format that reads every one of `cells`, deciding day-first against month-first from the
/// values (a first part above 12 means day-first; a second part above 12, month-first). When
/// both read every cell, day-first wins only if some value proves it; otherwise month-first
/// and day-first are ambiguous and `Dmy` is returned with `ambiguous = true`.
// Schema inference (rewritten on another branch) is the caller.
#[allow(dead_code)]
pub(crate) fn detect(cells: &[&str]) -> Option<(DateFormat, bool)> {
    if cells.is_empty() {
        return None;
    }
    // Eight-digit numbers are dates only when every one of them is a valid date.
    if cells
        .iter()
        .all(|c| DateFormat::YmdCompact.parse(c).is_some())
    {
        return Some((DateFormat::YmdCompact, false));
    }
    if cells.iter().all(|c| DateFormat::Ymd.parse(c).is_some()) {
        return Some((DateFormat::Ymd, false));
    }
    let dmy = cells.iter().all(|c| DateFormat::Dmy.parse(c).is_some());
    let mdy = cells.iter().all(|c| DateFormat::Mdy.parse(c).is_some());
    match (dmy, mdy) {
        (true, false) => Some((DateFormat::Dmy, false)),
        (false, true) => Some((DateFormat::Mdy, false)),
        (true, true) => {
            // Both read every cell: every first and second part is at most 12.
            Some((DateFormat::Dmy, true))
        }
        (false, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip_across_leap_years_and_centuries() {
        for (y, m, d) in [
            (1970, 1, 1),
            (2000, 2, 29),
            (1900, 3, 1),
            (2024, 12, 31),
            (1969, 12, 31),
            (1600, 2, 29),
        ] {
            let n = day_number(y, m, d).unwrap();
            assert_eq!(civil(n as f64), (y, m, d));
        }
        assert_eq!(day_number(1970, 1, 1), Some(0));
        assert_eq!(
            day_number(2000, 3, 1).unwrap() - day_number(2000, 2, 28).unwrap(),
            2
        );
        assert_eq!(
            day_number(1900, 3, 1).unwrap() - day_number(1900, 2, 28).unwrap(),
            1
        );
        assert_eq!(day_number(1900, 2, 29), None);
        assert_eq!(day_number(2023, 4, 31), None);
        // Every day from 1899 to 2101 follows the one before.
        let mut prev = day_number(1899, 1, 1).unwrap();
        for y in 1899..=2101 {
            for m in 1..=12 {
                for d in 1..=days_in_month(y, m) {
                    let n = day_number(y, m, d).unwrap();
                    if (y, m, d) != (1899, 1, 1) {
                        assert_eq!(n, prev + 1);
                    }
                    prev = n;
                }
            }
        }
    }

    #[test]
    fn formats_read_their_own_layout_only() {
        let day = day_number(2014, 12, 6).unwrap() as f64;
        assert_eq!(DateFormat::Ymd.parse("2014-12-06"), Some(day));
        assert_eq!(DateFormat::Ymd.parse("2014/12/6"), Some(day));
        assert_eq!(DateFormat::Dmy.parse("06-12-2014"), Some(day));
        assert_eq!(DateFormat::Dmy.parse("6/12/2014"), Some(day));
        assert_eq!(DateFormat::Mdy.parse("12/06/2014"), Some(day));
        assert_eq!(DateFormat::YmdCompact.parse("20141206"), Some(day));
        assert_eq!(
            DateFormat::Ymd.parse("2014-12-06T18:00:00Z"),
            Some(day + 0.75)
        );
        assert_eq!(DateFormat::Ymd.parse("06-12-2014"), None);
        assert_eq!(DateFormat::Dmy.parse("2014-12-06"), None);
        assert_eq!(DateFormat::Ymd.parse("2014-12-06 25:00"), None);
        assert_eq!(DateFormat::Ymd.parse("2014-12"), None);
        assert_eq!(DateFormat::YmdCompact.parse("2014120"), None);
        assert_eq!(DateFormat::Ymd.parse(""), None);
    }

    #[test]
    fn detection_uses_the_values_to_tell_day_first_from_month_first() {
        assert_eq!(
            detect(&["2014-12-06", "2013-01-31"]),
            Some((DateFormat::Ymd, false))
        );
        assert_eq!(
            detect(&["13/01/2014", "01/02/2014"]),
            Some((DateFormat::Dmy, false))
        );
        assert_eq!(
            detect(&["01/13/2014", "01/02/2014"]),
            Some((DateFormat::Mdy, false))
        );
        assert_eq!(
            detect(&["01/02/2014", "03/04/2014"]),
            Some((DateFormat::Dmy, true))
        );
        assert_eq!(
            detect(&["19970101", "19971231"]),
            Some((DateFormat::YmdCompact, false))
        );
        assert_eq!(detect(&["12345678"]), None);
        assert_eq!(detect(&["hello"]), None);
        assert_eq!(detect(&[]), None);
    }
}

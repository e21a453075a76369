//! Persona names: an alliterative descriptor and first name ("Deal-Hunting Dana"), or a job
//! title and first name ("Marketing Manager Maria"). First names are data (`names.json`).

use std::collections::HashSet;

use serde::Deserialize;

use super::catalogue::match_words;
use crate::profile::{SegmentProfile, Summary};

/// The gender a first name (or a segment) is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Gender {
    Female,
    Male,
}

/// A first name and, for bundled names, its gender (`None`: fits any segment).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct FirstName {
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) gender: Option<Gender>,
}

impl FirstName {
    /// A first name without a gender (user-supplied names).
    pub(crate) fn any(name: String) -> Self {
        FirstName { name, gender: None }
    }
}

#[derive(Deserialize)]
struct NameFile {
    first_names: Vec<FirstName>,
}

const BUILTIN: &str = include_str!("names.json");

/// The bundled first names with their gender, in the order they are tried.
pub(crate) fn builtin_first_names() -> Vec<FirstName> {
    // The bundled file is checked by a unit test, so failing to parse it is a build defect.
    serde_json::from_str::<NameFile>(BUILTIN)
        .map(|f| f.first_names)
        .unwrap_or_default()
}

/// Words that name a gender attribute ("genre" is a common mistranslation of gender).
const GENDER_ATTRIBUTE_WORDS: &[&str] = &["gender", "sex", "genre"];
const FEMALE_LEVELS: &[&str] = &["female", "f", "woman", "women", "feminine", "girl"];
const MALE_LEVELS: &[&str] = &["male", "m", "man", "men", "masculine", "boy"];

/// The share of a segment one gender must reach for the persona's first name to follow it.
pub(crate) const GENDER_SHARE: f64 = 0.7;

fn gender_of_level(level: &str) -> Option<Gender> {
    let level = level.trim().to_lowercase();
    if FEMALE_LEVELS.contains(&level.as_str()) {
        Some(Gender::Female)
    } else if MALE_LEVELS.contains(&level.as_str()) {
        Some(Gender::Male)
    } else {
        None
    }
}

/// The gender of a segment: on the first attribute named like a gender (`gender`, `sex`,
/// `genre`) whose levels read as female or male, the most common level when it holds at least
/// [`GENDER_SHARE`] of the segment's known values; also a boolean named `female` or `male`
/// (`is_male`) true or false for that share. `None` when there is no such attribute or no gender
/// dominates.
pub(crate) fn segment_gender(segment: &SegmentProfile) -> Option<Gender> {
    segment.attributes.iter().find_map(|a| {
        let Summary::Levels { shares, known } = &a.segment else {
            return None;
        };
        if *known == 0 {
            return None;
        }
        let words = match_words(&[&a.attribute]);
        let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
        if a.kind == "boolean" {
            let flag = if has(&["female"]) {
                Gender::Female
            } else if has(&["male"]) {
                Gender::Male
            } else {
                return None;
            };
            let yes = shares
                .iter()
                .find(|s| s.level == "true")
                .map_or(0.0, |s| s.share);
            let other = match flag {
                Gender::Female => Gender::Male,
                Gender::Male => Gender::Female,
            };
            return if yes >= GENDER_SHARE {
                Some(flag)
            } else if 1.0 - yes >= GENDER_SHARE {
                Some(other)
            } else {
                None
            };
        }
        if !has(GENDER_ATTRIBUTE_WORDS)
            || !shares.iter().any(|s| gender_of_level(&s.level).is_some())
        {
            return None;
        }
        let top = shares.iter().filter(|s| s.count > 0).max_by(|x, y| {
            x.share
                .total_cmp(&y.share)
                .then_with(|| y.level.cmp(&x.level))
        })?;
        if top.share >= GENDER_SHARE {
            gender_of_level(&top.level)
        } else {
            None
        }
    })
}

/// Hands out names that are unique within one run, deterministically.
pub(crate) struct Namer<'a> {
    first_names: &'a [FirstName],
    used_first: HashSet<&'a str>,
    used_full: HashSet<String>,
}

impl<'a> Namer<'a> {
    pub(crate) fn new(first_names: &'a [FirstName]) -> Self {
        Namer {
            first_names,
            used_first: HashSet::new(),
            used_full: HashSet::new(),
        }
    }

    /// "{prefix} {first name}", the first name starting with the prefix's initial where one is
    /// left, else any unused first name; a number is appended if even the full name repeats.
    ///
    /// With a `gender`, only names of that gender or of none are used (when the list has any
    /// such name), names of that gender first: a mostly male segment is never called Maria.
    pub(crate) fn name(&mut self, prefix: &str, gender: Option<Gender>) -> String {
        let initial = prefix.chars().next().map(|c| c.to_ascii_lowercase());
        let starts =
            |n: &FirstName| n.name.chars().next().map(|c| c.to_ascii_lowercase()) == initial;
        let fits = |n: &FirstName| gender.is_none() || n.gender.is_none() || n.gender == gender;
        let exact = |n: &FirstName| n.gender == gender;
        let pool: Vec<&'a FirstName> = if self.first_names.iter().any(fits) {
            self.first_names.iter().filter(|n| fits(n)).collect()
        } else {
            self.first_names.iter().collect()
        };
        let unused = |n: &&&'a FirstName| !self.used_first.contains(n.name.as_str());
        let first = pool
            .iter()
            .filter(|n| exact(n) && starts(n))
            .find(unused)
            .or_else(|| pool.iter().filter(|n| starts(n)).find(unused))
            .or_else(|| pool.iter().filter(|n| exact(n)).find(unused))
            .or_else(|| pool.iter().find(unused))
            // Every name used: reuse one (alliterative if possible); the number below keeps the
            // full name unique.
            .or_else(|| pool.iter().find(|n| starts(n)))
            .or_else(|| pool.first())
            .map_or("Persona", |n| n.name.as_str());
        self.used_first.insert(first);
        let mut name = format!("{prefix} {first}");
        let mut n = 2;
        while !self.used_full.insert(name.clone()) {
            name = format!("{prefix} {first} {n}");
            n += 1;
        }
        name
    }
}

/// Title-cases words: "fiber optic" -> "Fiber Optic"; keeps existing capitals.
pub(crate) fn title_case(text: &str) -> String {
    text.split_whitespace()
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_alliterate_and_stay_unique() {
        let names = builtin_first_names();
        assert!(names.len() >= 80);
        let mut namer = Namer::new(&names);
        assert_eq!(namer.name("Deal-Hunting", None), "Deal-Hunting Dana");
        assert_eq!(namer.name("Deal-Hunting", None), "Deal-Hunting David");
        assert_eq!(namer.name("Premium", None), "Premium Paula");
        assert_eq!(
            namer.name("Marketing Manager", None),
            "Marketing Manager Maria"
        );
        let few = vec![FirstName::any("Ann".into())];
        let mut namer = Namer::new(&few);
        assert_eq!(namer.name("Busy", None), "Busy Ann");
        assert_eq!(namer.name("Busy", None), "Busy Ann 2");
        // Names without a gender are used for any segment.
        assert_eq!(namer.name("Busy", Some(Gender::Male)), "Busy Ann 3");
    }

    #[test]
    fn gendered_segments_get_names_of_their_gender() {
        let names = builtin_first_names();
        let gender_of = |full: &str| {
            let first = full.rsplit(' ').next().unwrap_or_default();
            names
                .iter()
                .find(|n| n.name == first)
                .and_then(|n| n.gender)
        };
        let mut namer = Namer::new(&names);
        for prefix in [
            "Big-Spending",
            "Typical",
            "Budget-Minded",
            "Big-Spending",
            "Quiet",
        ] {
            let male = namer.name(prefix, Some(Gender::Male));
            assert_ne!(gender_of(&male), Some(Gender::Female), "{male}");
            assert!(male.starts_with(prefix), "{male}");
            let female = namer.name(prefix, Some(Gender::Female));
            assert_ne!(gender_of(&female), Some(Gender::Male), "{female}");
        }
        // Every letter has a name of each gender, so gendered names stay alliterative.
        for letter in 'A'..='Z' {
            for g in [Gender::Female, Gender::Male] {
                assert!(
                    names
                        .iter()
                        .any(|n| n.gender == Some(g) && n.name.starts_with(letter)),
                    "{letter} {g:?}"
                );
            }
        }
        let mut namer = Namer::new(&names);
        assert_eq!(
            namer.name("Big-Spending", Some(Gender::Male)),
            "Big-Spending Ben"
        );
        assert_eq!(namer.name("Typical", Some(Gender::Female)), "Typical Tara");
    }

    #[test]
    fn title_case_keeps_capitals() {
        assert_eq!(title_case("fiber optic"), "Fiber Optic");
        assert_eq!(title_case("B2B buyer"), "B2B Buyer");
    }
}

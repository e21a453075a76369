//! Persona names: an alliterative descriptor and first name ("Deal-Hunting Dana"), or a job
//! title and first name ("Marketing Manager Maria"). First names are data (`names.json`).

use std::collections::HashSet;

use serde::Deserialize;

#[derive(Deserialize)]
struct NameFile {
    first_names: Vec<String>,
}

const BUILTIN: &str = include_str!("names.json");

/// The bundled first names, in the order they are tried.
pub(crate) fn builtin_first_names() -> Vec<String> {
    // The bundled file is checked by a unit test, so failing to parse it is a build defect.
    serde_json::from_str::<NameFile>(BUILTIN)
        .map(|f| f.first_names)
        .unwrap_or_default()
}

/// Hands out names that are unique within one run, deterministically.
pub(crate) struct Namer<'a> {
    first_names: &'a [String],
    used_first: HashSet<&'a str>,
    used_full: HashSet<String>,
}

impl<'a> Namer<'a> {
    pub(crate) fn new(first_names: &'a [String]) -> Self {
        Namer {
            first_names,
            used_first: HashSet::new(),
            used_full: HashSet::new(),
        }
    }

    /// "{prefix} {first name}", the first name starting with the prefix's initial where one is
    /// left, else any unused first name; a number is appended if even the full name repeats.
    pub(crate) fn name(&mut self, prefix: &str) -> String {
        let initial = prefix.chars().next().map(|c| c.to_ascii_lowercase());
        let starts = |n: &&String| n.chars().next().map(|c| c.to_ascii_lowercase()) == initial;
        let first = self
            .first_names
            .iter()
            .filter(starts)
            .find(|n| !self.used_first.contains(n.as_str()))
            .or_else(|| {
                self.first_names
                    .iter()
                    .find(|n| !self.used_first.contains(n.as_str()))
            })
            // Every name used: reuse one (alliterative if possible); the number below keeps the
            // full name unique.
            .or_else(|| self.first_names.iter().find(starts))
            .or_else(|| self.first_names.first())
            .map_or("Persona", String::as_str);
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
        assert_eq!(namer.name("Deal-Hunting"), "Deal-Hunting Dana");
        assert_eq!(namer.name("Deal-Hunting"), "Deal-Hunting David");
        assert_eq!(namer.name("Premium"), "Premium Paula");
        assert_eq!(namer.name("Marketing Manager"), "Marketing Manager Maria");
        let few = vec!["Ann".to_string()];
        let mut namer = Namer::new(&few);
        assert_eq!(namer.name("Busy"), "Busy Ann");
        assert_eq!(namer.name("Busy"), "Busy Ann 2");
    }

    #[test]
    fn title_case_keeps_capitals() {
        assert_eq!(title_case("fiber optic"), "Fiber Optic");
        assert_eq!(title_case("B2B buyer"), "B2B Buyer");
    }
}

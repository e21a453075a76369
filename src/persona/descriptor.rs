//! The descriptor of a persona's name when no rule gives one ("Married", "High-Fresh"): the
//! segment's strongest over-represented signal in words, a level made name-like by
//! [`level_name`], never an identity trait, a code only when nothing in words is left, and
//! "Typical"/"Mainstream" only for a segment with no distinctive signal at all. No descriptor is
//! given to two personas of one set while another is left.

use super::naming::title_case;
use super::sections::Signal;
use crate::infer::vocab::is_identity_name;
use crate::profile::{Difference, SegmentProfile};
use crate::schema::Role;
use crate::text::{is_code_level, is_code_like, words};

/// The most words of a level kept in a name ("Month-to-Month" keeps its "to"; it counts the
/// words that say something).
const MAX_LEVEL_WORDS: usize = 2;

/// The longest descriptor made from a level, in characters.
const MAX_LEVEL_CHARS: usize = 24;

/// Words that join others ("Not-in-Family", "Month-to-Month"): kept inside a name, never at its
/// end, and not counted against [`MAX_LEVEL_WORDS`].
const JOINING_WORDS: &[&str] = &[
    "a", "an", "and", "or", "of", "in", "on", "at", "to", "for", "with", "by", "the", "not", "no",
    "non", "per", "vs", "from", "than",
];

/// Words of three letters or fewer that are words, not abbreviations ("Own-child").
const SHORT_WORDS: &[&str] = &[
    "own", "new", "old", "big", "top", "key", "low", "high", "one", "two", "six", "ten", "day",
    "web", "car", "pet", "art", "app", "pro", "yes", "all", "any", "far", "net", "kid", "man",
    "men", "son", "fit", "eco", "bus", "air", "sea", "tax", "job", "pay", "raw", "hot", "dry",
    "wet", "fun", "mid", "max", "min", "go", "up", "ok",
];

/// Abbreviations common in coded levels ("Self-emp", "Exec-managerial"), spelled out.
const LEVEL_ABBREVIATIONS: &[(&str, &str)] = &[
    ("emp", "employed"),
    ("gov", "government"),
    ("govt", "government"),
    ("mgr", "manager"),
    ("mgmt", "management"),
    ("adm", "admin"),
    ("dept", "department"),
    ("svc", "service"),
    ("serv", "service"),
    ("exec", "executive"),
    ("prof", "professional"),
    ("assoc", "associate"),
    ("priv", "private"),
    ("intl", "international"),
    ("natl", "national"),
    ("cust", "customer"),
    ("acct", "account"),
];

/// One word of a level, as written, after spelling out an abbreviation.
struct Token {
    text: String,
    /// Joins other words ("to", "not"): see [`JOINING_WORDS`].
    joining: bool,
    /// Too short to read on its own and not a known word or acronym ("civ", "op").
    abbreviation: bool,
    /// Has letters and no digits (so "11th" and "B2B" do not count as words).
    word: bool,
}

impl Token {
    fn new(raw: &str) -> Token {
        let lower = raw.to_lowercase();
        let text = LEVEL_ABBREVIATIONS
            .iter()
            .find(|(a, _)| *a == lower)
            .map_or_else(|| raw.to_string(), |(_, full)| full.to_string());
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        let digits = text.chars().any(|c| c.is_ascii_digit());
        let acronym = letters > 0 && text.chars().all(|c| !c.is_lowercase()) && letters <= 4;
        let lower = text.to_lowercase();
        let joining = JOINING_WORDS.contains(&lower.as_str());
        Token {
            abbreviation: !digits
                && !joining
                && !acronym
                && letters <= 3
                && !SHORT_WORDS.contains(&lower.as_str()),
            word: letters >= 2 && !digits,
            joining,
            text,
        }
    }

    /// The word in a name: an acronym as written ("DSL"), a joining word in lower case, any
    /// other word capitalised ("MARRIED" and "married" -> "Married").
    fn display(&self, first: bool) -> String {
        let letters = self.text.chars().filter(|c| c.is_alphabetic()).count();
        let shouting = self.text.chars().all(|c| !c.is_lowercase());
        if shouting && letters <= 4 {
            return self.text.clone();
        }
        if self.joining && !first {
            return self.text.to_lowercase();
        }
        let rest = if shouting {
            self.text.to_lowercase()
        } else {
            self.text.clone()
        };
        title_case(&rest.chars().take(1).collect::<String>())
            + &rest.chars().skip(1).collect::<String>()
    }
}

/// Splits a level into words at spaces, hyphens, underscores, slashes and other punctuation, and
/// at lower-to-upper case changes (`monthToMonth`), keeping the case as written; text in
/// brackets ("Bank transfer (automatic)") is left out.
fn split_level(level: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut prev: Option<char> = None;
    for ch in level.chars() {
        match ch {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        let inside = depth > 0 || matches!(ch, ')' | ']' | '}');
        let part = ch.is_alphanumeric() && !inside;
        let boundary = part && ch.is_uppercase() && prev.is_some_and(char::is_lowercase);
        if (!part || boundary) && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        if part {
            current.push(ch);
        }
        prev = Some(ch);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The first words of a level, up to [`MAX_LEVEL_WORDS`] that say something; with
/// `skip_abbreviations`, leading abbreviations are skipped and the first one after a kept word
/// ends the list.
fn leading_words(tokens: &[Token], skip_abbreviations: bool) -> Vec<&Token> {
    let mut kept: Vec<&Token> = Vec::new();
    let mut said = 0;
    for token in tokens {
        if skip_abbreviations && token.abbreviation {
            if said > 0 {
                break;
            }
            continue;
        }
        if said == MAX_LEVEL_WORDS && !token.joining {
            break;
        }
        if !token.joining {
            said += 1;
        }
        kept.push(token);
    }
    kept
}

/// A level made name-like: split at case changes and punctuation (snake, kebab, camel case),
/// bracketed text left out, common abbreviations spelled out, cut before the first word that is
/// an unknown abbreviation once a word is kept, at most two words that say something (joining
/// words such as "to" between them kept) and 24 characters, Title Case joined by hyphens:
/// `Married-civ-spouse` -> `Married`, `Self-emp-not-inc` -> `Self-Employed`, `month_to_month` ->
/// `Month-to-Month`, `Bank transfer (automatic)` -> `Bank-Transfer`. `None` for a level with no
/// word in it (`1`, `>50K`, `7th-8th`).
pub(crate) fn level_name(level: &str) -> Option<String> {
    let tokens: Vec<Token> = split_level(level).iter().map(|t| Token::new(t)).collect();
    let mut kept = leading_words(&tokens, true);
    if !kept.iter().any(|t| !t.joining) {
        // Only short words ("Red", "Gym"): they are the level's words, not abbreviations.
        kept = leading_words(&tokens, false);
    }
    let trim = |kept: &mut Vec<&Token>| {
        while kept.last().is_some_and(|t| t.joining) && kept.len() > 1 {
            kept.pop();
        }
    };
    trim(&mut kept);
    if !kept.iter().any(|t| t.word && !t.joining) {
        return None;
    }
    let join = |kept: &[&Token]| {
        kept.iter()
            .enumerate()
            .map(|(i, t)| t.display(i == 0))
            .collect::<Vec<_>>()
            .join("-")
    };
    while kept.len() > 1 && join(&kept).chars().count() > MAX_LEVEL_CHARS {
        kept.pop();
        trim(&mut kept);
    }
    Some(join(&kept).chars().take(MAX_LEVEL_CHARS).collect())
}

/// Whether a level difference is on a number or code ("Channel = 1", a zip code's level).
pub(crate) fn is_code_signal(segment: &SegmentProfile, d: &Difference) -> bool {
    d.level.as_deref().is_some_and(|level| {
        level != "true"
            && (is_code_level(level)
                || is_code_like(&d.attribute)
                || is_code_like(segment.label(&d.attribute)))
    })
}

/// Whether an attribute may not name a persona: an identity trait, described but not clustered
/// on ([`Role::Descriptor`]), or named like one (gender, ethnicity) in a hand-written schema.
fn is_identity(segment: &SegmentProfile, attribute: &str) -> bool {
    segment
        .attributes
        .iter()
        .find(|a| a.attribute == attribute)
        .is_some_and(|a| {
            a.role == Role::Descriptor
                || is_identity_name(&words(&format!("{} {}", a.attribute, a.label)))
        })
}

/// The descriptor for a segment without a rule's: the strongest signal whose descriptor no
/// earlier persona of the set uses, signals in words (numbers, booleans and levels made
/// name-like by [`level_name`]) before codes ("Channel-1"). An under-represented level (what
/// the segment is not) and an identity trait never name a persona. `None` when no signal is left.
pub(crate) fn signal_descriptor(
    segment: &SegmentProfile,
    signals: &[Signal],
    used: &[String],
) -> Option<String> {
    let candidates: Vec<(String, bool)> = signals
        .iter()
        .filter(|s| s.d.level.is_none() || s.d.standardised > 0.0)
        .filter(|s| !is_identity(segment, &s.d.attribute))
        .filter(|s| !s.d.level.as_deref().is_some_and(is_gendered_level))
        .map(|s| {
            let worded = match s.d.level.as_deref() {
                Some(level) if level != "true" && !is_code_signal(segment, &s.d) => {
                    answer_descriptor(segment, &s.d, level).or_else(|| level_name(level))
                }
                _ if is_code_signal(segment, &s.d) => None,
                _ => Some(number_descriptor(segment, &s.d)),
            };
            match worded {
                Some(w) => (w, true),
                None => (code_descriptor(segment, &s.d), false),
            }
        })
        .collect();
    let unused = |(d, _): &&(String, bool)| !used.iter().any(|u| u == d);
    candidates
        .iter()
        .filter(|(_, worded)| *worded)
        .find(unused)
        .or_else(|| candidates.iter().filter(|(_, worded)| !worded).find(unused))
        .map(|(d, _)| d.clone())
}

/// Words of a level that say a person's sex (a kin term such as "Husband", or "Female"): such a
/// level stands in for an identity trait and never names a persona.
const GENDERED_WORDS: &[&str] = &[
    "husband",
    "wife",
    "son",
    "daughter",
    "mother",
    "father",
    "brother",
    "sister",
    "boyfriend",
    "girlfriend",
    "male",
    "female",
    "man",
    "woman",
    "men",
    "women",
    "mr",
    "mrs",
    "ms",
    "miss",
];

/// Whether a level says a person's sex (see [`GENDERED_WORDS`]).
fn is_gendered_level(level: &str) -> bool {
    words(level)
        .iter()
        .any(|w| GENDERED_WORDS.contains(&w.as_str()))
}

/// Unit words that end many column names ("duration_min", "amount_usd") and say nothing in a
/// persona's name.
const UNIT_WORDS: &[&str] = &[
    "min", "mins", "sec", "secs", "hr", "hrs", "ms", "usd", "eur", "gbp", "pct", "kg", "km", "cm",
    "k",
];

/// The descriptor of a segment with no distinctive signal (or none left unused): "Mainstream"
/// for the mainstream, else "Typical", else the next of these words no persona of the set uses.
pub(crate) fn generic_descriptor(mainstream: bool, used: &[String]) -> String {
    let words: &[&str] = if mainstream {
        &["Mainstream", "Typical", "Everyday", "Ordinary", "Average"]
    } else {
        &["Typical", "Everyday", "Ordinary", "Average"]
    };
    words
        .iter()
        .find(|w| !used.iter().any(|u| u == *w))
        .or_else(|| words.first())
        .map_or_else(String::new, |w| w.to_string())
}

/// Levels that answer yes or no, on an attribute read as categorical ("Online security" =
/// "No"): the label names the persona, not the bare answer.
const YES_LEVELS: &[&str] = &["yes", "y"];
const NO_LEVELS: &[&str] = &["no", "n", "none"];

/// "{Label}" for a yes level and "No-{Label}" for a no level ("No-Online-Security"); `None` for
/// any other level.
fn answer_descriptor(segment: &SegmentProfile, d: &Difference, level: &str) -> Option<String> {
    let level = level.trim().to_lowercase();
    let label = short_label(segment.label(&d.attribute));
    if YES_LEVELS.contains(&level.as_str()) {
        Some(label)
    } else if NO_LEVELS.contains(&level.as_str()) {
        Some(format!("No-{label}"))
    } else {
        None
    }
}

/// "{Label}-{level}" for a level that is a number or code ("Channel-1"), or that has no word in
/// it; "High-{Label}" or "Low-{Label}" for a bin written as a bound (">50K" of income:
/// "High-Income").
fn code_descriptor(segment: &SegmentProfile, d: &Difference) -> String {
    let label = short_label(segment.label(&d.attribute));
    let level = d.level.as_deref().unwrap_or_default().trim();
    // A bin written as a bound (">50K", "<=25") says high or low.
    if level.starts_with('>') {
        format!("High-{label}")
    } else if level.starts_with('<') {
        format!("Low-{label}")
    } else {
        format!("{label}-{level}")
    }
}

/// "{Subject}-Focused" for a high share of a mix ("Share of Technology"), "High-{Label}" or
/// "Low-{Label}" for another number or a boolean.
fn number_descriptor(segment: &SegmentProfile, d: &Difference) -> String {
    let label = segment.label(&d.attribute);
    // A mix ("Share of Technology", "Office Supplies share"): what the segment leans to.
    let lower = label.to_lowercase();
    let subject = lower
        .strip_prefix("share of ")
        .map(|_| &label["share of ".len()..])
        .or_else(|| {
            lower
                .strip_suffix(" share")
                .map(|_| &label[..label.len() - 6])
        });
    match subject {
        Some(subject) if d.standardised >= 0.0 => {
            format!("{}-Focused", title_case(subject.trim()).replace(' ', "-"))
        }
        _ => {
            let direction = if d.standardised >= 0.0 { "High" } else { "Low" };
            format!("{direction}-{}", short_label(label))
        }
    }
}

/// A label short enough for a name: its last two words that say something (not question
/// numbers such as "Q 5", nor words like "of"), title-cased and hyphenated ("Customer-Service").
fn short_label(label: &str) -> String {
    let mut words: Vec<&str> = label
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() > 1)
        .filter(|w| {
            !matches!(
                w.to_lowercase().as_str(),
                "of" | "the" | "and" | "per" | "in"
            )
        })
        .collect();
    // A trailing unit goes when a word is left ("Duration min" -> "Duration").
    while words.len() > 1
        && words.last().is_some_and(|w| {
            UNIT_WORDS.contains(
                &w.to_lowercase()
                    .trim_matches(|c: char| !c.is_alphanumeric()),
            )
        })
    {
        words.pop();
    }
    let keep = &words[words.len().saturating_sub(2)..];
    let text = if keep.is_empty() {
        label.to_string()
    } else {
        keep.join(" ")
    };
    title_case(&text).replace(' ', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gendered_levels_and_trailing_units_never_reach_a_name() {
        for level in ["Husband", "Wife", "Own-child-daughter", "Female", "MR"] {
            assert!(is_gendered_level(level), "{level}");
        }
        for level in ["Married-civ-spouse", "Manager", "Sonoma", "Womenswear-fan"] {
            assert!(!is_gendered_level(level), "{level}");
        }
        assert_eq!(short_label("Duration min"), "Duration");
        assert_eq!(short_label("Amount USD"), "Amount");
        assert_eq!(short_label("Min"), "Min");
    }

    #[test]
    fn levels_become_short_title_case_names() {
        for (level, name) in [
            ("Married-civ-spouse", "Married"),
            ("Self-emp-not-inc", "Self-Employed"),
            ("Exec-managerial", "Executive-Managerial"),
            ("Never-married", "Never-Married"),
            ("Not-in-family", "Not-in-Family"),
            ("Own-child", "Own-Child"),
            ("month_to_month", "Month-to-Month"),
            ("Month-to-month", "Month-to-Month"),
            ("Bank transfer (automatic)", "Bank-Transfer"),
            ("Fiber optic", "Fiber-Optic"),
            ("No internet service", "No-Internet-Service"),
            ("DSL", "DSL"),
            ("HS-grad", "HS-Grad"),
            ("MARRIED", "Married"),
            ("rent", "Rent"),
            ("Red", "Red"),
            ("gym", "Gym"),
            ("civ-oth", "Civ-Oth"),
            ("highValueCustomer", "High-Value"),
            ("Machine-op-inspct", "Machine"),
            ("frequent flyer gold tier member", "Frequent-Flyer"),
            ("United-States", "United-States"),
        ] {
            assert_eq!(level_name(level).as_deref(), Some(name), "{level}");
        }
    }

    #[test]
    fn a_level_name_is_bounded() {
        for level in [
            "Internationalisation-professionalisation",
            "extraordinarily_comprehensive_membership_programme",
            "Supercalifragilisticexpialidocious",
        ] {
            let name = level_name(level).unwrap_or_default();
            assert!(!name.is_empty(), "{level}");
            assert!(name.chars().count() <= MAX_LEVEL_CHARS, "{level}: {name}");
            assert!(name.split('-').count() <= 3, "{level}: {name}");
        }
    }

    #[test]
    fn a_level_without_words_has_no_name() {
        for level in ["1", "2.5", ">50K", "7th-8th", "A1", "", "  ", "(unknown)"] {
            assert_eq!(level_name(level), None, "{level:?}");
        }
    }

    #[test]
    fn generic_descriptors_are_not_repeated_while_others_are_left() {
        let mut used = Vec::new();
        for _ in 0..4 {
            let d = generic_descriptor(false, &used);
            assert!(!used.contains(&d), "{d}");
            used.push(d);
        }
        assert_eq!(generic_descriptor(true, &[]), "Mainstream");
        assert_eq!(generic_descriptor(true, &["Mainstream".into()]), "Typical");
    }
}

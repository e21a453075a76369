//! Words for people: column names split into words, human labels, numbers formatted so that
//! years, identifiers and codes never get thousands separators, and user text escaped for
//! Markdown ([`escape_markdown`]).
//!
//! Column names come in every style — `NumWebVisitsMonth`, `total_charges`, `cust.tenure_yrs`,
//! `Annual Income (k$)`. [`words`] splits them the same way; [`human_label`] turns them into a
//! sentence-case label, expanding abbreviations common in customer data (`num` -> "number of",
//! `amt` -> "amount", `cust` -> "customer", …) and keeping acronyms upper-case ("ID", "NPS").
//!
//! ```
//! use personas::text::human_label;
//! assert_eq!(human_label("NumWebVisitsMonth"), "Number of web visits per month");
//! assert_eq!(human_label("Kidhome"), "Children at home");
//! assert_eq!(human_label("MonthlyCharges"), "Monthly charges");
//! assert_eq!(human_label("customerID"), "Customer ID");
//! assert_eq!(human_label("Annual Income (k$)"), "Annual income (k$)");
//! ```

/// Abbreviations common in customer data and what they stand for (lower case, whole words).
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("num", "number of"),
    ("nr", "number of"),
    ("no", "number of"),
    ("cnt", "number of"),
    ("qty", "quantity"),
    ("pct", "percent"),
    ("perc", "percent"),
    ("avg", "average"),
    ("amt", "amount"),
    ("tot", "total"),
    ("freq", "frequency"),
    ("mnt", "amount"),
    ("prev", "previous"),
    ("yrs", "years"),
    ("yr", "year"),
    ("mo", "month"),
    ("mth", "month"),
    ("mths", "months"),
    ("dt", "date"),
    ("cust", "customer"),
    ("acct", "account"),
    ("acc", "account"),
    ("txn", "transactions"),
    ("txns", "transactions"),
    ("trans", "transactions"),
    ("bal", "balance"),
    ("inc", "income"),
    ("dep", "dependents"),
    ("deps", "dependents"),
    ("cmp", "campaign"),
    ("purch", "purchases"),
    ("addr", "address"),
    ("emp", "employees"),
    ("dob", "date of birth"),
    ("rev", "revenue"),
    ("disc", "discount"),
    ("mgr", "manager"),
    ("svc", "service"),
    ("sub", "subscription"),
    ("subs", "subscriptions"),
    ("delicassen", "delicatessen"),
];

/// People words that customer data glues to "home" (`Kidhome`, `Teenhome`: how many live in the
/// household), and the plural they stand for.
const AT_HOME: &[(&str, &str)] = &[
    ("kid", "children"),
    ("kids", "children"),
    ("child", "children"),
    ("children", "children"),
    ("teen", "teenagers"),
    ("teens", "teenagers"),
    ("adult", "adults"),
    ("adults", "adults"),
    ("baby", "babies"),
    ("babies", "babies"),
];

/// Period words that, after a count ("number of visits month"), read as a rate ("per month").
const PERIODS: &[&str] = &["day", "week", "month", "quarter", "year"];

/// Acronyms kept upper-case in labels.
const ACRONYMS: &[&str] = &[
    "id", "tv", "nps", "clv", "ltv", "b2b", "b2c", "sms", "csat", "roi", "vip", "usd", "eur",
    "gbp", "uk", "us", "eu", "crm", "api", "pc", "dsl", "atm", "kyc", "aov", "arpu", "mrr", "arr",
    "sku", "url", "ip", "gps", "hr", "it", "ceo", "cfo", "cto",
];

/// Words that say a number is a year, an identifier or a code, printed without separators.
const CODE_WORDS: &[&str] = &[
    "year", "yr", "id", "code", "zip", "postcode", "postal", "phone", "number", "no", "nr",
    "birth", "dob", "sku", "account", "acct",
];

/// Splits a name into lower-case words at non-alphanumeric characters, at lower-to-upper case
/// changes (`webVisits`), at the end of an upper-case run before a capitalised word
/// (`NPSScore` -> `nps`, `score`) and between letters and digits (`cmp1` -> `cmp`, `1`).
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, &ch) in chars.iter().enumerate() {
        if !ch.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|j| chars.get(j)) {
            let next_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
            let boundary = (ch.is_uppercase() && (prev.is_lowercase() || prev.is_ascii_digit()))
                || (ch.is_uppercase() && prev.is_uppercase() && next_lower)
                || (ch.is_ascii_digit() && prev.is_alphabetic())
                || (ch.is_alphabetic() && prev.is_ascii_digit() && current.len() > 1);
            if boundary && !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        }
        current.extend(ch.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A human label for a column name: words split as in [`words`], common abbreviations expanded,
/// people glued to "home" spelled out (`Kidhome` -> "Children at home"), a period word after a
/// count read as a rate (`NumWebVisitsMonth` -> "Number of web visits per month"), acronyms
/// upper-case, the first letter capitalised, and anything in brackets kept as written
/// (`"Annual Income (k$)"` -> "Annual income (k$)").
pub fn human_label(name: &str) -> String {
    let (main, bracket) = match name.find('(') {
        Some(i) if i > 0 => (&name[..i], Some(name[i..].trim())),
        _ => (name, None),
    };
    let mut parts: Vec<String> = Vec::new();
    for w in words(main) {
        let at_home = w
            .strip_suffix("home")
            .and_then(|who| AT_HOME.iter().find(|(p, _)| *p == who))
            .map(|(_, people)| format!("{people} at home"));
        let expanded = at_home.unwrap_or_else(|| {
            ABBREVIATIONS
                .iter()
                .find(|(a, _)| *a == w)
                .map_or(w.clone(), |(_, full)| full.to_string())
        });
        parts.push(expanded);
    }
    // "number of" at the end of a name ("purchases_no") reads badly: keep "number".
    if let Some(last) = parts.last_mut() {
        if last == "number of" {
            *last = "number".into();
        }
    }
    // A period after a count is a rate: "number of web visits month" -> "... per month".
    if let [.., before, last] = parts.as_slice() {
        let is_count = parts.iter().any(|p| p == "number of" || p == "count")
            || (before.len() > 3 && before.ends_with('s') && !before.ends_with("ss"));
        if PERIODS.contains(&last.as_str()) && is_count && parts.len() >= 2 {
            let n = parts.len();
            parts.insert(n - 1, "per".into());
        }
    }
    let mut text = parts
        .iter()
        .flat_map(|p| p.split(' '))
        .map(|w| {
            if ACRONYMS.contains(&w) {
                w.to_uppercase()
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        text = name.trim().to_string();
    }
    let mut out = sentence_case(&text);
    if let Some(b) = bracket {
        out.push(' ');
        out.push_str(b);
    }
    out
}

/// Capitalises the first letter and leaves the rest as it is.
pub fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

/// Lower-cases the first letter unless the first word is an acronym ("Total charges" ->
/// "total charges", "NPS score" stays), for labels in the middle of a sentence.
pub fn in_sentence(label: &str) -> String {
    let first = label.split(' ').next().unwrap_or("");
    let is_acronym = first.len() > 1 && first.chars().all(|c| !c.is_lowercase());
    if is_acronym {
        return label.to_string();
    }
    let mut chars = label.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_lowercase().chain(chars).collect::<String>()
    })
}

/// Whether a name or label says its numbers are years, identifiers or codes.
pub fn is_code_like(name: &str) -> bool {
    words(name).iter().any(|w| CODE_WORDS.contains(&w.as_str()))
}

/// Whether a level (a category's value) is a number or a code rather than words: it has no
/// letters ("1", "2.5", "0-5") or it has digits and at most two letters ("A1", "C12", "3B").
/// Such a level means nothing to a reader on its own.
pub fn is_code_level(level: &str) -> bool {
    let letters = level.chars().filter(|c| c.is_alphabetic()).count();
    let digits = level.chars().filter(|c| c.is_ascii_digit()).count();
    letters == 0 || (digits > 0 && letters <= 2)
}

/// A number for people: thousands grouped above 1,000, two significant decimals below.
pub fn number(x: f64) -> String {
    let a = x.abs();
    if x.fract() == 0.0 && a < 1000.0 {
        format!("{x:.0}")
    } else if a >= 1000.0 {
        group_thousands(x)
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// A number of the attribute `name` for people: as [`number`], except that a year, identifier
/// or code ([`is_code_like`]) and a whole year-like number (1800–2200) are printed plainly,
/// without thousands separators ("1970", not "1,970").
pub fn number_for(name: &str, x: f64) -> String {
    let code = is_code_like(name);
    let year_like = (1800.0..=2200.0).contains(&x) && (x.fract() == 0.0 || code);
    if year_like || (code && x.fract() == 0.0) {
        format!("{x:.0}")
    } else {
        number(x)
    }
}

/// Rounds to an integer and groups thousands with commas: 1234567.8 -> "1,234,568".
pub fn group_thousands(x: f64) -> String {
    let rounded = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, ch) in rounded.chars().enumerate() {
        if i > 0 && (rounded.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if x < 0.0 && rounded != "0" {
        out.insert(0, '-');
    }
    out
}

/// A share 0..1 as a percentage: one decimal below 10%, none above.
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p.abs() < 10.0 && p != 0.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

/// Whether a name looks like a raw column name rather than words: it has an underscore, or a
/// lower-to-upper case change inside a word (`totalCharges`, `MonthlyCharges`).
pub fn looks_raw(name: &str) -> bool {
    name.contains('_')
        || name.split_whitespace().any(|w| {
            let c: Vec<char> = w.chars().collect();
            c.windows(2)
                .any(|p| p[0].is_lowercase() && p[1].is_uppercase())
        })
}

/// Escapes text from the data (names, labels, levels, units, rule wording, persona text) for
/// Markdown, so that it reads as the same text and never as markup: no heading, list, table
/// cell break, emphasis, code span, link or raw HTML.
///
/// - line breaks (`\n`, `\r`) become spaces, so the text stays on its line (a table row, a
///   heading);
/// - `<` and `>` become `&lt;` and `&gt;` (entities work in every Markdown dialect, where a
///   backslash before `<` does not), and an `&` that would start an entity (`&amp;`, `&#60;`)
///   becomes `&amp;`;
/// - `\`, `` ` ``, `*`, `_`, `[`, `]`, `#`, `|` and `~` get a backslash.
///
/// JSON output is data and is never escaped.
///
/// ```
/// use personas::text::escape_markdown;
/// assert_eq!(escape_markdown("north"), "north");
/// assert_eq!(escape_markdown("a|b\n# c"), "a\\|b \\# c");
/// assert_eq!(escape_markdown("<script>"), "&lt;script&gt;");
/// assert_eq!(escape_markdown("R&D, &amp;"), "R&D, &amp;amp;");
/// ```
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut chars = text.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        match ch {
            '\r' => {
                if chars.peek().map(|&(_, c)| c) != Some('\n') {
                    out.push(' ');
                }
            }
            '\n' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' if starts_entity(&text[i + 1..]) => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

/// Whether text after an `&` would make it an entity reference: `name;` or `#digits;`.
fn starts_entity(after: &str) -> bool {
    let body = after.strip_prefix('#').unwrap_or(after);
    let end = body
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(body.len());
    end > 0 && body[end..].starts_with(';')
}

/// `count` and the noun, singular for one: `1 row`, `3 rows` (the plural adds an `s`).
pub(crate) fn count_of(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escaping_leaves_no_markup() {
        let hostile = "x\r\n# Heading\n| a | b |\n<script>alert(1)</script> `code` *em* _em_ \
                       [link](http://x) ~~s~~ \\ &lt; &#60; &x R&D";
        let escaped = escape_markdown(hostile);
        assert!(
            !escaped.contains('\n') && !escaped.contains('\r'),
            "{escaped}"
        );
        assert!(
            !escaped.contains('<') && !escaped.contains('>'),
            "{escaped}"
        );
        assert!(
            !escaped.contains("&lt;") || escaped.contains("&amp;lt;"),
            "{escaped}"
        );
        assert!(
            escaped.contains("&amp;\\#60;") && escaped.contains("R&D"),
            "{escaped}"
        );
        // Every markup character is preceded by a backslash.
        let chars: Vec<char> = escaped.chars().collect();
        for (i, c) in chars.iter().enumerate() {
            if "`*_[]#|~".contains(*c) {
                let backslashes = chars[..i].iter().rev().take_while(|&&b| b == '\\').count();
                assert_eq!(backslashes % 2, 1, "unescaped {c} at {i} in {escaped}");
            }
        }
        assert_eq!(
            escape_markdown("Fiber optic (k$), 1.5"),
            "Fiber optic (k$), 1.5"
        );
    }

    #[test]
    fn words_split_every_naming_style() {
        assert_eq!(
            words("NumWebVisitsMonth"),
            ["num", "web", "visits", "month"]
        );
        assert_eq!(words("total_spend"), ["total", "spend"]);
        assert_eq!(words("cust.tenure_yrs"), ["cust", "tenure", "yrs"]);
        assert_eq!(words("NPSScore"), ["nps", "score"]);
        assert_eq!(words("AcceptedCmp1"), ["accepted", "cmp", "1"]);
        assert_eq!(words("customerID"), ["customer", "id"]);
        assert_eq!(words("Detergents_Paper"), ["detergents", "paper"]);
    }

    #[test]
    fn labels_expand_abbreviations_and_keep_acronyms() {
        assert_eq!(
            human_label("NumDealsPurchases"),
            "Number of deals purchases"
        );
        assert_eq!(human_label("MntWines"), "Amount wines");
        assert_eq!(human_label("SeniorCitizen"), "Senior citizen");
        assert_eq!(human_label("StreamingTV"), "Streaming TV");
        assert_eq!(human_label("cust_id"), "Customer ID");
        assert_eq!(human_label("avg_txn_amt"), "Average transactions amount");
        assert_eq!(human_label("nps"), "NPS");
        assert_eq!(
            human_label("Spending Score (1-100)"),
            "Spending score (1-100)"
        );
        assert_eq!(human_label("purchases_no"), "Purchases number");
        for name in [
            "NumWebVisitsMonth",
            "total_spend",
            "MonthlyCharges",
            "Year_Birth",
        ] {
            assert!(!looks_raw(&human_label(name)), "{name}");
        }
    }

    #[test]
    fn labels_spell_out_people_at_home_and_rates() {
        assert_eq!(human_label("Kidhome"), "Children at home");
        assert_eq!(human_label("Teenhome"), "Teenagers at home");
        assert_eq!(human_label("kids_home"), "Kids home");
        assert_eq!(
            human_label("NumWebVisitsMonth"),
            "Number of web visits per month"
        );
        assert_eq!(human_label("calls_week"), "Calls per week");
        assert_eq!(human_label("signup_month"), "Signup month");
        assert_eq!(human_label("Year_Birth"), "Year birth");
        assert_eq!(human_label("Dt_Customer"), "Date customer");
    }

    #[test]
    fn numbers_and_codes_are_code_levels() {
        for level in ["1", "2.5", "0-5", "A1", "C12", "3B"] {
            assert!(is_code_level(level), "{level}");
        }
        for level in [
            "Online",
            "male",
            "Month-to-month",
            "B2B buyer",
            "Fiber optic",
        ] {
            assert!(!is_code_level(level), "{level}");
        }
    }

    #[test]
    fn years_ids_and_codes_print_plainly() {
        assert_eq!(number_for("Year_Birth", 1970.0), "1970");
        assert_eq!(number_for("Year_Birth", 1968.8), "1969");
        assert_eq!(number_for("zip_code", 10115.0), "10115");
        assert_eq!(number_for("Income", 52_000.0), "52,000");
        assert_eq!(number_for("Income", 2010.0), "2010");
        assert_eq!(number(82_400.4), "82,400");
        assert_eq!(in_sentence("Total charges"), "total charges");
        assert_eq!(in_sentence("NPS score"), "NPS score");
    }
}

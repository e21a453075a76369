//! The words of the query: identifiers, string and number literals, type names, per dialect.

use crate::error::{Error, Result};

/// The SQL dialect a query is written for. Both dialects use only CTEs, `CASE`, `COALESCE`,
/// `NULLIF`, `CAST`, `TRIM`, `LOWER`, `SPLIT_PART`, `EXTRACT`, `FLOOR`, `LN` and `SQRT`; they
/// differ in how identifiers are quoted, how string literals are escaped and how the text and
/// floating-point types are named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Dialect {
    /// Standard SQL as DuckDB and PostgreSQL read it: identifiers in double quotes (`"a ""b"""`),
    /// string literals in single quotes with `''` for a quote, `VARCHAR` and `DOUBLE PRECISION`.
    #[default]
    Standard,
    /// Spark SQL: identifiers in backticks (`` `a ``b` ``), string literals in single quotes with
    /// backslash escapes (Spark reads `\` as an escape and `''` as two adjacent literals),
    /// `STRING` and `DOUBLE`.
    Spark,
}

impl Dialect {
    /// An identifier, quoted so that any name (spaces, quotes, keywords, any case) is read as
    /// written.
    ///
    /// # Errors
    /// [`Error::SqlUnsupported`] for a name holding a NUL character, which no engine accepts.
    pub(crate) fn ident(self, name: &str) -> Result<String> {
        reject_nul(name, name)?;
        Ok(match self {
            Dialect::Standard => format!("\"{}\"", name.replace('"', "\"\"")),
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
        })
    }

    /// A string literal holding exactly `text`; `attribute` names the attribute for an error.
    ///
    /// # Errors
    /// [`Error::SqlUnsupported`] for text holding a NUL character (PostgreSQL text cannot hold
    /// one).
    pub(crate) fn string(self, attribute: &str, text: &str) -> Result<String> {
        reject_nul(attribute, text)?;
        Ok(match self {
            Dialect::Standard => format!("'{}'", text.replace('\'', "''")),
            Dialect::Spark => {
                let mut out = String::with_capacity(text.len() + 2);
                out.push('\'');
                for c in text.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '\'' => out.push_str("\\'"),
                        // Spark turns these escapes back into the characters.
                        '\n' => out.push_str("\\n"),
                        '\r' => out.push_str("\\r"),
                        '\t' => out.push_str("\\t"),
                        c => out.push(c),
                    }
                }
                out.push('\'');
                out
            }
        })
    }

    /// The text type for `CAST(x AS …)`.
    pub(crate) fn text_type(self) -> &'static str {
        match self {
            Dialect::Standard => "VARCHAR",
            Dialect::Spark => "STRING",
        }
    }

    /// The 64-bit floating-point type for `CAST(x AS …)`.
    pub(crate) fn double_type(self) -> &'static str {
        match self {
            Dialect::Standard => "DOUBLE PRECISION",
            Dialect::Spark => "DOUBLE",
        }
    }

    /// What ends each stage of the query so that the engine computes the stage's columns once
    /// per row. PostgreSQL inlines a CTE used once into the query that uses it, and then
    /// evaluates a column as often as later stages name it (the nearest centre names each
    /// squared distance `k` times, each of which names every feature twice): without a fence
    /// the work per row grows with the product of those counts. `OFFSET 0` keeps a subquery
    /// apart in PostgreSQL and costs DuckDB nothing; Spark's optimizer does not merge
    /// projections that would repeat expensive expressions, and needs none.
    pub(crate) fn fence(self) -> &'static str {
        match self {
            Dialect::Standard => "\n  OFFSET 0",
            Dialect::Spark => "",
        }
    }

    /// `CAST(expr AS DOUBLE PRECISION)` (or `DOUBLE`).
    pub(crate) fn double(self, expr: &str) -> String {
        format!("CAST({expr} AS {})", self.double_type())
    }
}

fn reject_nul(attribute: &str, text: &str) -> Result<()> {
    if text.contains('\0') {
        return Err(Error::SqlUnsupported {
            attribute: attribute.to_string(),
            reason: "a name or level holds a NUL character, which SQL text cannot hold; \
                     rename it in the schema and fit again"
                .into(),
        });
    }
    Ok(())
}

/// A finite `f64` as a literal that every engine reads as a double and that parses back to the
/// same bits: scientific notation with Rust's shortest round-trip digits (`1e-1`, `2.5e0`),
/// negatives in parentheses so that `a - (-1e0)` never becomes a comment (`--`). DuckDB and
/// Spark read a literal with an exponent as a double (a plain `0.1` would be a decimal);
/// PostgreSQL reads it as an exact numeric and converts it to the nearest double when it meets
/// a double, which is the same value.
pub(crate) fn number(x: f64) -> String {
    debug_assert!(x.is_finite(), "only finite numbers are written as literals");
    // -0.0 and 0.0 encode the same; write both as 0e0.
    if x == 0.0 {
        return "0e0".into();
    }
    if x < 0.0 {
        format!("({x:e})")
    } else {
        format!("{x:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_double_their_quote_character() {
        let d = Dialect::Standard;
        assert_eq!(d.ident("age").unwrap(), "\"age\"");
        assert_eq!(d.ident("Annual income").unwrap(), "\"Annual income\"");
        assert_eq!(d.ident("a\"b").unwrap(), "\"a\"\"b\"");
        assert_eq!(d.ident("select").unwrap(), "\"select\"");
        let s = Dialect::Spark;
        assert_eq!(s.ident("a`b c").unwrap(), "`a``b c`");
        assert_eq!(s.ident("a\"b").unwrap(), "`a\"b`");
    }

    #[test]
    fn string_literals_escape_quotes_per_dialect() {
        let d = Dialect::Standard;
        assert_eq!(d.string("x", "it's").unwrap(), "'it''s'");
        assert_eq!(d.string("x", "a\\b").unwrap(), "'a\\b'");
        assert_eq!(d.string("x", "").unwrap(), "''");
        let s = Dialect::Spark;
        assert_eq!(s.string("x", "it's").unwrap(), "'it\\'s'");
        assert_eq!(s.string("x", "a\\b").unwrap(), "'a\\\\b'");
        assert_eq!(s.string("x", "a\nb").unwrap(), "'a\\nb'");
    }

    #[test]
    fn nul_characters_are_refused_with_the_attribute_named() {
        let err = Dialect::Standard.string("region", "no\0rth").unwrap_err();
        assert!(
            matches!(&err, Error::SqlUnsupported { attribute, .. } if attribute == "region"),
            "{err}"
        );
        assert!(Dialect::Spark.ident("a\0").is_err());
    }

    #[test]
    fn numbers_round_trip_and_are_read_as_doubles() {
        for x in [
            0.1,
            1.0,
            -2.5,
            1e300,
            -1e-300,
            std::f64::consts::PI,
            123_456_789.123_456_78,
            f64::MIN_POSITIVE,
            5e-324,
        ] {
            let text = number(x);
            assert!(text.contains('e'), "{text}");
            let back: f64 = text.trim_matches(['(', ')']).parse().unwrap();
            assert_eq!(back.to_bits(), x.to_bits(), "{x} written {text}");
        }
        assert_eq!(number(-1.0), "(-1e0)");
        assert_eq!(number(-0.0), "0e0");
        assert_eq!(number(0.25), "2.5e-1");
    }
}

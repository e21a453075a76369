//! The drift report in Markdown for people and JSON for pipelines.

use std::fmt::Write as _;

use serde::Serialize;

use super::{AttributeShift, Basis, DriftReport, PersonaDrift, ShareChange, Status, Verdict};
use crate::error::Result;
use crate::profile::Statistic;
use crate::text::{escape_markdown as md, group_thousands, number_for, percent};

#[derive(Serialize)]
struct Document<'a> {
    report: &'static str,
    summary: String,
    drift: bool,
    #[serde(flatten)]
    body: &'a DriftReport,
}

impl DriftReport {
    /// The report as a JSON document: `schema_version` and `generator` first (as the crate's
    /// other documents), then `report: "persona_drift"`, a plain-text `summary`, `drift` (see
    /// [`DriftReport::has_drift`]) and every field of [`DriftReport`] under its own name.
    ///
    /// # Errors
    /// [`crate::Error::Json`] if serialisation fails (it does not for reports this crate made).
    pub fn to_json(&self) -> Result<String> {
        crate::render::json_document(&Document {
            report: "persona_drift",
            summary: self.summary(),
            drift: self.has_drift(),
            body: self,
        })
    }

    /// The one-line summary in plain text ("2 personas stable, Deal-Hunting Dana grew from 20%
    /// to 35%, 1 split, 6% of customers fit no persona (0% then).").
    pub fn summary(&self) -> String {
        self.summary_with(&|s: &str| s.to_string())
    }

    fn summary_with(&self, text: &dyn Fn(&str) -> String) -> String {
        let mut parts: Vec<String> = Vec::new();
        let count = |status: Status| self.personas.iter().filter(|p| p.status == status).count();
        let stable = self
            .personas
            .iter()
            .filter(|p| p.status == Status::Kept && p.share_change == ShareChange::Steady)
            .count();
        if stable > 0 {
            parts.push(format!("{stable} {} stable", plural(stable, "persona")));
        }
        for p in &self.personas {
            let verb = match p.share_change {
                ShareChange::Grew => "grew",
                ShareChange::Shrank => "shrank",
                ShareChange::Steady => continue,
            };
            if matches!(p.status, Status::Vanished) {
                continue;
            }
            parts.push(format!(
                "{} {verb} from {} to {}",
                text(&p.name),
                percent(p.share_then),
                percent(p.share_now)
            ));
        }
        for (status, word) in [
            (Status::Moved, "moved"),
            (Status::Split, "split"),
            (Status::Merged, "merged"),
            (Status::Vanished, "vanished"),
            (Status::Unmatched, "no longer found as a segment"),
        ] {
            let c = count(status);
            if c > 0 {
                parts.push(format!("{c} {word}"));
            }
        }
        if !self.appeared.is_empty() {
            let c = self.appeared.len();
            parts.push(format!("{c} new {} appeared", plural(c, "segment")));
        }
        let broken: usize = self
            .personas
            .iter()
            .map(|p| p.broken_statements().count())
            .sum();
        if broken > 0 {
            parts.push(format!(
                "{broken} {} no longer {}",
                plural(broken, "statement"),
                if broken == 1 { "holds" } else { "hold" }
            ));
        }
        let np = &self.no_persona;
        let no_persona = format!(
            "{} of customers fit no persona ({} then)",
            percent(np.now_share),
            percent(np.then_share)
        );
        let recoded = if self.recoded.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = self.recoded.iter().map(|a| text(a)).collect();
            let them = if names.len() == 1 { "it" } else { "them" };
            format!(
                "The coding of {} changed (most newer values are levels the model never saw): \
                 moves on {them} are suspect and statements about {them} are not judged. ",
                names.join(" and ")
            )
        };
        if self.has_drift() && parts.is_empty() {
            format!("{recoded}{no_persona}.")
        } else if self.has_drift() {
            format!("{recoded}{}; {no_persona}.", parts.join(", "))
        } else {
            format!(
                "No drift: {} every statement still holds; {no_persona}.",
                if parts.is_empty() {
                    String::new()
                } else {
                    format!("{},", parts.join(", "))
                }
            )
        }
    }

    /// The report in Markdown: the summary first, a table of personas then and now, a section
    /// per persona that changed (its centre's largest moves in original units, the statements
    /// that no longer hold), the segments that appeared, and the customers that fit no persona.
    /// Every string from the data (names, labels, levels, units, statements) is escaped.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("# Persona drift\n\n");
        let _ = match self.basis {
            Basis::Customers => writeln!(
                out,
                "{} newer customers compared with the model's {} training customers.\n",
                group_thousands(self.customers_now as f64),
                group_thousands(self.customers_then as f64)
            ),
            Basis::Models => writeln!(
                out,
                "A newer model ({} training customers) compared with the older one ({}), without \
                 the customers: splits and merges are not visible this way.\n",
                group_thousands(self.customers_now as f64),
                group_thousands(self.customers_then as f64)
            ),
        };
        let _ = writeln!(out, "**{}**\n", self.summary_with(&|s: &str| md(s)));
        if !self.notes.is_empty() {
            out.push_str("Before reading on:\n\n");
            for note in &self.notes {
                let _ = writeln!(out, "- {}", md(note));
            }
            out.push('\n');
        }
        if let Some(refit) = &self.refit {
            match &refit.problem {
                None => {
                    let _ = writeln!(
                        out,
                        "Re-fitted with the model's own settings: {} {}.\n",
                        refit.segments,
                        plural(refit.segments, "segment")
                    );
                }
                Some(problem) => {
                    let _ = writeln!(
                        out,
                        "> **Note:** the newer customers could not be re-fitted ({}); splits, \
                         merges and new segments are not visible.\n",
                        md(problem)
                    );
                }
            }
        }
        out.push_str("| Persona | Then | Now | What happened | Largest move |\n");
        out.push_str("|---|---:|---:|---|---|\n");
        for p in &self.personas {
            // Moves below a tenth of a standard deviation are sampling noise, not news.
            let largest = p
                .shifts
                .first()
                .filter(|s| s.standardised.is_some_and(|z| z.abs() >= 0.1))
                .map_or_else(|| "–".to_string(), shift_words);
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md(&p.name),
                percent(p.share_then),
                percent(p.share_now),
                what_happened(p),
                largest
            );
        }
        for p in &self.personas {
            persona_section(&mut out, p);
        }
        if !self.appeared.is_empty() {
            out.push_str("\n## New segments\n\n");
            for s in &self.appeared {
                let name = s
                    .name
                    .as_deref()
                    .map_or_else(|| format!("Re-fit segment {}", s.segment), md);
                let _ = write!(out, "- **{name}**: {} of customers", percent(s.share));
                if let Some(f) = s.from_no_persona {
                    let _ = write!(out, ", {} of them fit no persona", percent(f));
                }
                if !s.distinguishing.is_empty() {
                    let traits: Vec<String> = s
                        .distinguishing
                        .iter()
                        .map(|d| {
                            let what = match &d.level {
                                Some(level) => format!("{} {}", md(&d.attribute), md(level)),
                                None => md(&d.attribute),
                            };
                            let value = match d.statistic {
                                Statistic::Share => format!(
                                    "{} vs {}",
                                    percent(d.segment_value),
                                    percent(d.population_value)
                                ),
                                _ => format!(
                                    "{} vs {}",
                                    md(&number_for(&d.attribute, d.segment_value)),
                                    md(&number_for(&d.attribute, d.population_value))
                                ),
                            };
                            format!("{what} {value}")
                        })
                        .collect();
                    let _ = write!(out, "; sets it apart: {}", traits.join("; "));
                }
                out.push_str(".\n");
            }
        }
        let np = &self.no_persona;
        let _ = writeln!(
            out,
            "\n## Customers who fit no persona\n\n{} ({}) now, {} ({}) then.",
            group_thousands(np.now as f64),
            percent(np.now_share),
            group_thousands(np.then as f64),
            percent(np.then_share)
        );
        out
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}

fn what_happened(p: &PersonaDrift) -> String {
    let mut words = vec![p.status.as_str().to_string()];
    match p.share_change {
        ShareChange::Grew => words.push("grew".into()),
        // A vanished persona shrank by definition.
        ShareChange::Shrank if p.status != Status::Vanished => words.push("shrank".into()),
        _ => {}
    }
    let broken = p.broken_statements().count();
    if broken > 0 {
        words.push(format!(
            "{broken} {} no longer {}",
            plural(broken, "statement"),
            if broken == 1 { "holds" } else { "hold" }
        ));
    }
    words.join(", ")
}

/// "Monthly spend 40 → 55 EUR (+0.8 sd)".
fn shift_words(s: &AttributeShift) -> String {
    let label = match &s.level {
        Some(level) => format!("{}: {}", md(&s.label), md(level)),
        None => md(&s.label),
    };
    let now = s.refit.or(s.now);
    let value = |x: f64| match s.statistic {
        Statistic::Share => percent(x),
        _ => md(&number_for(&s.attribute, x)),
    };
    let unit = match (&s.unit, s.statistic) {
        (Some(u), Statistic::Mean) => format!(" {}", md(u)),
        _ => String::new(),
    };
    let now = now.map_or_else(|| "?".to_string(), value);
    let sd = s
        .standardised
        .map_or(String::new(), |z| format!(" ({z:+.1} sd)"));
    format!("{label} {} → {now}{unit}{sd}", value(s.then))
}

fn persona_section(out: &mut String, p: &PersonaDrift) {
    let broken: Vec<_> = p.broken_statements().collect();
    if p.status == Status::Kept && p.share_change == ShareChange::Steady && broken.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n## {} (segment {}): {}\n",
        md(&p.name),
        p.segment,
        what_happened(p)
    );
    let _ = writeln!(
        out,
        "- Share: {} then, {} now ({} customers).",
        percent(p.share_then),
        percent(p.share_now),
        group_thousands(p.customers_now as f64)
    );
    match p.status {
        Status::Split => {
            let parts: Vec<String> = p.split_into.iter().map(|j| j.to_string()).collect();
            let _ = writeln!(
                out,
                "- Its customers now form re-fit segments {}.",
                parts.join(" and ")
            );
        }
        Status::Merged => {
            let with: Vec<String> = p.merged_with.iter().map(|j| j.to_string()).collect();
            let _ = writeln!(
                out,
                "- Merged with the persona of segment {} into re-fit segment {}.",
                with.join(" and "),
                p.merged_into.map_or_else(|| "?".into(), |j| j.to_string())
            );
        }
        Status::Vanished => {
            out.push_str("- Hardly any newer customer fits it, and no segment matches it.\n");
        }
        Status::Unmatched => {
            out.push_str(
                "- No segment matches it: its customers are spread over other personas' \
                 segments.\n",
            );
        }
        Status::Kept | Status::Moved => {}
    }
    let moves: Vec<String> = p
        .shifts
        .iter()
        .filter(|s| s.standardised.is_some_and(|z| z.abs() >= super::MOVED_FROM))
        .take(5)
        .map(shift_words)
        .collect();
    if !moves.is_empty() {
        let _ = writeln!(out, "- Centre moved: {}.", moves.join("; "));
    }
    if !broken.is_empty() {
        out.push_str("- Statements that no longer hold:\n");
        for s in broken {
            let value = |x: f64| match s.statistic {
                Statistic::Share => percent(x),
                _ => md(&number_for(&s.attribute, x)),
            };
            let now = match (s.now_segment, s.now_reference) {
                (Some(a), Some(b)) => format!("{} vs {}", value(a), value(b)),
                _ => "not measured".into(),
            };
            let _ = writeln!(
                out,
                "  - \"{}\" ({}): now {now}, then {} vs {}.",
                md(&s.text),
                md(&s.list.replace('_', " ")),
                value(s.then_segment),
                value(s.then_reference)
            );
        }
    }
    let unmeasured = p
        .statements
        .iter()
        .filter(|s| s.verdict == Verdict::NotMeasured)
        .count();
    if unmeasured > 0 {
        let _ = writeln!(
            out,
            "- {unmeasured} {} could not be re-measured (too few newer customers fit it).",
            plural(unmeasured, "statement")
        );
    }
    let recoded = p
        .statements
        .iter()
        .filter(|s| s.verdict == Verdict::Recoded)
        .count();
    if recoded > 0 {
        let _ = writeln!(
            out,
            "- {recoded} {} about an attribute whose coding changed {} not judged.",
            plural(recoded, "statement"),
            if recoded == 1 { "is" } else { "are" }
        );
    }
}

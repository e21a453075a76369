//! Persona cards in Markdown and the personas JSON document.

use std::fmt::Write as _;

use super::{Evidence, Persona, Personas, Statement, Versus};
use crate::error::Result;
use crate::profile::Statistic;
use crate::render::{comparison, json_document, percent};
use crate::text::escape_markdown as md;
use crate::text::in_sentence;

impl Personas {
    /// The personas as a JSON document; the [`persona`](super) module docs describe every field.
    ///
    /// # Errors
    /// [`crate::Error::Json`] if serialisation fails (it does not for personas this crate made).
    pub fn to_json(&self) -> Result<String> {
        json_document(self)
    }

    /// Persona cards in Markdown, one per segment. Every string from the data (names, labels,
    /// levels, rule wording) is escaped by [`crate::text::escape_markdown`], so it reads as text
    /// and never as a heading, a table break or HTML.
    pub fn to_markdown(&self) -> String {
        let mut out = String::from("# Draft personas\n\n");
        let _ = write!(
            out,
            "{} persona{} drafted from {} customers",
            self.personas.len(),
            if self.personas.len() == 1 { "" } else { "s" },
            crate::render::group_thousands(self.n_customers as f64)
        );
        if self.unassigned > 0 {
            let _ = write!(
                out,
                " ({} fit no segment)",
                crate::render::group_thousands(self.unassigned as f64)
            );
        }
        out.push_str(
            ". Every statement is followed by the evidence behind it: the segment's value vs all \
             customers, and the effect size.\n",
        );
        let _ = writeln!(
            out,
            "\nSignal rules: general and {} ({}).",
            self.domain.domain.as_str(),
            md(&self.domain.reason)
        );
        if let Some(q) = &self.quality {
            if let Some(s) = q.silhouette {
                let _ = writeln!(out, "\nSegment separation (silhouette): {s:.2}.");
            }
        }
        if let Some(selection) = &self.selection {
            let _ = writeln!(out, "\nNumber of personas: {}", md(&selection.reason));
            for warning in &selection.warnings {
                let _ = writeln!(out, "\n> **Note:** {}", md(warning));
            }
        }
        for warning in &self.warnings {
            let _ = writeln!(out, "\n> **Note:** {}", md(warning));
        }
        if let Some(s) = &self.stability {
            let _ = writeln!(
                out,
                "\nStability: re-fitted on {} resamples of {} customers; the segments came back \
                 with a mean adjusted Rand index of {:.2}{}.",
                s.resamples,
                crate::render::group_thousands(s.resample_size as f64),
                s.mean_ari,
                match s.flagged {
                    0 => String::new(),
                    1 => "; 1 persona is flagged below".to_string(),
                    n => format!("; {n} personas are flagged below"),
                }
            );
        }
        for persona in &self.personas {
            out.push('\n');
            card(&mut out, persona, self);
        }
        out
    }
}

fn attribute_label<'a>(personas: &'a Personas, segment: usize, attribute: &'a str) -> &'a str {
    personas
        .segments
        .iter()
        .find(|s| s.segment == segment)
        .map_or(attribute, |s| s.label(attribute))
}

/// Evidence in short form: "avg annual income 27,754 vs 51,643 (-0.8 sd)".
fn evidence_short(personas: &Personas, segment: usize, e: &Evidence) -> String {
    let label = attribute_label(personas, segment, &e.attribute);
    let what = match (e.statistic, e.level.as_deref()) {
        (Statistic::Share, Some("true")) => label.to_string(),
        (Statistic::Share, Some(level)) => format!("{label} = {level}"),
        (Statistic::Median, _) => format!("median {}", in_sentence(label)),
        _ => format!("avg {}", in_sentence(label)),
    };
    let numbers = comparison(
        label,
        e.statistic,
        e.segment_value,
        e.population_value,
        e.effect,
    );
    let versus = match e.versus {
        Versus::AllCustomers => "",
        Versus::OtherCustomers => " other customers",
    };
    format!("{what} {numbers}{versus}")
}

fn list(
    out: &mut String,
    title: &str,
    statements: &[Statement],
    persona: &Persona,
    all: &Personas,
) {
    if statements.is_empty() {
        return;
    }
    let _ = writeln!(out, "**{title}**\n");
    for s in statements {
        let evidence: Vec<String> = s
            .evidence
            .iter()
            .map(|e| evidence_short(all, persona.segment, e))
            .collect();
        let _ = writeln!(out, "- {} — _{}_", md(&s.text), md(&evidence.join("; ")));
    }
    out.push('\n');
}

fn card(out: &mut String, p: &Persona, all: &Personas) {
    let _ = writeln!(out, "## {}\n", md(&p.name));
    let _ = writeln!(out, "> {}\n", md(&p.summary));
    if let Some(s) = p
        .stability
        .as_ref()
        .filter(|s| s.verdict != super::StabilityVerdict::Stable)
    {
        let _ = writeln!(out, "> **Note:** {}.\n", md(&upper_first(&s.text)));
    }
    out.push_str("| Key facts | |\n|---|---|\n");
    let _ = writeln!(out, "| Segment | {} |", p.segment);
    let _ = writeln!(
        out,
        "| Customers | {} ({}) |",
        crate::render::group_thousands(p.size as f64),
        percent(p.share)
    );
    if let (Some(share), Some(attribute)) = (p.value_share, &p.value_attribute) {
        let _ = writeln!(
            out,
            "| Share of {} | {} |",
            md(&in_sentence(attribute_label(all, p.segment, attribute))),
            percent(share)
        );
    }
    if let Some(note) = &p.value_note {
        let _ = writeln!(out, "| Value | {} |", md(note));
    }
    for s in &p.outcomes {
        let (label, value) = s.text.split_once(": ").unwrap_or((&s.text, ""));
        let _ = writeln!(out, "| {} | {} |", md(label), md(value));
    }
    if let Some(s) = &p.stability {
        let verdict = match s.verdict {
            super::StabilityVerdict::Stable => "stable",
            super::StabilityVerdict::Uncertain => "uncertain",
            super::StabilityVerdict::Dissolved => "dissolves: a hypothesis",
        };
        // Cut, not rounded, to two decimals: 0.7496 reads 0.74 beside "uncertain", never 0.75.
        let shown = (s.jaccard * 100.0).floor() / 100.0;
        let _ = writeln!(out, "| Stability | {shown:.2} ({verdict}) |");
    }
    let _ = writeln!(
        out,
        "| Buyer type | {} ({}) |",
        md(&p.buyer_type.text),
        md(&p.buyer_type.reason)
    );
    for s in p.demographics.iter().chain(&p.firmographics) {
        let (label, value) = s.text.split_once(": ").unwrap_or((&s.text, ""));
        let _ = writeln!(out, "| {} | {} |", md(label), md(value));
    }
    out.push('\n');
    let nothing = p.traits.is_empty()
        && p.goals.is_empty()
        && p.pain_points.is_empty()
        && p.objections.is_empty();
    if nothing {
        out.push_str("_No difference from all customers is strong enough to state._\n\n");
        return;
    }
    let apart = if p.mainstream {
        "What sets them apart from the other customers"
    } else {
        "What sets them apart"
    };
    list(out, apart, &p.traits, p, all);
    list(out, "Goals", &p.goals, p, all);
    list(out, "Pain points", &p.pain_points, p, all);
    list(out, "Objections", &p.objections, p, all);
    list(out, "Motivations", &p.motivations, p, all);
    list(out, "Buying behaviour", &p.buying_behaviour, p, all);
    list(out, "Channels", &p.channels, p, all);
    for note in &p.notes {
        let _ = writeln!(out, "_{}._\n", md(note));
    }
}

/// The text with its first letter in upper case.
fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

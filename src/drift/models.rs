//! [`compare_models`]: two saved models beside each other, without customers.

use super::classify::Fate;
use super::{
    hungarian, measure, persona_drift, profile_then, share, top_differences, AttributeShift, Basis,
    DriftReport, NewSegment, NoPersona, MODELS_MATCH_MAX_SHIFT,
};
use crate::error::Result;
use crate::model::PersonaModel;
use crate::persona::Persona;
use crate::profile::SegmentProfile;

/// Compares two saved models without their customers; see the [module docs](super).
///
/// # Errors
/// None today: every model this crate loads can be compared. The `Result` leaves room for
/// checks of models from other versions.
pub fn compare_models(old: &PersonaModel, new: &PersonaModel) -> Result<DriftReport> {
    let old_personas: Vec<(&Persona, &SegmentProfile)> = old
        .personas()
        .personas
        .iter()
        .filter_map(|p| profile_then(old, p.segment).map(|t| (p, t)))
        .collect();
    let new_personas: Vec<(&Persona, &SegmentProfile)> = new
        .personas()
        .personas
        .iter()
        .filter_map(|p| profile_then(new, p.segment).map(|t| (p, t)))
        .collect();
    let moves: Vec<Vec<Vec<AttributeShift>>> = old_personas
        .iter()
        .map(|(_, then)| {
            new_personas
                .iter()
                .map(|(_, now)| measure::shifts(then, Some(now), None))
                .collect()
        })
        .collect();
    let cost: Vec<Vec<f64>> = moves
        .iter()
        .map(|row| {
            row.iter()
                .map(|shifts| {
                    shifts
                        .iter()
                        .filter_map(|s| s.standardised)
                        .map(|x| x * x)
                        .sum::<f64>()
                        .sqrt()
                })
                .collect()
        })
        .collect();
    let matching = hungarian::hungarian(&cost);
    let (then_t, now_t) = (old.training(), new.training());
    let mut explained = vec![false; new_personas.len()];
    let mut personas = Vec::new();
    for (i, (persona, then)) in old_personas.iter().enumerate() {
        let accepted = matching[i].filter(|&j| {
            measure::largest(&moves[i][j]).is_none_or(|m| m <= MODELS_MATCH_MAX_SHIFT)
        });
        let share_then = share(
            then_t.sizes.get(persona.segment).copied().unwrap_or(0),
            then_t.customers,
        );
        let (fate, customers_now, now, shifts) = match accepted {
            Some(j) => {
                explained[j] = true;
                let (p, profile) = new_personas[j];
                let size = now_t.sizes.get(p.segment).copied().unwrap_or(0);
                (
                    Fate::Matched(p.segment),
                    size,
                    Some(profile),
                    moves[i][j].clone(),
                )
            }
            None => (Fate::Vanished, 0, None, measure::shifts(then, None, None)),
        };
        let statements = measure::check_statements(persona, then, now);
        personas.push(persona_drift(
            persona,
            share_then,
            customers_now,
            share(customers_now, now_t.customers),
            fate,
            shifts,
            statements,
        ));
    }
    let appeared = new_personas
        .iter()
        .enumerate()
        .filter(|(j, _)| !explained[*j])
        .map(|(j, (p, profile))| NewSegment {
            segment: p.segment,
            name: Some(p.name.clone()),
            customers: now_t.sizes.get(p.segment).copied().unwrap_or(0),
            share: share(
                now_t.sizes.get(p.segment).copied().unwrap_or(0),
                now_t.customers,
            ),
            from_no_persona: None,
            nearest: matching
                .iter()
                .position(|&m| m == Some(j))
                .map(|i| old_personas[i].0.segment),
            distinguishing: top_differences(Some(profile)),
        })
        .collect();
    Ok(DriftReport {
        basis: Basis::Models,
        customers_then: then_t.customers,
        customers_now: now_t.customers,
        no_persona: NoPersona {
            then: then_t.unassigned,
            then_share: share(then_t.unassigned, then_t.customers),
            now: now_t.unassigned,
            now_share: share(now_t.unassigned, now_t.customers),
        },
        personas,
        appeared,
        refit: None,
        notes: Vec::new(),
        recoded: Vec::new(),
    })
}

//! Drawing customers: segment labels in shuffled row order, then each customer's cells from
//! the recipe of its segment.

use super::extras::{Extra, EXTRAS};
use super::recipes::{Recipe, CHANNELS, EDUCATION, MISSING, RECIPES, REGIONS};
use super::{SampleCustomers, PLANTED_SEGMENTS};
use crate::rng::Rng;

/// The identifier of the `number`th customer (from 1).
pub(super) fn customer_id(number: usize) -> String {
    format!("C{number:05}")
}

/// The customers of a [`SampleCustomers`], drawn one at a time in row order: what
/// [`SampleCustomers::generate`] collects and [`SampleCustomers::write_csv`] streams.
pub(super) struct Draws {
    rng: Rng,
    /// The added attributes' own stream, so that the bundled columns stay the same at any width.
    extra_rng: Rng,
    pub(super) planted: Vec<usize>,
    next: usize,
    /// Positions, in a row without its identifier, of the cells that may be missing.
    missing: Vec<(usize, f64)>,
    /// Bundled cells kept after the identifier.
    n_bundled: usize,
    extras: &'static [Extra],
}

impl Draws {
    /// The offset of the added attributes' stream from the seed: any constant far from small
    /// seeds would do.
    const EXTRA_STREAM: u64 = 0xE7A5_5EED;

    pub(super) fn new(config: &SampleCustomers) -> Self {
        let schema = SampleCustomers::schema();
        let mut rng = Rng::new(config.seed);
        let planted = shuffled_labels(config.n_customers, &mut rng);
        let missing = MISSING
            .iter()
            .filter_map(|&(column, p)| Some((schema.position(column)? - 1, p)))
            .collect();
        let n_bundled = config.n_attributes.min(SampleCustomers::BUNDLED_ATTRIBUTES) - 1;
        let n_extras = config
            .n_attributes
            .saturating_sub(SampleCustomers::BUNDLED_ATTRIBUTES);
        Draws {
            rng,
            extra_rng: Rng::new(config.seed ^ Self::EXTRA_STREAM),
            planted,
            next: 0,
            missing,
            n_bundled,
            extras: &EXTRAS[..n_extras],
        }
    }
}

impl Iterator for Draws {
    type Item = Vec<String>;

    fn next(&mut self) -> Option<Vec<String>> {
        let segment = *self.planted.get(self.next)?;
        self.next += 1;
        // Every bundled cell is drawn whatever the width, so that the stream, and with it every
        // column in common, is the same at any width.
        let mut row = draw_customer(&RECIPES[segment], &mut self.rng);
        for &(j, p) in &self.missing {
            if self.rng.bernoulli(p) {
                row[j].clear();
            }
        }
        row.truncate(self.n_bundled);
        let mut cells = Vec::with_capacity(1 + self.n_bundled + self.extras.len());
        cells.push(customer_id(self.next));
        cells.extend(row);
        for extra in self.extras {
            cells.push(extra.draw(segment, &mut self.extra_rng));
        }
        Some(cells)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.planted.len() - self.next;
        (left, Some(left))
    }
}

/// Exact planted segment sizes (largest remainder), then a Fisher-Yates shuffle.
pub(super) fn shuffled_labels(n: usize, rng: &mut Rng) -> Vec<usize> {
    let exact: Vec<f64> = PLANTED_SEGMENTS
        .iter()
        .map(|s| s.share * n as f64)
        .collect();
    let mut sizes: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    // Stable sort: ties in the remainder go to the earlier (larger) segment.
    order.sort_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra)
    });
    let short = n - sizes.iter().sum::<usize>();
    for &s in order.iter().take(short) {
        sizes[s] += 1;
    }
    let mut labels: Vec<usize> = sizes
        .iter()
        .enumerate()
        .flat_map(|(s, &size)| std::iter::repeat_n(s, size))
        .collect();
    for i in (1..labels.len()).rev() {
        let j = rng.below(i + 1);
        labels.swap(i, j);
    }
    labels
}

/// A normal draw within `[min, max]` (redrawn when outside, clamped after a few tries).
fn bounded_normal(rng: &mut Rng, mean: f64, sd: f64, min: f64, max: f64) -> f64 {
    for _ in 0..16 {
        let x = mean + sd * rng.normal();
        if (min..=max).contains(&x) {
            return x;
        }
    }
    mean.clamp(min, max)
}

/// A log-normal draw with this median and log-scale spread.
pub(super) fn log_normal(rng: &mut Rng, median: f64, sigma: f64) -> f64 {
    median * (sigma * rng.normal()).exp()
}

/// An over-dispersed count (Poisson with a log-normal rate), as real counts are.
pub(super) fn count(rng: &mut Rng, mean: f64) -> u64 {
    let rate = mean * (0.3 * rng.normal() - 0.045).exp();
    rng.poisson(rate)
}

/// A fraction around `typical`: logistic of a normal on the logit scale, to two decimals.
pub(super) fn fraction(rng: &mut Rng, typical: f64) -> f64 {
    let logit = (typical / (1.0 - typical)).ln() + 0.6 * rng.normal();
    let p = 1.0 / (1.0 + (-logit).exp());
    (p * 100.0).round() / 100.0
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

pub(super) fn cents(x: f64) -> String {
    format!("{:.2}", (x * 100.0).round() / 100.0)
}

/// One customer's cells after the identifier, in schema order.
fn draw_customer(r: &Recipe, rng: &mut Rng) -> Vec<String> {
    let [age_mean, age_sd, age_min, age_max] = r.age;
    let age = bounded_normal(rng, age_mean, age_sd, age_min, age_max).round();
    let income = (log_normal(rng, r.income[0], r.income[1]) / 100.0).round() * 100.0;
    let children = rng.bernoulli(r.children);
    let mut household = (r.household[0] as u64 + rng.poisson(r.household[1])).min(6);
    if children {
        household = household.max(2);
    }
    let education = EDUCATION[rng.weighted(&r.education)];
    let region = REGIONS[rng.weighted(&r.region)];
    let mut chosen: Vec<bool> = r.channels.iter().map(|&p| rng.bernoulli(p)).collect();
    if !chosen.contains(&true) {
        chosen[rng.weighted(&r.channels)] = true;
    }
    let channels: Vec<&str> = CHANNELS
        .iter()
        .zip(&chosen)
        .filter(|(_, &c)| c)
        .map(|(name, _)| *name)
        .collect();

    // Days since the last order, capped at the two-year window the other behaviour covers.
    let recency = log_normal(rng, r.recency[0], r.recency[1])
        .round()
        .min(729.0);
    // Orders over the last two years: at least the last one.
    let orders = count(rng, 2.0 * r.frequency).max(1);
    let wallet = (0.25 * rng.normal()).exp();
    let spends: Vec<f64> = r
        .spend
        .iter()
        .zip(&r.spend_none)
        .map(|(&median, &none)| {
            if rng.bernoulli(none) {
                0.0
            } else {
                ((wallet * log_normal(rng, median, 0.45)) * 100.0).round() / 100.0
            }
        })
        .collect();
    let total: f64 = spends.iter().sum();
    let web_visits = count(rng, r.web_visits);
    let discount = fraction(rng, r.discount);
    let email_open = fraction(rng, r.email_open);
    let campaigns = (0..6).filter(|_| rng.bernoulli(r.campaign)).count();
    let support = count(rng, r.support);
    let complaints = count(rng, r.complaints);
    let loyalty = rng.bernoulli(r.loyalty);

    let mut cells = vec![
        format!("{age:.0}"),
        format!("{income:.0}"),
        household.to_string(),
        yes_no(children),
        education.to_string(),
        region.to_string(),
        channels.join(";"),
    ];
    cells.extend(spends.iter().map(|&s| cents(s)));
    cells.extend([
        format!("{:.1}", orders as f64 / 2.0),
        format!("{recency:.0}"),
        web_visits.to_string(),
        format!("{discount:.2}"),
        format!("{email_open:.2}"),
        campaigns.to_string(),
        support.to_string(),
        complaints.to_string(),
        yes_no(loyalty),
        cents(total),
    ]);
    cells
}

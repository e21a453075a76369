//! `personas draft` and `personas stability`: from a customer CSV to personas.

use std::ops::RangeInclusive;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use personas::model::{Draft, ModelOptions, PersonaModel};
use personas::persona::{Catalogue, Drafter};
use personas::segment::stability::Stability;
use personas::segment::{suggest_eps, AutoK, Dbscan};
use personas::transactions::{Aggregate, Rfm, RfmCells};
use personas::Profiles;
use personas::{
    CustomerTable, Encoder, InferOptions, Inference, KMeans, Precision, Schema, Segmenter,
    UnknownLevels, ZeroVariance,
};

use crate::common::{self, text, CsvArgs, Format, OrderArgs, Outcome};

/// What to segment and how: the flags `draft` and `stability` share.
#[derive(Args, Debug)]
pub struct FitArgs {
    /// The customer CSV file (header row; the delimiter is detected). With --transactions it is
    /// optional: customer attributes (demographics, say) joined to the order history by id.
    #[arg(required_unless_present = "transactions")]
    pub input: Option<PathBuf>,

    #[command(flatten)]
    pub orders: OrderArgs,

    /// A schema JSON file describing the columns. Without it, a schema is inferred from the data
    /// and what was guessed is printed to stderr (save it with --write-schema and edit it).
    #[arg(long, value_name = "SCHEMA.json")]
    pub schema: Option<PathBuf>,

    /// Writes the schema in use (inferred or read) to this file as JSON.
    #[arg(long, value_name = "FILE")]
    pub write_schema: Option<PathBuf>,

    /// The segmentation algorithm.
    #[arg(long, value_enum, default_value_t = Algorithm::Kmeans)]
    pub algorithm: Algorithm,

    /// k-means: the number of segments, or `auto` to choose it from --k-range by separation and
    /// stability (the table of scores, the reason and any warnings are printed to stderr).
    #[arg(long, default_value = "auto", value_name = "N|auto")]
    pub k: String,

    /// k-means with --k auto: the range of k to try, as `A..=B`, with 2 <= A <= B <= 50.
    #[arg(long, default_value = "3..=6", value_name = "A..=B")]
    pub k_range: String,

    /// k-means: the number of restarts; the one with the lowest inertia is kept.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub n_init: usize,

    /// DBSCAN: the neighbourhood radius in feature space (standardised units). Without it, one
    /// is suggested from the knee of the k-distance curve and printed to stderr.
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub eps: Option<f64>,

    /// DBSCAN: the neighbours (counting the customer itself) that make a customer a core point.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub min_points: usize,

    /// The random seed: the same data and seed give the same segments, personas and model.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,

    /// A JSON file of signal rules (`{"rules": [...]}`) that add to or replace built-in rules of
    /// the same id.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// Stops with an error on a feature with the same value for every customer, instead of
    /// dropping it with a warning.
    #[arg(long)]
    pub strict: bool,

    /// Inference: measure durations (days as a customer, days since, ages) to this date,
    /// `yyyy-mm-dd`, instead of the newest date in the file.
    #[arg(long, value_name = "DATE")]
    pub reference_date: Option<String>,

    /// The element type of the feature matrix: `f32` halves the largest allocation of the run
    /// (each encoded value is rounded to 24 significant bits; the engines still compute in f64).
    #[arg(long, value_enum, default_value_t = PrecisionArg::F64)]
    pub precision: PrecisionArg,

    /// Segment the rows even when an id-like column repeats (rows that look like purchases or
    /// events rather than customers).
    #[arg(long)]
    pub rows_are_customers: bool,

    #[command(flatten)]
    pub csv: CsvArgs,
}

/// `personas draft`.
#[derive(Args, Debug)]
pub struct DraftArgs {
    #[command(flatten)]
    pub fit: FitArgs,

    /// Stability: how many resamples to re-fit (0 skips the measurement).
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub resamples: usize,

    /// The output format: persona cards, or a JSON document with personas, segment profiles,
    /// quality and stability.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,

    /// Writes the output to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Writes a `customer,segment` CSV in input row order (customer: the identifier column's
    /// value, else the 1-based row number; segment empty where a customer has none).
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,

    /// Saves the persona model (schema, encoder, segments, personas) as JSON, for `assign`,
    /// `compare` and `sql`.
    #[arg(long, value_name = "MODEL.json", conflicts_with = "rfm")]
    pub save_model: Option<PathBuf>,

    /// With --transactions: segment by RFM cells (recency, frequency and monetary quintiles
    /// mapped to Champions, Loyal, … Lost) instead of clustering; each cell becomes a persona.
    #[arg(long, requires = "transactions")]
    pub rfm: bool,

    /// With --rfm: a JSON table of RFM cells (`{"cells": [...]}`) to use instead of the
    /// built-in one.
    #[arg(long, value_name = "FILE", requires = "rfm")]
    pub rfm_cells: Option<PathBuf>,
}

/// `personas stability`.
#[derive(Args, Debug)]
pub struct StabilityArgs {
    #[command(flatten)]
    pub fit: FitArgs,

    /// How many resamples to re-fit.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub resamples: usize,

    /// The share of customers in each resample, above 0 and at most 1.
    #[arg(long, default_value_t = 0.8, value_name = "X")]
    pub fraction: f64,

    /// The output format.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,

    /// Writes the output to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Algorithm {
    /// k-means: every customer in one of k segments.
    Kmeans,
    /// DBSCAN: dense groups of any shape; outliers are in no segment.
    Dbscan,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum PrecisionArg {
    /// 8 bytes per encoded value, exact.
    F64,
    /// 4 bytes per encoded value.
    F32,
}

impl From<PrecisionArg> for Precision {
    fn from(p: PrecisionArg) -> Self {
        match p {
            PrecisionArg::F64 => Precision::F64,
            PrecisionArg::F32 => Precision::F32,
        }
    }
}

fn parse_range(text: &str) -> Result<RangeInclusive<usize>, String> {
    let bad = || format!("--k-range must look like 2..=8, not `{text}`");
    let (a, b) = text.split_once("..=").ok_or_else(bad)?;
    let number = |s: &str| s.trim().parse::<usize>().map_err(|_| bad());
    Ok(number(a)?..=number(b)?)
}

/// The customers to segment: the customer file, or the order lines aggregated per customer
/// (with the customer file joined when there is one).
fn load(args: &FitArgs) -> Result<CustomerTable, String> {
    let Some(orders) = &args.orders.transactions else {
        let input = args
            .input
            .as_ref()
            .ok_or("give a customer CSV or --transactions")?;
        return load_customers(args, input);
    };
    let options = args
        .orders
        .options(args.csv.options()?, args.reference_date.as_ref());
    let mut aggregate = Aggregate::from_path(orders, &options).map_err(text)?;
    eprintln!("{}\n", aggregate.report());
    if let Some(input) = &args.input {
        let attributes = load_customers(args, input)?;
        aggregate = aggregate.join(&attributes).map_err(text)?;
    }
    if let Some(path) = &args.write_schema {
        write_schema(path, aggregate.schema())?;
    }
    let (_, table, _) = aggregate.into_parts();
    Ok(table)
}

fn write_schema(path: &std::path::Path, schema: &Schema) -> Outcome {
    let json = schema.to_json().map_err(text)?;
    common::write_file(path, "the schema", |w| {
        use std::io::Write;
        w.write_all(json.as_bytes())?;
        w.write_all(b"\n")
    })
}

/// Reads the schema (or infers it, reporting what was guessed) and the customers of `input`.
fn load_customers(args: &FitArgs, input: &std::path::Path) -> Result<CustomerTable, String> {
    let options = args.csv.options()?;
    let schema = match &args.schema {
        Some(path) => Schema::from_json_file(path).map_err(text)?,
        None => {
            let mut infer = InferOptions::new();
            if let Some(date) = &args.reference_date {
                infer = infer.with_reference_date(date);
            }
            let inference = Inference::from_csv_path_with(input, &options, &infer).map_err(text)?;
            // One write: stderr is unbuffered, and a wide file's report has a line per column.
            eprint!("{inference}");
            if inference.repeated_rows().is_some() && !args.rows_are_customers {
                return Err("the rows are not customers (see the warning above); pass \
                            --rows-are-customers to segment them anyway"
                    .to_string());
            }
            eprintln!(
                "(pass --schema FILE to choose kinds and roles yourself; \
                 --write-schema FILE saves this one)\n"
            );
            inference.into_schema()
        }
    };
    if let (Some(path), None) = (&args.write_schema, &args.orders.transactions) {
        write_schema(path, &schema)?;
    }
    let customers = CustomerTable::from_csv_path(input, &schema, &options).map_err(text)?;
    for m in customers.missing_counts().iter().filter(|m| m.missing > 0) {
        eprintln!(
            "note: `{}` is missing for {} customers ({:.1}%)",
            m.attribute,
            m.missing,
            m.share * 100.0
        );
    }
    Ok(customers)
}

/// The segmenter the flags ask for (DBSCAN's radius suggested from the data when not given).
fn segmenter(
    args: &FitArgs,
    customers: &CustomerTable,
    encoder: Encoder,
) -> Result<Segmenter, String> {
    Ok(match args.algorithm {
        Algorithm::Kmeans if args.k == "auto" => AutoK::new(parse_range(&args.k_range)?)
            .with_seed(args.seed)
            .with_n_init(args.n_init)
            .into(),
        Algorithm::Kmeans => {
            let k = args
                .k
                .parse::<usize>()
                .map_err(|_| format!("--k must be a number or `auto`, not `{}`", args.k))?;
            KMeans::new(k)
                .with_seed(args.seed)
                .with_n_init(args.n_init)
                .into()
        }
        Algorithm::Dbscan => {
            let eps = match args.eps {
                Some(eps) => eps,
                None => {
                    let encoded = encoder.fit_transform(customers).map_err(text)?;
                    let eps =
                        suggest_eps(encoded.features.view(), args.min_points).map_err(text)?;
                    eprintln!("suggested eps = {eps:.4} (pass --eps to choose it yourself)");
                    eps
                }
            };
            Dbscan::new(eps, args.min_points).into()
        }
    })
}

/// Fits the persona model the flags describe, reporting what a user should see on stderr.
fn fit(args: &FitArgs, stability: Option<Stability>) -> Result<(CustomerTable, Draft), String> {
    let customers = load(args)?;
    let zero_variance = if args.strict {
        ZeroVariance::Error
    } else {
        ZeroVariance::Drop
    };
    let encoder = Encoder::new()
        .with_zero_variance(zero_variance)
        .with_unknown_levels(UnknownLevels::Ignore);
    let mut drafter = Drafter::new();
    if let Some(path) = &args.rules {
        drafter = drafter.with_catalogue(Catalogue::builtin().with_rules_file(path).map_err(text)?);
    }
    let segmenter = segmenter(args, &customers, encoder)?;
    let options = ModelOptions::new(segmenter)
        .with_encoder(encoder)
        .with_drafter(drafter)
        .with_stability(stability)
        .with_precision(args.precision.into());
    let draft = PersonaModel::fit(&customers, &options).map_err(text)?;
    for warning in draft.model.encoder().warnings() {
        eprintln!("warning: {warning}");
    }
    if let Some(selection) = &draft.model.personas().selection {
        eprintln!(
            "Choosing k by separation x stability:\n{}",
            selection.table()
        );
        for warning in &selection.warnings {
            eprintln!("warning: {warning}");
        }
        eprintln!("chose k = {}\n", selection.k);
    }
    if let Algorithm::Dbscan = args.algorithm {
        let s = &draft.segmentation;
        let found = s.n_segments();
        eprintln!(
            "DBSCAN found {found} segment{}; {} customers are in none",
            if found == 1 { "" } else { "s" },
            s.unassigned()
        );
        if found < 2 {
            eprintln!(
                "warning: one dense group or none is no segmentation: try a smaller --eps, a \
                 smaller --min-points, or k-means"
            );
        }
        if found > Drafter::MANY_PERSONAS {
            let small = s
                .sizes()
                .iter()
                .filter(|&&n| (n as f64) < 0.02 * s.n_customers() as f64)
                .count();
            eprintln!(
                "warning: {found} segments are more personas than a team can keep (usually \
                 3-5){}: a larger --eps or --min-points merges dense groups, or use k-means \
                 (--algorithm kmeans --k auto)",
                if small > 0 {
                    format!("; {small} of them hold under 2% of the customers each")
                } else {
                    String::new()
                }
            );
        }
    }
    Ok((customers, draft))
}

/// `personas draft --transactions … --rfm`: RFM cells as segments.
fn draft_rfm(args: &DraftArgs) -> Outcome {
    let customers = load(&args.fit)?;
    let cells = match &args.rfm_cells {
        Some(path) => RfmCells::from_json_file(path).map_err(text)?,
        None => RfmCells::builtin(),
    };
    let rfm = Rfm::from_table(&customers, &cells).map_err(text)?;
    for cell in rfm.summary() {
        eprintln!(
            "{:<20} {:>9} customers {:>6.1}%   revenue {:>6.1}%",
            cell.name,
            cell.customers,
            100.0 * cell.customer_share,
            100.0 * cell.revenue_share
        );
    }
    eprintln!();
    let profiles = Profiles::new(&customers, rfm.segmentation()).map_err(text)?;
    let mut drafter = Drafter::new().with_segment_names(rfm.names().iter().cloned());
    if let Some(path) = &args.fit.rules {
        drafter = drafter.with_catalogue(Catalogue::builtin().with_rules_file(path).map_err(text)?);
    }
    let personas = drafter.draft(&profiles).map_err(text)?;
    let rendered = match args.format {
        Format::Markdown => personas.to_markdown(),
        Format::Json => personas.to_json().map_err(text)? + "\n",
    };
    common::write_output(args.output.as_ref(), &rendered)?;
    if let Some(path) = &args.labels {
        let writer = common::create(path, "the labels")?;
        rfm.segmentation()
            .write_labels_csv(customers.ids(), writer)
            .map_err(|e| common::write_error(path, "the labels", e))?;
    }
    Ok(())
}

/// `personas draft`.
pub fn draft(args: DraftArgs) -> Outcome {
    if args.rfm {
        return draft_rfm(&args);
    }
    let stability = (args.resamples > 0).then(|| {
        Stability::new()
            .with_seed(args.fit.seed)
            .with_subsamples(args.resamples)
    });
    let (customers, draft) = fit(&args.fit, stability)?;
    let personas = draft.model.personas();
    let rendered = match args.format {
        Format::Markdown => personas.to_markdown(),
        Format::Json => personas.to_json().map_err(text)? + "\n",
    };
    common::write_output(args.output.as_ref(), &rendered)?;
    if let Some(path) = &args.labels {
        let writer = common::create(path, "the labels")?;
        draft
            .segmentation
            .write_labels_csv(customers.ids(), writer)
            .map_err(|e| common::write_error(path, "the labels", e))?;
    }
    if let Some(path) = &args.save_model {
        draft.model.save(path).map_err(text)?;
        eprintln!("saved the persona model to `{}`", path.display());
    }
    Ok(())
}

/// `personas stability`.
pub fn stability(args: StabilityArgs) -> Outcome {
    if args.resamples == 0 {
        return Err("--resamples must be at least 1".to_string());
    }
    let stability = Stability::new()
        .with_seed(args.fit.seed)
        .with_subsamples(args.resamples)
        .with_fraction(args.fraction);
    let (_, draft) = fit(&args.fit, Some(stability))?;
    let personas = draft.model.personas();
    let rendered = match args.format {
        Format::Json => {
            let score = draft
                .stability
                .as_ref()
                .ok_or("no segment was found, so there is no stability to measure")?;
            let rows: Vec<serde_json::Value> = personas
                .personas
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "segment": p.segment,
                        "name": p.name,
                        "share": p.share,
                        "stability": p.stability,
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "mean_ari": score.mean_ari,
                "min_ari": score.min_ari,
                "ari": score.ari,
                "resample_size": score.subsample_size,
                "personas": rows,
            });
            serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n"
        }
        Format::Markdown => stability_markdown(&draft),
    };
    common::write_output(args.output.as_ref(), &rendered)
}

fn stability_markdown(draft: &Draft) -> String {
    use std::fmt::Write;
    let personas = draft.model.personas();
    let mut out = String::from("# Persona stability\n\n");
    if let Some(score) = &draft.stability {
        let _ = writeln!(
            out,
            "Re-fitted on {} resamples of {} customers each; the segments came back with a mean \
             adjusted Rand index of {:.3} (lowest {:.3}). A persona's stability is the mean \
             Jaccard agreement of its customers with the best-matching segment of each re-fit \
             (Hennig): at least {} is stable, below {} it dissolves.\n",
            score.ari.len(),
            score.subsample_size,
            score.mean_ari,
            score.min_ari,
            personas::persona::STABLE_FROM,
            personas::persona::DISSOLVED_BELOW,
        );
    }
    out.push_str(
        "| Segment | Persona | Customers | Stability | Verdict |\n|---|---|---|---|---|\n",
    );
    for p in &personas.personas {
        let (value, verdict) = match &p.stability {
            // Cut to two decimals, as in the cards, so a value never rounds up to a threshold.
            Some(s) => (
                format!("{:.2}", (s.jaccard * 100.0).floor() / 100.0),
                s.text.clone(),
            ),
            None => ("-".to_string(), "not measured".to_string()),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {:.1}% | {value} | {} |",
            p.segment,
            personas::text::escape_markdown(&p.name),
            p.share * 100.0,
            personas::text::escape_markdown(&verdict)
        );
    }
    out
}

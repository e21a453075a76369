//! The `personas` command-line tool (and the quickstart example) exit non-zero with a clear
//! message on bad input, and write what they promise on good input.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The quickstart example, built once per test run from the current sources by the cargo that runs the
/// tests, with the same profile and target directory: a test never runs a stale binary.
fn examples() -> &'static HashMap<String, PathBuf> {
    static BUILT: OnceLock<HashMap<String, PathBuf>> = OnceLock::new();
    BUILT.get_or_init(|| {
        // This test binary is `<target dir>/<profile dir>/deps/cli-<hash>`.
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().unwrap().parent().unwrap();
        let target_dir = profile_dir.parent().unwrap();
        let profile = match profile_dir.file_name().unwrap().to_str().unwrap() {
            "debug" => "dev".to_string(),
            other => other.to_string(),
        };
        let out = Command::new(env!("CARGO"))
            .args(["build", "--example", "quickstart"])
            .args(["--message-format", "json", "--profile", &profile])
            .arg("--manifest-path")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
            .arg("--target-dir")
            .arg(target_dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "building the examples failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut built = HashMap::new();
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            let message: serde_json::Value = serde_json::from_str(line).unwrap();
            if let (Some(name), Some(path)) = (
                message["target"]["name"].as_str(),
                message["executable"].as_str(),
            ) {
                built.insert(name.to_string(), PathBuf::from(path));
            }
        }
        assert_eq!(built.len(), 1, "{built:?}");
        built
    })
}

fn example(name: &str) -> PathBuf {
    examples()[name].clone()
}

fn scratch(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("personas-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

/// Runs `personas draft` with these arguments.
fn run(args: &[&str]) -> (i32, String, String) {
    personas(&[&["draft"], args].concat())
}

/// Runs `personas` with these arguments.
fn personas(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_personas"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_input_exits_non_zero_with_the_message_and_no_panic() {
    let ragged = scratch("ragged.csv", "id,age\na,1\nb\n");
    let text = scratch("text.csv", "id,age,x\na,1,2\nb,old,3\nc,4,5\n");
    let schema = scratch(
        "text.schema.json",
        r#"{"attributes": [{"name": "id", "kind": "categorical", "role": "identifier"},
            {"name": "age", "kind": "numeric"}, {"name": "x", "kind": "numeric"}]}"#,
    );
    let bad_json = scratch(
        "bad.schema.json",
        r#"{"attributes": [{"name": "age", "kind": "colour"}]}"#,
    );
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["/no/such/file.csv"], "cannot read `/no/such/file.csv`"),
        (vec![ragged.to_str().unwrap()], "row 2: expected 2 fields"),
        (
            vec![text.to_str().unwrap(), "--k", "2"],
            "", // inferred as categorical: no error expected, checked below
        ),
        (
            vec![text.to_str().unwrap(), "--schema", schema.to_str().unwrap()],
            "row 2, column `age`: `old` is not a number",
        ),
        (
            vec![
                text.to_str().unwrap(),
                "--schema",
                bad_json.to_str().unwrap(),
            ],
            "bad.schema.json`: unknown variant `colour`",
        ),
        (
            vec![text.to_str().unwrap(), "--k", "9"],
            "k = 9 segments is not possible for 3 customers",
        ),
    ];
    for (args, expected) in cases {
        let (code, _, stderr) = run(&args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        if expected.is_empty() {
            assert_eq!(code, 0, "{args:?}: {stderr}");
        } else {
            assert_eq!(code, 1, "{args:?}: {stderr}");
            assert!(stderr.contains(expected), "{args:?}: {stderr}");
        }
    }
}

#[test]
fn labels_follow_input_rows_and_json_has_a_schema_version() {
    let csv = scratch(
        "ok.csv",
        "customer_id,age,spend\nc1,20,10\nc2,21,12\nc3,60,200\nc4,62,210\nc5,22,11\n",
    );
    let labels = csv.with_extension("labels.csv");
    let output = csv.with_extension("json");
    let (code, _, stderr) = run(&[
        csv.to_str().unwrap(),
        "--k",
        "2",
        "--format",
        "json",
        "--output",
        output.to_str().unwrap(),
        "--labels",
        labels.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("customer_id"),
        "the inferred schema is reported: {stderr}"
    );
    let labels = std::fs::read_to_string(labels).unwrap();
    let lines: Vec<&str> = labels.lines().collect();
    assert_eq!(lines[0], "customer,segment");
    assert_eq!(lines.len(), 6);
    let seg = |i: usize| lines[i].split(',').nth(1).unwrap().to_string();
    assert!(lines[1].starts_with("c1,") && lines[5].starts_with("c5,"));
    assert_eq!(seg(1), seg(2));
    assert_eq!(seg(3), seg(4));
    assert_ne!(seg(1), seg(3));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(output).unwrap()).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["segments"].as_array().unwrap().len(), 2);
}

#[test]
fn quickstart_prints_five_persona_cards_with_evidence() {
    let out = Command::new(example("quickstart")).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("\n## ").count(), 5, "{text}");
    assert!(
        text.contains("**Objections**") && text.contains(" vs "),
        "{text}"
    );
}

#[test]
fn dbscan_and_rules_flags_work_and_bad_values_are_refused() {
    let csv = scratch(
        "dense.csv",
        &(0..60)
            .map(|i| {
                let group = f64::from(i % 2) * 50.0;
                format!(
                    "c{i},{},{}\n",
                    group + f64::from(i % 7) * 0.1,
                    // Spread enough that y is no copy of x (|r| < 0.98), which inference drops.
                    group + f64::from(i % 11) * 1.8
                )
            })
            .fold("id,x,y\n".to_string(), |acc, line| acc + &line),
    );
    let rules = scratch(
        "rules.json",
        r#"{"rules": [{"id": "x_high", "attributes": ["x"], "direction": "high", "goals": ["Reach the top"]}]}"#,
    );
    let path = csv.to_str().unwrap();
    let (code, stdout, stderr) = run(&[
        path,
        "--algorithm",
        "dbscan",
        "--min-points",
        "4",
        "--eps",
        "0.5",
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("more personas than"), "{stderr}");
    let (suggested, _, suggested_err) = run(&[path, "--algorithm", "dbscan", "--min-points", "4"]);
    assert_eq!(suggested, 0, "{suggested_err}");
    assert!(suggested_err.contains("suggested eps"), "{suggested_err}");
    assert!(
        stdout.contains("2 personas drafted from 60 customers"),
        "{stdout}"
    );
    assert!(stdout.contains("Reach the top"), "{stdout}");
    for (args, expected) in [
        (vec![path, "--algorithm", "dbscan", "--eps", "0"], "eps"),
        (vec![path, "--algorithm", "dbscan", "--eps", "-1"], "eps"),
        (vec![path, "--k", "0"], "invalid k = 0"),
        (vec![path, "--k-range", "5..=2"], "range"),
        (vec![path, "--rules", "/no/such/rules.json"], "rules.json"),
    ] {
        let (code, _, stderr) = run(&args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn dbscan_warns_when_it_finds_more_segments_than_personas_are_kept() {
    // Twelve dense, far-apart groups of 20 customers: twelve DBSCAN segments.
    let csv = scratch(
        "twelve.csv",
        &(0..240)
            .map(|i| {
                let group = f64::from(i % 12) * 100.0;
                format!(
                    "c{i},{},{}\n",
                    group + f64::from(i % 5) * 0.1,
                    f64::from(i % 12) * 37.0 + f64::from(i % 7) * 0.1
                )
            })
            .fold("id,x,y\n".to_string(), |acc, line| acc + &line),
    );
    let path = csv.to_str().unwrap();
    let args = [
        path,
        "--algorithm",
        "dbscan",
        "--eps",
        "0.2",
        "--min-points",
        "4",
    ];
    let (code, stdout, stderr) = run(&args);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("DBSCAN found 12 segments"), "{stderr}");
    // The cards say it too, and that every segment is too small for statements.
    assert!(
        stdout.contains("12 personas are more than a team can keep"),
        "{stdout}"
    );
    assert!(
        stdout.contains("12 of the 12 segments hold fewer than 30"),
        "{stdout}"
    );
    let (_, json, _) = run(&[&args[..], &["--format", "json"]].concat());
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["warnings"].as_array().map(Vec::len), Some(2), "{json}");
    // Five segments of hundreds of customers draw no warning, and the JSON has no such key.
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/customers.csv");
    let (_, json, _) = run(&[sample, "--k", "5", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(json.get("warnings").is_none(), "{}", json["warnings"]);
    assert!(
        stderr.contains("warning: 12 segments are more personas than"),
        "{stderr}"
    );
}

#[test]
fn a_title_line_stops_the_run_with_a_hint_and_skip_lines_or_comment_skips_it() {
    let rows = (0..60)
        .map(|i| format!("c{i},{},{}\n", i % 2 * 50 + i % 7, (i * 13) % 29))
        .collect::<String>();
    let titled = scratch(
        "titled.csv",
        &format!("Customer list, exported 2026\nid,x,y\n{rows}"),
    );
    let path = titled.to_str().unwrap();
    let (code, _, stderr) = run(&[path, "--k", "2"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("row 1")
            && stderr.contains("--skip-lines")
            && !stderr.contains(" 1 fields"),
        "{stderr}"
    );
    let (code, stdout, stderr) = run(&[path, "--k", "2", "--skip-lines", "1"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("from 60 customers"), "{stdout}");
    // A marked note line anywhere goes with --comment.
    let noted = scratch(
        "noted.csv",
        &format!("| exported 2026\nid,x,y\n{rows}| end\n"),
    );
    let (code, stdout, stderr) = run(&[noted.to_str().unwrap(), "--k", "2", "--comment", "|"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("from 60 customers"), "{stdout}");
}

#[test]
fn the_f32_precision_drafts_the_same_personas_on_the_bundled_customers() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/customers.csv");
    let (code, exact, stderr) = run(&[sample, "--k", "5", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, single, stderr) =
        run(&[sample, "--k", "5", "--format", "json", "--precision", "f32"]);
    assert_eq!(code, 0, "{stderr}");
    let names = |json: &str| {
        json.lines()
            .filter(|l| l.trim_start().starts_with("\"name\""))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert!(!names(&exact).is_empty(), "{exact}");
    assert_eq!(names(&exact), names(&single));
    let (code, _, stderr) = run(&[sample, "--precision", "f16"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("f16"), "{stderr}");
}

#[test]
fn the_readme_persona_card_is_what_quickstart_prints() {
    let out = Command::new(example("quickstart")).output().unwrap();
    let printed = String::from_utf8(out.stdout).unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    // README shows the first card with its heading one level down.
    let section = readme
        .find("## A persona card")
        .expect("a persona card section in README");
    let start = section
        + readme[section..]
            .find("### ")
            .expect("a persona card in README");
    let end = readme[start..]
        .find("\n## ")
        .map_or(readme.len(), |e| start + e);
    let card = readme[start..end].trim().replacen("### ", "## ", 1);
    let first = printed.find("\n## ").expect("a card in the output") + 1;
    let next = printed[first..]
        .find("\n## ")
        .map_or(printed.len(), |e| first + e);
    assert_eq!(card, printed[first..next].trim());
}

/// The first `rows` customers of the bundled sample, as a scratch CSV.
fn bundled_head(rows: usize) -> PathBuf {
    let text = std::fs::read_to_string(common::DATA).unwrap();
    let head: Vec<&str> = text.lines().take(rows + 1).collect();
    scratch(&format!("head{rows}.csv"), &(head.join("\n") + "\n"))
}

#[test]
fn the_default_path_chooses_k_writes_a_schema_that_reproduces_the_run_and_reports_quality() {
    let csv = bundled_head(500);
    let dir = csv.parent().unwrap().to_path_buf();
    let (schema, labels) = (
        dir.join("default.schema.json"),
        dir.join("default.labels.csv"),
    );
    let (first, second) = (dir.join("default.json"), dir.join("default.again.json"));
    let path = |p: &PathBuf| p.to_str().unwrap().to_string();
    // No --k, no --schema: auto k over 2..=8 with an inferred schema.
    let (code, _, stderr) = run(&[
        &path(&csv),
        "--format",
        "json",
        "--output",
        &path(&first),
        "--labels",
        &path(&labels),
        "--write-schema",
        &path(&schema),
    ]);
    assert_eq!(code, 0, "{stderr}");
    // The table of scores: a row per k tried (rows start `| k `), exactly one of them chosen.
    let rows: Vec<(usize, bool)> = stderr
        .lines()
        .filter_map(|l| {
            let k = l
                .strip_prefix("| ")?
                .split_whitespace()
                .next()?
                .parse()
                .ok()?;
            Some((k, l.contains("chosen")))
        })
        .collect();
    assert!(rows.len() >= 2, "no table of scores: {stderr}");
    assert!(rows.windows(2).all(|w| w[0].0 < w[1].0), "{stderr}");
    let chosen: Vec<usize> = rows.iter().filter(|r| r.1).map(|r| r.0).collect();
    assert_eq!(chosen.len(), 1, "{stderr}");
    let json_text = std::fs::read_to_string(&first).unwrap();
    let json: serde_json::Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(json["personas"].as_array().unwrap().len(), chosen[0]);
    // The quality block: every metric present and in its range.
    let quality = &json["quality"];
    let metric = |name: &str| quality[name].as_f64().unwrap_or_else(|| panic!("{name}"));
    assert!((-1.0..=1.0).contains(&metric("silhouette")), "{quality}");
    assert!(metric("silhouette") > 0.1, "{quality}");
    assert!(metric("calinski_harabasz") > 1.0, "{quality}");
    assert!(metric("davies_bouldin") > 0.0, "{quality}");
    assert!(metric("inertia") > 0.0, "{quality}");
    // Every number the run printed, recomputed from the raw CSV with the schema it wrote.
    let schema_text = std::fs::read_to_string(&schema).unwrap();
    let labels_text = std::fs::read_to_string(&labels).unwrap();
    let report = common::evidence::check_run(&csv, &schema_text, &json_text, &labels_text);
    assert_eq!(report.personas, chosen[0]);
    assert!(report.claims > 0, "{report:?}");
    // The written schema, passed back, gives the same output byte for byte.
    let (code, _, stderr) = run(&[
        &path(&csv),
        "--schema",
        &path(&schema),
        "--format",
        "json",
        "--output",
        &path(&second),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(json_text, std::fs::read_to_string(&second).unwrap());
}

#[test]
fn hostile_input_on_the_command_line_gets_a_short_clear_error_and_no_panic() {
    // A header name of 70,000 characters: a formatting width in the report once panicked.
    let name = "h".repeat(70_000);
    let mut long = format!("id,{name},region\n");
    for i in 0..30 {
        long.push_str(&format!("c{i},{},{}\n", i * 7 % 13, ["n", "s", "e"][i % 3]));
    }
    let long = scratch("long_header.csv", &long);
    let (code, stdout, stderr) = run(&[long.to_str().unwrap(), "--k", "3"]);
    assert_eq!(code, 0, "{}", &stderr[..stderr.len().min(2_000)]);
    assert!(!stderr.contains("panicked"));
    assert!(stdout.contains("# Draft personas"));
    for line in stderr.lines() {
        assert!(
            line.chars().count() < 2_500,
            "a report line of {}",
            line.len()
        );
    }
    let ok = scratch(
        "ranges.csv",
        &(0..40).fold("id,x,y\n".to_string(), |acc, i| {
            acc + &format!("c{i},{},{}\n", i % 4 * 10, (i * 7) % 9)
        }),
    );
    let path = ok.to_str().unwrap();
    let (code, _, stderr) = run(&[path, "--k-range", "2..=100000"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("k range") && stderr.contains("50"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_full_labels_file_names_the_labels_file() {
    let full = std::path::Path::new("/dev/full");
    if !full.exists() {
        eprintln!("skipped: /dev/full is absent");
        return;
    }
    let csv = scratch(
        "full.csv",
        "customer_id,age,spend\nc1,20,10\nc2,21,12\nc3,60,200\nc4,62,210\nc5,22,11\n",
    );
    let output = csv.with_extension("md");
    let (code, _, stderr) = run(&[
        csv.to_str().unwrap(),
        "--k",
        "2",
        "--output",
        output.to_str().unwrap(),
        "--labels",
        "/dev/full",
    ]);
    assert_eq!(code, 1, "{stderr}");
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or("");
    assert!(
        error.contains("labels") && error.contains("/dev/full"),
        "{stderr}"
    );
    assert!(!error.contains("input"), "{stderr}");
    let (code, _, stderr) = run(&[csv.to_str().unwrap(), "--k", "2", "--output", "/dev/full"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("/dev/full"), "{stderr}");
}

#[test]
fn a_pandas_index_column_without_a_name_is_read_as_column_1_and_not_clustered() {
    // `DataFrame.to_csv()` writes the index first, under an empty header cell.
    let csv = scratch(
        "pandas.csv",
        &(0..60)
            .map(|i| format!("{i},c{i},{},{}\n", i % 2 * 50 + i % 7, (i * 13) % 29))
            .fold(",id,x,y\n".to_string(), |acc, l| acc + &l),
    );
    let (code, stdout, stderr) = run(&[csv.to_str().unwrap(), "--k", "2"]);
    assert_eq!(code, 0, "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("column_1"))
        .unwrap_or_else(|| panic!("no column_1 in the report: {stderr}"));
    // A row number is never clustered: it is the identifier or ignored.
    assert!(
        line.contains("identifier") || line.contains("ignored"),
        "{line}"
    );
    assert!(stdout.contains("from 60 customers"), "{stdout}");
}

#[test]
fn dash_o_writes_the_output_file_of_every_command_that_has_one() {
    let dir = std::env::temp_dir().join(format!("personas-cli-o-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let (code, _, stderr) = personas(&["sample", "-o", &path("c.csv")]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = personas(&[
        "draft",
        &path("c.csv"),
        "--k",
        "3",
        "--save-model",
        &path("m.json"),
        "-o",
        &path("p.md"),
    ]);
    assert_eq!(code, 0, "{stderr}");
    for args in [
        vec![
            "assign",
            &path("m.json"),
            &path("c.csv"),
            "-o",
            &path("a.csv"),
        ],
        vec![
            "compare",
            &path("m.json"),
            &path("c.csv"),
            "-o",
            &path("d.md"),
        ],
        vec!["sql", &path("m.json"), "-o", &path("q.sql")],
        vec![
            "stability",
            &path("c.csv"),
            "--k",
            "3",
            "--resamples",
            "2",
            "-o",
            &path("s.md"),
        ],
    ] {
        let (code, _, stderr) = personas(&args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
        let out = args.last().unwrap();
        assert!(
            std::fs::metadata(out).is_ok_and(|m| m.len() > 0),
            "{args:?}"
        );
    }
    assert!(std::fs::metadata(path("p.md")).is_ok_and(|m| m.len() > 0));
    std::fs::remove_dir_all(&dir).ok();
}

//! The example binaries exit non-zero with a clear message on bad input, and write what they
//! promise on good input.

use std::path::PathBuf;
use std::process::Command;

/// A compiled example (cargo test builds examples beside the test binaries).
fn example(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.parent()?.join("examples");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    path.exists().then_some(path)
}

fn scratch(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("personas-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn run(args: &[&str]) -> Option<(i32, String, String)> {
    let Some(exe) = example("segment") else {
        eprintln!("skipped: the segment example is not built next to the tests");
        return None;
    };
    let out = Command::new(exe).args(args).output().unwrap();
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
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
        let Some((code, _, stderr)) = run(&args) else {
            return;
        };
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
    let Some((code, _, stderr)) = run(&[
        csv.to_str().unwrap(),
        "--k",
        "2",
        "--format",
        "json",
        "--output",
        output.to_str().unwrap(),
        "--labels",
        labels.to_str().unwrap(),
    ]) else {
        return;
    };
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
    let Some(exe) = example("quickstart") else {
        eprintln!("skipped: the quickstart example is not built next to the tests");
        return;
    };
    let out = Command::new(exe).output().unwrap();
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
    let Some((code, stdout, stderr)) = run(&[
        path,
        "--algorithm",
        "dbscan",
        "--min-points",
        "4",
        "--eps",
        "0.5",
        "--rules",
        rules.to_str().unwrap(),
    ]) else {
        return;
    };
    assert_eq!(code, 0, "{stderr}");
    let Some((suggested, _, suggested_err)) =
        run(&[path, "--algorithm", "dbscan", "--min-points", "4"])
    else {
        return;
    };
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
        let Some((code, _, stderr)) = run(&args) else {
            return;
        };
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn the_readme_persona_card_is_what_quickstart_prints() {
    let Some(exe) = example("quickstart") else {
        eprintln!("skipped: the quickstart example is not built next to the tests");
        return;
    };
    let out = Command::new(exe).output().unwrap();
    let printed = String::from_utf8(out.stdout).unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    // README shows the first card with its heading one level down.
    let start = readme.find("### ").expect("a persona card in README");
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

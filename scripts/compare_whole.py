"""Whole process, CSV to segments, timed as a user times it: the crate's `personas draft` against
the pandas + scikit-learn pipeline of scripts/whole_process.py, on the same CSV files.

    pip install scikit-learn pandas
    cargo build --release --bin personas
    cargo run --release --example generate_sample -- --rows 1000000 --attributes 11 --out-dir /tmp/big/1m11
    python3 scripts/compare_whole.py /tmp/big/1m11/customers.csv [MORE.csv ...] [--k 5] [--runs 3]

For each file, each tool runs `--runs` times (alternating, ours first) under
`/usr/bin/time -f '%e %M'`: wall seconds and peak resident memory of the whole process,
interpreter start and imports included. Ours is

    target/release/personas draft FILE --k K --n-init 1 --seed S --format json --output OUT.json
        --labels LABELS.csv [--precision f32]

so both fit k-means once (k fixed, one k-means++ initialisation, the same seed); ours also infers
the schema (unless --schema), measures quality, profiles the segments and drafts personas;
neither chooses k. Prints a Markdown table of medians, with the load average before and after;
MB are 10^6 bytes. "sklearn in-process s" is the pipeline's own total (read to write), without
the interpreter's start and imports. The agreement column is the adjusted Rand index between the two tools' labels
from the last run.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("csv", nargs="+", help="customer CSV files")
    p.add_argument("--k", type=int, default=5, help="the number of segments (default 5)")
    p.add_argument("--runs", type=int, default=3, help="runs per tool and file (default 3)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--schema", help="pass this schema to ours instead of inferring one")
    p.add_argument("--precision", choices=["f64", "f32"], default="f64",
                   help="ours: the element type of the feature matrix (default f64)")
    p.add_argument("--ours", default=str(ROOT / "target/release/personas"),
                   help="the personas binary")
    p.add_argument("--only", choices=["ours", "sklearn"], help="run one tool only")
    return p.parse_args(argv)


def load():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def timed(command):
    """Wall seconds and peak RSS in bytes of one run; stops on failure."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        run = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", out.name, *command],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if run.returncode != 0:
            sys.exit(f"failed ({run.returncode}): {' '.join(command)}\n{run.stderr[-2000:]}")
        wall, kb = out.read().split()[-2:]
    return float(wall), int(kb) * 1024, run.stderr


def shape(path):
    with open(path, "rb") as f:
        columns = f.readline().count(b",") + 1
        rows = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))
    return rows, columns


def agreement(ours, theirs):
    try:
        import pandas as pd
        from sklearn.metrics import adjusted_rand_score
    except ImportError:
        return None
    a, b = pd.read_csv(ours), pd.read_csv(theirs)
    return adjusted_rand_score(a["segment"], b["segment"])


def main(argv):
    args = parse_args(argv)
    ours_bin = Path(args.ours)
    if args.only != "sklearn" and not ours_bin.exists():
        sys.exit(f"{ours_bin} is missing: cargo build --release --bin personas")
    tools = [t for t in ("ours", "sklearn") if args.only in (None, t)]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = load()
    rows = []
    with tempfile.TemporaryDirectory(prefix="compare_whole") as tmp:
        tmp = Path(tmp)
        for csv in args.csv:
            size = os.path.getsize(csv)
            n, columns = shape(csv)
            commands = {
                "ours": [str(ours_bin), "draft", csv, "--k", str(args.k), "--n-init", "1",
                         "--seed", str(args.seed), "--precision", args.precision,
                         "--format", "json",
                         "--output", str(tmp / "ours.json"), "--labels",
                         str(tmp / "ours_labels.csv"),
                         *(["--schema", args.schema] if args.schema else [])],
                "sklearn": [sys.executable, str(ROOT / "scripts/whole_process.py"), csv,
                            "--k", str(args.k), "--seed", str(args.seed),
                            "--labels", str(tmp / "sklearn_labels.csv"),
                            "--summary", str(tmp / "sklearn.json")],
            }
            results = {t: [] for t in tools}
            inner = []
            for run in range(args.runs):
                for t in tools:
                    wall, rss, err = timed(commands[t])
                    results[t].append((wall, rss))
                    if t == "sklearn":
                        inner.append(float(err.rsplit("total ", 1)[1].split()[0]))
                    detail = err.strip().splitlines()[-1] if t == "sklearn" and err else ""
                    print(f"{Path(csv).name} {t} run {run + 1}: {wall:.2f} s, "
                          f"{rss / 1e6:.0f} MB {detail}", file=sys.stderr)
            ari = (agreement(tmp / "ours_labels.csv", tmp / "sklearn_labels.csv")
                   if len(tools) == 2 else None)
            rows.append((csv, n, columns, size, results, inner, ari))
    load_after = load()

    print(f"Run of {started}, load average {load_before} before, {load_after} after; "
          f"k = {args.k}, one k-means++ initialisation each, medians of {args.runs} runs, "
          f"ours in {args.precision}"
          f"{'' if args.schema else '; ours infers the schema'}.\n")
    head = ["CSV", "rows x columns", "CSV MB"]
    for t in tools:
        head += [f"{t} s"]
        if t == "sklearn":
            head += ["sklearn in-process s"]
        head += [f"{t} peak RSS MB", f"{t} RSS / CSV"]
    if len(tools) == 2:
        head += ["time ours / sklearn", "ARI ours vs sklearn"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * 3 + "---:|" * (len(head) - 3))
    for csv, n, columns, size, results, inner, ari in rows:
        cells = [Path(csv).parent.name + "/" + Path(csv).name, f"{n:,} x {columns}",
                 f"{size / 1e6:.0f}"]
        medians = {}
        for t in tools:
            wall = statistics.median(w for w, _ in results[t])
            rss = statistics.median(r for _, r in results[t])
            medians[t] = wall
            cells += [f"{wall:.2f}"]
            if t == "sklearn":
                cells += [f"{statistics.median(inner):.2f}"]
            cells += [f"{rss / 1e6:.0f}", f"{rss / size:.1f}"]
        if len(tools) == 2:
            cells += [f"{medians['ours'] / medians['sklearn']:.2f}",
                      "" if ari is None else f"{ari:.3f}"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])

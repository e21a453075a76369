"""The whole process a data team would otherwise write with pandas and scikit-learn, for the
"Whole process" comparison in BENCHMARKS.md (driven by scripts/compare_whole.py).

    pip install scikit-learn pandas
    python3 scripts/whole_process.py CUSTOMERS.csv --k 5 --labels LABELS.csv --summary SUMMARY.json

Steps, each timed (the times go to stderr):
1. read: `pandas.read_csv` with its default type guessing;
2. prepare: drop the id column (`--id`, default the first column); split tag columns (text cells
   holding `--tag-separator`, default `;`, such as `web;email`) into one 0/1 column per tag, as
   the crate encodes tags; every other text column is categorical, every number column numeric;
3. encode: a `ColumnTransformer` with, for numbers, median imputation then standard scaling,
   and for categories, most-frequent imputation then one-hot encoding (dense);
4. fit: `KMeans(k, init="k-means++", n_init=1, random_state=--seed)` (scikit-learn's defaults
   otherwise: Lloyd, tol 1e-4, at most 300 iterations, all cores through OpenMP);
5. write: the labels as CSV `customer,segment` (the shape of the crate's `--labels` file) and a
   JSON summary: segment sizes and each segment's mean of every numeric input column.

It drafts no personas, chooses no k and writes no profiles beyond those means: it is the
smallest pipeline that gets from the CSV to segments a team could look at.
"""

import argparse
import json
import sys
import time

import numpy as np
import pandas as pd
import sklearn
from sklearn.cluster import KMeans
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("csv", help="the customer CSV (header row, comma-separated)")
    p.add_argument("--k", type=int, required=True, help="the number of segments")
    p.add_argument("--seed", type=int, default=42, help="KMeans random_state")
    p.add_argument("--id", default=None, help="the id column (default: the first column)")
    p.add_argument("--tag-separator", default=";",
                   help="text columns whose cells contain it are tag lists ('' for none)")
    p.add_argument("--labels", required=True, help="where to write customer,segment")
    p.add_argument("--summary", required=True, help="where to write the JSON summary")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    stages = {}
    start = last = time.perf_counter()

    def lap(name):
        nonlocal last
        now = time.perf_counter()
        stages[name] = now - last
        last = now

    df = pd.read_csv(args.csv)
    lap("read")

    id_column = args.id if args.id is not None else df.columns[0]
    ids = df.pop(id_column)
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    text = [c for c in df.columns if c not in numeric]
    tags = []
    if args.tag_separator:
        tags = [c for c in text
                if df[c].str.contains(args.tag_separator, regex=False, na=False).any()]
    categorical = [c for c in text if c not in tags]
    indicators = [df[c].str.get_dummies(sep=args.tag_separator).add_prefix(f"{c}=")
                  for c in tags]
    inputs = pd.concat([df[numeric + categorical], *indicators], axis=1)
    indicator_columns = [c for frame in indicators for c in frame.columns]
    lap("prepare")

    encoder = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
             numeric),
            ("categorical",
             make_pipeline(SimpleImputer(strategy="most_frequent"),
                           OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
             categorical),
            ("tags", "passthrough", indicator_columns),
        ],
        sparse_threshold=0.0,
    )
    features = encoder.fit_transform(inputs)
    lap("encode")

    kmeans = KMeans(n_clusters=args.k, init="k-means++", n_init=1, random_state=args.seed)
    labels = kmeans.fit_predict(features)
    lap("fit")

    pd.DataFrame({"customer": ids, "segment": labels}).to_csv(args.labels, index=False)
    means = df[numeric].groupby(labels).mean()
    sizes = np.bincount(labels, minlength=args.k)
    summary = {
        "k": args.k,
        "customers": int(len(labels)),
        "features": int(features.shape[1]),
        "iterations": int(kmeans.n_iter_),
        "inertia": float(kmeans.inertia_),
        "segments": [
            {
                "segment": s,
                "size": int(sizes[s]),
                "means": {c: (None if pd.isna(v) else float(v))
                          for c, v in means.loc[s].items()} if s in means.index else {},
            }
            for s in range(args.k)
        ],
    }
    with open(args.summary, "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    lap("write")

    total = time.perf_counter() - start
    print(f"pandas {pd.__version__}, scikit-learn {sklearn.__version__}: "
          f"{len(labels)} customers, {len(numeric)} numeric, {len(categorical)} categorical, "
          f"{len(tags)} tag columns -> {features.shape[1]} features, "
          f"{kmeans.n_iter_} k-means iterations", file=sys.stderr)
    print("stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in stages.items())
          + f", total {total:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])

"""scikit-learn on exactly the data of `examples/compare_peers.rs`, for BENCHMARKS.md.

    cargo run --release --example compare_peers -- --write-npy target/peer-data
    python3 scripts/sklearn_peer.py target/peer-data

Needs numpy and scikit-learn (pip install scikit-learn). Prints a Markdown table of medians.
Settings match compare_peers: k = 8, one k-means++ initialisation, tol = 1e-4 (scikit-learn's
tolerance is relative to the mean feature variance, as ours), at most 300 iterations; DBSCAN with
the same eps and min_samples (scikit-learn counts the point itself, as we do), n_jobs = 2.
"""

import csv
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.cluster import DBSCAN, KMeans, kmeans_plusplus


def median_ms(reps, fn):
    times, result = [], None
    for _ in range(reps):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times), result


def main(data_dir):
    data = Path(data_dir)
    rows = []
    x = np.load(data / "kmeans_1000000x16.npy")
    for algorithm in ("elkan", "lloyd"):
        def fit(algorithm=algorithm):
            return KMeans(8, init="k-means++", n_init=1, tol=1e-4, max_iter=300,
                          algorithm=algorithm, random_state=1).fit(x)
        ms, model = median_ms(5, fit)
        rows.append((f"k-means 1000000 x 16, k = 8, n_init = 1, {algorithm}", ms,
                     f"{model.n_iter_} iterations"))
    ms, _ = median_ms(5, lambda: kmeans_plusplus(x, 8, random_state=1))
    rows.append(("kmeans_plusplus alone, 1000000 x 16, k = 8", ms, ""))
    with open(data / "dbscan_settings.csv") as f:
        for case in csv.DictReader(f):
            xd = np.load(data / f"{case['case']}.npy")
            eps, min_points = float(case["eps"]), int(case["min_points"])
            reps = 3 if xd.shape[0] <= 100_000 else 1
            ms, model = median_ms(reps, lambda: DBSCAN(eps=eps, min_samples=min_points,
                                                         n_jobs=2).fit(xd))
            labels = model.labels_
            rows.append((f"DBSCAN {xd.shape[0]} x {xd.shape[1]}, eps = {eps}, "
                         f"min_points = {min_points}", ms,
                         f"{labels.max() + 1} segments, {(labels == -1).sum()} noise"))
    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}\n")
    print("| case | scikit-learn median ms | notes |\n|---|---:|---|")
    for case, ms, notes in rows:
        print(f"| {case} | {ms:.1f} | {notes} |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "target/peer-data")

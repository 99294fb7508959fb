"""Compare benchcast's capability index with Epoch's published index and Rosetta Stone
difficulties (never fitted on them), time the fit, and write the scatter plots of docs/capability.md.

    python -m benchmarks.capability_compare [--seed 0] [--out docs]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from forecast import capability_index
from forecast.capability.plot import plot_scatter
from priors.history import data_path
from priors.open_weight import read_open_weight


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="docs")
    args = ap.parse_args()
    times = []
    for s in range(3):
        start = time.perf_counter()
        ci = capability_index(seed=args.seed + s)
        times.append(time.perf_counter() - start)
    ci = capability_index(seed=args.seed)
    ow = read_open_weight()
    eci = ow[ow["metric"].str.startswith("ECI")]
    res = ci.data.resolver
    keys = [res.resolve(n, d) for n, d in zip(eci["model"], eci["date"])]
    unmatched = sorted({n for n, k in zip(eci["model"], keys) if k is None})
    eci = eci.assign(key=keys).dropna(subset=["key"]).groupby("key")["score"].mean()
    m = ci.models.set_index("model")
    shared = [k for k in eci.index if k in m.index]
    rho_m = spearmanr(m.loc[shared, "index"], eci[shared]).statistic
    multi = [k for k in shared if m.loc[k, "n_series"] >= 2]
    rho_multi = spearmanr(m.loc[multi, "index"], eci[multi]).statistic
    plot_scatter(eci[shared].to_numpy(), m.loc[shared, "index"].to_numpy(), shared, f"{args.out}/capability_vs_eci.png",
                 xlabel="Epoch Capabilities Index (published)", ylabel="benchcast capability index",
                 title=f"{len(shared)} shared models: Spearman {rho_m:.3f}", annotate=6)
    meta = pd.read_csv(data_path("benchmark_meta.csv")).set_index("benchmark")
    b = ci.benchmarks.copy()
    b["epoch_difficulty"] = b["benchmark"].map(meta["epoch_eci_difficulty"])
    b["epoch_slope"] = b["benchmark"].map(meta["epoch_eci_slope"])
    b = b.dropna(subset=["epoch_difficulty"])
    own = b[b["series"] != "self_reported"]
    rho_d = spearmanr(b["difficulty"], b["epoch_difficulty"]).statistic
    rho_d_own = spearmanr(own["difficulty"], own["epoch_difficulty"]).statistic
    rho_s = spearmanr(b["slope"], b["epoch_slope"]).statistic
    rho_s_own = spearmanr(own["slope"], own["epoch_slope"]).statistic
    plot_scatter(b["epoch_difficulty"].to_numpy(), b["difficulty"].to_numpy(), list(b["item"]),
                 f"{args.out}/capability_difficulty_vs_rosetta.png", xlabel="Rosetta Stone difficulty (Epoch)",
                 ylabel="benchcast difficulty", title=f"{len(b)} benchmark series: Spearman {rho_d:.3f}", annotate=5)
    print(json.dumps({
        "fit_seconds": [round(t, 1) for t in times], "median_fit_seconds": round(float(np.median(times)), 1),
        "models": len(ci.models), "series": len(ci.benchmarks), "observations": ci.data.n_obs,
        "eci_shared": len(shared), "spearman_eci": round(float(rho_m), 4),
        "eci_shared_two_plus_series": len(multi), "spearman_eci_two_plus": round(float(rho_multi), 4),
        "eci_unmatched": unmatched,
        "difficulty_series": len(b), "spearman_difficulty": round(float(rho_d), 4),
        "spearman_difficulty_epoch_series": round(float(rho_d_own), 4),
        "spearman_slope": round(float(rho_s), 4), "spearman_slope_epoch_series": round(float(rho_s_own), 4),
        "frontier": ci.frontier, "unlinked_models": len(ci.unlinked), "converged": ci.posterior.converged,
    }, indent=1))


if __name__ == "__main__":
    main()

"""Where the default lost: at each cut-off where a baseline's mean CRPS beats the default's,
which benchmarks account for the gap.

The gap at a cut-off is the summed CRPS difference ``sum_i (default_i - baseline_i)`` over the
points both scored (n times the difference of the means). Each benchmark contributes the sum
over its own points; the *culprits* are the fewest benchmarks, largest contribution first,
whose contributions add up to the whole gap. When a handful of benchmarks carry it, the loss
is theirs, not the method's: the means without them say how the rest compare. A user
backtesting their own CSV (`benchcast backtest --data`) reads from this which of their
benchmarks to look at.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from forecast.backtest.ordinary import BASELINE_MODELS, Score


@dataclass(frozen=True)
class Culprit:
    benchmark: str
    excess: float  # summed CRPS of the default minus the baseline's, over this benchmark's points
    n: int


@dataclass(frozen=True)
class Loss:
    """The default lost to `baseline` at `cutoff` (mean CRPS over the same `n` points)."""

    cutoff: date
    baseline: str
    default_crps: float
    baseline_crps: float
    n: int
    culprits: tuple[Culprit, ...]
    without: tuple[float, float] | None  # (default, baseline) mean CRPS without the culprits' points

    @property
    def gap(self) -> float:
        """The summed CRPS gap, ``n * (default - baseline)``."""
        return self.n * (self.default_crps - self.baseline_crps)

    def as_dict(self) -> dict[str, Any]:
        return {"cutoff": self.cutoff.isoformat(), "baseline": self.baseline,
                "default_crps": round(self.default_crps, 5), "baseline_crps": round(self.baseline_crps, 5),
                "n": self.n, "gap": round(self.gap, 5),
                "culprits": [{"benchmark": c.benchmark, "excess": round(c.excess, 5), "n": c.n} for c in self.culprits],
                "without": None if self.without is None else {"default": round(self.without[0], 5),
                                                              "baseline": round(self.without[1], 5)}}

    def describe(self, default: str = "benchcast") -> str:
        """One line: who won, by how much, and which benchmarks carry the gap."""
        baseline = self.baseline.replace("_", " ")  # in words: "independent logistic"
        head = (f"{self.cutoff}: {baseline} {self.baseline_crps:.4f} against {default} "
                f"{self.default_crps:.4f} ({_points(self.n)})")
        parts = [f"{c.benchmark} (+{c.excess:.3f}{' summed CRPS' if i == 0 else ''}, {_points(c.n)})"
                 for i, c in enumerate(self.culprits)]
        one = len(parts) == 1
        names = parts[0] if one else ", ".join(parts[:-1]) + " and " + parts[-1]
        line = f"{head}; {names} account{'s' if one else ''} for the whole gap (+{self.gap:.3f})"
        if self.without is not None:
            line += (f"; without {'it' if one else 'them'} {default} {self.without[0]:.4f}, "
                     f"{baseline} {self.without[1]:.4f}")
        return line


def _points(n: int) -> str:
    return f"{n} point{'' if n == 1 else 's'}"


def losses(scores: list[Score], default: str = "benchcast",
           baselines: tuple[str, ...] = BASELINE_MODELS) -> list[Loss]:
    """Per cut-off (in date order), the default's loss to the best baseline there, if it lost."""
    by_cutoff: dict[date, dict[str, dict[tuple[str, int], float]]] = defaultdict(lambda: defaultdict(dict))
    for s in scores:
        by_cutoff[s.cutoff][s.model][(s.benchmark, s.horizon)] = s.crps
    out = []
    for cutoff in sorted(by_cutoff):
        models = by_cutoff[cutoff]
        if default not in models:
            continue
        mine = models[default]
        best = None
        for name in baselines:
            theirs = models.get(name)
            if not theirs:
                continue
            keys = [k for k in mine if k in theirs]
            if not keys:
                continue
            a = np.array([mine[k] for k in keys])
            b = np.array([theirs[k] for k in keys])
            if best is None or b.mean() < best[1].mean():
                best = (name, b, a, keys)
        if best is None:
            continue
        name, b, a, keys = best
        if a.mean() <= b.mean():
            continue
        per: dict[str, list[float]] = defaultdict(list)
        for k, x, y in zip(keys, a, b):
            per[k[0]].append(x - y)
        ranked = sorted(per.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
        gap, total, culprits = float((a - b).sum()), 0.0, []
        for bench, diffs in ranked:
            culprits.append(Culprit(bench, float(sum(diffs)), len(diffs)))
            total += sum(diffs)
            if total >= gap - 1e-12:
                break
        rest = [i for i, k in enumerate(keys) if k[0] not in {c.benchmark for c in culprits}]
        without = (float(a[rest].mean()), float(b[rest].mean())) if rest else None
        out.append(Loss(cutoff, name, float(a.mean()), float(b.mean()), len(keys), tuple(culprits), without))
    return out

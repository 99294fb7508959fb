"""Simulated futures of the rankings model: every lab's record, new labs and the closed frontier.

Per posterior draw of `forecast.rankings.model`, between the as-of date and each asked date ``T``:

- every known lab is still in the race with its posterior probability given its silence, and
  leaves at hazard ``eta_e``; until then it releases at rate ``lambda_e``, release ``j`` landing
  at ``B + k + b_e (t - s) + noise`` from its record ``B`` set at ``s`` (the record rises when a
  release beats it);
- new labs arrive at rate ``nu``, enter at the open record then (its level now plus the pace
  ``mu_b`` times the time since) plus an offset ``Normal(mu_0, sigma_0)``, and go on like known
  labs with parameters drawn from the population (their pace from their country's); their
  country is drawn from the known labs' countries (plus a new one);
- the closed series releases at ``lambda_c`` under its envelope.

The open record ``O(T)`` is the best of every lab's record; the leader holds it (the first to
reach a tied score wins); the gap in months is ``T - t_c``, ``t_c`` when the closed record first
reached ``O(T)`` (observed or simulated; if not by ``T``, the closed envelope extrapolated and
the gap negative).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from forecast.rankings.data import years_between
from forecast.rankings.model import RankingsFit

OTHER = "other"
_MAX_ENTRANTS = 12
MAX_YEARS = 5.0


@dataclass(frozen=True)
class Simulation:
    """Simulated records per draw (rows) and asked time (columns), on the working scale.

    ``lab_best`` is (draws, labs, times); ``entrant_best`` and ``entrant_country`` belong to the
    best new lab of each draw; ``closed_best`` and ``gap_months`` are (draws, times).
    """

    fit: RankingsFit
    at: tuple[date, ...]
    lab_best: np.ndarray
    entrant_best: np.ndarray
    entrant_country: np.ndarray
    closed_best: np.ndarray
    gap_months: np.ndarray

    @property
    def open_best(self) -> np.ndarray:
        return np.maximum(self.lab_best.max(axis=1), self.entrant_best)


def _skew_noise(rng: np.random.Generator, omega: np.ndarray, alpha: np.ndarray, m: int) -> np.ndarray:
    """Draws of a skew-normal (location 0, scale omega, shape alpha), ``m`` per row."""
    delta = (alpha / np.sqrt(1.0 + alpha**2))[:, None]
    z0 = np.abs(rng.standard_normal((omega.size, m)))
    z1 = rng.standard_normal((omega.size, m))
    return omega[:, None] * (delta * z0 + np.sqrt(1.0 - delta**2) * z1)


def _release_times(rng: np.random.Generator, lam: np.ndarray, start: np.ndarray, stop: np.ndarray
                   ) -> np.ndarray:
    """Sorted release times in (start, stop] per row at rate `lam`; np.inf pads absent ones."""
    span = np.clip(stop - start, 0.0, None)
    n = rng.poisson(lam * span)
    m = max(int(n.max()), 1)
    times = start[:, None] + rng.random((lam.size, m)) * span[:, None]
    return np.sort(np.where(np.arange(m)[None, :] < n[:, None], times, np.inf), axis=1)


def record_paths(rng: np.random.Generator, best: np.ndarray, best_t: np.ndarray, k: np.ndarray,
                 b: np.ndarray, lam: np.ndarray, start: np.ndarray, stop: np.ndarray, omega: np.ndarray,
                 alpha: np.ndarray, horizons: np.ndarray) -> np.ndarray:
    """(rows, horizons): each row's record at each horizon, releasing from `start` to `stop`,
    each release at ``best + k + b (t - best_t) + noise`` from the record at the time."""
    times = _release_times(rng, lam, start, stop)
    noise = _skew_noise(rng, omega, alpha, times.shape[1])
    best, best_t = best.astype(float).copy(), best_t.astype(float).copy()
    out = np.repeat(best[:, None], horizons.size, axis=1)
    for j in range(times.shape[1]):
        t = times[:, j]
        valid = np.isfinite(t)
        z = best + k + b * (np.where(valid, t, 0.0) - best_t) + noise[:, j]
        up = valid & (z > best)
        best, best_t = np.where(up, z, best), np.where(up, t, best_t)
        out = np.where(valid[:, None] & (t[:, None] <= horizons[None, :]), best[:, None], out)
    return out


def _envelope_releases(rng: np.random.Generator, level: np.ndarray, slope: np.ndarray, lam: np.ndarray,
                       end: float, omega: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The closed series' release times and scores in (0, end] per draw (-inf where absent)."""
    zeros = np.zeros(lam.size)
    times = _release_times(rng, lam, zeros, zeros + end)
    z = level[:, None] + slope[:, None] * np.where(np.isfinite(times), times, 0.0)
    z = np.where(np.isfinite(times), z + _skew_noise(rng, omega, alpha, times.shape[1]), -np.inf)
    return times, z


def _p_active(fit: RankingsFit, i: int) -> np.ndarray:
    """Per draw, the probability that lab `i` has not left the race, given its silence."""
    eta, lam, silence = fit.draws["eta"][:, i], fit.draws["lam"][:, i], fit.data.lab_silence[i]
    stay = np.exp(-(eta + lam) * silence)
    return stay / (stay + eta / (eta + lam) * (1.0 - stay))


def _known_labs(rng: np.random.Generator, fit: RankingsFit, horizons: np.ndarray) -> np.ndarray:
    """(draws, labs, horizons): each known lab's simulated record."""
    data, d, n = fit.data, fit.draws, fit.n_draws
    end = float(horizons.max())
    tie_break = data.best_z - 1e-9 * data.best_t  # the first to reach a score keeps the lead
    out = np.empty((n, len(data.labs), horizons.size))
    for i in range(len(data.labs)):
        active = rng.random(n) < _p_active(fit, i)
        stop = np.where(active, np.minimum(rng.exponential(1.0 / d["eta"][:, i]), end), 0.0)
        rec = record_paths(rng, np.full(n, data.best_z[i]), np.full(n, data.best_t[i]), d["mu_k"],
                           d["b"][:, i], d["lam"][:, i], np.zeros(n), stop, d["omega"], d["alpha"], horizons)
        out[:, i, :] = np.maximum(rec, tie_break[i])
    return out


def _entrants(rng: np.random.Generator, fit: RankingsFit, horizons: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
    """Best new-lab record per (draw, horizon) and the index of that lab's country."""
    d, data, end = fit.draws, fit.data, float(horizons.max())
    n, cap = fit.n_draws, _MAX_ENTRANTS
    rows = n * cap
    rep = lambda x: np.repeat(x, cap)  # noqa: E731
    count = np.minimum(rng.poisson(d["nu"] * end), cap)
    countries = sorted(set(data.lab_country))
    weights = np.array([data.lab_country.count(c) for c in countries] + [1.0])
    slot_country = rng.choice(len(weights), size=(n, cap), p=weights / weights.sum())
    beta = np.concatenate([d["beta"], np.zeros((n, 1))], axis=1)  # a new country: no pace of its own
    entry = rng.random(rows) * end
    first = (data.best_z.max() + rep(d["mu_b"]) * entry + rep(d["mu_0"])
             + rep(d["sigma_0"]) * rng.standard_normal(rows))
    b = (rep(d["mu_b"]) + np.take_along_axis(beta, slot_country, axis=1).ravel()
         + rep(d["tau_b"]) * rng.standard_normal(rows))
    k = rep(d["mu_k"])
    lam = np.exp(rep(d["mu_l"]) + rep(d["tau_l"]) * rng.standard_normal(rows))
    stop = np.minimum(entry + rng.exponential(1.0 / rep(d["eta0"])), end)
    rec = record_paths(rng, first, entry, k, b, lam, entry, stop, rep(d["omega"]), rep(d["alpha"]), horizons)
    rec = np.where(entry[:, None] <= horizons[None, :], rec, -np.inf).reshape(n, cap, horizons.size)
    rec = np.where((np.arange(cap)[None, :] < count[:, None])[:, :, None], rec, -np.inf)
    return rec.max(axis=1), np.take_along_axis(slot_country, rec.argmax(axis=1), axis=1)


def _gap_months(fit: RankingsFit, target: np.ndarray, c_times: np.ndarray, c_z: np.ndarray,
                horizons: np.ndarray) -> np.ndarray:
    """Months between each horizon and when the closed record first reached `target` there."""
    data, d = fit.data, fit.draws
    out = np.empty_like(target)
    slope = np.where(d["b_c"] > 1e-6, d["b_c"], np.nan)
    for j, h in enumerate(horizons):
        tgt = target[:, j]
        idx = np.searchsorted(data.closed_record_z, tgt, side="left")
        hist = data.closed_record_t[np.minimum(idx, data.closed_record_z.size - 1)]
        reached = np.where((c_times <= h) & (c_z >= tgt[:, None]), c_times, np.inf).min(axis=1)
        extrap = np.maximum(h, np.nan_to_num((tgt - d["a_c"]) / slope, nan=h + MAX_YEARS))
        t_c = np.where(idx < data.closed_record_z.size, hist, np.where(np.isfinite(reached), reached, extrap))
        out[:, j] = np.clip((h - t_c) * 12.0, -12.0 * MAX_YEARS, None)
    return out


def simulate(fit: RankingsFit, at: list[date] | tuple[date, ...], seed: int = 0) -> Simulation:
    """Simulate every lab's, new labs' and the closed series' releases up to each date in `at`."""
    data, d = fit.data, fit.draws
    horizons = np.array([years_between(data.as_of, day) for day in at])
    rng = np.random.default_rng([seed, 2])
    lab_best = _known_labs(rng, fit, horizons)
    entrant_best, entrant_country = _entrants(rng, fit, horizons)
    c_times, c_z = _envelope_releases(rng, d["a_c"], d["b_c"], d["lam_c"], float(horizons.max()),
                                      d["omega_c"], d["alpha_c"])
    closed_rec = np.where(c_times[:, :, None] <= horizons[None, None, :], c_z[:, :, None], -np.inf).max(axis=1)
    closed_best = np.maximum(closed_rec, data.closed_record_z.max())
    open_best = np.maximum(lab_best.max(axis=1), entrant_best)
    gap = _gap_months(fit, open_best, c_times, c_z, horizons)
    return Simulation(fit, tuple(at), lab_best, entrant_best, entrant_country, closed_best, gap)


def leaders_per_draw(sim: Simulation, by: str) -> list[np.ndarray]:
    """Per asked date, each draw's leader name (by ``organization`` or ``country``)."""
    data = sim.fit.data
    countries = sorted(set(data.lab_country)) + [OTHER]
    lab_names = np.array(data.labs if by == "organization" else data.lab_country, dtype=object)
    out = []
    for j in range(len(sim.at)):
        best_lab = sim.lab_best[:, :, j].argmax(axis=1)
        is_new = sim.entrant_best[:, j] > sim.lab_best[:, :, j].max(axis=1)
        new_name = (np.full(is_new.size, OTHER, dtype=object) if by == "organization"
                    else np.array(countries, dtype=object)[sim.entrant_country[:, j]])
        out.append(np.where(is_new, new_name, lab_names[best_lab]))
    return out

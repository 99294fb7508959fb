"""Simulated futures of the rankings model: every lab's record, new labs and the closed frontier.

Per posterior draw of `forecast.rankings.model`, between the as-of date and each asked date ``T``:

- every known lab is still in the race with its posterior probability given its silence, and
  leaves at hazard ``eta_e``; until then it releases after waits of the dead time plus a Weibull
  wait (`forecast.rankings.waits.renewal_times`; the first wait drawn given the silence so far,
  at the lab's own rate and trend), release ``j`` landing
  at ``B + k + b_e (kappa (t - s_R) + (1 - kappa) (t - s)) + kappa (R(t) - B) + noise`` from
  its record ``B`` set at ``s``, where ``R(t)`` is the simulated open record of all labs at
  ``t``, set at ``s_R`` (the record rises when a release beats it);
- new labs arrive at rate ``nu exp(rho_nu t)``, enter at the simulated open record then plus an offset
  ``Normal(mu_0, sigma_0)``, and go on like known labs with parameters drawn from the population
  (their pace from their country's); their country is drawn from the known labs' countries (plus
  a new one);

All labs run together, release by release in time order (`joint_records`), because each
release depends on the record the others have set.
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

from forecast.rankings.data import EVENT_GAP, years_between
from forecast.rankings.model import RankingsFit
from forecast.rankings.waits import renewal_times, silence_probabilities

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


def joint_records(rng: np.random.Generator, best: np.ndarray, best_t: np.ndarray, times: np.ndarray,
                  b: np.ndarray, offset: np.ndarray, draws: dict[str, np.ndarray], horizons: np.ndarray
                  ) -> np.ndarray:
    """(draws, labs, horizons): every lab's record at each horizon, all labs run together in time.

    ``best``, ``best_t`` (draws, labs) are each lab's record and when it was set (-inf for a lab
    not yet in the race); ``times`` (draws, labs, m) its release times (np.inf pads); ``b``
    (draws, labs) its pace; ``offset`` (draws, labs) where a lab's first release lands against
    the open record then. A release of a lab in the race lands at
    ``B + k + b (kappa (t - s_R) + (1 - kappa) (t - s)) + kappa (R - B) + noise`` from its record
    ``B`` set at ``s``, with ``R`` the open record of all labs at ``t``, set at ``s_R``.
    """
    n, labs, m = times.shape
    flat = times.reshape(n, labs * m)
    order = np.argsort(flat, axis=1, kind="stable")
    ev_t = np.take_along_axis(flat, order, axis=1)
    steps = int(np.isfinite(ev_t).sum(axis=1).max()) if ev_t.size else 0
    ev_lab = order[:, :steps] // m
    noise = _skew_noise(rng, draws["omega"], draws["alpha"], max(steps, 1))
    best, best_t = best.astype(float).copy(), best_t.astype(float).copy()
    out = np.repeat(best[:, :, None], horizons.size, axis=2)
    rows = np.arange(n)
    k, kappa = draws["mu_k"], draws["kappa"]
    for j in range(steps):
        t, lab = ev_t[:, j], ev_lab[:, j]
        valid = np.isfinite(t)
        top = best.argmax(axis=1)
        record, record_t = best[rows, top], best_t[rows, top]
        mine, mine_t = best[rows, lab], best_t[rows, lab]
        t0 = np.where(valid, t, 0.0)
        is_new = ~np.isfinite(mine)
        since = kappa * (t0 - record_t) + (1.0 - kappa) * (t0 - np.where(is_new, t0, mine_t))
        jump = k + b[rows, lab] * since + kappa * (record - np.where(is_new, 0.0, mine))
        z = np.where(is_new, record + offset[rows, lab], mine + jump) + np.where(is_new, 0.0, noise[:, j])
        up = valid & (z > mine)
        best[rows, lab] = np.where(up, z, mine)
        best_t[rows, lab] = np.where(up, t0, mine_t)
        later = valid[:, None] & (t0[:, None] <= horizons[None, :])
        out[rows, lab, :] = np.where(later, best[rows, lab][:, None], out[rows, lab, :])
    return out


def _envelope_releases(rng: np.random.Generator, level: np.ndarray, slope: np.ndarray, lam: np.ndarray,
                       end: float, omega: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The closed series' release times and scores in (0, end] per draw (-inf where absent)."""
    zeros = np.zeros(lam.size)
    times = _release_times(rng, lam, zeros, zeros + end)
    z = level[:, None] + slope[:, None] * np.where(np.isfinite(times), times, 0.0)
    z = np.where(np.isfinite(times), z + _skew_noise(rng, omega, alpha, times.shape[1]), -np.inf)
    return times, z


def _waits(fit: RankingsFit, lab: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per draw, the shape ``k`` of the release waits and the trend of their rate: lab `lab`'s own
    (``rho_lab``) or, without a lab, the shared ``rho`` (``k = 1`` and no trend for draws of a
    model without them: Poisson releases after the dead time)."""
    n, d = fit.n_draws, fit.draws
    rho = d.get("rho", np.zeros(n))
    if lab is not None and "rho_lab" in d:
        rho = d["rho_lab"][:, lab]
    return d.get("shape", np.ones(n)), rho


def _p_active(fit: RankingsFit, i: int, silence: float | None = None, now: float = 0.0) -> np.ndarray:
    """Per draw, the probability that lab `i` has not left the race by time `now`, given its
    silence then (default: at the as-of date)."""
    shape, rho = _waits(fit, i)
    silence = fit.data.lab_silence[i] if silence is None else silence
    return silence_probabilities(fit.draws["lam"][:, i], shape, rho, fit.draws["eta"][:, i], silence, now)[1]


def _known_lab_releases(rng: np.random.Generator, fit: RankingsFit, end: float) -> np.ndarray:
    """(draws, labs, m): release times of the known labs, each in the race with its posterior
    probability given its silence and leaving at hazard ``eta``; the first wait is drawn given
    the silence so far (`forecast.rankings.model.renewal_times`)."""
    d, n, labs = fit.draws, fit.n_draws, len(fit.data.labs)
    out = []
    for i in range(labs):
        shape, rho = _waits(fit, i)
        active = rng.random(n) < _p_active(fit, i)
        stop = np.where(active, np.minimum(rng.exponential(1.0 / d["eta"][:, i]), end), -1.0)
        last = np.full(n, -fit.data.lab_silence[i])
        out.append(renewal_times(rng, d["lam"][:, i], shape, rho, last, np.zeros(n), stop))
    return _stack_padded(out)


def _stack_padded(parts: list[np.ndarray]) -> np.ndarray:
    """Stack (draws, m_i) time arrays along a new lab axis, padding with np.inf."""
    m = max(p.shape[1] for p in parts)
    return np.stack([np.pad(p, ((0, 0), (0, m - p.shape[1])), constant_values=np.inf) for p in parts], axis=1)


def _entrant_slots(rng: np.random.Generator, fit: RankingsFit, end: float
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """New labs in `_MAX_ENTRANTS` slots per draw: (release times (draws, slots, m) with the first
    at entry, paces, entry offsets, country index)."""
    d, data, n, cap = fit.draws, fit.data, fit.n_draws, _MAX_ENTRANTS
    rep = lambda x: np.repeat(x, cap)  # noqa: E731
    rho = d["rho_nu"]
    small = np.abs(rho) < 1e-4
    safe = np.where(small, 1.0, rho)
    growth = np.where(small, end, np.expm1(safe * end) / safe)  # integral of exp(rho t) over [0, end]
    count = np.minimum(rng.poisson(d["nu"] * growth), cap)
    countries = sorted(set(data.lab_country))
    weights = np.array([data.lab_country.count(c) for c in countries] + [1.0])
    slot_country = rng.choice(len(weights), size=(n, cap), p=weights / weights.sum())
    beta = np.concatenate([d["beta"], np.zeros((n, 1))], axis=1)  # a new country: no pace of its own
    u = rng.random(n * cap)
    r = rep(safe)
    at = np.where(rep(small), u * end, np.log1p(u * np.expm1(r * end)) / r)  # inverse CDF of the arrival time
    entry = np.where((np.arange(cap)[None, :] < count[:, None]).ravel(), at, np.inf)
    offset = rep(d["mu_0"]) + rep(d["sigma_0"]) * rng.standard_normal(n * cap)
    b = (rep(d["mu_b"]) + np.take_along_axis(beta, slot_country, axis=1).ravel()
         + rep(d["tau_b"]) * rng.standard_normal(n * cap))
    w = np.exp(rep(d["mu_l"]) + rep(d["tau_l"]) * rng.standard_normal(n * cap))
    lam = w / (1.0 + w * EVENT_GAP)
    start = np.where(np.isfinite(entry), entry, end)
    stop = np.minimum(start + rng.exponential(1.0 / rep(d["eta0"])), end)
    shape, rho_l = _waits(fit)
    later = renewal_times(rng, lam, rep(shape), rep(rho_l), np.full(n * cap, -np.inf), start, stop)
    times = np.concatenate([entry[:, None], later], axis=1).reshape(n, cap, -1)
    return times, b.reshape(n, cap), offset.reshape(n, cap), slot_country


def _all_labs(rng: np.random.Generator, fit: RankingsFit, horizons: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Known labs' records (draws, labs, horizons), the best new lab's record (draws, horizons)
    and that lab's country index, from one joint run."""
    data, d, n = fit.data, fit.draws, fit.n_draws
    end, labs = float(horizons.max()), len(data.labs)
    known = _known_lab_releases(rng, fit, end)
    e_times, e_b, e_off, e_country = _entrant_slots(rng, fit, end)
    m = max(known.shape[2], e_times.shape[2])
    times = np.concatenate([np.pad(known, ((0, 0), (0, 0), (0, m - known.shape[2])), constant_values=np.inf),
                            np.pad(e_times, ((0, 0), (0, 0), (0, m - e_times.shape[2])), constant_values=np.inf)],
                           axis=1)
    tie_break = data.best_z - 1e-9 * data.best_t  # the first to reach a score keeps the lead
    best = np.concatenate([np.repeat(tie_break[None, :], n, axis=0), np.full((n, _MAX_ENTRANTS), -np.inf)], axis=1)
    best_t = np.concatenate([np.repeat(data.best_t[None, :], n, axis=0), np.zeros((n, _MAX_ENTRANTS))], axis=1)
    b = np.concatenate([d["b"], e_b], axis=1)
    offset = np.concatenate([np.zeros((n, labs)), e_off], axis=1)
    out = joint_records(rng, best, best_t, times, b, offset, d, horizons)
    entrants = out[:, labs:, :]
    return out[:, :labs, :], entrants.max(axis=1), np.take_along_axis(e_country, entrants.argmax(axis=1), axis=1)


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
    lab_best, entrant_best, entrant_country = _all_labs(rng, fit, horizons)
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

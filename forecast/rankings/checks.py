"""Posterior predictive checks of the rankings model: simulate the past from a fit and compare.

Three checks, each a statistic of the observed data against its distribution over posterior
replicates (`Check`: the observed value, the replicates' 10/50/90% quantiles and the share of
replicates at or above the observed value, a posterior predictive p-value):

- **jumps**: each observed jump ``d_j`` is redrawn at its own lab, ``dt_j`` and distance behind
  ``g_j`` from the jump distribution of the draw; statistics: the spread (sd) of the jumps, the
  mean of the jumps that set a new lab record (the gains that move the lead), the share of
  releases that do, and the correlation of the jumps with ``g_j`` (do labs behind catch up?).
- **release counts**: the labs first seen in the last year, redrawn at the arrival rate of new
  labs; each lab's releases in the last year, replayed from its state a year before (its
  silence then, its chance of still being in the race, its waits; a lab first seen in the
  year from its first release); statistics: the new labs, all releases, the spread of the
  counts across labs and the largest count (release rates that pool too much understate the
  last two).
- **the past year**: from each lab's record one year before the as-of date, the lab's releases
  of that year are simulated forward with the fitted rates, exits and jumps (the labs already in
  the data then, each in the race with its posterior probability given its silence then;
  newcomers of the year left out on both sides); statistics: the open record at the as-of
  date minus the record a year before, in working units, and how many times the lab holding the
  record changed from one month to the next (is the race a lottery or a procession?).

Pure numpy on a `RankingsFit`; `forecast.rankings.simulate.joint_records` does the forward runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecast.rankings.model import RankingsFit
from forecast.rankings.waits import renewal_times
from forecast.rankings.simulate import _p_active, _skew_noise, _stack_padded, _waits, joint_records


@dataclass(frozen=True)
class Check:
    """One statistic: observed, replicated 10/50/90% quantiles, and P(replicate >= observed)."""

    name: str
    observed: float
    replicated: tuple[float, float, float]
    p_value: float


def _check(name: str, observed: float, reps: np.ndarray) -> Check:
    reps = reps[np.isfinite(reps)]
    q = tuple(float(v) for v in np.quantile(reps, [0.1, 0.5, 0.9]))
    return Check(name, float(observed), q, float(np.mean(reps >= observed)))  # type: ignore[arg-type]


def _jump_stats(d: np.ndarray, set_record: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: sd of the jumps, mean record-setting gain, share of record-setting releases."""
    gains = np.where(set_record, d, np.nan)
    with np.errstate(invalid="ignore"):
        mean_gain = np.nanmean(gains, axis=-1) if gains.ndim > 1 else np.nanmean(gains)
    return d.std(axis=-1), mean_gain, set_record.mean(axis=-1)


def _corr(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per row of `x`, its correlation with the vector `y`."""
    xc, yc = x - x.mean(axis=-1, keepdims=True), y - y.mean()
    return (xc * yc).sum(axis=-1) / np.sqrt((xc**2).sum(axis=-1) * (yc**2).sum())


def jump_checks(fit: RankingsFit, seed: int = 0) -> list[Check]:
    """Observed jumps against jumps redrawn at their own lab, time since the lab's record and
    distance behind the open record."""
    data, dr = fit.data, fit.draws
    rng = np.random.default_rng([seed, 11])
    lab, dt, behind = data.jump_lab, data.jump_dt, data.jump_behind
    kappa = dr.get("kappa", np.zeros(fit.n_draws))
    since = kappa[:, None] * data.jump_dt_record[None, :] + (1.0 - kappa[:, None]) * dt[None, :]
    mean = dr["mu_k"][:, None] + dr["b"][:, lab] * since + kappa[:, None] * behind[None, :]
    rep = mean + _skew_noise(rng, dr["omega"], dr["alpha"], dt.size)
    obs_sd, obs_gain, obs_share = _jump_stats(data.jump_d[None, :], data.jump_d[None, :] > 0)
    sd, gain, share = _jump_stats(rep, rep > 0)
    return [_check("jump sd", obs_sd[0], sd), _check("mean record gain", obs_gain[0], gain),
            _check("share setting a lab record", obs_share[0], share),
            _check("corr(jump, distance behind record)", float(_corr(data.jump_d[None, :], behind)[0]),
                   _corr(rep, behind))]


def _releases_from(rng: np.random.Generator, fit: RankingsFit, start: float
                   ) -> tuple[list[int], np.ndarray]:
    """The labs in the data by `start` and their releases simulated over (start, 0]: (labs, times
    (draws, labs, m)); each lab is in the race with its posterior probability given its silence
    then, leaves at hazard ``eta`` and waits as the model says (`renewal_times`)."""
    data, dr, n = fit.data, fit.draws, fit.n_draws
    labs = [i for i in range(len(data.labs)) if ((data.obs_lab == i) & (data.obs_t <= start)).any()]
    times = []
    for i in labs:
        last = float(data.obs_t[(data.obs_lab == i) & (data.obs_t <= start)].max())
        shape, rho = _waits(fit, i)
        active = rng.random(n) < _p_active(fit, i, start - last, start)
        stop = np.where(active, np.minimum(start + rng.exponential(1.0 / dr["eta"][:, i]), 0.0), start - 1.0)
        times.append(renewal_times(rng, dr["lam"][:, i], shape, rho, np.full(n, last), np.full(n, start), stop))
    return labs, _stack_padded(times)


def count_checks(fit: RankingsFit, seed: int = 0, window: float = 1.0) -> list[Check]:
    """Each lab's releases in the last `window` years against replicates: labs in the data before
    the window run forward from their state then (`_releases_from`), labs first seen in it from
    their first release."""
    data, dr = fit.data, fit.draws
    rng = np.random.default_rng([seed, 12])
    n, start = fit.n_draws, -window
    observed = np.array([int(((data.obs_lab == i) & (data.obs_t > start)).sum()) for i in range(len(data.labs))])
    labs, times = _releases_from(rng, fit, start)
    rep = np.zeros((n, len(data.labs)))
    rep[:, labs] = np.isfinite(times).sum(axis=2)
    for i in sorted(set(range(len(data.labs))) - set(labs)):
        shape, rho = _waits(fit, i)
        first = np.full(n, float(data.obs_t[data.obs_lab == i].min()))
        stop = np.minimum(first + rng.exponential(1.0 / dr["eta"][:, i]), 0.0)
        rep[:, i] = 1 + np.isfinite(renewal_times(rng, dr["lam"][:, i], shape, rho, np.full(n, -np.inf), first,
                                                  stop)).sum(axis=1)
    rho_nu = dr.get("rho_nu", np.zeros(fit.n_draws))
    safe_nu = np.where(np.abs(rho_nu) < 1e-6, 1.0, rho_nu)
    entry_exposure = np.where(np.abs(rho_nu) < 1e-6, window, (1.0 - np.exp(-safe_nu * window)) / safe_nu)
    entries = rng.poisson(dr["nu"] * entry_exposure)
    return [_check("new labs", float((data.entry_t > -window).sum()), entries.astype(float)),
            _check("releases of all labs", observed.sum(), rep.sum(axis=1)),
            _check("sd of release counts across labs", observed.std(), rep.std(axis=1)),
            _check("largest release count of a lab", observed.max(), rep.max(axis=1))]


def _monthly_leaders(z: np.ndarray) -> np.ndarray:
    """Count of changes of the argmax lab along the last axis of (rows, labs, months)."""
    top = z.argmax(axis=1)
    return (np.diff(top, axis=-1) != 0).sum(axis=-1)


def past_year_checks(fit: RankingsFit, seed: int = 0, window: float = 1.0) -> list[Check]:
    """The open record's growth and the lab leading it over the last `window` years, against
    forward simulations from the labs' records then (labs already in the data at the start of the
    window, each in the race with its posterior probability given its silence then, all run
    together)."""
    data, dr = fit.data, fit.draws
    rng = np.random.default_rng([seed, 13])
    n, start = fit.n_draws, -window
    labs, times_arr = _releases_from(rng, fit, start)
    best, best_t = [], []
    for i in labs:
        mine = (data.obs_lab == i) & (data.obs_t <= start)
        z_i, t_i = data.obs_z[mine], data.obs_t[mine]
        best.append(float(z_i.max()) - 1e-9 * float(t_i[np.argmax(z_i)]))  # the first to reach a score leads
        best_t.append(float(t_i[np.argmax(z_i)]))
    months = np.linspace(start, 0.0, int(round(12 * window)) + 1)
    paths = joint_records(rng, np.repeat(np.array([best]), n, axis=0), np.repeat(np.array([best_t]), n, axis=0),
                          times_arr, dr["b"][:, labs], np.zeros((n, len(labs))), dr, months)
    observed_paths = np.array([[max([z - 1e-9 * t for t, z, lab in zip(data.obs_t, data.obs_z, data.obs_lab)
                                     if lab == i and t <= h], default=-np.inf) for h in months] for i in labs])
    record_then = max(best)
    return [_check("open record growth over the last year", float(observed_paths[:, -1].max()) - record_then,
                   paths[:, :, -1].max(axis=1) - record_then),
            _check("changes of the leading lab over the last year", float(_monthly_leaders(observed_paths[None])[0]),
                   _monthly_leaders(paths).astype(float))]


def predictive_checks(fit: RankingsFit, seed: int = 0) -> list[Check]:
    """Every check of this module on `fit`."""
    return [*jump_checks(fit, seed), *count_checks(fit, seed), *past_year_checks(fit, seed)]

"""Saturation models of a benchmark's frontier, as PyMC models built from data.

Curve (normalised score, floor 0, ceiling ``c = 1 - gap``)::

    logistic:  mu(t) = c * sigmoid(k * (t - t_mid))
    gompertz:  mu(t) = c * exp(-exp(-k * (t - t_mid)))

with ``k = exp(log_rate)`` per year and ``t_mid = released + delay`` (years). Record points
scatter around the curve on the logit scale, with a per-series offset (0 for the primary
series) and a per-benchmark noise ``sigma = exp(log_sigma)``::

    logit(y_i) ~ Normal(logit(mu(t_i)) + offset[series_i], sigma)

Each benchmark has ``theta = (log_rate, delay, logit_gap, log_sigma)``. In the population
model, with ``z = (released - 2023) / 2``::

    log_rate_j  = a_k + b_k * z_j + s_k * e_j1
    delay_j     = a_d + b_d * z_j + s_d * e_j2
    logit_gap_j = a_g + s_g * e_j3
    log_sigma_j = a_s + s_s * e_j4
    offset      = m_off + s_off * e_off

so later benchmarks may rise faster and sooner (``b_k``, ``b_d``). A single benchmark is fitted
with the population's predictive distribution of its theta as a multivariate normal prior.
PyMC is imported inside the builders, so importing this module is cheap.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from forecast.errors import InvalidQuery
from forecast.series import BenchmarkData

PARAMS = ("log_rate", "delay", "logit_gap", "log_sigma")
CURVES = ("logistic", "gompertz")
Z_CENTER = 3.0  # 2023-01-01 in years since 2020
Z_SCALE = 2.0
MIN_CENTRED = 6  # records from which a benchmark's parameters are sampled centred
T0 = Z_CENTER  # calendar time at which k is the rate (acceleration pivots here)
#: Free variables of the single-benchmark model (for diagnostics).
FREE = ("log_rate_now", "e_gap_sigma", "pivot", "e_offset", "e_acc")
HYPER = ("a_k", "b_k", "s_k", "a_d", "b_d", "s_d", "a_g", "s_g", "a_s", "s_s", "m_off", "s_off", "g_acc")


def check_curve(curve: str) -> str:
    if curve not in CURVES:
        raise InvalidQuery(f"curve {curve!r} is not one of {', '.join(CURVES)}")
    return curve


def warp_np(t: np.ndarray, g: np.ndarray | float) -> np.ndarray:
    """Effective time ``(exp(g (t - T0)) - 1) / g`` (``t - T0`` when g = 0)."""
    g = np.asarray(g, dtype=float)
    safe = np.where(np.abs(g) < 1e-6, 1.0, g)
    return np.where(np.abs(g) < 1e-6, t - T0, np.expm1(safe * (t - T0)) / safe)


def curve_np(curve: str, t: np.ndarray, k: np.ndarray, t_mid: np.ndarray, c: np.ndarray,
             g: np.ndarray | float = 0.0) -> np.ndarray:
    """The curve in numpy, broadcasting draws against times."""
    x = k * (warp_np(t, g) - warp_np(t_mid, g))
    if curve == "logistic":
        return c / (1.0 + np.exp(-x))
    return c * np.exp(-np.exp(-np.clip(x, -50.0, 50.0)))


def inverse_curve_np(curve: str, level: np.ndarray, k: np.ndarray, t_mid: np.ndarray, c: np.ndarray) -> np.ndarray:
    """The time at which the curve reaches `level` (nan where level >= c or level <= 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        u = level / c
        ok = (u > 0) & (u < 1)
        u = np.where(ok, u, 0.5)
        if curve == "logistic":
            x = np.log(u) - np.log1p(-u)
        else:
            x = -np.log(-np.log(u))
        return np.where(ok, t_mid + x / k, np.nan)


def _warp(pt: Any, t: Any, g: Any) -> Any:
    small = pt.lt(pt.abs(g), 1e-6)
    safe = pt.switch(small, 1.0, g)
    return pt.switch(small, t - T0, pt.expm1(safe * (t - T0)) / safe)


def _logit_mu(pt: Any, curve: str, t: Any, k: Any, t_mid: Any, log_c: Any, g: Any = 0.0) -> Any:
    """logit(mu) computed stably in pytensor."""
    x = k * (_warp(pt, t, g) - _warp(pt, t_mid, g))
    if curve == "logistic":
        log_mu = log_c - pt.softplus(-x)
    else:
        log_mu = log_c - pt.exp(-pt.clip(x, -30.0, 30.0))
    return log_mu - pt.log1mexp(log_mu)


def _series_offsets(datas: list[BenchmarkData]) -> tuple[np.ndarray, int]:
    """Per-observation index into a flat vector of non-primary series offsets (-1: primary)."""
    idx, n = [], 0
    for d in datas:
        local = np.where(d.series > 0, d.series - 1 + n, -1)
        idx.append(local)
        n += max(len(d.series_names) - 1, 0)
    return np.concatenate(idx) if idx else np.zeros(0, int), n


def build_population_model(datas: list[BenchmarkData], curve: str = "logistic", centered: bool = True,
                           pooled: bool = True, accelerate: bool = True, rate_now: bool = False) -> Any:
    """The hierarchical model over many benchmarks (see the module docstring).

    ``rate_now=True`` samples each centred benchmark's log-rate at its pivot instead
    (``log_rate + g_acc (t* - 2023)``): the same model (a shift), better ESS for ``g_acc``, but
    no fewer leapfrog steps and a worse r_hat on one seed, so not the default (docs/model.md).

    With ``pooled=False`` every benchmark gets the same fixed, broad prior instead (the
    independent, unpooled baseline): nothing is learned across benchmarks.
    """
    import pymc as pm
    import pytensor.tensor as pt

    check_curve(curve)
    datas = [d for d in datas if d.n_records > 0]
    J = len(datas)
    z = np.array([(d.released - Z_CENTER) / Z_SCALE for d in datas])
    released = np.array([d.released for d in datas])
    bidx = np.concatenate([np.full(d.n_records, j) for j, d in enumerate(datas)])
    t = np.concatenate([d.t for d in datas])
    y = np.concatenate([d.y for d in datas])
    off_idx, n_off = _series_offsets(datas)
    coords = {"benchmark": [d.name for d in datas], "param": list(PARAMS), "point": np.arange(t.size)}
    with pm.Model(coords=coords) as model:
        if pooled:
            a_k = pm.Normal("a_k", 0.0, 1.0)
            b_k = pm.Normal("b_k", 0.0, 0.5)
            s_k = pm.HalfNormal("s_k", 0.7)
            a_d = pm.Normal("a_d", 2.0, 2.0)
            b_d = pm.Normal("b_d", 0.0, 1.5)
            s_d = pm.HalfNormal("s_d", 2.0)
            a_g = pm.Normal("a_g", -2.5, 1.0)
            s_g = pm.HalfNormal("s_g", 1.0)
            a_s = pm.Normal("a_s", np.log(0.3), 0.7)
            s_s = pm.HalfNormal("s_s", 0.5)
            m_off = pm.Normal("m_off", 0.0, 0.5)
            s_off = pm.HalfNormal("s_off", 0.5)
            g_acc = pm.Normal("g_acc", 0.0, 0.5) if accelerate else 0.0
        else:
            a_k, b_k, s_k, a_d, b_d, s_d = 0.0, 0.0, 1.0, 2.0, 0.0, 2.0
            a_g, s_g, a_s, s_s, m_off, s_off = -2.5, 1.5, np.log(0.3), 0.7, 0.0, 0.5
            g_acc = 0.0
        loc = pt.stack([a_k + b_k * z, a_d + b_d * z, a_g + 0 * z, a_s + 0 * z], axis=1)
        scale = pt.stack([pt.as_tensor(s_k), pt.as_tensor(s_d), pt.as_tensor(s_g), pt.as_tensor(s_s)])
        # Benchmarks with many records are centred, the rest non-centred (funnels otherwise).
        strong = np.array([centered and d.n_records >= MIN_CENTRED for d in datas])
        th = pt.zeros((J, len(PARAMS)))
        if strong.any():
            ix = np.flatnonzero(strong)
            if rate_now and accelerate and pooled:
                # Sampled as the local log-rate at the pivot, log_rate + g_acc (t* - T0): a shift
                # (Jacobian 1), so the same model, without the ridge along g_acc.
                c = np.array([pivot_time(datas[j]) - T0 for j in ix])
                shift = pt.stack([g_acc * c, 0 * c, 0 * c, 0 * c], axis=1)
                th_now = pm.Normal("th", loc[ix] + shift, scale, shape=(ix.size, len(PARAMS)))
                th = pt.set_subtensor(th[ix], th_now - shift)
            else:
                th = pt.set_subtensor(th[ix], pm.Normal("th", loc[ix], scale, shape=(ix.size, len(PARAMS))))
        if (~strong).any():
            ix = np.flatnonzero(~strong)
            e = pm.Normal("e", 0.0, 1.0, shape=(ix.size, len(PARAMS)))
            th = pt.set_subtensor(th[ix], loc[ix] + scale * e)
        log_k, delay, logit_gap, log_sigma = th[:, 0], th[:, 1], th[:, 2], th[:, 3]
        pm.Deterministic("theta", pt.stack([log_k, delay, logit_gap, log_sigma], axis=1),
                         dims=("benchmark", "param"))
        off_obs = 0.0
        if n_off:
            e_off = pm.Normal("e_off", 0.0, 1.0, shape=n_off)
            offsets = pt.concatenate([pt.zeros(1), m_off + s_off * e_off])
            off_obs = offsets[off_idx + 1]  # index 0 is the primary series: no offset
        log_c = -pt.softplus(logit_gap)  # log(1 - sigmoid(g))
        mu = _logit_mu(pt, curve, t, pt.exp(log_k)[bidx], (released + delay)[bidx], log_c[bidx], g_acc)
        pm.Normal("obs", mu + off_obs, pt.exp(log_sigma)[bidx], observed=np.log(y) - np.log1p(-y), dims="point")
    return model


def pivot_time(data: BenchmarkData) -> float:
    """The pivot ``t*`` of the single-benchmark model: the first record of the primary series
    at or above half its frontier, where the curve is steepest in the data and its level and
    slope are pinned down apart (the mean record time without primary records; the release
    date without any)."""
    prim = data.series == 0
    if prim.any():
        t, y = data.t[prim], data.y[prim]
        return float(t[np.argmax(y >= 0.5 * y.max())])
    return float(data.t.mean()) if data.n_records else float(data.released)


def pivot_prior(mean: np.ndarray, cov: np.ndarray) -> dict[str, np.ndarray]:
    """The population's ``MvNormal(mean, cov)`` over theta, factorised in the order
    (log_rate, (logit_gap, log_sigma) | log_rate, delay | the rest), as the single-benchmark
    model uses it (see `build_benchmark_model`)."""
    cov = np.asarray(cov, dtype=float) + 1e-9 * np.eye(len(mean))
    a = [0, 2, 3]  # log_rate, logit_gap, log_sigma
    b = [2, 3]
    beta = cov[b, 0] / cov[0, 0]
    cond_b = cov[np.ix_(b, b)] - np.outer(cov[b, 0], cov[0, b]) / cov[0, 0]
    w = np.linalg.solve(cov[np.ix_(a, a)], cov[a, 1])
    s_delay = np.sqrt(max(cov[1, 1] - cov[1, a] @ w, 1e-12))
    return {
        "rate": np.array([mean[0], np.sqrt(cov[0, 0])]),
        "gap_sigma": np.concatenate([mean[b], beta]),
        "gap_sigma_chol": np.linalg.cholesky(cond_b),
        "delay": np.concatenate([mean[[0, 2, 3, 1]], w, [s_delay]]),
    }


def build_benchmark_model(
    data: BenchmarkData,
    mean: np.ndarray,
    cov: np.ndarray,
    offset_prior: tuple[float, float],
    curve: str = "logistic",
    ceiling: float | None = None,
    accel_prior: tuple[float, float] = (0.0, 0.0),
) -> Any:
    """One benchmark, its theta drawn from the population's predictive ``MvNormal(mean, cov)``.

    The same model as ``theta = mean + chol(cov) z`` (`forecast.saturation.reference`), in
    coordinates the data pin down separately, so NUTS takes few steps. With ``t*`` the pivot
    (`pivot_time`), ``c = t* - 2023`` and ``g`` the acceleration:

    * ``log_rate_now = log_rate + g c``: the log of the local rate at ``t*`` (centred);
    * ``(logit_gap, log_sigma) = m(log_rate) + L e``, ``e ~ Normal(0, I)`` (non-centred: the
      data say little about the ceiling and, with few records, the noise);
    * ``pivot = k_now (t* - t_mid)``, ``k_now = exp(log_rate_now)``: about the curve's logit
      level at ``t*`` (centred), instead of the delay to a midpoint that may lie years away.

    Each is declared with its exact conditional prior, so PyMC applies the change of variables
    (``delay = t* - released - pivot / k_now`` has Jacobian ``1 / k_now``) and the posterior of
    theta is unchanged. `ceiling` (normalised, in (0, 1]) fixes the ceiling instead of
    learning it (the latent logit_gap then only enters the prior, as before).
    """
    import pymc as pm
    import pytensor.tensor as pt

    check_curve(curve)
    parts = pivot_prior(np.asarray(mean, dtype=float), cov)
    n_off = max(len(data.series_names) - 1, 0)
    # Data enter as shared variables of fixed shapes, so one compiled graph serves every
    # benchmark: only the structure (offsets or not, fixed ceiling or not) changes the graph.
    with pm.Model(coords={"param": list(PARAMS)}) as model:
        t = pm.Data("t", data.t)
        logit_y = pm.Data("logit_y", np.log(data.y) - np.log1p(-data.y))
        released = pm.Data("released", np.float64(data.released))
        t_star = pm.Data("t_star", np.float64(pivot_time(data)))
        rate = pm.Data("prior_rate", parts["rate"])
        gs = pm.Data("prior_gap_sigma", parts["gap_sigma"])
        gs_chol = pm.Data("prior_gap_sigma_chol", parts["gap_sigma_chol"])
        dl = pm.Data("prior_delay", parts["delay"])
        acc = pm.Data("accel_prior", np.asarray(accel_prior, dtype=float))
        g_acc = pm.Deterministic("g_acc", acc[0] + acc[1] * pm.Normal("e_acc", 0.0, 1.0))
        shift = g_acc * (t_star - T0)
        log_rate_now = pm.Normal("log_rate_now", rate[0] + shift, rate[1])
        log_rate = log_rate_now - shift
        gap_sigma = gs[:2] + gs[2:] * (log_rate - rate[0]) + pt.dot(gs_chol, pm.Normal("e_gap_sigma", 0.0, 1.0, shape=2))
        rest = pt.stack([log_rate, gap_sigma[0], gap_sigma[1]])
        delay_mean = dl[3] + pt.dot(dl[4:7], rest - dl[:3])
        k_now = pt.exp(log_rate_now)
        pivot = pm.Normal("pivot", k_now * (t_star - released - delay_mean), k_now * dl[7])
        delay = t_star - released - pivot / k_now
        logit_gap = gap_sigma[0]
        if ceiling is not None:
            gap = max(1.0 - ceiling, 1e-6)
            logit_gap = pm.Data("fixed_logit_gap", np.float64(np.log(gap) - np.log1p(-gap)))
        theta = pm.Deterministic("theta", pt.stack([log_rate, delay, logit_gap, gap_sigma[1]]), dims="param")
        off_obs = 0.0
        if n_off:
            series = pm.Data("series", data.series)
            off_prior = pm.Data("offset_prior", np.asarray(offset_prior, dtype=float))
            e_off = pm.Normal("e_offset", 0.0, 1.0, shape=n_off)
            off = pm.Deterministic("offset", off_prior[0] + off_prior[1] * e_off)
            off_obs = pt.concatenate([pt.zeros(1), off])[series]
        log_c = -pt.softplus(logit_gap)
        mu = _logit_mu(pt, curve, t, pt.exp(log_rate), released + delay, log_c, g_acc)
        pm.Normal("obs", mu + off_obs, pt.exp(theta[3]), observed=logit_y, shape=t.shape)
    return model

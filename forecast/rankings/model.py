"""The rankings model: each lab's open-weight releases as jumps from its own record, and sampling it.

On the working scale ``z`` (see `forecast.rankings.data`), with ``t`` in years since the as-of
date, release ``j`` of open-weight lab ``e`` lands relative to the lab's best so far ``B_{j-1}``,
set ``dt_j`` years earlier, when that best was ``g_j`` behind the open record of all labs, itself
set ``r_j`` years earlier:

    z_j - B_{j-1} ~ SkewNormal(k + b_e * (kappa r_j + (1 - kappa) dt_j) + kappa * g_j, omega, alpha)

A release aims at a mix of two targets: the lab's own trajectory (its best plus its pace ``b_e``
times the years since) with weight ``1 - kappa``, and the frontier's (the open record plus the
pace times the years since the record) with weight ``kappa``. ``kappa`` is the share of its
distance to the frontier a lab makes up in one release (catching up is easier than leading:
what the leaders have shown, others copy); ``k`` is the jump every release makes apart from the
time (labs publish when they have something to show; small models and quick updates land
below: the skew ``alpha``). Without ``kappa`` the large catch-up jumps of labs far behind
(DeepSeek-V2, +28 ECI points over its coder models; Microsoft's Phi-2 and Phi-3, +18 and +15)
were read as noise every lab has; with a catch-up term added on top of the lab's own pace the
time since an old record counted twice. Both made a simulated past grow the open record about
twice as fast as it grew (`forecast.rankings.checks`). Labs are pooled:

    b_e ~ Normal(mu_b + beta_c(e), tau_b),  beta_c ~ Normal(0, tau_c),  k ~ Normal(0, 1)
    mu_b = b_c + delta,  delta ~ Normal(0, 0.25)

``beta_c`` is the pace shared by the labs of one country (one pool of talent, compute and
rules; it is what tells a country whose labs keep leapfrogging each other from one with a single
fast lab).

A lab-level ``k_e`` was tried and dropped: with one to four jumps per lab it read a single big
release as a lasting trait (DeepSeek's and Microsoft's offsets came out at +20 and +15 ECI points
a release).

where ``b_c`` is the closed frontier's slope: one pace of progress for everyone, with a pooled
catch-up ``delta`` of open labs. Release timing (`forecast.rankings.waits`): a lab's releases
are a renewal process, each wait a dead time ``D`` (30 days: closer releases count as one) plus a
Weibull wait of shape ``k`` whose rate trends with the date the wait began, at the lab's own
trend ``rho_e`` pooled around a shared ``rho`` (the recent past weighs as much as the evidence
for a change of pace says, lab by lab):

    wait after the release at t_j:  t_{j+1} - t_j - D ~ Weibull(k, rate w_e Gamma(1 + 1/k) exp(rho_e t_j))
    log w_e ~ Normal(mu_l, tau_l),  rho_e ~ Normal(rho, tau_rho),  rho ~ Normal(0, 0.5),  k ~ LogNormal(0, 0.5)
    silence s_e since the last release:  P = exp(-eta_e s - H_e(s)) + int_0^s eta_e exp(-eta_e u - H_e(u)) du

with ``s = s_e - D``, ``H_e(u) = (w_e Gamma(1 + 1/k) exp(-rho_e s_e) u)^k`` (16-point
Gauss-Legendre). ``lam_e = w_e / (1 + w_e D)`` is the lab's long-run release rate while in the
race. The Poisson process of the previous version (``k = 1``, one trend for all labs) gave active
and long-dormant labs about the same rate: a replayed last year had 9 releases where 16 were
observed (`forecast.rankings.checks`). ``k`` says whether releases come in bursts (``k < 1``:
the longer a lab is silent, the less likely it releases) or at a cadence (``k > 1``).

The silence term is a lab that stops for good at hazard ``eta_e = eta0 exp(-gamma m_e)`` (an
exit, counted after the dead time; labs with a longer record of ``m_e`` releases leave less
often): a lab silent for long compared with its own pace has most likely left the race. New
labs arrive as a Poisson process of intensity ``nu exp(rho_nu t)`` (the first releases of the
labs first seen in the last ``W`` years; ``nu`` is the rate at the as-of date, ``rho_nu ~ Normal(0, 1)`` its trend: the wave of
new open-weight labs of 2023 had ebbed by 2024, and a constant rate counted over two years kept
about four newcomers a year, each able to catch up, at 0.25-0.5 of every lab-level forecast)
and enter at the open record plus an offset ``Normal(mu_0, sigma_0)`` learned from past entries.

The closed-weight releases of all labs form one series under a rising envelope,
``z = SkewNormal(a_c + b_c t, omega_c, alpha_c)``, released at rate ``lambda_c``: the frontier
against which the open-closed gap is measured, from the same draws.

Hyperpriors are weakly informative on the standardised scale (`HYPERPRIORS`). The model is a plain
function of the data; `sample` hands it to `forecast.sampling`, the one place that calls
``pm.sample``. PyMC is imported inside the functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from forecast.errors import SamplingError
from forecast.rankings.data import EVENT_GAP, RankingData
from forecast.rankings.waits import GL_W, GL_X
from forecast.sampling import Diagnostics, SamplerConfig, diagnose
from forecast.sampling import sample as run_sampler

if TYPE_CHECKING:
    import pymc as pm

#: Posterior variables kept for simulation.
KEPT = ("mu_b", "tau_b", "beta", "mu_k", "kappa", "rho", "mu_l", "tau_l", "b", "lam", "shape", "rho_lab", "eta", "eta0", "omega", "alpha",
        "nu", "rho_nu", "mu_0", "sigma_0", "a_c", "b_c", "omega_c", "alpha_c", "lam_c")
#: Variables whose r_hat and ESS are reported (the population and closed-series parameters).
DIAGNOSED = ("mu_b", "tau_b", "tau_c", "mu_k", "kappa", "mu_l", "tau_l", "rho", "tau_rho", "shape", "omega", "alpha", "eta0", "gamma",
             "nu", "rho_nu", "mu_0", "sigma_0", "a_c", "b_c", "omega_c", "alpha_c", "lam_c")

#: Hyperpriors (name: distribution and parameters) on the standardised scale, z per year for
#: paces and events per year for rates: wide against the spread of the data (sd 1 by construction).
HYPERPRIORS = {
    "b_c": ("Normal", 0.0, 1.0), "catch_up": ("Normal", 0.0, 0.25), "tau_b": ("HalfNormal", 0.25), "tau_c": ("HalfNormal", 0.25),
    "mu_k": ("Normal", 0.0, 1.0), "kappa": ("Beta", 2.0, 2.0), "omega": ("HalfNormal", 1.0),
    "alpha": ("Normal", -2.0, 2.0), "mu_l": ("Normal", 0.0, 1.5), "tau_l": ("HalfNormal", 1.0),
    "rho": ("Normal", 0.0, 0.5), "shape": ("LogNormal", 0.0, 0.5), "tau_rho": ("HalfNormal", 0.5), "eta0": ("Gamma", 2.0, 4.0), "gamma": ("HalfNormal", 1.0),
    "nu": ("Gamma", 1.0, 1.0), "rho_nu": ("Normal", 0.0, 1.0), "mu_0": ("Normal", -1.0, 1.0), "sigma_0": ("HalfNormal", 1.0),
    "a_c": ("Normal", 0.0, 2.0), "omega_c": ("HalfNormal", 1.0), "alpha_c": ("Normal", -2.0, 2.0),
    "lam_c": ("Gamma", 1.0, 0.05),
}

#: NUTS settings of a rankings forecast: 2 x 1000 draws (bulk ESS about 600 on the shipped data;
#: 2 x 500 gave 304, under the 400 the diagnostics ask for).
DEFAULT_SAMPLER = SamplerConfig(draws=1000, tune=1000, chains=2, target_accept=0.9)
#: NUTS settings of each backtest fit: 2 x 500 draws (29 fits per run; the shipped pool weights
#: were learned from these).
BACKTEST_SAMPLER = SamplerConfig(draws=500, tune=500, chains=2, target_accept=0.9)


@dataclass(frozen=True)
class RankingsFit:
    """Posterior draws (flattened over chains) of the rankings model, with its data."""

    data: RankingData
    draws: dict[str, np.ndarray]
    diagnostics: Diagnostics

    @property
    def n_draws(self) -> int:
        return int(self.draws["mu_b"].shape[0])

    @property
    def divergences(self) -> int:
        return self.diagnostics.divergences


def _prior(name: str, **kwargs: object):
    """The PyMC variable of hyperprior `name`."""
    import pymc as pm

    kind, *params = HYPERPRIORS[name]
    if kind == "Normal":
        return pm.Normal(name, params[0], params[1], **kwargs)
    if kind == "HalfNormal":
        return pm.HalfNormal(name, params[0], **kwargs)
    if kind == "LogNormal":
        return pm.LogNormal(name, params[0], params[1], **kwargs)
    if kind == "Beta":
        return pm.Beta(name, alpha=params[0], beta=params[1], **kwargs)
    return pm.Gamma(name, alpha=params[0], beta=params[1], **kwargs)


def _timing(data: RankingData, gaps: object, silence: object, ev_lab: object, ev_t: object,
            ev_prev: object) -> object:
    """Release waits with a pooled shape and trend, and exits: the long-run rate `lam` per lab."""
    import pymc as pm
    import pytensor.tensor as pt

    mu_l, tau_l, rho, shape = _prior("mu_l"), _prior("tau_l"), _prior("rho"), _prior("shape")
    # each lab's own trend of its release rate, pooled around the shared one
    rho_lab = pm.Deterministic("rho_lab", rho + _prior("tau_rho") * pm.Normal("rho_raw", 0.0, 1.0, dims="lab"),
                               dims="lab")
    # w: one over the mean wait after the dead time; lam = w / (1 + w D), the long-run release rate
    w = pm.math.exp(mu_l + tau_l * pm.Normal("l_raw", 0.0, 1.0, dims="lab"))
    lam = pm.Deterministic("lam", w / (1.0 + w * EVENT_GAP), dims="lab")
    base = pm.math.exp(pt.gammaln(1.0 + 1.0 / shape)) * w  # the Weibull rate of that wait
    wait = pm.math.maximum(ev_t - ev_prev - EVENT_GAP, 1e-3)
    r = base[ev_lab] * pm.math.exp(rho_lab[ev_lab] * ev_prev)
    pm.Potential("events_lp", pm.math.sum(pm.math.log(shape) + shape * pm.math.log(r)
                                          + (shape - 1.0) * pm.math.log(wait) - (r * wait) ** shape))
    eta0, gamma = _prior("eta0"), _prior("gamma")
    eta = pm.Deterministic("eta", eta0 * pm.math.exp(-gamma * gaps), dims="lab")
    s = pm.math.maximum(silence - EVENT_GAP, 1e-6)  # (x ** k at x = 0 has no gradient in k)
    r_now = base * pm.math.exp(-rho_lab * silence)
    stay = pm.math.exp(-eta * s - (r_now * s) ** shape)
    u = s[:, None] * GL_X[None, :]
    left = s * pm.math.sum(GL_W[None, :] * eta[:, None] * pm.math.exp(-eta[:, None] * u - (r_now[:, None] * u) ** shape),
                           axis=1)
    pm.Potential("silence_lp", pm.math.sum(pm.math.log(stay + left)))
    return lam


def build_model(data: RankingData) -> pm.Model:
    """The PyMC model of `data` (see the module docstring for the formula)."""
    import pymc as pm

    countries = sorted(set(data.lab_country))
    with pm.Model(coords={"lab": list(data.labs), "country": countries}) as model:
        # Every array is pm.Data so the compiled graph is the same for any data (PyTensor's
        # cache then saves the compilation on later fits).
        jl = pm.Data("jump_lab", data.jump_lab)
        jd, jdt = pm.Data("jump_d", data.jump_d), pm.Data("jump_dt", data.jump_dt)
        jg, jdr = pm.Data("jump_behind", data.jump_behind), pm.Data("jump_dt_record", data.jump_dt_record)
        gaps, silence = pm.Data("gaps", data.lab_gaps.astype("int64")), pm.Data("silence", data.lab_silence)
        ev_lab, ev_t = pm.Data("event_lab", data.event_lab), pm.Data("event_t", data.event_t)
        ev_prev = pm.Data("event_prev", data.event_prev)
        entry = pm.Data("entry_off", data.entry_off)
        closed_t, closed_z = pm.Data("closed_t", data.closed_t), pm.Data("closed_z", data.closed_z)
        n_closed, window = pm.Data("n_closed", data.n_closed_releases), pm.Data("window", data.window)
        entry_t, entry_w = pm.Data("entry_t", data.entry_t), pm.Data("entrant_window", data.entrant_window)

        b_c = _prior("b_c")
        mu_b = pm.Deterministic("mu_b", b_c + _prior("catch_up"))
        tau_b, mu_k = _prior("tau_b"), _prior("mu_k")
        country = pm.Data("country_idx", np.array([countries.index(c) for c in data.lab_country], dtype="int64"))
        beta = pm.Deterministic("beta", _prior("tau_c") * pm.Normal("c_raw", 0.0, 1.0, dims="country"),
                                dims="country")
        b = pm.Deterministic("b", mu_b + beta[country] + tau_b * pm.Normal("b_raw", 0.0, 1.0, dims="lab"),
                             dims="lab")
        omega, alpha = _prior("omega"), _prior("alpha")
        kappa = _prior("kappa")
        pm.SkewNormal("jump", mu=mu_k + b[jl] * (kappa * jdr + (1.0 - kappa) * jdt) + kappa * jg, sigma=omega, alpha=alpha, observed=jd)
        _timing(data, gaps, silence, ev_lab, ev_t, ev_prev)
        pm.Normal("entry", _prior("mu_0"), _prior("sigma_0"), observed=entry)

        a_c, omega_c, alpha_c = _prior("a_c"), _prior("omega_c"), _prior("alpha_c")
        pm.SkewNormal("z_c", mu=a_c + b_c * closed_t, sigma=omega_c, alpha=alpha_c, observed=closed_z)
        pm.Poisson("k_closed", _prior("lam_c") * window, observed=n_closed)
        nu, rho_nu = _prior("nu"), _prior("rho_nu")
        small = pm.math.abs(rho_nu) < 1e-4
        safe = pm.math.switch(small, 1.0, rho_nu)
        exposure = pm.math.switch(small, entry_w, (1.0 - pm.math.exp(-safe * entry_w)) / safe)
        pm.Potential("entries_lp", pm.math.sum(pm.math.log(nu) + rho_nu * entry_t) - nu * exposure)
    return model


def sample(data: RankingData, config: SamplerConfig | None = None, seed: int = 0) -> RankingsFit:
    """Fit the rankings model to `data` with NUTS (through `forecast.sampling.sample`).

    Raises
    ------
    SamplingError
        if the sampler fails outright (divergences are counted and reported, not raised).
    """
    config = (config or DEFAULT_SAMPLER).with_overrides(seed=seed)
    try:
        idata = run_sampler(build_model(data), config)
    except SamplingError as exc:
        raise SamplingError(f"sampling the rankings model of {data.metric} failed: {exc}") from exc
    post = idata.posterior
    draws = {name: post[name].values.reshape(-1, *post[name].shape[2:]) for name in KEPT}
    return RankingsFit(data=data, draws=draws, diagnostics=diagnose(idata, list(DIAGNOSED)))

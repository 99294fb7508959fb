"""The rankings model: each lab's open-weight releases under a rising envelope, and sampling it.

On the working scale ``z`` (see `forecast.rankings.data`), with ``t`` in years since the as-of
date, a release of open-weight lab ``e`` at time ``t`` scores

    z = a_e + b_e * (t - tbar_e) + v - u,   v ~ Normal(0, sigma_v),   u ~ HalfNormal(sigma_u)

a stochastic frontier: ``a_e + b_e (t - tbar_e)`` is the best the lab could release at ``t``
(``tbar_e`` is the mean time of the lab's releases, where its level is best known) and most
releases (small models, quick updates) fall below it by ``u``. ``v - u`` is skew-normal with
scale ``omega = sqrt(sigma_u^2 + sigma_v^2)`` and shape ``alpha = -sigma_u / sigma_v``, which is
how it is written below. Labs are pooled toward the population:

    a_e ~ Normal(mu_a + mu_b * tbar_e, tau_a),  b_e ~ Normal(mu_b, tau_b),  mu_b = b_c + delta,
    log lambda_e ~ Normal(mu_l, tau_l)
    m_e ~ Poisson(lambda_e * S_e)           (release events after the first, over the span S_e)
    silence s_e since the last release:  P = exp(-(eta + lambda_e) s_e)
                                             + eta / (eta + lambda_e) (1 - exp(-(eta + lambda_e) s_e))
    k   ~ Poisson(nu * W_new)               (labs whose first open release was recent)

The silence term is a lab that stops for good at hazard ``eta_e = eta0 exp(-gamma m_e)`` (an
exit; labs with a longer record of releases leave less often): a lab silent for long compared
with its own release rate has most likely left the race, which is what keeps labs that led in
2023 and released nothing since from being forecast to lead again. A lab's standing is pooled
where it was measured (``a_e`` at ``tbar_e``), so a lab that released weak models in 2023 is not
lifted to today's pack.

The closed-weight releases of all labs form one more series with its own ``a_c, b_c, omega_c,
alpha_c, lambda_c``. Open labs' mean slope is the closed slope plus a catch-up
``delta ~ Normal(0, 0.25)``: one pace of progress. Without the tie, labs that started with small
models gave slopes about twice the frontier's, and the backtest had open models overtaking closed
ones within a year.

The model is a plain function of the data; `sample` hands it to `forecast.sampling`, the one
place that calls ``pm.sample``.
PyMC is imported inside the functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from forecast.errors import SamplingError
from forecast.sampling import SamplerConfig
from forecast.sampling import sample as run_sampler
from forecast.rankings.data import RankingData

if TYPE_CHECKING:
    import pymc as pm

#: Posterior variables kept for simulation.
KEPT = ("mu_a", "tau_a", "mu_b", "tau_b", "mu_l", "tau_l", "a", "b", "lam", "eta", "eta0", "omega", "alpha",
        "nu", "a_c", "b_c", "omega_c", "alpha_c", "lam_c")


#: NUTS settings of a rankings fit: small, so a fit takes seconds once compiled.
DEFAULT_SAMPLER = SamplerConfig(draws=400, tune=400, chains=2, target_accept=0.9)


@dataclass(frozen=True)
class RankingsFit:
    """Posterior draws (flattened over chains) of the rankings model, with its data."""

    data: RankingData
    draws: dict[str, np.ndarray]
    divergences: int

    @property
    def n_draws(self) -> int:
        return int(self.draws["mu_a"].shape[0])


def build_model(data: RankingData) -> pm.Model:
    """The PyMC model of `data` (see the module docstring for the formula)."""
    import pymc as pm

    coords = {"lab": list(data.labs)}
    with pm.Model(coords=coords) as model:
        # Every array is pm.Data so the compiled graph is the same for any data (PyTensor's
        # cache then saves the ~15 s compilation on later fits).
        obs_lab = pm.Data("obs_lab", data.obs_lab.astype("int64"))
        obs_t, obs_z = pm.Data("obs_t", data.obs_t), pm.Data("obs_z", data.obs_z)
        tbar, span = pm.Data("tbar", data.lab_tbar), pm.Data("span", data.lab_span)
        gaps, silence = pm.Data("gaps", data.lab_gaps.astype("int64")), pm.Data("silence", data.lab_silence)
        closed_t, closed_z = pm.Data("closed_t", data.closed_t), pm.Data("closed_z", data.closed_z)
        counts = pm.Data("counts", np.array([data.n_entrants, data.n_closed_releases], dtype="int64"))
        windows = pm.Data("windows", np.array([data.entrant_window, data.window]))

        mu_a = pm.Normal("mu_a", 0.0, 2.0)
        tau_a = pm.HalfNormal("tau_a", 1.0)
        # One pace of progress: the closed frontier's slope, plus a pooled catch-up of open labs.
        b_c = pm.Normal("b_c", 0.0, 1.0)
        mu_b = pm.Deterministic("mu_b", b_c + pm.Normal("catch_up", 0.0, 0.25))
        tau_b = pm.HalfNormal("tau_b", 0.25)
        a_raw = pm.Normal("a_raw", 0.0, 1.0, dims="lab")
        a = pm.Deterministic("a", mu_a + mu_b * tbar + tau_a * a_raw, dims="lab")
        b = pm.Deterministic("b", mu_b + tau_b * pm.Normal("b_raw", 0.0, 1.0, dims="lab"), dims="lab")
        omega = pm.HalfNormal("omega", 1.0)
        alpha = pm.Normal("alpha", -2.0, 2.0)
        mean = a[obs_lab] + b[obs_lab] * (obs_t - tbar[obs_lab])
        pm.SkewNormal("z", mu=mean, sigma=omega, alpha=alpha, observed=obs_z)

        mu_l = pm.Normal("mu_l", 0.0, 1.5)
        tau_l = pm.HalfNormal("tau_l", 1.0)
        log_lam = mu_l + tau_l * pm.Normal("l_raw", 0.0, 1.0, dims="lab")
        lam = pm.Deterministic("lam", pm.math.exp(log_lam), dims="lab")
        pm.Poisson("m", lam * (span + 1e-3), observed=gaps)
        eta0 = pm.Gamma("eta0", alpha=2.0, beta=4.0)
        gamma = pm.HalfNormal("gamma", 1.0)
        eta = pm.Deterministic("eta", eta0 * pm.math.exp(-gamma * gaps), dims="lab")
        rate = eta + lam
        stay = pm.math.exp(-rate * silence)
        pm.Potential("silence_lp", pm.math.log(stay + eta / rate * (1.0 - stay)))
        nu = pm.Gamma("nu", alpha=1.0, beta=1.0)

        a_c = pm.Normal("a_c", 0.0, 2.0)
        omega_c = pm.HalfNormal("omega_c", 1.0)
        alpha_c = pm.Normal("alpha_c", -2.0, 2.0)
        pm.SkewNormal("z_c", mu=a_c + b_c * closed_t, sigma=omega_c, alpha=alpha_c, observed=closed_z)
        lam_c = pm.Gamma("lam_c", alpha=1.0, beta=0.05)
        rates = pm.math.stack([nu, lam_c]) * windows
        pm.Poisson("k", rates, observed=counts)
    return model


def sample(data: RankingData, config: SamplerConfig | None = None, seed: int = 0) -> RankingsFit:
    """Fit the rankings model to `data` with NUTS (through `forecast.sampling.sample`).

    Raises
    ------
    SamplingError
        if the sampler fails outright (divergences are counted, not raised).
    """
    config = (config or DEFAULT_SAMPLER).with_overrides(seed=seed)
    try:
        idata = run_sampler(build_model(data), config)
    except SamplingError as exc:
        raise SamplingError(f"sampling the rankings model of {data.metric} failed: {exc}") from exc
    post = idata.posterior
    draws = {name: post[name].values.reshape(-1, *post[name].shape[2:]) for name in KEPT}
    divergences = int(idata.sample_stats["diverging"].values.sum())
    return RankingsFit(data=data, draws=draws, divergences=divergences)

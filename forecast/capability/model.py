"""The capability model: an item-response model over every model and benchmark series.

For model ``m`` with capability ``C_m`` and item (benchmark series) ``b`` with difficulty
``D_b``, slope ``alpha_b`` and ceiling ``c_b``, the normalised score is

    y_mb ~ Normal(c_b * sigmoid(alpha_b * (C_m - D_b)), sigma_b)

which is ``score = floor_b + (ceiling_b - floor_b) * sigmoid(alpha_b (C_m - D_b))`` on the
percent scale, with ``ceiling_b = floor_b + c_b (100 - floor_b)``: the two-parameter logistic
of item-response theory, as in Epoch AI's Capabilities Index (Ho et al. 2025, "A Rosetta Stone
for AI Benchmarks"), which fits the same curve by ridge least squares. Here it has priors
(`IRTPriors`) and a posterior.

Every free variable is declared on the unconstrained scale (``log_alpha``, ``log_sigma``,
``logit_gap``), so the posterior mode and the Laplace approximation around it live in the
space NUTS would sample. The latent scale is fixed by the prior ``C ~ Normal(0, 1)``;
`forecast.capability.index` maps it onto Epoch's published scale.

Fitting (`fit_laplace`): L-BFGS to the posterior mode, then the Hessian of the log posterior
by central differences of the exact gradient, and draws from ``Normal(mode, H^-1)``. Over all
shipped data (about 400 models, 40 series) that takes seconds where NUTS takes minutes, which
matters because the ensemble's held-out backtest refits the index once per benchmark and
cut-off. `fit_nuts` samples the same model through `forecast.sampling` for comparison.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from forecast.capability.data import ItemData
from forecast.errors import SamplingError
from forecast.sampling import SamplerConfig
from forecast.sampling import sample as run_sampler

if TYPE_CHECKING:
    import pymc as pm

#: Newton steps after L-BFGS, each with a fresh finite-difference Hessian.
NEWTON_STEPS = 3
FREE = ("C", "D", "log_alpha", "log_sigma", "logit_gap")


@dataclass(frozen=True)
class IRTPriors:
    """Priors of the capability model, on its latent scale.

    ``C ~ Normal(0, 1)`` fixes the scale. Epoch's difficulties span about 40-160 index points
    with slopes 0.02-0.36 per point, so ``alpha * sd(C)`` is about 2 (0.5 to 7): ``log_alpha ~
    Normal(log 2, 1)``. Noise of a normalised score around its curve is a few points:
    ``log_sigma ~ Normal(log 0.05, 0.7)``. Label errors cap benchmarks a few points below 100:
    ``gap = 1 - c ~ logit-Normal(logit 0.03, 1)``.
    """

    c_sd: float = 1.0
    d_sd: float = 2.0
    log_alpha_mu: float = float(np.log(2.0))
    log_alpha_sd: float = 1.0
    log_sigma_mu: float = float(np.log(0.05))
    log_sigma_sd: float = 0.7
    logit_gap_mu: float = float(np.log(0.03 / 0.97))
    logit_gap_sd: float = 1.0


DEFAULT_PRIORS = IRTPriors()


def build_model(data: ItemData, priors: IRTPriors = DEFAULT_PRIORS) -> pm.Model:
    """The PyMC model of `data`; a plain function of the data."""
    import pymc as pm

    n_m, n_i = len(data.models), len(data.items)
    with pm.Model() as model:
        c = pm.Normal("C", 0.0, priors.c_sd, shape=n_m)
        d = pm.Normal("D", 0.0, priors.d_sd, shape=n_i)
        log_a = pm.Normal("log_alpha", priors.log_alpha_mu, priors.log_alpha_sd, shape=n_i)
        log_s = pm.Normal("log_sigma", priors.log_sigma_mu, priors.log_sigma_sd, shape=len(data.series))
        lg = pm.Normal("logit_gap", priors.logit_gap_mu, priors.logit_gap_sd, shape=n_i)
        ceiling = 1.0 - pm.math.sigmoid(lg)
        eta = pm.math.exp(log_a)[data.item_idx] * (c[data.model_idx] - d[data.item_idx])
        mu = ceiling[data.item_idx] * pm.math.sigmoid(eta)
        pm.Normal("y", mu, pm.math.exp(log_s)[data.series_idx[data.item_idx]], observed=data.y)
    return model


@dataclass(frozen=True)
class Posterior:
    """Draws of the model's free variables: ``C`` (S, models), the others (S, items)."""

    C: np.ndarray
    D: np.ndarray
    log_alpha: np.ndarray
    log_sigma: np.ndarray
    logit_gap: np.ndarray
    method: str
    converged: bool = True

    @property
    def alpha(self) -> np.ndarray:
        return np.exp(self.log_alpha)

    @property
    def ceiling(self) -> np.ndarray:
        """Normalised ceiling ``c_b`` (S, items)."""
        return 1.0 / (1.0 + np.exp(self.logit_gap))

    @property
    def n_draws(self) -> int:
        return int(self.C.shape[0])


def _start(data: ItemData) -> np.ndarray:
    """A starting point: capability from each model's mean centred logit score, standardised."""
    y = np.clip(data.y, 0.02, 0.98)
    z = np.log(y / (1 - y))
    n_item = np.bincount(data.item_idx, minlength=len(data.items))
    z = z - (np.bincount(data.item_idx, z, len(data.items)) / n_item)[data.item_idx]
    c = np.bincount(data.model_idx, z, len(data.models)) / np.maximum(data.items_per_model(), 1)
    c = (c - c.mean()) / (c.std() + 1e-9)
    p = DEFAULT_PRIORS
    n_i = len(data.items)
    return np.concatenate([c, np.zeros(n_i), np.full(n_i, p.log_alpha_mu),
                           np.full(len(data.series), p.log_sigma_mu), np.full(n_i, p.logit_gap_mu)])


def _unpack(x: np.ndarray, data: ItemData) -> dict[str, np.ndarray]:
    n_m, n_i, n_s = len(data.models), len(data.items), len(data.series)
    cuts = np.cumsum([n_m, n_i, n_i, n_s])
    return dict(zip(FREE, np.split(x, cuts, axis=-1)))


def neg_log_posterior(x: np.ndarray, data: ItemData, priors: IRTPriors = DEFAULT_PRIORS) -> tuple[float, np.ndarray]:
    """Minus the log posterior density of `build_model` (up to a constant) and its gradient,
    in numpy: the same density PyMC compiles, without a compile step."""
    v = _unpack(x, data)
    m, i, s_of = data.model_idx, data.item_idx, data.series_idx[data.item_idx]
    a = np.exp(v["log_alpha"])
    ceil = 1.0 / (1.0 + np.exp(v["logit_gap"]))
    e = a[i] * (v["C"][m] - v["D"][i])
    sg = 1.0 / (1.0 + np.exp(-np.clip(e, -500, 500)))
    mu = ceil[i] * sg
    sig = np.exp(v["log_sigma"])[s_of]
    r = data.y - mu
    lp = -0.5 * np.sum((r / sig) ** 2) - np.sum(np.log(sig))
    dmu = r / sig**2
    de = dmu * ceil[i] * sg * (1.0 - sg)
    n_m, n_i, n_s = len(data.models), len(data.items), len(data.series)
    grad = {
        "C": np.bincount(m, de * a[i], n_m),
        "D": -np.bincount(i, de * a[i], n_i),
        "log_alpha": np.bincount(i, de * e, n_i),
        "log_sigma": np.bincount(s_of, (r / sig) ** 2 - 1.0, n_s),
        "logit_gap": np.bincount(i, dmu * sg, n_i) * -(ceil * (1.0 - ceil)),
    }
    for name, mu0, sd in (("C", 0.0, priors.c_sd), ("D", 0.0, priors.d_sd),
                          ("log_alpha", priors.log_alpha_mu, priors.log_alpha_sd),
                          ("log_sigma", priors.log_sigma_mu, priors.log_sigma_sd),
                          ("logit_gap", priors.logit_gap_mu, priors.logit_gap_sd)):
        z = (v[name] - mu0) / sd
        lp -= 0.5 * np.sum(z**2)
        grad[name] = grad[name] - z / sd
    return -float(lp), -np.concatenate([grad[k] for k in FREE])


def fit_laplace(data: ItemData, *, seed: int = 0, draws: int = 1000,
                priors: IRTPriors = DEFAULT_PRIORS) -> Posterior:
    """Posterior mode plus a Laplace approximation, as `draws` draws.

    Raises
    ------
    SamplingError
        when the optimiser fails outright.
    """
    from scipy.optimize import minimize

    def fg(x: np.ndarray) -> tuple[float, np.ndarray]:
        return neg_log_posterior(x, data, priors)

    res = minimize(fg, _start(data), jac=True, method="L-BFGS-B",
                   options={"maxiter": 20000, "maxfun": 40000, "maxcor": 30})
    if not np.isfinite(res.fun):
        raise SamplingError(f"the capability fit failed: {res.message}")
    x, grad = res.x, res.jac
    hess = _hessian(lambda x: fg(x)[1], x)
    for _ in range(NEWTON_STEPS):  # L-BFGS stalls on the scale ridge; Newton steps finish it
        step = np.linalg.solve(hess, grad) if np.all(np.linalg.eigvalsh(hess) > 0) else None
        if step is None or fg(x - step)[0] > fg(x)[0]:
            break
        x = x - step
        grad = fg(x)[1]
        hess = _hessian(lambda x: fg(x)[1], x)
    # Directions the data leave flat (or saddle-like, where L-BFGS stopped short) get no less
    # curvature than the widest prior gives: a variance never beyond the prior's.
    w, v = np.linalg.eigh(hess)
    floor = 1.0 / max(priors.c_sd, priors.d_sd, priors.log_alpha_sd, priors.log_sigma_sd, priors.logit_gap_sd) ** 2
    root = v / np.sqrt(np.maximum(w, floor))  # cov = root @ root.T
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((draws, res.x.size))
    flat = x + z @ root.T
    out = _unpack(flat, data)
    converged = bool(res.success)
    return Posterior(**out, method="laplace", converged=converged)


def _hessian(grad, x: np.ndarray, eps: float = 1e-4) -> np.ndarray:
    """Symmetrised Hessian of the function whose gradient is `grad`, by central differences."""
    n = x.size
    h = np.empty((n, n))
    for j in range(n):
        step = np.zeros(n)
        step[j] = eps
        h[:, j] = (grad(x + step) - grad(x - step)) / (2 * eps)
    return 0.5 * (h + h.T)


def fit_nuts(data: ItemData, config: SamplerConfig, priors: IRTPriors = DEFAULT_PRIORS) -> Posterior:
    """The same model sampled by NUTS (through `forecast.sampling`), flattened over chains."""
    idata = run_sampler(build_model(data, priors), config)
    post = idata.posterior

    def flat(name: str) -> np.ndarray:
        v = post[name].values
        return v.reshape(v.shape[0] * v.shape[1], -1)

    return Posterior(**{k: flat(k) for k in FREE}, method="nuts")

"""Release waits of one lab: a dead time, then a Weibull wait whose rate trends with the date.

A lab's release events are at least ``D`` (`forecast.rankings.data.EVENT_GAP`, 30 days) apart
(closer ones count as one release); after the dead time the wait to the next release is Weibull
with shape ``k`` and rate ``r exp(rho t_prev)``, ``t_prev`` the previous release (years since the
as-of date). ``r = Gamma(1 + 1/k) w`` makes the mean wait after the dead time ``1 / w``, so the
long-run release rate of a lab still in the race is ``lam = w / (1 + w D)`` (``k = 1``: Poisson
releases after the dead time; ``k < 1``: bursts, a lab silent for long becomes ever less likely to
release; ``k > 1``: a regular cadence). A lab leaves the race at hazard ``eta`` (an exit).

Numpy helpers shared by the simulation (`forecast.rankings.simulate`) and the checks
(`forecast.rankings.checks`); `forecast.rankings.model` writes the same likelihood in PyTensor.
"""

from __future__ import annotations

import numpy as np

from forecast.rankings.data import EVENT_GAP

#: Gauss-Legendre nodes and weights on [0, 1] for the exit integral of a silence.
GL_X, GL_W = (lambda x, w: ((x + 1.0) / 2.0, w / 2.0))(*np.polynomial.legendre.leggauss(16))


def weibull_rate(lam: np.ndarray, shape: np.ndarray) -> np.ndarray:
    """The Weibull rate ``r`` of the waiting time after the dead time ``D`` whose mean makes the
    long-run release rate `lam`: ``Gamma(1 + 1/k) / (1/lam - D)``."""
    from scipy.special import gammaln

    wait = np.maximum(1.0 / lam - EVENT_GAP, 1e-3)
    return np.exp(gammaln(1.0 + 1.0 / shape)) / wait


def silence_probabilities(lam: np.ndarray, shape: np.ndarray, rho: np.ndarray, eta: np.ndarray,
                          silence: float, now: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Per draw: P(no release over `silence` years) with exits, and P(still in the race | that).

    The waiting time since the last release (set `silence` years before `now`) is the
    dead time ``D`` plus a Weibull time of rate ``r exp(-rho silence)`` and shape ``k``; the lab
    leaves at hazard ``eta`` after its dead time. With ``s = max(silence - D, 0)`` and
    ``H(u) = (r u)^k``: ``P = exp(-eta s - H(s)) + int_0^s eta exp(-eta u - H(u)) du``
    (16-point Gauss-Legendre), and the lab is still in the race with ``exp(-eta s - H(s)) / P``.
    """
    s = max(float(silence) - EVENT_GAP, 0.0)
    r = (weibull_rate(lam, shape) * np.exp(rho * (now - silence)))[..., None]
    k, e = np.asarray(shape)[..., None], np.asarray(eta)[..., None]
    u = s * GL_X
    stay = np.exp(-eta * s - (r[..., 0] * s) ** shape)
    left = s * (GL_W * e * np.exp(-e * u - (r * u) ** k)).sum(axis=-1)
    return stay + left, stay / (stay + left)


def renewal_times(rng: np.random.Generator, lam: np.ndarray, shape: np.ndarray, rho: np.ndarray,
                  last: np.ndarray, start: np.ndarray, stop: np.ndarray, cap: int = 64) -> np.ndarray:
    """Release times in (start, stop] per row, np.inf-padded and sorted, of a lab whose last
    release was at ``last <= start`` and that released none since: each wait is the dead time
    ``D`` plus a Weibull time (rate ``r exp(rho t_prev)``, `weibull_rate`, shape ``k``), the
    first one drawn given that it lasted past `start` (``last = -inf``: a lab whose first release
    is at `start`, i.e. no wait to condition on)."""
    r, k = weibull_rate(lam, shape), shape
    prev = np.where(np.isfinite(last), last, start)
    # the wait so far past the dead time, and its cumulative hazard: the first wait is drawn given it
    done = np.where(np.isfinite(last), np.maximum(start - last - EVENT_GAP, 0.0), 0.0)
    out, t = [], prev.astype(float)
    for j in range(cap):
        scale = r * np.exp(rho * np.minimum(t, 10.0))  # (rows past 10 years are past every stop)
        h0 = (scale * done) ** k if j == 0 else 0.0
        wait = (h0 + rng.exponential(1.0, t.size)) ** (1.0 / k) / scale
        t = t + EVENT_GAP + wait
        if j == 0:
            t = np.maximum(t, start + 1e-9)  # a first release still inside the dead time
        out.append(np.where(t <= stop, t, np.inf))
        if not (t <= stop).any():
            break
    return np.stack(out, axis=1)

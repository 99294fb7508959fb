"""Rankings fits on disk, so that a backtest or a second run does not sample the same fit twice.

A fit is stored as ``<key>.npz`` (the kept draws and the diagnostics) under a directory the
caller names. The key hashes everything the fit depends on: the data the model sees (every
array of `forecast.rankings.data.RankingData`), the sampler settings, the seed and the code of
the model module (its syntax tree without docstrings, which change no fit), so a changed model
or changed data never reads a stale fit.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import inspect
import json
from pathlib import Path
from typing import Callable

import numpy as np

from forecast.rankings import model as model_module
from forecast.rankings.data import EVENT_GAP, RankingData
from forecast.rankings.model import DEFAULT_SAMPLER, RankingsFit, sample
from forecast.rankings.waits import GL_W, GL_X
from forecast.sampling import Diagnostics, SamplerConfig


def code_of(source: str) -> str:
    """The syntax tree of Python `source` without its docstrings: what a fit depends on."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


#: Read once: a fit made by this process's model is keyed by this process's model.
_MODEL_SOURCE = code_of(inspect.getsource(model_module)) + repr((GL_X.tolist(), GL_W.tolist(), EVENT_GAP))


def fit_key(data: RankingData, config: SamplerConfig, seed: int) -> str:
    """A hash of the fit's inputs: data, sampler settings, seed and model code (with the
    quadrature the model reads from `forecast.rankings.waits`)."""
    h = hashlib.sha256(_MODEL_SOURCE.encode())
    h.update(json.dumps({**config.as_dict(), "seed": seed}, sort_keys=True).encode())
    for f in dataclasses.fields(data):
        value = getattr(data, f.name)
        h.update(f.name.encode())
        h.update(np.ascontiguousarray(value).tobytes() if isinstance(value, np.ndarray) else repr(value).encode())
    return h.hexdigest()[:24]


def cached_sample(data: RankingData, config: SamplerConfig | None = None, seed: int = 0,
                  cache_dir: str | Path | None = None,
                  sampler: Callable[..., RankingsFit] = sample) -> RankingsFit:
    """`sampler` (`forecast.rankings.model.sample`), read from `cache_dir` when this fit was
    made before."""
    config = config or DEFAULT_SAMPLER
    if cache_dir is None:
        return sampler(data, config, seed)
    path = Path(cache_dir) / f"{fit_key(data, config, seed)}.npz"
    if path.exists():
        with np.load(path) as stored:
            draws = {k[2:]: stored[k] for k in stored.files if k.startswith("d_")}
            diag = Diagnostics(**json.loads(str(stored["diagnostics"])))
        return RankingsFit(data=data, draws=draws, diagnostics=diag)
    fit = sampler(data, config, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, diagnostics=json.dumps(dataclasses.asdict(fit.diagnostics)),
             **{f"d_{k}": v for k, v in fit.draws.items()})
    tmp.replace(path)
    return fit

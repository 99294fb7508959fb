"""The default forecast (the ensemble: no MCMC) never imports PyMC, PyTensor or ArviZ.

Importing pymc alone takes about 4 s, longer than the whole default forecast; a stray
module-level ``import pymc`` anywhere on its path would more than double a fresh process's
time. Each check runs in a fresh interpreter, since this test session may have pymc loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pymc", "pytensor", "arviz", "numba", "nutpie")

_PROBE = """
import json, sys
{body}
print("MODULES=" + json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _loaded(body: str, tmp_path: Path) -> tuple[list[str], str]:
    env = dict(os.environ, BENCHCAST_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT))
    code = _PROBE.format(body=body, heavy=HEAVY)
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = [x for x in proc.stdout.splitlines() if x.startswith("MODULES=")][-1]
    return json.loads(line.removeprefix("MODULES=")), proc.stdout


def test_default_cli_forecast_does_not_import_pymc(tmp_path: Path) -> None:
    body = f"""
from benchcast.cli.main import app
try:
    app(["forecast", "AgentArena", "--data", {str(ROOT / "examples" / "my_benchmark.csv")!r},
         "--threshold", "80", "--by", "2028-12-31", "--json"])
except SystemExit as exc:
    assert not exc.code, exc.code
"""
    loaded, out = _loaded(body, tmp_path)
    assert '"method": "ensemble"' in out  # the default method ran, and printed its forecast
    assert loaded == []


def test_library_default_forecast_does_not_import_pymc(tmp_path: Path) -> None:
    body = f"""
from forecast import ForecastQuery
fc = ForecastQuery({str(ROOT / "examples" / "my_benchmark.csv")!r}, floor=0, as_of="2026-10-01", seed=1).run()
assert fc.method == "ensemble", fc.method
print(fc.probability(50, by="2027-12-31"))
"""
    loaded, _ = _loaded(body, tmp_path)
    assert loaded == []


def test_the_probe_sees_pymc_when_it_is_imported(tmp_path: Path) -> None:
    """The check can fail: the saturation model's builder does import pymc."""
    body = f"""
from datetime import date
from forecast.saturation.model import build_benchmark_model
from forecast.saturation.population import load_prior
from forecast.series import prepare
from priors.history import BenchmarkInfo, read_results
data = prepare(read_results({str(ROOT / "examples" / "my_benchmark.csv")!r}), BenchmarkInfo("AgentArena", 0.0, None),
               date(2026, 10, 1))
prior = load_prior()
build_benchmark_model(data, *prior.predictive(data.released), prior.offset_prior())
"""
    loaded, _ = _loaded(body, tmp_path)
    assert {"pymc", "pytensor", "arviz"} <= set(loaded)


@pytest.mark.parametrize("module", ["forecast", "benchcast.cli.main", "markets"])
def test_importing_the_packages_is_light(module: str, tmp_path: Path) -> None:
    loaded, _ = _loaded(f"import {module}", tmp_path)
    assert loaded == []

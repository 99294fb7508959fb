"""Every example runs, with tiny settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY = {
    "forecast_my_benchmark.py": ["--draws", "200"],
    "simulate_market.py": [],
    "rankings.py": [],
    "season.py": ["--steps", "40", "--questions", "2", "--forecasters", "2", "--noise", "2"],
}


@pytest.mark.parametrize("script", sorted(p.name for p in (ROOT / "examples").glob("*.py")))
def test_example_runs(script: str, tmp_path: Path) -> None:
    args = TINY.get(script, [])
    if script == "forecast_my_benchmark.py":
        args = args + ["--out", str(tmp_path / "fan.png")]
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / script), *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip()

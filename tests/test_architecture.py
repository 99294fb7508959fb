"""Imports point inward: benchcast -> markets -> forecast -> priors."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "priors": {"forecast", "markets", "benchcast", "pymc", "sqlmodel", "typer", "fastapi"},
    "forecast": {"markets", "benchcast", "sqlmodel", "typer", "fastapi"},
    "markets": {"benchcast", "pymc", "pytensor", "sqlmodel", "typer", "fastapi", "uvicorn"},
    "benchcast": {"benchmarks", "tests"},  # load generators and probes live in benchmarks/, not the product
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_inward(package: str) -> None:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        hit = _imports(path) & FORBIDDEN[package]
        if hit:
            bad.append(f"{path.relative_to(ROOT)} imports {sorted(hit)}")
    assert bad == []

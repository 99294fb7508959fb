"""One data-access style in benchcast/db: services answer with typed values in micro-units.

Two rules, checked on the source:
- no public function of a db module is annotated to return an untyped record: a bare ``dict``,
  ``dict[str, Any]``/``dict[str, object]``, or a list, tuple or union holding one (a typed mapping
  such as ``dict[str, int]`` of balances or ``dict[int, LinkView]`` keyed by id is fine);
- no db module turns micro-units into units for an answer: it never imports
  `benchcast.units.to_units` and never divides by ``MICRO`` or a literal million.
  (The HTTP edge, `benchcast.server.schemas` and `people_schemas`, does that once.)
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DB = Path(__file__).resolve().parents[2] / "benchcast" / "db"
MODULES = sorted(DB.glob("*.py"))


def _is_untyped_record(node: ast.expr | None) -> bool:
    """Whether an annotation is, or holds, a dict of loosely typed values."""
    if node is None:
        return False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # a string annotation
        return _is_untyped_record(ast.parse(node.value, mode="eval").body)
    if isinstance(node, ast.Name):
        return node.id in ("dict", "Dict")
    if isinstance(node, ast.BinOp):  # X | Y
        return _is_untyped_record(node.left) or _is_untyped_record(node.right)
    if isinstance(node, ast.Subscript):
        base = node.value.id if isinstance(node.value, ast.Name) else ""
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if base in ("dict", "Dict"):
            value = args[-1]
            return isinstance(value, ast.Name) and value.id in ("Any", "object") or _is_untyped_record(value)
        return any(_is_untyped_record(a) for a in args)
    return False


def _public_functions(tree: ast.Module) -> list[ast.FunctionDef]:
    return [n for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_public_db_functions_return_typed_values(path: Path) -> None:
    tree = ast.parse(path.read_text())
    bad = [f"{path.name}:{f.lineno} {f.name} -> {ast.unparse(f.returns)}" for f in _public_functions(tree)
           if _is_untyped_record(f.returns)]
    assert bad == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_db_modules_never_convert_to_units(path: Path) -> None:
    tree = ast.parse(path.read_text())
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "benchcast.units":
            bad += [f"imports {a.name}" for a in node.names if a.name == "to_units"]
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.FloorDiv)):
            right = node.right
            if (isinstance(right, ast.Name) and right.id == "MICRO") or (
                    isinstance(right, ast.Constant) and right.value in (1e6, 1_000_000)):
                bad.append(f"line {node.lineno} divides by {ast.unparse(right)}")
    assert bad == []


def test_every_public_function_is_annotated() -> None:
    """The rules above read annotations, so a public db function without one would slip through."""
    missing = [f"{p.name}:{f.lineno} {f.name}" for p in MODULES for f in _public_functions(ast.parse(p.read_text()))
               if f.returns is None]
    assert missing == []


@pytest.mark.parametrize("source, flagged", [
    ("def f() -> dict: ...", True),
    ("def f() -> list[dict]: ...", True),
    ("def f() -> tuple[dict, str]: ...", True),
    ("def f() -> dict | None: ...", True),
    ("def f() -> dict[str, Any]: ...", True),
    ("def f() -> 'list[dict]': ...", True),
    ("def f() -> dict[str, int]: ...", False),
    ("def f() -> dict[int, LinkView]: ...", False),
    ("def f() -> list[QuestionView]: ...", False),
])
def test_the_rule_tells_records_from_mappings(source: str, flagged: bool) -> None:
    (f,) = _public_functions(ast.parse(source))
    assert _is_untyped_record(f.returns) is flagged

"""Progress on stderr: news lines when not a terminal, nothing when disabled; priors build's
--workers / --dask are checked before any fitting."""

from __future__ import annotations

import io

from typer.testing import CliRunner

from benchcast.cli.main import app
from benchcast.cli.progress import Progress


def test_progress_writes_news_and_the_total_time() -> None:
    out = io.StringIO()
    with Progress("fitting", stream=out) as bar:
        bar.tasks(1, 2, "chain 1")
        bar.tasks(2, 2, "chain 0")
    lines = out.getvalue().splitlines()
    assert lines[0] == "fitting ..."
    assert lines[1].startswith("fitting: 1/2 done (chain 1) (")
    assert lines[2].startswith("fitting: 2/2 done (chain 0) (")
    assert lines[3].startswith("fitting: done in ") and lines[3].endswith(" s")


def test_disabled_progress_is_silent() -> None:
    out = io.StringIO()
    with Progress("fitting", enabled=False, stream=out) as bar:
        bar.update("anything")
    assert out.getvalue() == ""


def test_priors_build_rejects_zero_workers() -> None:
    res = CliRunner().invoke(app, ["priors", "build", "--workers", "0"])
    assert res.exit_code == 2
    assert "Invalid value for '--workers': Input should be greater than or equal to 1" in res.output

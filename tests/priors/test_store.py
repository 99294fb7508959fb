"""The user data store and the Epoch AI zip importer."""

from __future__ import annotations

import pandas as pd
import pytest

from priors.epoch import read_epoch_zip
from priors.errors import DataFileError, ImportRejected
from priors.store import Store, history_source, import_file, load_all, load_open_weight, newer_than_shipped
from tests.priors.epoch_fixture import GPQA, write_epoch_zip

SHIPPED = len(load_all(shipped_only=True))


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCHCAST_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def csv(tmp_path, *rows: str, header: str = "benchmark,model,date,score,provenance") -> str:
    path = tmp_path / "rows.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return str(path)


def test_epoch_zip_reads_into_benchcast_columns(tmp_path):
    export = read_epoch_zip(write_epoch_zip(tmp_path / "benchmark_data.zip"))
    r = export.results.set_index(["benchmark", "model"])
    assert r.loc[("GPQA Diamond", "gpt-7-preview"), "score"] == pytest.approx(98.6)  # 0-1 scale -> percent
    assert r.loc[("GPQA Diamond", "gpt-7-preview"), "date"] == "2027-01-20"  # release date from the models table
    assert r.loc[("GPQA Diamond", "gpt-5.4-pro-2026-03-05_xhigh"), "date_kind"] == "run"  # not in the table: run date
    assert r.loc[("Humanity's Last Exam", "qwen4-max"), "score"] == pytest.approx(41.5)  # already percent
    assert r.loc[("Humanity's Last Exam", "qwen4-max"), "country"] == "CN"
    assert r.loc[("GPQA Diamond", "hunyuan-large"), "open_weights"] == "true"
    assert r.loc[("GPQA Diamond", "hunyuan-large"), "provenance"] == "epoch_run"
    assert export.open_weight.set_index("model").loc["qwen4-max", "score"] == pytest.approx(161.2)
    assert export.skipped == ("some_new_benchmark.csv",)


def test_epoch_bad_rows_are_listed_one_line_each(tmp_path):
    bad = GPQA.replace("0.986", "n/a").replace("gpt-5.4-pro-2026-03-05_xhigh,0.946,2026-03-09T08:00:00Z", "mystery,0.5,")
    with pytest.raises(ImportRejected) as err:
        read_epoch_zip(write_epoch_zip(tmp_path / "b.zip", gpqa=bad))
    assert err.value.problems == [
        "b.zip:gpqa_diamond.csv, line 3: score 'n/a' in 'Best score (across scorers)' is not a number",
        "b.zip:gpqa_diamond.csv, line 4: no release date for 'mystery' (in the file or the models table)",
    ]


def test_import_dedup_and_undo(home, tmp_path):
    zip_path = write_epoch_zip(tmp_path / "benchmark_data.zip")
    rec = import_file(zip_path)
    # gpt-5.4-pro at 94.6 is shipped (under its release date; the zip has only its run date)
    assert (rec.id, rec.added, rec.added_open_weight, rec.duplicates) == (1, 4, 2, 1)
    again = import_file(zip_path)
    assert (again.added, again.added_open_weight, again.duplicates) == (0, 0, 7)
    assert [r.id for r in Store().records()] == [1]  # an import that adds nothing leaves no record
    assert len(load_all()) == SHIPPED + 4 and len(load_all(shipped_only=True)) == SHIPPED
    assert load_open_weight().query("model == 'qwen4-max'")["lab"].tolist() == ["Alibaba"]
    gpqa = {b["benchmark"]: b for b in newer_than_shipped()}["GPQA Diamond"]
    assert gpqa["is_record"] and gpqa["best"] == pytest.approx(98.6) and gpqa["best_model"] == "gpt-7-preview"
    assert len(history_source()) == SHIPPED + 4
    Store().undo(1)
    assert len(load_all()) == SHIPPED and history_source() is None
    with pytest.raises(DataFileError, match="import 1 was already undone"):
        Store().undo(1)
    assert import_file(zip_path).id == 2  # ids are never reused


def test_duplicates_against_shipped_and_within_file(home, tmp_path):
    rec = import_file(csv(tmp_path, "GPQA Diamond,gpt-5.4-pro-2026-03-05_xhigh,2026-03-05,94.6,epoch_run",
                          "Hunyuan Bench,Hunyuan-Large,2024-11-05,70,self_reported",
                          "Hunyuan Bench,hunyuan-large,2024-11-05,70.0,self_reported"))
    assert (rec.added, rec.duplicates) == (1, 2)


def test_bad_rows_import_nothing(home, tmp_path):
    path = csv(tmp_path, "GPQA Diamond,a,2026-11-02,198.4,epoch_run", "GPQA Diamond,b,2026-13-05,94,epoch_run",
               "GPQA Diamond,c,2026-10-05,95,epoch_run")
    with pytest.raises(ImportRejected) as err:
        import_file(path)
    assert err.value.problems == [f"{path}, line 2: score 198.4 for GPQA Diamond on 2026-11-02 is outside 0-100",
                                  f"{path}, line 3: date '2026-13-05' is not a date like 2024-05-13"]
    assert Store().records() == [] and len(load_all()) == SHIPPED


def test_dry_run_stores_nothing(home, tmp_path):
    rec = import_file(csv(tmp_path, "GPQA Diamond,new-model,2026-11-02,97,epoch_run"), dry_run=True)
    assert rec.added == 1 and Store().records() == [] and isinstance(load_all(), pd.DataFrame)

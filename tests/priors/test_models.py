"""The model-name resolver: normalisation, settings, aliases and snapshot linking."""

from __future__ import annotations

from datetime import date

import pytest

from priors.history import read_results
from priors.models import ModelResolver, load_aliases, normalise, split_snapshot


@pytest.mark.parametrize(("raw", "key"), [
    ("claude-opus-4-5-20251101_32K", "claude-opus-4-5-20251101"),
    ("gpt-5.2-2025-12-11_xhigh", "gpt-5-2-2025-12-11"),
    ("Claude 3.5 Sonnet", "claude-3-5-sonnet"),
    ("chutes/Qwen3-235B-A22B", "qwen3-235b-a22b"),
    ("gemini-2.5-flash-preview-04-17 (24K thinking)", "gemini-2-5-flash-preview-04-17"),
    ("gpt-5.4-pro-2026-03-05-web-app", "gpt-5-4-pro-2026-03-05"),
    ("Llama-2-70b-hf ", "llama-2-70b"),
    ("Chinchilla (70B)", "chinchilla-70b"),
    ("amazon.nova-pro-v1:0", "amazon-nova-pro-v1-0"),
])
def test_normalise(raw: str, key: str) -> None:
    assert normalise(raw) == key


def test_split_snapshot() -> None:
    assert split_snapshot("gpt-4o-2024-08-06") == ("gpt-4o", "2024-08-06")
    assert split_snapshot("claude-3-5-sonnet-20240620") == ("claude-3-5-sonnet", "20240620")
    assert split_snapshot("gpt-4-0613") == ("gpt-4", "0613")
    assert split_snapshot("o3") == ("o3", None)


REFERENCE = [
    ("gpt-4o-2024-05-13", date(2024, 5, 13)),
    ("gpt-4o-2024-08-06", date(2024, 8, 6)),
    ("gpt-4o-2024-11-20", date(2024, 11, 20)),
    ("claude-3-5-sonnet-20240620", date(2024, 6, 20)),
    ("claude-3-5-sonnet-20241022", date(2024, 10, 22)),
    ("DeepSeek-V3-0324", date(2025, 3, 24)),
    ("Llama-4-Maverick-17B-128E-Instruct", date(2025, 4, 5)),
]


def test_undated_name_links_to_the_snapshot_of_its_date() -> None:
    r = ModelResolver.from_names(REFERENCE)
    assert r.resolve("GPT-4o", date(2024, 8, 6)) == "gpt-4o-2024-08-06"
    assert r.resolve("GPT-4o", date(2024, 11, 25)) == "gpt-4o-2024-11-20"
    assert r.resolve("Claude 3.5 Sonnet", date(2024, 6, 21)) == "claude-3-5-sonnet-20240620"
    assert r.resolve("Claude 3.5 Sonnet", date(2024, 10, 22)) == "claude-3-5-sonnet-20241022"


def test_snapshots_stay_apart_and_far_dates_do_not_merge() -> None:
    r = ModelResolver.from_names(REFERENCE)
    assert r.key("gpt-4o-2024-05-13") != r.key("gpt-4o-2024-11-20")
    # DeepSeek-V3 of December 2024 is not its March 2025 update
    assert r.resolve("DeepSeek-V3", date(2024, 12, 25)) is None
    assert r.resolve("DeepSeek-V3 0324", date(2025, 3, 25)) == "deepseek-v3-0324"


def test_aliases_join_what_no_rule_can() -> None:
    r = ModelResolver.from_names(REFERENCE)
    assert r.resolve("Llama 4 Maverick", date(2025, 4, 5)) == "llama-4-maverick-17b-128e-instruct"
    aliases = load_aliases()
    assert aliases["llama-1-7b"] == "llama-7b"
    assert all(a != m for a, m in aliases.items())


def test_efforts_are_one_model() -> None:
    r = ModelResolver.from_names([("o3-2025-04-16_high", date(2025, 4, 16)), ("o3-2025-04-16_low", date(2025, 4, 16))])
    assert r.resolve("o3-2025-04-16_medium") == "o3-2025-04-16"
    assert r.resolve("o3", date(2025, 4, 16)) == "o3-2025-04-16"
    assert r.resolve("o5", date(2025, 4, 16)) is None


def test_shipped_history_links_across_sources() -> None:
    h = read_results()
    r = ModelResolver.from_names(list(zip(h["model"], h["date"])))
    keys = {r.key(n, d) for n, d in zip(h["model"], h["date"])}
    assert h["model"].nunique() == 559
    assert len(keys) == 392  # 167 names merged into others
    assert r.resolve("GPT-4", date(2023, 6, 13)) == "gpt-4-0613"
    assert r.resolve("Claude Opus 4", date(2025, 5, 22)) == "claude-opus-4-20250514"

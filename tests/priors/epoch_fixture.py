"""A Benchmarking Hub zip in the shape of Epoch AI's `benchmark_data.zip` (built here: no network)."""

from __future__ import annotations

import zipfile
from pathlib import Path

MODELS = """Model version,Release date,Organization,Country,Model accessibility
hunyuan-large,2024-11-05,Tencent,CN,Open weights (restricted use)
gpt-7-preview,2027-01-20,OpenAI,US,API access
qwen4-max,2027-02-01,Alibaba,CN,Open weights (unrestricted)
"""
GPQA = """Model version,Best score (across scorers),Started at,stderr
hunyuan-large,0.512,2025-01-03T10:00:00Z,0.03
gpt-7-preview,0.986,2027-01-25T08:00:00Z,0.01
gpt-5.4-pro-2026-03-05_xhigh,0.946,2026-03-09T08:00:00Z,0.01
"""
HLE = """Model version,Accuracy,Release date,Organization,Country,Source
hunyuan-large,6.1,,,,https://example.org/hle
qwen4-max,41.5,,,,https://example.org/hle
"""
ECI = """Model version,ECI Score,Release date
qwen4-max,161.2,
hunyuan-large,128.0,
"""
UNKNOWN = """Model version,Score
hunyuan-large,55
"""


def write_epoch_zip(path: Path, gpqa: str = GPQA) -> Path:
    """`benchmark_data.zip` with a models table, two benchmark files, ECI and an unmapped file."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in (("models.csv", MODELS), ("gpqa_diamond.csv", gpqa), ("hle_external.csv", HLE),
                           ("epoch_capabilities_index.csv", ECI), ("some_new_benchmark.csv", UNKNOWN)):
            zf.writestr(f"benchmark_data/{name}", text)
    return path

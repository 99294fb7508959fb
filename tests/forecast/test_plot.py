"""The fan chart's numbers: its bands, new-record and threshold curves come from the forecast's
own paths, so the picture agrees with the table and the odds."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from forecast.plot import BANDS, fan_chart, fan_data
from forecast.query import ForecastQuery
from forecast.series import from_years, to_years


@pytest.fixture(scope="module")
def fc():
    return ForecastQuery(benchmark="GPQA Diamond", as_of=date(2025, 1, 1), method="reference", draws=600, seed=4).run()


def test_fan_curves_agree_with_the_forecasts_odds(fc) -> None:
    fan = fan_data(fc, until=date(2026, 7, 1), thresholds=[80.0, 90.0], points=19)
    assert fan.t.size == 19 and fan.t[0] == pytest.approx(to_years(date(2025, 1, 1)))
    for k in (4, 10, 18):
        day = from_years(fan.t[k])  # the chart's time, to the day: a path or two may differ
        assert fan.p_new_record[k] == pytest.approx(1.0 - fc.record_stands(day), abs=0.01)
        assert fan.p_reached[80.0][k] == pytest.approx(fc.probability(80.0, day), abs=0.01)
        qs = fc.quantiles(day, (0.1, 0.5, 0.9))
        assert fan.bands[(0.1, 0.9)][:, k] == pytest.approx([qs[0.1], qs[0.9]], abs=0.2)
        assert fan.median[k] == pytest.approx(qs[0.5], abs=0.2)
    # odds only grow with time; a higher bar is never likelier; nothing has moved at the as-of date
    for p in (fan.p_new_record, *fan.p_reached.values()):
        assert np.all(np.diff(p) >= -1e-12)
    assert np.all(fan.p_reached[90.0] <= fan.p_reached[80.0]) and fan.p_new_record[0] == 0.0
    assert fan.p_new_record[-1] > 0.5  # GPQA Diamond was climbing fast in 2025
    for lo, hi in BANDS:
        assert np.all(fan.bands[(lo, hi)][0] <= fan.median + 1e-9) and np.all(fan.median <= fan.bands[(lo, hi)][1] + 1e-9)


def test_fan_chart_writes_a_png(fc, tmp_path) -> None:
    out = fan_chart(fc, tmp_path / "sub" / "fan.png", until=date(2026, 7, 1), thresholds=[80.0])
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 30_000

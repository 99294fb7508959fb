"""The stored market text: `dump_market` (fragments cached by object) writes exactly what
``json.dumps(to_dict(market))`` writes, and reads back to the same market."""

from __future__ import annotations

import json
import random
from datetime import datetime

import pytest

from benchcast.db.marketstate import dump_market, load_market
from markets import Order, binary_question, create_market, execute, multiple_choice_question, to_dict
from markets.errors import MarketError


@pytest.mark.parametrize("mechanism,question", [
    ("lmsr", binary_question('FrontierMath "v2" >= 95% — by 2027')),
    ("cpmm", binary_question("SWE-bench Verified >= 90%")),
    ("lmsr", multiple_choice_question("Year HLE passes 50%", ["2026", "2027", "later"])),
])
def test_dump_market_is_the_plain_json_after_every_order(mechanism, question):
    rng = random.Random(7)
    market = create_market(question, mechanism, 100_000_000, None)
    checked = 0
    for _ in range(150):
        trader, outcome = str(rng.randrange(12)), rng.choice(question.outcomes)
        if rng.random() < 0.7:
            limit = round(rng.uniform(0.05, 0.45), 3) if rng.random() < 0.5 else None
            order = Order(trader, outcome, "buy", rng.randrange(1, 6) * 1_000_000, None, limit)
        else:
            order = Order(trader, outcome, "sell", None, rng.randrange(1, 3) * 1_000_000, None)
        try:
            market = execute(market, order, cash=10**12, now=datetime(2026, 1, 1),
                             is_resting=order.limit_price is not None).market
        except MarketError:
            continue
        text = dump_market(market)
        assert text == json.dumps(to_dict(market), separators=(",", ":"), allow_nan=False)
        assert load_market(text) == market
        checked += 1
    assert checked > 60 and len(market.orders) > 10  # resting orders piled up: the cache was used

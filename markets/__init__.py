"""Prediction-market engine: pure values and functions.

Dependency rule: `markets` depends on numpy (and `forecast` only where bots use forecasts).
It never imports pymc, sqlmodel, typer or a web framework.

Money and shares are integer micro-units (``MICRO = 1_000_000`` per unit); see `money`.
Every value is frozen and every operation returns new values::

    q = binary_question("Will FrontierMath v2 reach 95% by 2028?")
    m = create_market(q, "lmsr", subsidy=to_micro(100))
    m, fill = apply_order(m, Order("alice", "YES", "buy", amount=to_micro(10)), cash=balance)
    # the caller applies fill.balance_changes to balances, then stores to_dict(m)
    result = execute(m, Order("bob", "NO", "buy", amount=to_micro(5), limit_price=0.4),
                     cash=balance, is_resting=True)  # one OrderResult for either kind
    m, payouts = resolve(m, "YES")

Modules: `money` (micro-units, rounding), `questions`, `lmsr` and `cpmm` (the market makers'
maths), `market` (the Market value, prices, price band), `execution` (orders, fills, the trade
primitive), `orders` (quote, apply_order), `limits` (resting orders), `resolution`, `scoring`
(profit, Brier, log score, calibration), `serialization` (to_dict / from_dict), `errors`.
The simulator (`simulate`) and trader strategies (`bots`) build on this API.
"""

from markets.errors import (InsufficientFunds, InsufficientShares, InvalidAmount, InvalidOrder,
                            InvalidPrice, InvalidQuestion, InvalidState, LimitPriceNotMet,
                            MarketClosed, MarketError, MarketResolved, PriceOutOfBounds,
                            UnknownOrder, UnknownOutcome, UnsupportedMechanism)
from markets.execution import Fill, LimitFill, Order, OrderResult
from markets.limits import cancel_limit_order, place_limit_order, resting_orders
from markets.market import (MECHANISMS, PRICE_CEILING, PRICE_EPSILON, PRICE_FLOOR, Account,
                            LimitOrder, Market, Resolution, account, create_market, depth,
                            locked_shares, loss_bound, pool, positions, price, prices,
                            reserved_cash)
from markets.money import MAX_AMOUNT, MICRO, MIN_AMOUNT, check_amount, from_micro, to_micro
from markets.orders import apply_order, execute, quote
from markets.questions import (MAX_OUTCOMES, Question, binary_question, bucket_for,
                               bucket_question, multiple_choice_question)
from markets.resolution import resolve, unresolve
from markets.scoring import (CALIBRATION_CENTERS, CalibrationBucket, Profit, TraderScore, brier,
                             calibration, forecast_pairs, leaderboard, log_score, portfolio_value,
                             profit, trader_scores, truth)
from markets.serialization import from_dict, to_dict

__all__ = [
    # money
    "MICRO", "MIN_AMOUNT", "MAX_AMOUNT", "to_micro", "from_micro", "check_amount",
    # questions
    "Question", "MAX_OUTCOMES", "binary_question", "multiple_choice_question",
    "bucket_question", "bucket_for",
    # markets
    "Market", "Account", "LimitOrder", "Resolution", "MECHANISMS", "PRICE_FLOOR",
    "PRICE_CEILING", "PRICE_EPSILON", "create_market", "prices", "price", "pool", "loss_bound",
    "account", "positions", "reserved_cash", "locked_shares", "depth",
    # orders
    "Order", "Fill", "LimitFill", "OrderResult", "quote", "apply_order", "execute",
    "place_limit_order",
    "cancel_limit_order", "resting_orders",
    # resolution
    "resolve", "unresolve",
    # scoring
    "Profit", "TraderScore", "CalibrationBucket", "CALIBRATION_CENTERS", "portfolio_value",
    "profit", "leaderboard", "truth", "brier", "log_score", "trader_scores", "forecast_pairs",
    "calibration",
    # storage
    "to_dict", "from_dict",
    # errors
    "MarketError", "InvalidAmount", "InvalidPrice", "InvalidQuestion", "InvalidOrder",
    "UnknownOutcome", "UnknownOrder", "UnsupportedMechanism", "MarketClosed", "MarketResolved",
    "InsufficientShares", "InsufficientFunds", "LimitPriceNotMet", "PriceOutOfBounds",
    "InvalidState",
]

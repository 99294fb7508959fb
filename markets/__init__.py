"""Prediction-market engine: pure values and functions.

Dependency rule: `markets` depends on numpy (and `forecast` only where bots use forecasts).
It never imports pymc, sqlmodel, typer or a web framework.
"""

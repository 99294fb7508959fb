"""Shipped benchmark history, its metadata, and the population priors learned from it.

Dependency rule: `priors` is the innermost package. It depends on numpy and pandas only and
never imports `forecast`, `markets` or `benchcast`. Data files are found through
`importlib.resources`, so an installed wheel works as well as a checkout.
"""

"""Bayesian saturation models of AI benchmark progress.

Dependency rule: `forecast` depends on `priors`, numpy, pandas, scipy, pymc, arviz and
matplotlib. It never imports `markets` or `benchcast`, and it does not print: it is a library.
PyMC is imported lazily, only where a model is built or sampled, so reading a cached
posterior or computing timelines stays fast.
"""

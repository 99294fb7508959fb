"""The saturation model family: a hierarchical logistic between a benchmark's floor and an
uncertain ceiling, with population priors learned from every shipped history.

Modules: `model` (the PyMC models and the curve), `population` (the population prior built from
all histories, saved as data), `timeline` (simulated frontier paths), `compare` (model variants
by LOO).
"""

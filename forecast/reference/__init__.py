"""The reference-class model family: the frontier's logit-scale gain over a horizon, learned
from every shipped history (hierarchical over benchmarks, Student-t tails, a "no change" atom).

Modules: `pairs` (training pairs from histories), `model` (the gain model and its fit),
`member` (frontier paths for the ensemble and `benchcast forecast --method reference`).
"""

"""The ensemble: members' predictive distributions combined by stacking weights learned on the
held-out backtest, then recalibrated (`stacking`, `recalibration`, `spec`, `fit`)."""

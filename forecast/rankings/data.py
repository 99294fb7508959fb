"""What the rankings model sees: one metric's scores cut at an as-of date, as arrays.

Time ``t`` is in years since the as-of date (so every observation has ``t <= 0``). Scores are
put on a working scale ``z = (g(x) - c) / s`` where ``g`` is the identity for unbounded scores
(ECI, Elo) and ``logit(x / 100)`` for percentages, and ``c, s`` are the mean and standard
deviation of ``g`` over the open-weight releases kept. A *release* is one lab's best model
among the models it published less than 30 days apart (a family of sizes, checkpoints and
hosted copies count once).

Each lab's releases are also read as *jumps*: release ``j`` of a lab minus the lab's best before
it (``d_j = z_j - B_{j-1}``), with the years since that best was set (``dt_j``), how far that
best was behind the open record of all labs just before the release (``g_j >= 0``) and the years
since that record was set (``r_j``): the model forecasts a lab from its own record and its
distance to the frontier. A lab's *entry offset* is its first release minus the open record (of
the other labs) at that date.

Only rows known on or before the as-of date are read (``known_at``, see `priors.open_weight`):
nothing later can reach the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from forecast.errors import InvalidQuery, NotEnoughData

YEAR_DAYS = 365.25
#: Window (years) over which release rates and the arrival of new labs are counted.
RATE_WINDOW = 2.0
#: Releases of one lab closer than this (years) count as one release event for its rate.
EVENT_GAP = 30 / YEAR_DAYS
#: Percent scores are clipped to this range before the logit.
_P_CLIP = (0.005, 0.995)


@dataclass(frozen=True)
class Scale:
    """The working scale ``z = (g(x) - center) / spread``; ``is_logit`` picks ``g``."""

    is_logit: bool
    center: float
    spread: float

    def to_z(self, x: np.ndarray | float) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if self.is_logit:
            p = np.clip(x / 100.0, *_P_CLIP)
            x = np.log(p / (1 - p))
        return (x - self.center) / self.spread

    def from_z(self, z: np.ndarray | float) -> np.ndarray:
        g = np.asarray(z, dtype=float) * self.spread + self.center
        return 100.0 / (1.0 + np.exp(-g)) if self.is_logit else g


@dataclass(frozen=True)
class RankingData:
    """One metric's open and closed releases up to ``as_of``, ready for the model.

    ``labs`` index the open-weight labs; ``lab_country`` is each lab's country. ``obs_*`` are the
    open releases (lab index, time, working score); ``closed_*`` the closed-weight releases
    (all labs pooled into one series). ``n_releases`` counts each lab's open releases in the
    last ``window`` years; ``n_entrants`` counts labs whose first open release fell in the
    entrant window of ``entrant_window`` years, ``entry_t`` are those first releases' times. ``best_z`` / ``best_t`` are each lab's record
    and when it was set; ``lab_tbar`` the mean time of each lab's releases; ``lab_span`` the years
    from its first to its last release, ``lab_gaps`` the number of release events after its first, and
    ``lab_silence`` the years since its last release (they inform its release rate and whether it
    is still active); ``closed_record_*`` the closed record steps (time, score). ``jump_*`` are
    the jumps (lab, ``d_j``, ``dt_j``, ``g_j``: how far the lab's best was behind the open
    record of all labs just before the release, and ``dr_j``: the years since that record was
    set), ``event_*`` the release events after each lab's first
    (lab, time), ``lab_first`` each lab's first release time and ``entry_off`` the entry offsets of
    labs first seen after the data's first quarter.
    """

    metric: str
    as_of: date
    scale: Scale
    labs: tuple[str, ...]
    lab_country: tuple[str, ...]
    obs_lab: np.ndarray
    obs_t: np.ndarray
    obs_z: np.ndarray
    closed_t: np.ndarray
    closed_z: np.ndarray
    n_releases: np.ndarray
    window: float
    n_entrants: int
    entrant_window: float
    entry_t: np.ndarray
    n_closed_releases: int
    lab_tbar: np.ndarray
    lab_span: np.ndarray
    lab_gaps: np.ndarray
    lab_silence: np.ndarray
    best_z: np.ndarray
    best_t: np.ndarray
    closed_record_t: np.ndarray
    closed_record_z: np.ndarray
    jump_lab: np.ndarray
    jump_d: np.ndarray
    jump_dt: np.ndarray
    jump_behind: np.ndarray
    jump_dt_record: np.ndarray
    event_lab: np.ndarray
    event_t: np.ndarray
    event_prev: np.ndarray
    lab_first: np.ndarray
    entry_off: np.ndarray


def known_at(frame: pd.DataFrame) -> pd.Series:
    """When each row could first be known (``known_at``, else its ``date``)."""
    return frame["known_at"] if "known_at" in frame.columns else frame["date"]


def years_between(start: date, end: date) -> float:
    """``end - start`` in years."""
    return (pd.Timestamp(end) - pd.Timestamp(start)).days / YEAR_DAYS


def _releases(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per release event of a lab: its best model (score and date) among releases less
    than `EVENT_GAP` apart (sizes of one family, checkpoints, hosted copies on later days)."""
    rows = rows.sort_values(["lab", "date"], kind="stable")
    gap = rows.groupby("lab")["date"].diff().dt.days.fillna(np.inf).to_numpy() / YEAR_DAYS
    event = np.cumsum(gap >= EVENT_GAP)
    best = rows.assign(event=event).sort_values(["event", "score", "date"], ascending=[True, False, True],
                                                kind="stable").groupby("event").head(1)
    return best[["lab", "date", "score", "country"]].reset_index(drop=True)


def _records(t: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The steps of the running record of releases (t, z), in time order."""
    order = np.argsort(t, kind="stable")
    rt, rz, best = [], [], -np.inf
    for ti, zi in zip(t[order], z[order]):
        if zi > best:
            best = zi
            rt.append(ti)
            rz.append(zi)
    return np.array(rt), np.array(rz)


def _jumps(lab_idx: np.ndarray, t: np.ndarray, z: np.ndarray, n_labs: int
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per release after a lab's first: (lab, score minus the lab's best before it, years since
    that best was set, the open record of every lab before the release minus the lab's best,
    years since that record was set)."""
    labs, d, dt, behind, dt_rec = [], [], [], [], []
    for i in range(n_labs):
        idx = np.flatnonzero(lab_idx == i)
        idx = idx[np.argsort(t[idx], kind="stable")]
        best, best_t = z[idx[0]], t[idx[0]]
        for j in idx[1:]:
            labs.append(i)
            d.append(z[j] - best)
            dt.append(t[j] - best_t)
            prior = np.flatnonzero(t < t[j])
            record = float(z[prior].max())
            record_t = float(t[prior][z[prior] == record].min())  # when the record was first reached
            behind.append(max(record - best, 0.0))
            dt_rec.append(t[j] - (record_t if record > best else best_t))
            if z[j] > best:
                best, best_t = z[j], t[j]
    return (np.array(labs, dtype="int64"), np.array(d, dtype=float), np.array(dt, dtype=float),
            np.array(behind, dtype=float), np.array(dt_rec, dtype=float))


def _previous_release(lab_idx: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Per release, the time of the same lab's release before it (-inf for a lab's first)."""
    out = np.full(t.size, -np.inf)
    for i in np.unique(lab_idx):
        idx = np.flatnonzero(lab_idx == i)
        idx = idx[np.argsort(t[idx], kind="stable")]
        out[idx[1:]] = t[idx[:-1]]
    return out


def _entry_offsets(lab_idx: np.ndarray, t: np.ndarray, z: np.ndarray, n_labs: int, since: float) -> np.ndarray:
    """First release of each lab that entered after `since`, minus the other labs' record then."""
    out = []
    for i in range(n_labs):
        first = t[lab_idx == i].min()
        before = (lab_idx != i) & (t < first)
        if first > since and before.any():
            out.append(z[(lab_idx == i) & (t == first)].max() - z[before].max())
    return np.array(out, dtype=float)


def prepare(frame: pd.DataFrame, metric: str, as_of: date) -> RankingData:
    """Cut `frame` (from `priors.open_weight.read_open_weight`) at `as_of` for `metric`.

    Raises
    ------
    InvalidQuery
        when the metric's rows name no lab (rankings by lab or country are impossible).
    NotEnoughData
        when fewer than two open-weight labs or no closed-weight release precede `as_of`.
    """
    rows = frame[(frame["metric"] == metric) & (known_at(frame) <= pd.Timestamp(as_of))]
    rows = rows[rows["open_weights"].notna()]
    all_rows = frame[frame["metric"] == metric]
    if (all_rows["lab"] == "").all():
        raise InvalidQuery(f"metric {metric!r} names no organization or country in the data; "
                           "rank on ECI or FrontierMath instead")
    open_rel = _releases(rows[(rows["open_weights"] == True) & (rows["lab"] != "")])
    closed_rel = _releases(rows[rows["open_weights"] == False].assign(lab=lambda d: d["lab"].replace("", "?")))
    if open_rel["lab"].nunique() < 2 or len(open_rel) < 3:
        raise NotEnoughData(
            f"{metric}: {len(open_rel)} open-weight releases from {open_rel['lab'].nunique()} labs up to "
            f"{as_of}; need at least 3 from 2 labs (try a later --as-of)"
        )
    if closed_rel.empty:
        raise NotEnoughData(f"{metric}: no closed-weight release up to {as_of}; the gap needs one")
    is_logit = "%" in metric
    raw = Scale(is_logit, 0.0, 1.0).to_z(open_rel["score"].to_numpy())
    scale = Scale(is_logit, float(raw.mean()), float(raw.std()) if raw.std() > 0 else 1.0)
    labs = tuple(sorted(open_rel["lab"].unique()))
    index = {lab: i for i, lab in enumerate(labs)}
    t_open = np.array([years_between(as_of, d) for d in open_rel["date"]])
    z_open = scale.to_z(open_rel["score"].to_numpy())
    lab_idx = open_rel["lab"].map(index).to_numpy()
    start = years_between(as_of, rows["date"].min())
    window = min(RATE_WINDOW, max(-start, 0.25))
    first_seen = open_rel.groupby("lab")["date"].min()
    entrant_from = max(-RATE_WINDOW, start + 0.25)
    entrant_window = max(-entrant_from, 0.05)
    n_entrants = int(sum(years_between(as_of, d) > entrant_from for d in first_seen))
    best_z, best_t = np.empty(len(labs)), np.empty(len(labs))
    for i in range(len(labs)):
        rt, rz = _records(t_open[lab_idx == i], z_open[lab_idx == i])
        best_z[i], best_t[i] = rz[-1], rt[-1]
    t_closed = np.array([years_between(as_of, d) for d in closed_rel["date"]])
    z_closed = scale.to_z(closed_rel["score"].to_numpy())
    rec_t, rec_z = _records(t_closed, z_closed)
    countries = open_rel.groupby("lab")["country"].first()
    jump_lab, jump_d, jump_dt, jump_behind, jump_dt_record = _jumps(lab_idx, t_open, z_open, len(labs))
    firsts = np.array([t_open[lab_idx == i].min() for i in range(len(labs))])
    is_later = t_open > firsts[lab_idx]
    return RankingData(
        metric=metric,
        as_of=as_of,
        scale=scale,
        labs=labs,
        lab_country=tuple(countries[lab] or "?" for lab in labs),
        obs_lab=lab_idx,
        obs_t=t_open,
        obs_z=z_open,
        closed_t=t_closed,
        closed_z=z_closed,
        n_releases=np.array([int(((lab_idx == i) & (t_open > -window)).sum()) for i in range(len(labs))]),
        window=window,
        n_entrants=n_entrants,
        entrant_window=entrant_window,
        entry_t=np.array(sorted(t for t in (years_between(as_of, d) for d in first_seen) if t > entrant_from)),
        n_closed_releases=int((t_closed > -window).sum()),
        lab_tbar=np.array([t_open[lab_idx == i].mean() for i in range(len(labs))]),
        lab_span=np.array([np.ptp(t_open[lab_idx == i]) for i in range(len(labs))]),
        lab_gaps=np.array([int((lab_idx == i).sum()) - 1 for i in range(len(labs))]),
        lab_silence=np.array([-t_open[lab_idx == i].max() for i in range(len(labs))]),
        best_z=best_z,
        best_t=best_t,
        closed_record_t=rec_t,
        closed_record_z=rec_z,
        jump_lab=jump_lab,
        jump_d=jump_d,
        jump_dt=jump_dt,
        jump_behind=jump_behind,
        jump_dt_record=jump_dt_record,
        event_lab=lab_idx[is_later].astype("int64"),
        event_t=t_open[is_later],
        event_prev=_previous_release(lab_idx, t_open)[is_later],
        lab_first=firsts,
        entry_off=_entry_offsets(lab_idx, t_open, z_open, len(labs), start + 0.25),
    )


def leader_at(frame: pd.DataFrame, metric: str, day: date, by: str) -> str | None:
    """The lab or country (``by``) holding the best open-weight score of `metric` on `day`
    (the first to reach it wins a tie); None when no open-weight row precedes `day`."""
    if by not in ("organization", "country"):
        raise InvalidQuery(f"by {by!r} is not one of organization, country")
    rows = frame[(frame["metric"] == metric) & (known_at(frame) <= pd.Timestamp(day))
                 & (frame["open_weights"] == True) & (frame["lab"] != "")]
    if rows.empty:
        return None
    best = rows.sort_values(["score", "date"], ascending=[False, True], kind="stable").iloc[0]
    return str(best["lab"] if by == "organization" else best["country"] or "?")

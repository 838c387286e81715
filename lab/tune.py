"""A fair race: each racer at the learning rate that suits it on this surface, from this start.

One batched engine call per racer sweeps its learning rate over its whole range (one start
per candidate rate, every other setting as on the page); the rate with the lowest final loss
wins, and the curves it was chosen from are kept to be shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from lab.page_state import PageState, Racer
from lab.request import request_for
from lab.settings import hyper_settings
from optimizers import run

CANDIDATES = 41  # learning rates per racer, log-spaced over the slider's range
# Scores this close to the best count as a tie; the tie's middle rate wins, the one farthest
# from both too-small and too-large rates.
TIE_MARGIN = 1e-3


@dataclass(frozen=True)
class Tuning:
    key: str
    label: str
    rates: np.ndarray  # (K,) candidate learning rates
    final_loss: np.ndarray  # (K,) final loss per rate, inf where the run diverged
    chosen: float


def tune(state: PageState) -> tuple[Tuning, ...]:
    """The best learning rate of every racer (each one batched run over the candidates)."""
    results = []
    for racer in state.racers:
        setting = hyper_settings(racer.optimizer, racer.hyper.get("inner")).get("lr")
        if setting is None:
            continue
        rates = candidate_rates(setting.low, setting.high)
        request = request_for(state, racer)
        starts = np.tile(np.asarray(request.start, dtype=float), (len(rates), 1))
        kwargs = {**request.kwargs(), "start": starts, "lr": rates, "keep": "final"}
        trajectory = run(racer.optimizer, request.surface_object(), **kwargs)
        blown = np.asarray(trajectory.diverged_at) >= 0
        final = np.where(blown, np.inf, np.asarray(trajectory.final_loss, dtype=float))
        score = np.where(blown, np.inf, late_score(np.asarray(trajectory.loss, dtype=float)))
        results.append(Tuning(racer.key, state.racer_label(racer), rates, final, best_rate(rates, score)))
    return tuple(results)


def candidate_rates(low: float, high: float, count: int = CANDIDATES) -> np.ndarray:
    """Log-spaced rates from ``low`` to ``high``, rounded to two significant digits."""
    rates = np.geomspace(low, high, count)
    return np.array([float(f"{rate:.2g}") for rate in rates])


def late_score(loss: np.ndarray) -> np.ndarray:
    """How high each run's loss still goes over the last tenth of the race (lower is better).

    The worst recent value rewards a rate that gets low and stays there, not one that bounces
    around the minimum and happens to be low at the last step. Log scale where losses are
    positive; a surface with losses at or below zero (a saddle) uses the plain value.
    """
    late = loss[-max(len(loss) // 10, 1):]
    finite = late[np.isfinite(late)]
    if finite.size and finite.min() > 0:
        return np.max(np.log10(np.clip(late, 1e-300, 1e300)), axis=0)
    return np.max(np.clip(late, -1e300, 1e300), axis=0)


def best_rate(rates: np.ndarray, score: np.ndarray) -> float:
    """The rate with the lowest score; among near-ties, the middle one (the safest)."""
    finite = np.isfinite(score)
    if not finite.any():
        return float(rates[0])
    best = float(score[finite].min())
    tied = np.flatnonzero(finite & (score <= best + TIE_MARGIN * max(abs(best), 1.0)))
    return float(rates[tied[len(tied) // 2]])


def apply(state: PageState, tunings: tuple[Tuning, ...]) -> PageState:
    """``state`` with each tuned racer at its chosen rate."""
    chosen = {tuning.key: tuning.chosen for tuning in tunings}
    racers = tuple(replace(r, hyper={**r.hyper, "lr": chosen[r.key]}) if r.key in chosen else r for r in state.racers)
    return replace(state, racers=racers).complete()


def describe(tunings: tuple[Tuning, ...]) -> str:
    parts = [f"{t.label.split(',')[0]} → lr {t.chosen:g}" for t in tunings if math.isfinite(t.chosen)]
    return "Each racer now runs at its best learning rate here: " + "; ".join(parts) + "."


__all__ = ["Tuning", "tune", "apply", "best_rate", "candidate_rates", "describe", "Racer"]

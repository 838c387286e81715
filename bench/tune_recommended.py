"""Find, for every surface and optimizer, settings that teach: the reproducible source of the
``recommended`` settings and the ``steps`` declared in each ``landscapes/<surface>.py``.

For each surface, optimizer and variant (PyTorch's defaults first, then a few other values of
one knob, see ``VARIANTS``), one batched run tries every round learning rate (1, 1.5, 2, 3, 5,
7 x 10^k inside the widget's range, and each of them NUDGE times larger and smaller) from the
surface's default start. For a run length S:

* a rate *works* on a "minimum" or "local" surface when it reaches the goal by step S, still
  holds it at step HOLD*S (it has settled, not passed by or started to hover out), never blows
  up and never leaves the view window; on an "escape" surface when it is off the saddle by
  step S / ESCAPE_MARGIN and has not blown up by step S * ESCAPE_MARGIN (these surfaces are
  unbounded below, so every path blows up in the end);
* a rate is *robust* when it works and, on a "minimum" or "local" surface, so do the rates
  NUDGE times larger and smaller, arriving within a factor SMOOTH of its step (a student who
  nudges the slider sees about the same run; past the edge of stability a path can land on the
  goal by luck, and its neighbours do not);
* a rate is *calm* when its path to the goal is at most CALM_PATH times as long as the shortest
  path any working rate of any optimizer takes on that surface (no bouncing across the window),
  or, on an "escape" surface, when no step before the escape is longer than CALM_STEP of the
  window's width. Lookahead's path is measured at its slow weights.

Among the robust, calm rates the script takes the fastest to arrive in at least MIN_ARRIVAL
steps (a path that arrives in a handful of giant steps shows nothing), and among rates that
arrive within NEAR_FASTEST of that one, the smallest: a margin from the edge, not the
edge-of-stability value. Where no rate is robust it says so and takes a calm one; where no rate
is calm either (SGD and Adagrad in Rosenbrock's steep valley), the smallest working rate, the
least violent. A variant replaces the defaults only when it arrives PREFER_DEFAULT times sooner.
Lookahead takes its inner optimizer's rate when that rate is robust and calm for it too (the
fair comparison: the same steps, with and without looking ahead).

On an escape surface plain SGD takes its smallest working rate, and on the saddle (LINGER) it
must escape at least 1.5 times later than every other optimizer: the lesson of a saddle is that
plain gradient descent lingers there. The run length is the shortest in RUN_LENGTHS at which
every optimizer has a setting (robust if possible) and the lesson holds.

Run: ``python bench/tune_recommended.py [surface ...]`` (about a minute for all eight). It prints,
per surface, each optimizer's settings, its step of arrival, the round rates that work at that
run length, the variants it was compared with, and the mapping to paste into the surface's
module (see ``declared``).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from landscapes import SURFACES, Surface  # noqa: E402
from landscapes.goals import reached  # noqa: E402
from optimizers import OPTIMIZERS, run  # noqa: E402

MANTISSAS = (1, 1.5, 2, 3, 5, 7)
RUN_LENGTHS = (100, 120, 150, 175, 200, 250, 300, 350, 400, 500, 600, 700, 800, 1000, 1200, 1500, 2000, 2500,
               3000, 4000, 5000)
SHORT_HORIZON = 1500  # run lengths up to this are tried first: most surfaces settle well within it
NUDGE = 1.3
SMOOTH = 2.0
HOLD = 2
ESCAPE_MARGIN = 1.15
CALM_PATH = 1.5
CALM_STEP = 0.05
MIN_ARRIVAL = 20
NEAR_FASTEST = 1.15
PREFER_DEFAULT = 1.25
# On the monkey saddle SGD and momentum blow up soon after escaping (the slope grows with the
# square of the distance), so they must escape late in the run: there the lesson is the creep
# past the flat centre, not the contrast.
LINGER = {"saddle": 1.5}

# Other values tried for one knob, after PyTorch's defaults ({}):
VARIANTS: dict[str, tuple[dict, ...]] = {
    # Heavy-ball theory: on an elongated bowl the best momentum is well below 0.9.
    "momentum": ({}, {"momentum": 0.5}),
    "nesterov": ({}, {"momentum": 0.5}),
    # Adadelta's first steps are about sqrt(eps) long: the default 1e-6 crawls for hundreds of steps.
    "adadelta": ({}, {"eps": 1e-4}, {"eps": 1e-3}, {"eps": 1e-2}),
    # Decoupled decay pulls the end point towards the origin, away from a minimum elsewhere.
    "adamw": ({}, {"weight_decay": 0.001}, {"weight_decay": 0.0}),
    # RAdam's first steps are un-adapted momentum steps: a shorter second-moment memory lets it
    # adapt before a steep wall's gradient throws it off.
    "radam": ({}, {"betas": (0.9, 0.99)}),
}


@dataclass
class Scan:
    """One batched run of one optimizer variant over every candidate rate."""

    optimizer: str
    variant: dict
    rates: np.ndarray  # (N,) every rate run: the round grid and its nudges
    hit: np.ndarray  # (T+1, N) goal reached after each step
    diverged_at: np.ndarray  # (N,)
    inside: np.ndarray  # (T+1, N) point inside the view window
    path: np.ndarray  # (T+1, N) path length so far (slow weights for lookahead)
    step_length: np.ndarray  # (T, N) length of each step


@dataclass
class Verdict:
    works: np.ndarray  # (N,)
    arrival: np.ndarray  # (N,) step of arrival, -1 where the rate does not work
    length: np.ndarray  # (N,) path length to the goal, or the longest step before an escape


@dataclass
class Pick:
    settings: dict
    arrival: int
    robust: bool
    working: list[float]  # the round rates that work at this run length
    compared: list[str] = field(default_factory=list)  # the other variants' picks, for the record


def round_grid(optimizer: str) -> np.ndarray:
    spec = OPTIMIZERS[optimizer]
    info = (OPTIMIZERS[spec.defaults()["inner"]] if spec.wraps_inner else spec).knobs()["lr"][1]
    grid = np.array(sorted({float(f"{m * 10.0**e:.3g}") for e in range(-6, 2) for m in MANTISSAS}))
    return grid[(grid >= info.ui_low) & (grid <= info.ui_high)]


def scan(surface: Surface, optimizer: str, variant: dict, horizon: int) -> Scan:
    grid = round_grid(optimizer)
    rates = np.unique(np.concatenate([grid, grid * NUDGE, grid / NUDGE]))
    starts = np.tile(np.asarray(surface.start, dtype=float), (len(rates), 1))
    trajectory = run(optimizer, surface, start=starts, steps=horizon, lr=rates, **variant)
    xy = trajectory.xy
    (x_low, x_high), (y_low, y_high) = surface.x_range, surface.y_range
    inside = (xy[..., 0] >= x_low) & (xy[..., 0] <= x_high) & (xy[..., 1] >= y_low) & (xy[..., 1] <= y_high)
    step_length = np.linalg.norm(np.diff(xy, axis=0), axis=-1)
    start = np.zeros((1, len(rates)))
    if OPTIMIZERS[optimizer].wraps_inner:
        # The fast weights jump back at every synchronisation: measure the slow weights' path.
        k = OPTIMIZERS[optimizer].defaults()["k"]
        slow = xy[::k]
        slow_path = np.concatenate([start, np.cumsum(np.linalg.norm(np.diff(slow, axis=0), axis=-1), axis=0)])
        path = slow_path[np.arange(xy.shape[0]) // k]
    else:
        path = np.concatenate([start, np.cumsum(step_length, axis=0)])
    return Scan(optimizer, variant, rates, reached(surface, xy), trajectory.diverged_at, inside, path, step_length)


def judge(surface: Surface, s: Scan, steps: int) -> Verdict:
    if surface.goal == "escape":
        hit = s.hit[: math.ceil(ESCAPE_MARGIN * steps) + 1]
        first = np.where(hit.any(0), hit.argmax(0), -1)
        alive = (s.diverged_at < 0) | (s.diverged_at > ESCAPE_MARGIN * steps)
        works = (first >= 0) & (first <= steps / ESCAPE_MARGIN) & alive
        before = np.arange(s.step_length.shape[0])[:, None] < np.maximum(first, 0)[None, :]
        longest = np.max(np.where(before, s.step_length, 0.0), axis=0)
        return Verdict(works, np.where(works, first, -1), longest)
    end = HOLD * steps
    holds = np.flip(np.logical_and.accumulate(np.flip(s.hit[: end + 1], 0), 0), 0)
    arrival = np.where(holds.any(0), holds.argmax(0), -1)
    alive = (s.diverged_at < 0) | (s.diverged_at > end)
    works = (arrival >= 0) & (arrival <= steps) & alive & s.inside[: end + 1].all(0)
    length = s.path[np.maximum(arrival, 0), np.arange(len(s.rates))]
    return Verdict(works, np.where(works, arrival, -1), length)


def qualities(surface: Surface, s: Scan, v: Verdict, shortest: float) -> tuple[np.ndarray, ...]:
    """For each round rate: (rate, works, calm, robust, step of arrival)."""
    grid = round_grid(s.optimizer)
    index = {float(r): i for i, r in enumerate(s.rates)}
    at = np.array([index[float(r)] for r in grid])
    works, arrival = v.works[at], v.arrival[at]
    if surface.goal == "escape":
        calm = v.length[at] <= CALM_STEP * (surface.x_range[1] - surface.x_range[0])
        return grid, works, calm, works.copy(), arrival
    calm = v.length[at] <= CALM_PATH * shortest
    own = np.maximum(arrival, 1)
    robust = works.copy()
    for nudged in (grid * NUDGE, grid / NUDGE):
        i = np.array([index[float(r)] for r in nudged])
        robust &= v.works[i] & (v.arrival[i] <= SMOOTH * own) & (v.arrival[i] >= own / SMOOTH)
    return grid, works, calm, robust, arrival


def choose(surface: Surface, s: Scan, v: Verdict, shortest: float) -> Pick | None:
    grid, works, calm, robust, arrivals = qualities(surface, s, v, shortest)
    for pool, is_robust in ((works & calm & robust, True), (works & calm, False), (works, False)):
        if not pool.any():
            continue
        if (surface.goal == "escape" and s.optimizer == "sgd") or not (pool & calm).any():
            chosen = int(np.flatnonzero(pool)[0])  # the gentlest
        else:
            watchable = pool & (arrivals >= MIN_ARRIVAL)
            if watchable.any():
                fastest = arrivals[watchable].min()
                chosen = int(np.flatnonzero(watchable & (arrivals <= NEAR_FASTEST * fastest))[0])
            else:
                chosen = int(np.flatnonzero(pool)[0])  # every working rate is quick: the gentlest
        return Pick({"lr": float(grid[chosen]), **s.variant}, int(arrivals[chosen]), is_robust,
                    [float(r) for r in grid[works]])
    return None


def at_inner_rate(surface: Surface, s: Scan, v: Verdict, shortest: float, inner: Pick | None) -> Pick | None:
    """A wrapper at its inner optimizer's rate, when that rate is robust and calm for it too."""
    if inner is None or set(inner.settings) != {"lr"}:
        return None
    grid, works, calm, robust, arrivals = qualities(surface, s, v, shortest)
    where = np.flatnonzero(grid == inner.settings["lr"])
    if where.size and (works & calm & robust)[where[0]]:
        return Pick(dict(inner.settings), int(arrivals[where[0]]), True, [float(r) for r in grid[works]])
    return None


def pick_for(surface: Surface, scans: dict[str, list[Scan]], steps: int, strict: bool) -> dict[str, Pick | None]:
    """Every optimizer's pick at one run length; ``strict``: a wrapper only at its inner's rate."""
    verdicts = {name: [judge(surface, s, steps) for s in group] for name, group in scans.items()}
    lengths = [v.length[v.works] for group in verdicts.values() for v in group]
    shortest = float(min((x.min() for x in lengths if x.size), default=np.inf))
    picks: dict[str, Pick | None] = {}
    for name in sorted(scans, key=lambda n: OPTIMIZERS[n].wraps_inner):  # wrappers after their inner
        group = scans[name]
        if OPTIMIZERS[name].wraps_inner:
            inner = picks.get(OPTIMIZERS[name].defaults()["inner"])
            same = at_inner_rate(surface, group[0], verdicts[name][0], shortest, inner)
            if same is not None or strict:
                picks[name] = same
                continue
        candidates = [(number, choose(surface, s, v, shortest))
                      for number, (s, v) in enumerate(zip(group, verdicts[name], strict=True))]
        best: Pick | None = None
        for number, pick in candidates:
            if pick is None:
                continue
            handicap = 1.0 if number == 0 else PREFER_DEFAULT  # the defaults win unless clearly slower
            if best is None or (pick.robust and not best.robust) or (
                    pick.robust == best.robust and pick.arrival * handicap < best.arrival):
                best = pick
        if best is not None:
            best.compared = [f"{readable(p.settings)} at {p.arrival}" for _, p in candidates
                             if p is not None and p is not best]
        picks[name] = best
    return {name: picks[name] for name in scans}


def lesson_holds(surface: Surface, picks: dict[str, Pick | None]) -> bool:
    """Where LINGER asks for it, plain SGD escapes LINGER times later than any other optimizer."""
    if surface.name not in LINGER or picks.get("sgd") is None:
        return True
    others = [p.arrival for name, p in picks.items() if name != "sgd"]
    return picks["sgd"].arrival >= LINGER[surface.name] * max(others)


def tune(surface: Surface) -> tuple[int, dict[str, Pick | None]]:
    """The surface's run length and every optimizer's pick at it."""
    for horizon_steps in (SHORT_HORIZON, RUN_LENGTHS[-1]):
        horizon = math.ceil(ESCAPE_MARGIN * horizon_steps) if surface.goal == "escape" else HOLD * horizon_steps
        scans = {name: [scan(surface, name, variant, horizon) for variant in VARIANTS.get(name, ({},))]
                 for name in OPTIMIZERS}
        lengths = [n for n in RUN_LENGTHS if n <= horizon_steps]
        for strict in (True, False):  # Lookahead at its inner's rate if some run length allows it
            results = [(n, pick_for(surface, scans, n, strict)) for n in lengths]
            complete = [(n, p) for n, p in results
                        if all(pick is not None for pick in p.values()) and lesson_holds(surface, p)]
            if complete:
                break
        if not complete:
            continue
        most_robust = max(sum(pick.robust for pick in p.values()) for _, p in complete)
        if most_robust == len(OPTIMIZERS) or horizon_steps == RUN_LENGTHS[-1]:
            return next((n, p) for n, p in complete if sum(pick.robust for pick in p.values()) == most_robust)
    return RUN_LENGTHS[-1], pick_for(surface, scans, RUN_LENGTHS[-1], strict=False)


def readable(settings: dict) -> dict:
    """Two significant digits at most: 0.05, 0.0015, 0.7."""
    return {k: (float(f"{v:.2g}") if isinstance(v, float) else v) for k, v in settings.items()}


def literal(settings: dict) -> str:
    """A settings dict as the surface modules write it (double quotes)."""
    items = (f'"{k}": ' + (f'"{v}"' if isinstance(v, str) else repr(v)) for k, v in settings.items())
    return "{" + ", ".join(items) + "}"


def declared(optimizer: str, settings: dict) -> dict:
    """The settings as a surface declares them: every knob that any variant sets, at its default
    where this surface keeps the default, so that switching surfaces (the app merges a surface's
    settings over a racer's) always lands on the settings tested here; a wrapper names its inner."""
    spec = OPTIMIZERS[optimizer]
    defaults = spec.defaults()
    full = {"inner": defaults["inner"]} if spec.wraps_inner else {}
    full.update({"lr": settings["lr"]})
    for variant in VARIANTS.get(optimizer, ()):
        full.update({name: defaults[name] for name in variant})
    full.update(settings)
    return readable(full)


def main(names: list[str]) -> None:
    for name in names or list(SURFACES):
        surface = SURFACES[name]
        steps, picks = tune(surface)
        print(f"\n{name}: steps={steps}  (goal {surface.goal}, goal_tol {surface.goal_tol:g})")
        for optimizer, pick in picks.items():
            if pick is None:
                print(f"  {optimizer:10s} NO SETTING FOUND")
                continue
            margin = "" if pick.robust else "  NO MARGIN: a nudge of the rate fails or changes the run"
            print(f"  {optimizer:10s} {str(readable(pick.settings)):38s} arrives at step {pick.arrival:5d}"
                  f"   round rates that work: {min(pick.working):g}..{max(pick.working):g}{margin}")
            for other in pick.compared:
                print(f"  {'':10s}   (compared with {other})")
        print("  recommended={")
        for optimizer, pick in picks.items():
            if pick is not None:
                print(f'        "{optimizer}": {literal(declared(optimizer, pick.settings))},')
        print("  },")


if __name__ == "__main__":
    main(sys.argv[1:])

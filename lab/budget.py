"""How much one visitor may ask of the shared server in one rerun.

The engine enforces its own hard caps (``optimizers.MAX_STEPS`` and friends); these are the
page's tighter limits, chosen so that thirty students on a two-core server still get answers
in well under a second.
"""

from __future__ import annotations

from optimizers import MAX_STEPS

MAX_RACERS = 8
MAX_RACE_STEPS = 5_000
# Steps of all racers together in one rerun (each single-point step costs about 16 µs): a race
# asking for more runs fewer steps per racer, and says so.
RACE_POINT_STEPS = 12_000
# Beyond this many steps the player shows a sample of the steps (it says which).
PLAYER_MAX_FRAMES = 1_000

assert MAX_RACE_STEPS <= MAX_STEPS, "the page may not ask for more steps than the engine allows"
# A sweep's or basin map's cells (or starts) x steps in one rerun: a 100 x 100 sweep of 2,000
# steps, a 200 x 200 map of 500. Batched, this is about a second on one core.
EXPLORE_POINT_STEPS = 20_000_000

# Shared caches, bounded in entries and in age so that a server's memory levels off once they
# are full (sized for a class: the same link opened thirty times is one entry).
CACHE_TTL_S = 900
RUN_CACHE = 48  # single engine runs (up to about 300 kB each; a race of eight with companions is 16)
RECORDED_CACHE = 8  # runs with every step's numbers (about 1 MB each: the inspector, velocity arrows)
RACE_CACHE = 16  # drawn races: paths and the race view's spec (up to about 700 kB)
EXPLORE_CACHE = 8  # sweeps and basin maps
FIGURE_CACHE = 16  # inspector charts, tunings

"""Gradient-descent optimizers with torch.optim's semantics, vectorised over start points.

>>> from optimizers import OPTIMIZERS, run
>>> traj = run("adam", "rosenbrock", start=[-1.5, 2.0], steps=300, lr=0.05)
>>> traj.xy.shape
(301, 2)
"""

from __future__ import annotations

from optimizers.explore import Basins, Sweep, basins, grid_keys, pair_member, sweep
from optimizers.limits import (
    MAX_CELLS,
    MAX_EPOCHS,
    MAX_POINT_STEPS,
    MAX_RECORDED_BYTES,
    MAX_RESOLUTION,
    MAX_STARTS,
    MAX_STEPS,
    point_steps,
)
from optimizers.registry import OPTIMIZERS, get_optimizer
from optimizers.runner import DIVERGENCE_LIMIT, run
from optimizers.schedules import Schedule
from optimizers.spec import OptimizerSpec
from optimizers.trajectory import Trajectory

__version__ = "0.1.0"

__all__ = ["OPTIMIZERS", "run", "sweep", "basins", "grid_keys", "pair_member", "Sweep", "Basins", "Trajectory", "Schedule",
           "OptimizerSpec", "get_optimizer", "point_steps", "MAX_STEPS", "MAX_STARTS", "MAX_EPOCHS", "MAX_CELLS",
           "MAX_RESOLUTION", "MAX_POINT_STEPS", "MAX_RECORDED_BYTES", "DIVERGENCE_LIMIT", "__version__"]

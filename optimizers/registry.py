"""Every optimizer the engine knows: adding one is one module and one line here."""

from __future__ import annotations

from optimizers import (
    adadelta,
    adagrad,
    adam,
    adamax,
    adamw,
    amsgrad,
    lookahead,
    momentum,
    nadam,
    nesterov,
    radam,
    rmsprop,
    sgd,
    swats,
)
from optimizers.checks import shown
from optimizers.spec import OptimizerSpec

OPTIMIZERS: dict[str, OptimizerSpec] = {
    module.SPEC.name: module.SPEC
    for module in (
        sgd,
        momentum,
        nesterov,
        adagrad,
        rmsprop,
        adadelta,
        adam,
        amsgrad,
        adamax,
        adamw,
        nadam,
        radam,
        lookahead,
        swats,
    )
}


def get_optimizer(name: str) -> OptimizerSpec:
    if isinstance(name, str) and name in OPTIMIZERS:
        return OPTIMIZERS[name]
    raise ValueError(f"Unknown optimizer: {shown(name)}. Known optimizers: {', '.join(OPTIMIZERS)}.")

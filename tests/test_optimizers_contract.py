"""The contract every registered optimizer keeps; new optimizers are picked up automatically."""

import dataclasses

import numpy as np
import pytest

from optimizers import OPTIMIZERS, run
from optimizers.hyper import resolve

NAMES = sorted(OPTIMIZERS)
STARTS = np.array([[-7.0, 2.0], [5.0, -1.0], [0.5, 3.0], [-2.0, -2.5], [9.0, 0.1]])

# torch.optim's documented defaults (for momentum/nesterov, SGD's with momentum=0.9 set).
PYTORCH_DEFAULTS = {
    "sgd": {"lr": 1e-3, "weight_decay": 0.0},
    "momentum": {"lr": 1e-3, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0},
    "nesterov": {"lr": 1e-3, "momentum": 0.9, "weight_decay": 0.0},
    "adagrad": {"lr": 1e-2, "lr_decay": 0.0, "weight_decay": 0.0, "initial_accumulator_value": 0.0, "eps": 1e-10},
    "rmsprop": {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0, "centered": False},
    "adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0},
    "adam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False},
    "amsgrad": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0},
    "adamax": {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0},
    "adamw": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 1e-2, "amsgrad": False},
    "nadam": {"lr": 2e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "momentum_decay": 4e-3,
              "decoupled_weight_decay": False},
    "radam": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "decoupled_weight_decay": False},
    "lookahead": {"inner": "adam", "k": 5, "alpha": 0.5},
    "swats": {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-9, "weight_decay": 0.0, "switch_tol": 1e-9},
}


def test_registry_holds_the_required_optimizers() -> None:
    assert set(PYTORCH_DEFAULTS) <= set(OPTIMIZERS)


@pytest.mark.parametrize("name", NAMES)
def test_defaults_are_pytorchs(name: str) -> None:
    assert OPTIMIZERS[name].defaults() == PYTORCH_DEFAULTS[name]


@pytest.mark.parametrize("name", NAMES)
def test_docstring_carries_rule_and_reference(name: str) -> None:
    spec = OPTIMIZERS[name]
    assert "\\theta" in spec.update_rule or "\\phi" in spec.update_rule
    assert "Reference" in spec.doc
    for field_name, (_, info) in spec.knobs().items():
        assert info.help, f"{name}.{field_name} has no help text"


@pytest.mark.parametrize("name", NAMES)
def test_update_keeps_shapes_and_leaves_inputs_alone(name: str) -> None:
    spec = OPTIMIZERS[name]
    hp = resolve(spec.hyper(), len(STARTS))
    if spec.wraps_inner:
        hp = dataclasses.replace(hp, inner_hyper=resolve(OPTIMIZERS["adam"].hyper(), len(STARTS)))
    params = STARTS.copy()
    grad = np.column_stack([params[:, 0] / 10, 2 * params[:, 1]])
    params_before, grad_before = params.copy(), grad.copy()
    state = spec.init(params, hp)
    for t in range(1, 7):
        step = spec.update(grad, state, params, hp, 0.01, t)
        assert step.shape == params.shape
        assert np.all(np.isfinite(step))
    np.testing.assert_array_equal(params, params_before)
    np.testing.assert_array_equal(grad, grad_before)


@pytest.mark.parametrize("name", NAMES)
def test_update_returns_the_descent_step_that_the_runner_subtracts(name: str) -> None:
    # θ_1 = θ_0 − Δ_1, as PyTorch's p.add_(d_p, alpha=-lr): every rule's first step points
    # along the gradient (downhill once subtracted), and the runner's first point is θ_0 − Δ_1.
    spec = OPTIMIZERS[name]
    hp = resolve(spec.hyper(lr=0.01) if "lr" in spec.knobs() else spec.hyper(), len(STARTS))
    kwargs = {"lr": 0.01} if "lr" in spec.knobs() else {}
    if spec.wraps_inner:
        hp = dataclasses.replace(hp, inner_hyper=resolve(OPTIMIZERS["adam"].hyper(lr=0.01), len(STARTS)))
        kwargs = {"inner": "adam", "lr": 0.01}
    grad = np.column_stack([STARTS[:, 0] / 10, 2 * STARTS[:, 1]])  # the ravine's gradient
    step = spec.update(grad, spec.init(STARTS.copy(), hp), STARTS.copy(), hp, 0.01, 1).copy()
    assert np.all(np.sum(step * grad, axis=1) > 0)
    first = run(name, "ravine", start=STARTS, steps=1, **kwargs).xy[1]
    np.testing.assert_array_equal(first, STARTS - step)


@pytest.mark.parametrize("name", NAMES)
def test_a_row_alone_equals_that_row_in_a_batch(name: str) -> None:
    kwargs = {"inner": "momentum"} if OPTIMIZERS[name].wraps_inner else {}
    batch = run(name, "ravine", start=STARTS, steps=40, lr=0.05, **kwargs)
    for row, start in enumerate(STARTS):
        alone = run(name, "ravine", start=start, steps=40, lr=0.05, **kwargs)
        np.testing.assert_allclose(batch.xy[:, row], alone.xy, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(batch.loss[:, row], alone.loss, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_loss_falls_on_the_ravine_with_default_settings(name: str) -> None:
    traj = run(name, "ravine", start=STARTS, steps=50)
    assert np.all(traj.loss[-1] < traj.loss[0])
    assert np.all(traj.diverged_at == -1)


@pytest.mark.parametrize("name", [n for n in NAMES if "lr" in OPTIMIZERS[n].knobs()])
def test_per_start_learning_rates_equal_separate_runs(name: str) -> None:
    rates = np.array([0.001, 0.01, 0.03, 0.1, 0.2])
    sweep = run(name, "rosenbrock", start=np.repeat([[-1.5, 2.0]], len(rates), axis=0), steps=30, lr=rates)
    for row, rate in enumerate(rates):
        alone = run(name, "rosenbrock", start=(-1.5, 2.0), steps=30, lr=float(rate))
        np.testing.assert_allclose(sweep.xy[:, row], alone.xy, rtol=1e-12, atol=1e-14)
        assert sweep.diverged_at[row] == alone.diverged_at


def test_per_start_betas_equal_separate_runs() -> None:
    betas = np.array([[0.5, 0.9], [0.9, 0.999], [0.0, 0.5]])
    starts = np.repeat([[-1.5, 2.0]], 3, axis=0)
    sweep = run("adam", "rosenbrock", start=starts, steps=25, lr=0.05, betas=betas)
    for row, pair in enumerate(betas):
        alone = run("adam", "rosenbrock", start=(-1.5, 2.0), steps=25, lr=0.05, betas=tuple(pair))
        np.testing.assert_allclose(sweep.xy[:, row], alone.xy, rtol=1e-12)

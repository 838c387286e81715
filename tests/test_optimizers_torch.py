"""Every optimizer that torch.optim has agrees with it to rounding, step for step."""

import numpy as np
import pytest

from optimizers import DIVERGENCE_LIMIT, run
from tests.torch_reference import TORCH_CASES


def engine_call(case: dict) -> tuple[str, dict]:
    """Translate a torch.optim constructor into this engine's optimizer name and keywords."""
    kwargs = dict(case["kwargs"])
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    torch_name = case["optimizer"]
    if torch_name == "SGD":
        if kwargs.pop("nesterov", False):
            return "nesterov", kwargs
        return ("momentum" if kwargs.get("momentum") else "sgd"), kwargs
    if torch_name == "Adam" and kwargs.get("amsgrad"):
        kwargs.pop("amsgrad")
        return "amsgrad", kwargs
    return torch_name.lower(), kwargs


FINITE_CASES = {name: case for name, case in TORCH_CASES.items() if np.all(np.abs(case["positions"]) < DIVERGENCE_LIMIT)}


@pytest.mark.parametrize("case_name", sorted(FINITE_CASES))
def test_matches_torch_optim(case_name: str) -> None:
    case = TORCH_CASES[case_name]
    name, kwargs = engine_call(case)
    traj = run(name, case["surface"], start=case["start"], steps=case["steps"], **kwargs)
    np.testing.assert_allclose(traj.xy, np.array(case["positions"]), rtol=1e-12, atol=1e-12)
    assert traj.diverged_at == -1


def test_every_torch_optimizer_is_covered() -> None:
    covered = {engine_call(case)[0] for case in FINITE_CASES.values()}
    assert covered == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "amsgrad",
                       "adamax", "adamw", "nadam", "radam"}


@pytest.mark.parametrize("case_name", ["radam", "radam_b2"])
def test_blow_up_follows_torch_until_it_freezes(case_name: str) -> None:
    # RAdam's unrectified first steps are lr * momentum; on Rosenbrock at lr=0.05 torch reaches
    # |x| = 8.6e10 at step 3 and 1e101 at step 5. The engine agrees until the point leaves the
    # 1e10 box, then holds the last finite point and reports the step.
    case = TORCH_CASES[case_name]
    name, kwargs = engine_call(case)
    traj = run(name, case["surface"], start=case["start"], steps=case["steps"], **kwargs)
    reference = np.array(case["positions"])
    np.testing.assert_allclose(traj.xy[:3], reference[:3], rtol=1e-12)
    assert traj.diverged_at == 3
    np.testing.assert_array_equal(traj.xy[3:], np.repeat(traj.xy[2:3], len(traj.xy) - 3, axis=0))
    assert np.all(np.isfinite(traj.loss))

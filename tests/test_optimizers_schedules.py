"""Learning-rate schedules against torch.optim.lr_scheduler's recorded values."""

import numpy as np
import pytest

from optimizers import Schedule
from optimizers.schedules import as_schedule
from tests.torch_reference import TORCH_SCHEDULES

CASES = {
    "step_lr": Schedule(kind="step", step_size=3, gamma=0.5),
    "exponential_lr": Schedule(kind="exponential", gamma=0.9),
    "cosine_annealing_lr": Schedule(kind="cosine", t_max=10, eta_min=0.1),
    "linear_lr": Schedule(kind="constant", warmup_steps=4, warmup_start_factor=0.25),
    "sequential_linear4_cosine8": Schedule(kind="cosine", t_max=8, warmup_steps=4, warmup_start_factor=0.25),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch_scheduler(name: str) -> None:
    np.testing.assert_allclose(CASES[name].factors(12), TORCH_SCHEDULES[name], rtol=1e-12, atol=1e-15)


def test_eta_min_is_an_absolute_learning_rate() -> None:
    factors = Schedule(kind="cosine", t_max=4, eta_min=0.01).factors(5, base_lr=0.1)
    assert factors[0] == 1.0 and factors[4] == pytest.approx(0.1)


def test_constant_is_the_default() -> None:
    assert np.all(as_schedule(None).factors(5) == 1.0)
    assert as_schedule("exponential").kind == "exponential"
    assert "warm-up" in Schedule(warmup_steps=3).describe()

"""The sweep page's axes: any sweepable hyperparameter, a member of Adam's pair included."""

import numpy as np
import pytest

from lab.explore import axis_setting, axis_values, default_range, hyper_value, is_log, sweepable, with_axis_values
from lab.page_state import racer
from optimizers import OPTIMIZERS


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_every_sweepable_axis_has_a_setting_a_range_and_values_inside_it(optimizer):
    chosen = racer(optimizer).complete()
    for name in sweepable(chosen):
        setting = axis_setting(chosen, name)
        low, high = default_range(chosen, name)
        assert setting.low <= low < high <= setting.high, name
        values = axis_values(chosen, name, (low, high), 9)
        assert values[0] == pytest.approx(low) and values[-1] == pytest.approx(high) and np.all(np.diff(values) > 0)
        assert hyper_value(chosen, name) == pytest.approx(setting.default)


def test_a_member_of_adams_pair_is_swept_alone_below_one():
    adam = racer("adam").complete()
    beta2 = axis_setting(adam, "betas[1]")
    assert beta2.default == 0.999 and not is_log(adam, "betas[1]")
    assert beta2.high == 0.9999 < 1 and max(beta2.options) == 0.9999 and 0.99 in beta2.options
    assert axis_setting(adam, "betas[0]").default == 0.9


def test_a_clicked_cell_sets_one_member_of_the_pair_and_keeps_the_other():
    adam = racer("adam", lr=0.01, betas=(0.8, 0.99)).complete()
    hyper = with_axis_values(adam, {"lr": 0.05, "betas[0]": 0.5})
    assert hyper["lr"] == 0.05 and hyper["betas"] == (0.5, 0.99)
    assert hyper_value(adam, "betas[1]") == 0.99
    both = with_axis_values(adam, {"betas[1]": 0.9, "betas[0]": 0.3})
    assert both["betas"] == (0.3, 0.9)

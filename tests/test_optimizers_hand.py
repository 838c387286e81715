"""First steps of every optimizer, worked out by hand from its update rule.

Most cases start on the ravine f = x²/20 + y² at (-7, 2), where the gradient is
g = (x/10, 2y) = (-0.7, 4.0), so each expected value below can be checked with a pencil.
"""

import math

import numpy as np
import pytest

from optimizers import run

START = (-7.0, 2.0)
G1 = np.array([-0.7, 4.0])  # gradient of the ravine at the start


def ravine_grad(point: np.ndarray) -> np.ndarray:
    return np.array([point[0] / 10.0, 2.0 * point[1]])


def test_sgd_two_steps() -> None:
    traj = run("sgd", "ravine", start=START, steps=2, lr=0.1)
    # θ1 = (-7, 2) - 0.1·(-0.7, 4) = (-6.93, 1.6); g2 = (-0.693, 3.2); θ2 = (-6.8607, 1.28)
    np.testing.assert_allclose(traj.xy, [[-7, 2], [-6.93, 1.6], [-6.8607, 1.28]], rtol=1e-14)
    # losses: 49/20 + 4 = 6.45, 6.93²/20 + 1.6² = 4.961245
    np.testing.assert_allclose(traj.loss[:2], [6.45, 4.961245], rtol=1e-14)


def test_sgd_weight_decay_is_added_to_the_gradient() -> None:
    traj = run("sgd", "ravine", start=START, steps=1, lr=0.1, weight_decay=0.5)
    # g = (-0.7, 4) + 0.5·(-7, 2) = (-4.2, 5); θ1 = (-7 + 0.42, 2 - 0.5)
    np.testing.assert_allclose(traj.xy[1], [-6.58, 1.5], rtol=1e-14)


def test_momentum_buffer_starts_at_the_first_gradient() -> None:
    traj = run("momentum", "ravine", start=START, steps=2, lr=0.1, momentum=0.9, dampening=0.5)
    # Step 1: b1 = g1 (no dampening on the first step, as in PyTorch); θ1 = (-6.93, 1.6).
    # Step 2: g2 = (-0.693, 3.2); b2 = 0.9·(-0.7, 4) + 0.5·(-0.693, 3.2) = (-0.9765, 5.2)
    #         θ2 = (-6.93 + 0.09765, 1.6 - 0.52) = (-6.83235, 1.08)
    np.testing.assert_allclose(traj.xy[1:], [[-6.93, 1.6], [-6.83235, 1.08]], rtol=1e-14)


def test_nesterov_first_step_uses_gradient_plus_velocity() -> None:
    traj = run("nesterov", "ravine", start=START, steps=1, lr=0.1, momentum=0.9)
    # b1 = g1; step direction = g1 + 0.9·b1 = 1.9·g1 = (-1.33, 7.6); θ1 = (-6.867, 1.24)
    np.testing.assert_allclose(traj.xy[1], [-6.867, 1.24], rtol=1e-14)


def test_momentum_equals_the_textbook_velocity_form() -> None:
    """PyTorch's b ← μb + g, θ ← θ − γb is the textbook v ← αv − ηg, W ← W + v with v = −γb."""
    lr, alpha, steps = 0.05, 0.9, 60
    traj = run("momentum", "rosenbrock", start=(-1.5, 2.0), steps=steps, lr=lr * 0.02, momentum=alpha)
    w, v = np.array([-1.5, 2.0]), np.zeros(2)
    for row in range(1, steps + 1):
        x, y = w
        g = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
        v = alpha * v - lr * 0.02 * g
        w = w + v
        np.testing.assert_allclose(traj.xy[row], w, rtol=1e-10, atol=1e-12)


def test_adagrad_shrinks_each_coordinate_by_its_own_history() -> None:
    traj = run("adagrad", "ravine", start=START, steps=2, lr=0.5, lr_decay=0.25)
    # Step 1: sum = g1² = (0.49, 16); step = 0.5·g1/|g1| = 0.5·sign(g1); θ1 = (-6.5, 1.5)
    # Step 2: g2 = (-0.65, 3); sum = (0.49 + 0.4225, 16 + 9) = (0.9125, 25);
    #         γ̃ = 0.5 / (1 + 0.25) = 0.4; θ2 = θ1 - 0.4·(-0.65/√0.9125, 3/5)
    expected = [-6.5 + 0.4 * 0.65 / math.sqrt(0.9125), 1.5 - 0.4 * 3 / 5]
    np.testing.assert_allclose(traj.xy[1], [-6.5, 1.5], rtol=1e-9)
    np.testing.assert_allclose(traj.xy[2], expected, rtol=1e-9)


def test_rmsprop_first_step_is_ten_times_lr() -> None:
    traj = run("rmsprop", "ravine", start=START, steps=1, lr=0.01, alpha=0.99, eps=1e-300)
    # v1 = 0.01·g1², √v1 = 0.1·|g1|: the step is lr·g/(0.1|g|) = 10·lr·sign(g) = 0.1·sign(g)
    np.testing.assert_allclose(traj.xy[1], [-6.9, 1.9], rtol=1e-14)


def test_rmsprop_centered_first_step() -> None:
    traj = run("rmsprop", "ravine", start=START, steps=1, lr=0.01, alpha=0.99, centered=True, eps=0.0 + 1e-300)
    # v1 = 0.01 g², g_ave = 0.01 g, ṽ = 0.01 g² − 0.0001 g² = 0.0099 g²: step = lr/√0.0099 · sign(g)
    size = 0.01 / math.sqrt(0.0099)
    np.testing.assert_allclose(traj.xy[1], [-7 + size, 2 - size], rtol=1e-12)


def test_adadelta_first_step_is_set_by_eps() -> None:
    traj = run("adadelta", "ravine", start=START, steps=1, lr=1.0, rho=0.9, eps=1e-6)
    # v1 = 0.1·g²; Δx = √(0 + 1e-6)/√(0.1 g² + 1e-6)·g
    delta = 1e-3 / np.sqrt(0.1 * G1**2 + 1e-6) * G1
    np.testing.assert_allclose(traj.xy[1], np.array(START) - delta, rtol=1e-14)


@pytest.mark.parametrize("name", ["adam", "amsgrad", "adamax"])
def test_adam_family_first_step_is_lr_times_sign(name: str) -> None:
    traj = run(name, "ravine", start=START, steps=1, lr=0.1, eps=1e-12)
    # m̂1 = g1 and √v̂1 = |g1| (Adamax: u1 = |g1| + eps), so the step is lr·sign(g1) = 0.1·(-1, 1)
    np.testing.assert_allclose(traj.xy[1], [-6.9, 1.9], rtol=1e-10)


def test_adam_second_step_by_hand() -> None:
    traj = run("adam", "ravine", start=START, steps=2, lr=0.1, betas=(0.5, 0.75), eps=0.0 + 1e-300)
    g2 = ravine_grad(np.array([-6.9, 1.9]))  # (-0.69, 3.8)
    m2 = 0.5 * (0.5 * G1) + 0.5 * g2
    v2 = 0.75 * (0.25 * G1**2) + 0.25 * g2**2
    m_hat, v_hat = m2 / (1 - 0.5**2), v2 / (1 - 0.75**2)
    np.testing.assert_allclose(traj.xy[2], np.array([-6.9, 1.9]) - 0.1 * m_hat / np.sqrt(v_hat), rtol=1e-14)


def test_adamw_decays_weights_outside_the_adaptive_step() -> None:
    traj = run("adamw", "ravine", start=START, steps=1, lr=0.1, weight_decay=0.5, eps=1e-12)
    # θ ← θ(1 − 0.1·0.5) then the Adam step 0.1·sign(g1)
    np.testing.assert_allclose(traj.xy[1], np.array(START) * 0.95 - 0.1 * np.sign(G1), rtol=1e-10)


def test_nadam_first_step_by_hand() -> None:
    lr, beta1, psi = 0.1, 0.9, 4e-3
    traj = run("nadam", "ravine", start=START, steps=1, lr=lr, eps=1e-300)
    mu1 = beta1 * (1 - 0.5 * 0.96 ** (1 * psi))
    mu2 = beta1 * (1 - 0.5 * 0.96 ** (2 * psi))
    m1 = 0.1 * G1
    denominator = np.abs(G1)  # √(v1 / (1 − β2)) = |g1|
    step = lr * (1 - mu1) / (1 - mu1) * G1 / denominator + lr * mu2 / (1 - mu1 * mu2) * m1 / denominator
    np.testing.assert_allclose(traj.xy[1], np.array(START) - step, rtol=1e-13)


def test_radam_takes_plain_momentum_steps_until_rho_exceeds_five() -> None:
    traj = run("radam", "ravine", start=START, steps=6, lr=0.01, record_state=True)
    # Step 1: m̂1 = g1, not divided by √v̂: θ1 = θ0 − 0.01·g1.
    np.testing.assert_allclose(traj.xy[1], np.array(START) - 0.01 * G1, rtol=1e-14)
    rho = traj.records["rho_t"][:, 0]
    # ρ_t = ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ) with ρ∞ = 1999: 1, 2, ~3, ~4, ~5 (4.99...), 5.99... at t = 6
    np.testing.assert_allclose(rho[:5], [1.0, 1.9993, 2.9980, 3.9967, 4.9950], atol=2e-3)
    assert rho[4] < 5 < rho[5]
    np.testing.assert_array_equal(traj.records["rectification"][:5, 0], 0.0)
    assert 0 < traj.records["rectification"][5, 0] < 1


def test_lookahead_pulls_back_halfway_every_k_steps() -> None:
    traj = run("lookahead", "ravine", start=START, steps=2, inner="sgd", k=2, alpha=0.5, lr=0.1)
    # Fast: θ1 = (-6.93, 1.6), θ2' = (-6.8607, 1.28). Sync at t = 2: φ = θ0 + 0.5(θ2' − θ0).
    slow = np.array(START) + 0.5 * (np.array([-6.8607, 1.28]) - np.array(START))
    np.testing.assert_allclose(traj.xy[1], [-6.93, 1.6], rtol=1e-14)
    np.testing.assert_allclose(traj.xy[2], slow, rtol=1e-14)


def test_swats_first_step_and_projected_rate() -> None:
    traj = run("swats", "ravine", start=START, steps=1, lr=0.1, record_state=True)
    # p1 = −lr·√(1−β2)/(1−β1)·m1/(√a1 + ε) with m1 = 0.1g, a1 = 0.001g²: about −0.1·sign(g1)
    p1 = -0.1 * math.sqrt(0.001) / 0.1 * (0.1 * G1) / (np.sqrt(0.001 * G1**2) + 1e-9)
    np.testing.assert_allclose(p1, -0.1 * np.sign(G1), rtol=1e-7)
    np.testing.assert_allclose(traj.xy[1], np.array(START) + p1, rtol=1e-14)
    # γ1 = p·p / (−p·g) = 0.02 / (0.1·(0.7 + 4)) = 0.0425531...
    gamma = (p1 @ p1) / -(p1 @ G1)
    np.testing.assert_allclose(gamma, 0.02 / 0.47, rtol=1e-7)
    np.testing.assert_allclose(traj.records["sgd_lr_estimate"][0, 0], gamma, rtol=1e-12)
    assert traj.switched_at == -1


def test_momentum_equals_the_lr_inside_velocity_form() -> None:
    """v ← μv + ηg, θ ← θ − v (learning rate inside the velocity) matches for a constant lr."""
    lr, mu, steps = 0.05, 0.8, 40
    traj = run("momentum", "ravine", start=START, steps=steps, lr=lr, momentum=mu)
    theta, v = np.array(START), np.zeros(2)
    for row in range(1, steps + 1):
        v = mu * v + lr * ravine_grad(theta)
        theta = theta - v
        np.testing.assert_allclose(traj.xy[row], theta, rtol=1e-12, atol=1e-15)


def test_adagrad_equals_the_textbook_form() -> None:
    """h ← h + g⊙g, W ← W − η g/(√h + 1e-7) is PyTorch's Adagrad with eps = 1e-7."""
    lr, steps = 0.9, 30
    traj = run("adagrad", "ravine", start=START, steps=steps, lr=lr, eps=1e-7)
    w, h = np.array(START), np.zeros(2)
    for row in range(1, steps + 1):
        g = ravine_grad(w)
        h = h + g * g
        w = w - lr * g / (np.sqrt(h) + 1e-7)
        np.testing.assert_allclose(traj.xy[row], w, rtol=1e-12, atol=1e-15)


def test_adam_with_eps_inside_the_root_is_a_different_rule() -> None:
    """Some course notes write √(v̂ + ε); PyTorch uses √v̂ + ε. With a large ε the paths part."""
    traj = run("adam", "ravine", start=START, steps=1, lr=0.1, eps=0.5)
    inside = np.array(START) - 0.1 * G1 / np.sqrt(G1**2 + 0.5)
    outside = np.array(START) - 0.1 * G1 / (np.abs(G1) + 0.5)
    np.testing.assert_allclose(traj.xy[1], outside, rtol=1e-14)
    assert not np.allclose(traj.xy[1], inside)

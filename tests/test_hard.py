"""Specification of attnlib.hard: gates, selections, sampling and gradient estimators.

Statistical tests draw many seeded samples and reject at a p-value of 1e-3, so each one is
deterministic (fixed seed) and would fail for a wrong distribution: with the sample sizes used
here, a probability off by 0.01 gives a p-value far below 1e-3.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlib.hard import (
    argmax_one_hot,
    categorical_log_prob,
    chi_square_p_value,
    exact_gradient,
    gumbel_softmax,
    reinforce_gradient,
    sample_categorical,
    sample_gumbel,
    score_function_surrogate,
    straight_through,
    threshold_gate,
    topk_mask,
)

P_THRESHOLD = 1e-3
LOGITS = torch.tensor([1.0, 0.5, 0.0, -0.5, -2.0])


def two_sample_chi_square_p_value(a: torch.Tensor, b: torch.Tensor) -> float:
    """Homogeneity test of two count vectors (a 2 x k contingency table), df = k - 1."""
    table = torch.stack([a, b]).double()  # (2, k)
    expected = table.sum(1, keepdim=True) * table.sum(0, keepdim=True) / table.sum()  # (2, k)
    statistic = ((table - expected) ** 2 / expected).sum()
    return torch.special.gammaincc(torch.tensor((a.numel() - 1) / 2.0), statistic / 2).item()


def ks_two_sample_rejects(x: torch.Tensor, y: torch.Tensor) -> bool:
    """Two-sample Kolmogorov–Smirnov test at level 1e-3 (asymptotic critical value)."""
    x, y = x.double().sort().values, y.double().sort().values
    pooled = torch.cat([x, y])
    cdf_x = torch.searchsorted(x, pooled, right=True) / x.numel()
    cdf_y = torch.searchsorted(y, pooled, right=True) / y.numel()
    statistic = (cdf_x - cdf_y).abs().max().item()
    n, m = x.numel(), y.numel()
    critical = math.sqrt(-0.5 * math.log(P_THRESHOLD / 2)) * math.sqrt((n + m) / (n * m))
    return statistic > critical


def quadratic_loss(z: torch.Tensor) -> torch.Tensor:
    """f(z) = ||z - t||^2, a loss with a large constant part (so a baseline matters)."""
    target = torch.tensor([0.9, 0.6, 0.3, 0.0, 0.2])
    return ((z - target) ** 2).sum(-1)


# --- the fixed gate and hard selections: zero gradient almost everywhere ---------------------


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(-10, 10), min_size=1, max_size=20),
    st.floats(-10, 10),
)
def test_threshold_gate_is_the_indicator(values, theta):
    x = torch.tensor(values)
    expected = (x >= theta).to(x.dtype)
    assert torch.equal(threshold_gate(x, theta), expected)


def test_threshold_gate_keeps_ties():
    assert threshold_gate(torch.tensor([0.5, 0.5 - 1e-6]), 0.5).tolist() == [1.0, 0.0]


def test_threshold_gate_gradient_is_zero_for_scores_and_threshold():
    x = torch.randn(100, generator=torch.Generator().manual_seed(0), requires_grad=True)
    theta = torch.tensor(0.3, requires_grad=True)
    gate = threshold_gate(x, theta)
    gate.sum().backward()
    assert torch.equal(x.grad, torch.zeros_like(x))
    assert theta.grad.item() == 0.0


def test_popular_hard_attention_only_passes_the_value_gradient():
    # (x >= theta) * x: d/dx is the gate (the product rule's other term is 0), d/dtheta is 0.
    x = torch.randn(50, generator=torch.Generator().manual_seed(1), requires_grad=True)
    theta = torch.tensor(0.0, requires_grad=True)
    (threshold_gate(x, theta) * x).sum().backward()
    assert torch.equal(x.grad, (x.detach() >= 0).float())
    assert theta.grad.item() == 0.0


def test_threshold_gate_broadcasts_a_tensor_threshold():
    x = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
    theta = torch.tensor([[0.5], [2.5]])
    assert threshold_gate(x, theta).tolist() == [[0.0, 1.0], [0.0, 1.0]]


def test_threshold_gate_does_not_modify_its_input():
    x = torch.tensor([1.0, -1.0])
    threshold_gate(x, 0.0)
    assert x.tolist() == [1.0, -1.0]


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(-100, 100), min_size=1, max_size=12, unique=True),
    st.data(),
)
def test_topk_mask_keeps_the_k_largest(values, data):
    scores = torch.tensor(values, dtype=torch.float64)
    k = data.draw(st.integers(1, len(values)))
    mask = topk_mask(scores, k)
    assert mask.dtype == torch.bool and int(mask.sum()) == k
    assert scores[mask].min() >= scores[~mask].max() if k < len(values) else mask.all()


def test_topk_mask_along_another_dim():
    scores = torch.tensor([[1.0, 5.0], [3.0, 2.0], [0.0, 9.0]])
    assert topk_mask(scores, 1, dim=0).tolist() == [[False, False], [True, False], [False, True]]


def test_argmax_one_hot_matches_torch():
    scores = torch.randn(4, 6, 3, generator=torch.Generator().manual_seed(2))
    for dim in (0, 1, -1):
        expected = F.one_hot(scores.argmax(dim), scores.shape[dim]).float().movedim(-1, dim)
        assert torch.equal(argmax_one_hot(scores, dim=dim), expected)


def test_hard_selections_are_piecewise_constant():
    # A small perturbation of untied scores changes neither selection: the derivative is 0.
    scores = torch.randn(1000, 7, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    nudged = scores + 1e-9 * torch.randn(
        scores.shape, generator=torch.Generator().manual_seed(4), dtype=torch.float64
    )
    assert torch.equal(argmax_one_hot(scores), argmax_one_hot(nudged))
    assert torch.equal(topk_mask(scores, 3), topk_mask(nudged, 3))
    assert not argmax_one_hot(scores.requires_grad_()).requires_grad


# --- sampling ---------------------------------------------------------------------------------


def test_sample_gumbel_follows_the_gumbel_cdf():
    g = sample_gumbel((200_000,), generator=torch.Generator().manual_seed(5), dtype=torch.float64)
    assert torch.isfinite(g).all()
    # Compare with Gumbel(0, 1) draws made by torch.distributions.
    reference = torch.distributions.Gumbel(0.0, 1.0).sample((200_000,))
    assert not ks_two_sample_rejects(g, reference)
    assert abs(g.mean().item() - 0.5772156649) < 0.01  # the Euler–Mascheroni constant
    assert abs(g.var().item() - math.pi**2 / 6) < 0.02


def test_sample_gumbel_is_reproducible():
    a = sample_gumbel((3, 4), generator=torch.Generator().manual_seed(7))
    b = sample_gumbel((3, 4), generator=torch.Generator().manual_seed(7))
    assert torch.equal(a, b) and a.shape == (3, 4) and a.dtype == torch.float32


def test_sample_categorical_follows_softmax():
    n = 100_000
    index = sample_categorical(LOGITS, n, generator=torch.Generator().manual_seed(8))
    assert index.shape == (n,) and index.dtype == torch.int64
    counts = torch.bincount(index, minlength=5).double()
    assert chi_square_p_value(counts, n * torch.softmax(LOGITS.double(), -1)) > P_THRESHOLD


def test_sample_categorical_rejects_a_wrong_distribution():
    # The same test with slightly wrong probabilities must fail: the test has power.
    n = 100_000
    index = sample_categorical(LOGITS, n, generator=torch.Generator().manual_seed(8))
    counts = torch.bincount(index, minlength=5).double()
    wrong = torch.softmax(LOGITS.double() + torch.tensor([0.05, 0, 0, 0, 0]), -1)
    assert chi_square_p_value(counts, n * wrong) < P_THRESHOLD


def test_sample_categorical_shapes_and_batches():
    logits = torch.randn(3, 2, 4, generator=torch.Generator().manual_seed(9))
    gen = torch.Generator().manual_seed(10)
    assert sample_categorical(logits, generator=gen).shape == (3, 2)
    assert sample_categorical(logits, 6, generator=gen).shape == (6, 3, 2)
    # Each batch slice is sampled from its own distribution.
    peaked = torch.tensor([[10.0, -10.0], [-10.0, 10.0]])
    assert sample_categorical(peaked, 50, generator=gen).float().mean(0).tolist() == [0.0, 1.0]


def test_sample_categorical_never_picks_an_excluded_category():
    logits = torch.tensor([0.0, -float("inf"), 0.0])
    index = sample_categorical(logits, 10_000, generator=torch.Generator().manual_seed(11))
    assert not (index == 1).any()


def test_categorical_log_prob_matches_torch_distributions():
    logits = torch.randn(3, 5, generator=torch.Generator().manual_seed(12))
    index = sample_categorical(logits, 4, generator=torch.Generator().manual_seed(13))  # (4, 3)
    expected = torch.distributions.Categorical(logits=logits).log_prob(index)
    torch.testing.assert_close(categorical_log_prob(logits, index), expected)
    torch.testing.assert_close(categorical_log_prob(logits, index[0]), expected[0])


# --- the yardsticks: a sampler's goodness of fit, the exact gradient by enumeration ----------


def test_chi_square_p_value_matches_the_closed_form_for_two_degrees_of_freedom():
    # With 3 categories, chi2_2's survival function is exp(-x / 2).
    counts, expected = torch.tensor([30.0, 50.0, 20.0]), torch.tensor([40.0, 40.0, 20.0])
    statistic = 100 / 40 + 100 / 40
    assert math.isclose(chi_square_p_value(counts, expected), math.exp(-statistic / 2))


def test_chi_square_p_value_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    gen = torch.Generator().manual_seed(40)
    for n in (2, 5, 30):
        p = torch.softmax(torch.randn(n, generator=gen, dtype=torch.float64), -1)
        counts = torch.bincount(torch.multinomial(p, 1000, True, generator=gen), minlength=n)
        ours = chi_square_p_value(counts, 1000 * p)
        theirs = stats.chisquare(counts.numpy(), (1000 * p).numpy()).pvalue
        assert math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-300)


def test_chi_square_p_value_is_one_for_a_perfect_fit_and_does_not_modify_its_inputs():
    counts, expected = torch.tensor([10, 20, 30]), torch.tensor([10.0, 20.0, 30.0])
    assert chi_square_p_value(counts, expected) == 1.0
    assert counts.dtype == torch.int64 and expected.tolist() == [10.0, 20.0, 30.0]


def exact_by_identity(logits: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    """The oracle: sum_k p_k f(e_k) (e_k - p) = p * (f - E f), in float64."""
    p = torch.softmax(logits.double(), -1)  # (*, n)
    values = values.double()  # (n,)
    return p * (values - (p * values).sum(-1, keepdim=True))  # (*, n)


def test_exact_gradient_is_the_score_function_identity():
    exact = exact_gradient(LOGITS, quadratic_loss)
    oracle = exact_by_identity(LOGITS, quadratic_loss(torch.eye(5)))  # float64
    torch.testing.assert_close(exact, oracle.float())
    assert exact.shape == LOGITS.shape and exact.dtype == LOGITS.dtype and not exact.requires_grad


def test_exact_gradient_matches_finite_differences():
    logits = LOGITS.double()
    values = quadratic_loss(torch.eye(5, dtype=torch.float64))

    def expected_loss(ell):
        return (torch.softmax(ell, -1) * values).sum().item()

    h = 1e-6
    numeric = torch.tensor(
        [(expected_loss(logits + h * e) - expected_loss(logits - h * e)) / (2 * h)
         for e in torch.eye(5, dtype=torch.float64)], dtype=torch.float64
    )  # fmt: skip
    torch.testing.assert_close(exact_gradient(logits, quadratic_loss), numeric, rtol=0, atol=1e-8)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-5, 5), min_size=2, max_size=8), st.floats(-5, 5))
def test_exact_gradient_sums_to_zero_and_ignores_a_shift(values, shift):
    logits = torch.tensor(values, dtype=torch.float64)
    rewards = torch.linspace(-1, 1, len(values), dtype=torch.float64)

    def loss(z):
        return z @ rewards  # f(e_k) = rewards[k]

    g = exact_gradient(logits, loss)
    assert abs(g.sum().item()) < 1e-12  # softmax is shift invariant: sum_k dL/dl_k = 0
    torch.testing.assert_close(exact_gradient(logits + shift, loss), g)


def test_exact_gradient_of_a_batch_is_the_gradient_of_each_slice():
    logits = torch.randn(3, 2, 5, generator=torch.Generator().manual_seed(41))
    batch = exact_gradient(logits, quadratic_loss)  # (3, 2, 5)
    assert batch.shape == (3, 2, 5)
    for i in range(3):
        for j in range(2):
            torch.testing.assert_close(batch[i, j], exact_gradient(logits[i, j], quadratic_loss))


def test_exact_gradient_is_zero_for_an_excluded_category_and_leaves_logits_alone():
    logits = torch.tensor([0.0, -float("inf"), 1.0], requires_grad=True)
    g = exact_gradient(logits, lambda z: z @ torch.tensor([1.0, 5.0, 0.0]))
    assert g[1].item() == 0.0 and torch.isfinite(g).all()
    assert logits.grad is None and logits[1].item() == -float("inf")


# --- Gumbel-softmax --------------------------------------------------------------------------


def test_gumbel_softmax_hard_samples_follow_softmax():
    n = 100_000
    logits = LOGITS.expand(n, 5)
    y = gumbel_softmax(logits, tau=0.7, hard=True, generator=torch.Generator().manual_seed(14))
    assert torch.equal(y.sum(-1), torch.ones(n)) and set(y.unique().tolist()) == {0.0, 1.0}
    counts = y.sum(0).double()
    assert chi_square_p_value(counts, n * torch.softmax(LOGITS.double(), -1)) > P_THRESHOLD


def test_gumbel_softmax_hard_samples_match_torch_in_distribution():
    n = 100_000
    logits = LOGITS.expand(n, 5)
    ours = gumbel_softmax(logits, tau=1.0, hard=True, generator=torch.Generator().manual_seed(15))
    torch.manual_seed(16)
    theirs = F.gumbel_softmax(logits, tau=1.0, hard=True)
    assert two_sample_chi_square_p_value(ours.sum(0), theirs.sum(0)) > P_THRESHOLD


@pytest.mark.parametrize("tau", [0.3, 1.0, 3.0])
def test_gumbel_softmax_relaxed_samples_match_torch_in_distribution(tau):
    n = 50_000
    logits = LOGITS.expand(n, 5)
    ours = gumbel_softmax(logits, tau=tau, generator=torch.Generator().manual_seed(17))
    torch.manual_seed(18)
    theirs = F.gumbel_softmax(logits, tau=tau)
    torch.testing.assert_close(ours.sum(-1), torch.ones(n))
    for i in range(5):  # every coordinate's marginal distribution
        assert not ks_two_sample_rejects(ours[:, i], theirs[:, i])


def test_gumbel_softmax_hard_gradient_is_the_relaxed_gradient():
    weights = torch.randn(5, generator=torch.Generator().manual_seed(19))
    grads = []
    for hard in (False, True):
        logits = LOGITS.clone().requires_grad_(True)
        y = gumbel_softmax(logits, 0.5, hard, generator=torch.Generator().manual_seed(20))
        (y * weights).sum().backward()
        grads.append(logits.grad)
    torch.testing.assert_close(grads[1], grads[0])
    assert grads[0].abs().sum() > 0


def test_gumbel_softmax_hard_is_the_argmax_of_the_relaxed_sample():
    soft = gumbel_softmax(LOGITS, 2.0, generator=torch.Generator().manual_seed(21))
    hard = gumbel_softmax(LOGITS, 2.0, hard=True, generator=torch.Generator().manual_seed(21))
    assert torch.equal(hard, argmax_one_hot(soft))


def test_gumbel_softmax_temperature_limits():
    noise_seed = 22
    cold = gumbel_softmax(
        LOGITS.expand(100, 5), 1e-3, generator=torch.Generator().manual_seed(noise_seed)
    )
    hard = gumbel_softmax(
        LOGITS.expand(100, 5), 1.0, hard=True, generator=torch.Generator().manual_seed(noise_seed)
    )
    torch.testing.assert_close(cold, hard, atol=1e-4, rtol=0)  # tau -> 0: the Gumbel-max sample
    hot = gumbel_softmax(LOGITS.expand(100, 5), 1e4, generator=torch.Generator().manual_seed(23))
    torch.testing.assert_close(hot, torch.full_like(hot, 0.2), atol=1e-3, rtol=0)  # -> uniform


def test_gumbel_softmax_along_another_dim_and_excluded_categories():
    logits = torch.tensor([[0.0, 1.0], [-float("inf"), 0.0], [0.0, 2.0]])  # categories on dim 0
    y = gumbel_softmax(
        logits.expand(1000, 3, 2), 0.5, dim=1, generator=torch.Generator().manual_seed(24)
    )
    torch.testing.assert_close(y.sum(1), torch.ones(1000, 2))
    assert (y[:, 1, 0] == 0).all()


def test_gumbel_softmax_is_exported_from_attnlib():
    import attnlib

    assert attnlib.gumbel_softmax is gumbel_softmax


# --- straight-through ----------------------------------------------------------------------


def test_straight_through_value_is_hard_and_gradient_is_soft():
    logits = torch.randn(8, 5, generator=torch.Generator().manual_seed(25), requires_grad=True)
    soft = torch.softmax(logits, -1)
    hard = argmax_one_hot(soft)
    y = straight_through(hard, soft)
    assert torch.equal(y, hard)  # exactly, not approximately
    weights = torch.randn(8, 5, generator=torch.Generator().manual_seed(26))
    (gradient,) = torch.autograd.grad((y * weights).sum(), logits, retain_graph=True)
    (expected,) = torch.autograd.grad((soft * weights).sum(), logits)
    torch.testing.assert_close(gradient, expected)


# --- the score-function (REINFORCE) estimator ------------------------------------------------


def reinforce_batch(num_estimates: int, num_samples: int, baseline=None, seed: int = 27):
    """num_estimates independent REINFORCE estimates of the quadratic-loss gradient."""
    logits = LOGITS.expand(num_estimates, 5)
    return reinforce_gradient(
        logits,
        quadratic_loss,
        num_samples,
        baseline=baseline,
        generator=torch.Generator().manual_seed(seed),
    )  # (R, 5)


def assert_unbiased(estimates: torch.Tensor, exact: torch.Tensor) -> None:
    """Every component of the mean within 4 standard errors of the exact gradient."""
    standard_error = estimates.std(0) / math.sqrt(estimates.shape[0])
    assert ((estimates.mean(0) - exact).abs() < 4 * standard_error).all(), (
        estimates.mean(0),
        exact,
        standard_error,
    )


@pytest.mark.parametrize("baseline", [None, 2.0, "leave-one-out"])
def test_reinforce_is_unbiased(baseline):
    exact = exact_gradient(LOGITS, quadratic_loss)
    assert_unbiased(reinforce_batch(20_000, 4, baseline), exact)


def test_unbiasedness_check_detects_a_biased_estimator():
    # A baseline that uses the sample's own reward (the plain sample mean) is biased: the
    # check above must catch it, or it proves nothing.
    exact = exact_gradient(LOGITS, quadratic_loss)
    logits = LOGITS.expand(20_000, 5).clone().requires_grad_(True)
    index = sample_categorical(logits, 2, generator=torch.Generator().manual_seed(28))  # (2, R)
    reward = quadratic_loss(F.one_hot(index, 5).float())  # (2, R)
    surrogate = score_function_surrogate(
        categorical_log_prob(logits, index), reward, reward.mean(0, keepdim=True)
    )
    (estimates,) = torch.autograd.grad(surrogate.mean(0).sum(), logits)
    with pytest.raises(AssertionError):
        assert_unbiased(estimates, exact)


def test_baselines_keep_the_mean_and_lower_the_variance():
    exact = exact_gradient(LOGITS, quadratic_loss)
    expected_loss = (torch.softmax(LOGITS, -1) * quadratic_loss(torch.eye(5))).sum().item()
    plain = reinforce_batch(20_000, 4, None, seed=29)
    constant = reinforce_batch(20_000, 4, expected_loss, seed=29)
    loo = reinforce_batch(20_000, 4, "leave-one-out", seed=29)
    for estimates in (plain, constant, loo):
        assert_unbiased(estimates, exact)
    total_variance = {
        name: e.var(0).sum().item()
        for name, e in [("plain", plain), ("constant", constant), ("loo", loo)]
    }
    assert total_variance["constant"] < 0.5 * total_variance["plain"], total_variance
    assert total_variance["loo"] < 0.5 * total_variance["plain"], total_variance


def test_reinforce_single_sample_matches_the_formula():
    # One sample: the estimate is f(z) (e_z - p), with z the sample the generator draws.
    gen_seed = 30
    index = sample_categorical(LOGITS, 1, generator=torch.Generator().manual_seed(gen_seed))
    z = F.one_hot(index[0], 5).float()
    expected = quadratic_loss(z) * (z - torch.softmax(LOGITS, -1))
    got = reinforce_gradient(
        LOGITS, quadratic_loss, 1, generator=torch.Generator().manual_seed(gen_seed)
    )
    torch.testing.assert_close(got, expected)


def test_score_function_surrogate_detaches_reward_and_baseline():
    logits = torch.zeros(3, requires_grad=True)
    reward = torch.tensor([2.0, 1.0], requires_grad=True)
    baseline = torch.tensor(0.5, requires_grad=True)
    index = torch.tensor([0, 2])
    surrogate = score_function_surrogate(categorical_log_prob(logits, index), reward, baseline)
    surrogate.mean().backward()
    assert reward.grad is None and baseline.grad is None
    p = torch.full((3,), 1 / 3)
    expected = ((2.0 - 0.5) * (torch.eye(3)[0] - p) + (1.0 - 0.5) * (torch.eye(3)[2] - p)) / 2
    torch.testing.assert_close(logits.grad, expected)


# --- bad inputs: the error names the argument, what was expected and what came ---------------

GOOD = torch.zeros(3)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: threshold_gate([1.0], 0.0), TypeError, r"x must be a torch.Tensor, got list"),
        (lambda: threshold_gate(torch.tensor([1]), 0.0), TypeError, r"x must have a floating"),
        (lambda: threshold_gate(GOOD, "0"), TypeError, r"theta must be a real number, got str"),
        (lambda: threshold_gate(GOOD, float("nan")), ValueError, r"theta must be a finite"),
        (lambda: threshold_gate(GOOD, torch.zeros(2)), ValueError, r"theta of shape \(2,\)"),
        (lambda: topk_mask(GOOD, 0), ValueError, r"k must be >= 1, got 0"),
        (lambda: topk_mask(GOOD, 4), ValueError, r"k must be <= scores.shape\[0\] = 3, got 4"),
        (lambda: topk_mask(GOOD, 1.5), TypeError, r"k must be an int, got float"),
        (lambda: topk_mask(GOOD, 1, dim=1), ValueError, r"dim must be in \[-1, 0\]"),
        (lambda: argmax_one_hot(torch.tensor(1.0)), ValueError, r"scores must have at least 1"),
        (lambda: sample_gumbel("3"), TypeError, r"shape must be a tuple of ints, got str"),
        (lambda: sample_gumbel((2,), dtype=torch.int64), TypeError, r"dtype must be a floating"),
        (lambda: sample_gumbel((2,), generator=0), TypeError, r"generator must be a torch.Gen"),
        (lambda: sample_categorical(GOOD, 0), ValueError, r"num_samples must be >= 1, got 0"),
        (
            lambda: sample_categorical(torch.tensor([0.0, float("nan")])),
            ValueError,
            r"logits must not contain NaN or \+inf",
        ),
        (
            lambda: sample_categorical(torch.full((2,), -float("inf"))),
            ValueError,
            r"logits has a slice whose every entry is -inf",
        ),
        (
            lambda: sample_categorical(torch.zeros(2, 0)),
            ValueError,
            r"logits must have at least one category",
        ),
        (
            lambda: categorical_log_prob(GOOD, torch.tensor(1.0)),
            TypeError,
            r"index must have dtype torch.int64, got torch.float32",
        ),
        (
            lambda: categorical_log_prob(GOOD, torch.tensor(3)),
            ValueError,
            r"index must lie in \[0, 3\), got values in \[3, 3\]",
        ),
        (
            lambda: categorical_log_prob(torch.zeros(2, 3), torch.zeros(4, dtype=torch.int64)),
            ValueError,
            r"index must have shape \(2,\) or \(S, 2\)",
        ),
        (
            lambda: score_function_surrogate(GOOD, torch.zeros(2)),
            ValueError,
            r"reward must have the shape of log_prob \(3,\), got shape \(2,\)",
        ),
        (
            lambda: score_function_surrogate(GOOD, GOOD, "mean"),
            TypeError,
            r"baseline must be a real number, got str",
        ),
        (
            lambda: score_function_surrogate(GOOD, GOOD, torch.zeros(2)),
            ValueError,
            r"baseline of shape \(2,\) does not broadcast",
        ),
        (
            lambda: score_function_surrogate(GOOD, torch.tensor([0.0, 1.0, float("inf")])),
            ValueError,
            r"reward must contain only finite values",
        ),
        (lambda: reinforce_gradient(GOOD, "f", 2), TypeError, r"reward_fn must be callable"),
        (
            lambda: reinforce_gradient(GOOD, quadratic_loss, 2, baseline="mean"),
            ValueError,
            r"baseline must be None, a number, a tensor or 'leave-one-out', got 'mean'",
        ),
        (
            lambda: reinforce_gradient(GOOD, lambda z: z[..., 0], 1, baseline="leave-one-out"),
            ValueError,
            r"num_samples must be >= 2 for baseline='leave-one-out', got 1",
        ),
        (
            lambda: reinforce_gradient(GOOD, lambda z: z, 2),
            ValueError,
            r"reward_fn must return a tensor of shape \(2,\)",
        ),
        (
            lambda: straight_through(GOOD, torch.zeros(2)),
            ValueError,
            r"soft must have the shape of hard \(3,\), got shape \(2,\)",
        ),
        (lambda: gumbel_softmax(GOOD, tau=0.0), ValueError, r"tau must be > 0, got 0.0"),
        (lambda: gumbel_softmax(GOOD, tau=-1), ValueError, r"tau must be > 0, got -1.0"),
        (
            lambda: gumbel_softmax(GOOD, tau=float("inf")),
            ValueError,
            r"tau must be a finite number, got inf",
        ),
        (
            lambda: gumbel_softmax(GOOD, tau=float("nan")),
            ValueError,
            r"tau must be a finite number, got nan",
        ),
        (lambda: gumbel_softmax(GOOD, tau="1"), TypeError, r"tau must be a real number, got str"),
        (lambda: gumbel_softmax(GOOD, hard=1), TypeError, r"hard must be a bool, got int"),
        (lambda: gumbel_softmax(GOOD, dim=2), ValueError, r"dim must be in \[-1, 0\]"),
        (
            lambda: gumbel_softmax(torch.tensor([0, 1]), 1.0),
            TypeError,
            r"logits must have a floating-point dtype",
        ),
        (
            lambda: chi_square_p_value([1, 2], torch.ones(2)),
            TypeError,
            r"counts must be a torch.Tensor, got list",
        ),
        (
            lambda: chi_square_p_value(torch.ones(1), torch.ones(1)),
            ValueError,
            r"counts must hold at least 2 categories, got shape \(1,\)",
        ),
        (
            lambda: chi_square_p_value(torch.ones(3), torch.ones(2)),
            ValueError,
            r"expected must have the shape of counts \(3,\), got shape \(2,\)",
        ),
        (
            lambda: chi_square_p_value(torch.tensor([2.0, -1.0]), torch.ones(2)),
            ValueError,
            r"counts must be non-negative, got -1",
        ),
        (
            lambda: chi_square_p_value(torch.ones(2), torch.tensor([2.0, 0.0])),
            ValueError,
            r"expected must be positive in every category, got 0",
        ),
        (
            lambda: chi_square_p_value(torch.ones(2), torch.tensor([0.5, 0.5])),
            ValueError,
            r"expected must sum to the number of counts, 2, got 1; scale the probabilities",
        ),
        (
            lambda: chi_square_p_value(torch.tensor([1.0, float("nan")]), torch.ones(2)),
            ValueError,
            r"counts must contain only finite values",
        ),
        (lambda: exact_gradient(GOOD, "f"), TypeError, r"loss_fn must be callable, got str"),
        (
            lambda: exact_gradient(torch.tensor([0, 1]), quadratic_loss),
            TypeError,
            r"logits must have a floating-point dtype",
        ),
        (
            lambda: exact_gradient(GOOD, lambda z: z),
            ValueError,
            r"loss_fn must return a tensor of shape \(3,\) \(one loss per one-hot vector\), "
            r"got tensor of shape \(3, 3\)",
        ),
        (
            lambda: exact_gradient(GOOD, lambda z: z[:, 0] / 0),
            ValueError,
            r"loss_fn must return finite losses",
        ),
    ],
)
def test_bad_inputs_raise_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- the chapter's figure helpers and widget ---------------------------------------------------


def test_relaxed_samples_sharpen_as_tau_falls():
    from attnlib.widgets.gumbel import relaxed_samples

    noise = sample_gumbel((20, 5), generator=torch.Generator().manual_seed(31))
    largest = [
        relaxed_samples(LOGITS, noise, tau).max(-1).values.mean().item()
        for tau in (10.0, 1.0, 0.1, 0.01)
    ]
    assert largest == sorted(largest) and largest[-1] > 0.99 and largest[0] < 0.3
    # With the same noise, the samples are those of gumbel_softmax.
    same = gumbel_softmax(LOGITS.expand(20, 5), 0.5, generator=torch.Generator().manual_seed(31))
    torch.testing.assert_close(relaxed_samples(LOGITS, noise, 0.5), same)


def test_gumbel_softmax_explorer_redraws_when_tau_moves():
    pytest.importorskip("ipywidgets")
    import matplotlib

    matplotlib.use("Agg")
    from attnlib.widgets.gumbel import gumbel_softmax_explorer

    widget = gumbel_softmax_explorer(LOGITS, num_samples=4, seed=0, initial=1.0)
    slider, out = widget.children
    assert slider.description == "τ" and slider.value == 1.0
    slider.value = 0.1  # must redraw without error
    with pytest.raises(ValueError, match=r"initial must be > 0"):
        gumbel_softmax_explorer(LOGITS, initial=0.0)


def test_plot_helpers_return_fig_and_ax_with_labels():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from attnlib.plotting.estimators import plot_estimator_curves, plot_relaxed_samples

    fig, ax = plot_relaxed_samples(torch.full((3, 4), 0.25), tau=0.5)
    assert ax.get_xlabel() and ax.get_ylabel() and len(fig.axes) == 2  # heatmap + colour bar
    fig2, ax2 = plot_estimator_curves([1, 2, 4], {"a": [1.0, 0.5, 0.25]}, ylabel="variance")
    assert ax2.get_xscale() == "log" and ax2.get_yscale() == "log"
    with pytest.raises(ValueError, match=r"values\['a'\] must have 3 entries"):
        plot_estimator_curves([1, 2, 4], {"a": [1.0]}, ylabel="variance")
    plt.close("all")


def test_reinforce_gradient_checks_a_tensor_baseline_before_sampling():
    calls = []

    def reward(z):
        calls.append(z)
        return z[..., 0]

    with pytest.raises(ValueError, match=r"baseline of shape \(3,\) does not broadcast"):
        reinforce_gradient(torch.zeros(2), reward, 4, baseline=torch.zeros(3))
    assert not calls

"""Specification of attnlib.softmax: golden tests against torch, properties, bad inputs."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from attnlib import softmax, softmax_jacobian

finite_floats = st.floats(-50, 50, allow_nan=False, width=32)


def vectors(min_size=1, max_size=8):
    return arrays("float32", st.integers(min_size, max_size), elements=finite_floats).map(
        torch.from_numpy
    )


@pytest.mark.parametrize("dim", [0, 1, -1, 2])
def test_equals_torch_softmax_on_every_axis(dim):
    x = torch.randn(3, 4, 5, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(softmax(x, dim=dim), torch.softmax(x, dim=dim))


@given(vectors())
def test_weights_are_a_probability_distribution(x):
    alpha = softmax(x)
    assert (alpha >= 0).all()
    assert math.isclose(alpha.sum().item(), 1.0, rel_tol=1e-5)


@given(vectors(), st.floats(-1e3, 1e3, allow_nan=False))
def test_shift_invariance(x, c):
    torch.testing.assert_close(softmax(x + c), softmax(x), atol=1e-5, rtol=1e-4)


def test_large_scores_do_not_overflow():
    # The naive form gives inf / inf = nan above log(float32 max) ~ 88.7.
    x = torch.tensor([1000.0, 999.0, -1000.0])
    naive = torch.exp(x) / torch.exp(x).sum()
    assert torch.isnan(naive).any()
    alpha = softmax(x)
    assert torch.isfinite(alpha).all()
    torch.testing.assert_close(alpha, torch.softmax(x, dim=-1))


@given(vectors(min_size=2).filter(lambda x: (x.max() - x).sort().values[1] > 0.05))
def test_low_temperature_approaches_argmax(x):
    alpha = softmax(x, temperature=1e-3)
    one_hot = torch.nn.functional.one_hot(x.argmax(), len(x)).float()
    torch.testing.assert_close(alpha, one_hot, atol=1e-6, rtol=0)


@given(vectors())
def test_high_temperature_approaches_uniform(x):
    alpha = softmax(x, temperature=1e6)
    torch.testing.assert_close(alpha, torch.full_like(x, 1 / len(x)), atol=1e-4, rtol=0)


@given(vectors(), st.floats(0.05, 20))
def test_temperature_divides_the_scores(x, tau):
    torch.testing.assert_close(softmax(x, temperature=tau), torch.softmax(x / tau, dim=-1))


def test_mask_excludes_positions_and_renormalises():
    x = torch.tensor([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    mask = torch.tensor([[True, False, True], [False, True, False]])
    alpha = softmax(x, mask=mask)
    assert alpha[0, 1] == 0 and alpha[1, 0] == 0 and alpha[1, 2] == 0
    torch.testing.assert_close(alpha[0, [0, 2]], torch.softmax(torch.tensor([1.0, 3.0]), 0))
    assert alpha[1, 1] == 1


def test_fully_masked_slice_gives_zeros_and_finite_gradient():
    x = torch.randn(2, 4, requires_grad=True)
    mask = torch.tensor([[True, True, False, False], [False, False, False, False]])
    alpha = softmax(x, mask=mask)
    torch.testing.assert_close(alpha[1], torch.zeros(4))
    (alpha * torch.arange(4.0)).sum().backward()
    assert torch.isfinite(x.grad).all()
    torch.testing.assert_close(x.grad[1], torch.zeros(4))


def test_mask_broadcasts_over_batch():
    x = torch.randn(5, 3, 4)
    mask = torch.tensor([True, True, False, True])
    torch.testing.assert_close(softmax(x, mask=mask)[..., 2], torch.zeros(5, 3))


def test_does_not_modify_its_input():
    x = torch.tensor([3.0, 1.0, 2.0])
    before = x.clone()
    softmax(x, temperature=0.5, mask=torch.tensor([True, False, True]))
    assert torch.equal(x, before)


@given(vectors(min_size=2, max_size=6))
@settings(max_examples=30)
def test_jacobian_matches_autograd(x):
    x = x.double()
    alpha = softmax(x)
    autograd = torch.autograd.functional.jacobian(lambda z: softmax(z), x)
    torch.testing.assert_close(softmax_jacobian(alpha), autograd)


def test_jacobian_rows_sum_to_zero():
    # Because the weights always sum to 1, no change of the scores changes their sum.
    alpha = softmax(torch.randn(3, 5))
    torch.testing.assert_close(softmax_jacobian(alpha).sum(-1), torch.zeros(3, 5))


BAD_INPUTS = [
    (dict(x="abc"), TypeError, "x must be a torch.Tensor, got str"),
    (dict(x=[1.0, 2.0]), TypeError, "x must be a torch.Tensor, got list"),
    (
        dict(x=torch.tensor([1, 2])),
        TypeError,
        "x must have a floating-point dtype, got torch.int64",
    ),
    (dict(x=torch.ones(3), dim=1), ValueError, "dim must be in [-1, 0]"),
    (dict(x=torch.ones(3), dim=0.5), TypeError, "dim must be an int, got float"),
    (dict(x=torch.ones(3), temperature=0), ValueError, "temperature must be > 0, got 0.0"),
    (dict(x=torch.ones(3), temperature=-1.0), ValueError, "temperature must be > 0, got -1.0"),
    (
        dict(x=torch.ones(3), temperature=float("inf")),
        ValueError,
        "temperature must be a finite number, got inf",
    ),
    (
        dict(x=torch.ones(3), temperature=float("nan")),
        ValueError,
        "temperature must be a finite number, got nan",
    ),
    (
        dict(x=torch.ones(3), temperature="hot"),
        TypeError,
        "temperature must be a real number, got str",
    ),
    (dict(x=torch.ones(3), mask=torch.ones(3)), TypeError, "mask must have dtype torch.bool"),
    (
        dict(x=torch.ones(3), mask=[True, False, True]),
        TypeError,
        "mask must be a boolean torch.Tensor or None, got list",
    ),
    (
        dict(x=torch.ones(3), mask=torch.ones(4, dtype=torch.bool)),
        ValueError,
        "mask of shape (4,) does not broadcast",
    ),
    (
        dict(x=torch.ones(3), mask=torch.ones(2, 3, dtype=torch.bool)),
        ValueError,
        "has more dimensions than",
    ),
]


@pytest.mark.parametrize("kwargs, error, message", BAD_INPUTS)
def test_bad_input_names_the_argument(kwargs, error, message):
    with pytest.raises(error) as info:
        softmax(**kwargs)
    assert message in str(info.value)


# The kernel turns the mask into an additive bias and falls back on the reference formula when
# torch's fused softmax gives NaN; these pin both paths to the same definition.


@pytest.mark.parametrize("masked_value", [float("inf"), float("nan"), float("-inf"), 1e30])
def test_masked_entries_are_ignored_whatever_they_hold(masked_value):
    x = torch.tensor([[1.0, masked_value, 2.0], [0.5, 0.5, masked_value]])
    mask = torch.tensor([[True, False, True], [True, True, False]])
    expected = torch.stack([torch.softmax(torch.tensor([1.0, 2.0]), 0), torch.full((2,), 0.5)])
    alpha = softmax(x, mask=mask)
    torch.testing.assert_close(alpha[mask].view(2, 2), expected)
    assert (alpha[~mask] == 0).all()


@pytest.mark.parametrize("mask_shape", [(4, 5), (1, 5), (4, 1), (5,), (3, 4, 5)])
@pytest.mark.parametrize("dim", [-1, 1, 2])
def test_mask_of_any_broadcastable_shape_equals_masked_fill(mask_shape, dim):
    generator = torch.Generator().manual_seed(1)
    x = torch.randn(3, 4, 5, generator=generator, requires_grad=True)
    mask = torch.rand(mask_shape, generator=generator) > 0.4
    mask_full = mask.expand(3, 4, 5)
    expected = torch.softmax(x.detach().masked_fill(~mask_full, float("-inf")), dim=dim)
    expected = expected.nan_to_num(0.0)  # torch leaves a fully masked slice NaN
    alpha = softmax(x, dim=dim, mask=mask)
    torch.testing.assert_close(alpha, expected)
    alpha.square().sum().backward()
    assert torch.isfinite(x.grad).all()
    assert (x.grad[~mask_full] == 0).all()


def test_all_minus_inf_slice_without_mask_gives_zeros():
    x = torch.tensor([[float("-inf")] * 3, [0.0, float("-inf"), 0.0]])
    torch.testing.assert_close(softmax(x), torch.tensor([[0.0, 0.0, 0.0], [0.5, 0.0, 0.5]]))

"""Specification of attention rollout (attnlib.analysis.rollout, chapter 9)."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from attnlib.analysis.rollout import attention_rollout


def random_layers(L, B, H, N, seed):
    g = torch.Generator().manual_seed(seed)
    return [torch.softmax(2 * torch.randn(B, H, N, N, generator=g), -1) for _ in range(L)]


@given(st.integers(1, 5), st.integers(1, 8), st.booleans())
def test_rollout_of_identity_layers_is_the_identity(L, N, residual):
    layers = [torch.eye(N).expand(2, 3, N, N) for _ in range(L)]
    torch.testing.assert_close(
        attention_rollout(layers, residual=residual), torch.eye(N).expand(2, N, N)
    )


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(2, 9),
    st.integers(0, 2**31 - 1),
    st.booleans(),
)
def test_rows_sum_to_one(L, H, N, seed, residual):
    r = attention_rollout(random_layers(L, 2, H, N, seed), residual=residual)
    assert r.shape == (2, N, N) and (r >= 0).all()
    torch.testing.assert_close(r.sum(-1), torch.ones(2, N))


def test_rollout_equals_the_written_out_product():
    layers = random_layers(3, 2, 4, 5, seed=0)
    eye = torch.eye(5)
    tilde = [0.5 * a.mean(1) + 0.5 * eye for a in layers]
    tilde = [t / t.sum(-1, keepdim=True) for t in tilde]
    torch.testing.assert_close(attention_rollout(layers), tilde[2] @ tilde[1] @ tilde[0])
    raw = [a.mean(1) for a in layers]
    torch.testing.assert_close(attention_rollout(layers, residual=False), raw[2] @ raw[1] @ raw[0])


def test_a_single_layer_without_residual_is_its_head_average():
    (a,) = random_layers(1, 3, 2, 4, seed=1)
    torch.testing.assert_close(attention_rollout([a], residual=False), a.mean(1))
    torch.testing.assert_close(attention_rollout([a.mean(1)], residual=False), a.mean(1))


def test_two_layer_three_token_example_by_hand():
    a1 = torch.tensor([[[1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]])
    a2 = torch.tensor([[[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.5, 0.5]]])
    t1 = torch.tensor([[1.0, 0.0, 0.0], [0.25, 0.75, 0.0], [0.0, 0.0, 1.0]])
    t2 = torch.tensor([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0], [0.0, 0.25, 0.75]])
    torch.testing.assert_close(attention_rollout([a1, a2])[0], t2 @ t1)
    torch.testing.assert_close((t2 @ t1)[0], torch.tensor([0.625, 0.375, 0.0]))


@pytest.mark.parametrize(
    "attentions, error, message",
    [
        (torch.eye(3)[None], TypeError, "attentions must be a sequence .* got tensor"),
        ([], ValueError, "attentions must hold at least one layer, got an empty sequence"),
        (
            [torch.eye(3)[None], torch.eye(4)[None]],
            ValueError,
            r"attentions\[1\] must have batch size 1 and 3 tokens like attentions\[0\], "
            r"got shape \(1, 4, 4\)",
        ),
        ([torch.ones(1, 3, 4) / 4], ValueError, r"attentions\[0\] must have shape \(B, N, N\)"),
        (
            [torch.ones(1, 3, 3)],
            ValueError,
            r"attentions\[0\] must hold probability distributions .* summing to 3",
        ),
        ([torch.eye(3, dtype=torch.long)[None]], TypeError, "floating-point dtype"),
        (["x"], TypeError, r"attentions\[0\] must be a torch.Tensor, got str"),
    ],
)
def test_bad_input_names_argument_expected_and_received(attentions, error, message):
    with pytest.raises(error, match=message):
        attention_rollout(attentions)

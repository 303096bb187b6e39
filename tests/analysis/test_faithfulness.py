"""Specification of deletion and insertion curves (attnlib.analysis.faithfulness, chapter 9)."""

import pytest
import torch
from torch import nn

from attnlib.analysis.faithfulness import (
    area_under_curve,
    faithfulness_curve,
    patch_units,
    rank_units,
)


class OnePixelDecides(nn.Module):
    """Logits (10 x[p], -10 x[p]) for one pixel p of a 4 x 4 image: only that pixel matters."""

    def __init__(self, pixel: int):
        super().__init__()
        self.pixel = pixel

    def forward(self, x):
        v = x.flatten(1)[:, self.pixel]
        return torch.stack([10 * v, -10 * v], dim=1)


def test_oracle_deletion_curve_falls_before_the_random_one():
    model = OnePixelDecides(pixel=6)
    x = 1 + torch.rand(50, 1, 4, 4, generator=torch.Generator().manual_seed(0))  # all ink
    oracle = torch.arange(16).roll(-6).expand(50, 16)  # pixel 6 first
    random = torch.rand(50, 16, generator=torch.Generator().manual_seed(1)).argsort(1)
    c_oracle = faithfulness_curve(model, x, oracle)
    c_random = faithfulness_curve(model, x, random)
    assert c_oracle.probability[:, 1].max() == 0.5  # the decisive pixel is gone at step 1
    assert (c_oracle.mean() <= c_random.mean() + 1e-6).all()
    assert c_oracle.area().mean() < c_random.area().mean() - 0.15
    # Insertion: the oracle restores the prediction at once.
    i_oracle = faithfulness_curve(model, x, oracle, kind="insertion")
    i_random = faithfulness_curve(model, x, random, kind="insertion")
    assert i_oracle.area().mean() > i_random.area().mean() + 0.15


def test_curve_endpoints_and_patch_units():
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3))
    x = torch.randn(5, 1, 4, 4, generator=torch.Generator().manual_seed(0))
    units = patch_units(4, 2)
    order = torch.stack(
        [torch.randperm(4, generator=torch.Generator().manual_seed(i)) for i in range(5)]
    )
    deletion = faithfulness_curve(model, x, order, units=units[None], baseline=0.0)
    insertion = faithfulness_curve(model, x, order, units=units[None], kind="insertion")
    p_full = model(x).softmax(-1).max(-1).values
    p_blank = (
        model(torch.zeros_like(x)).softmax(-1).gather(1, model(x).argmax(-1, keepdim=True))[:, 0]
    )
    torch.testing.assert_close(deletion.probability[:, 0], p_full)
    torch.testing.assert_close(deletion.probability[:, -1], p_blank)
    torch.testing.assert_close(insertion.probability[:, -1], p_full)
    torch.testing.assert_close(deletion.fractions, torch.tensor([0.0, 0.25, 0.5, 0.75, 1.0]))
    assert torch.equal(
        faithfulness_curve(model, x, order, units=units[None], steps=[0, 2, 4]).fractions,
        torch.tensor([0.0, 0.5, 1.0]),
    )


def test_area_under_curve_by_hand():
    f = torch.tensor([0.0, 0.25, 0.5, 0.75, 1.0])
    torch.testing.assert_close(area_under_curve(f, torch.ones(5)), torch.tensor(1.0))
    torch.testing.assert_close(
        area_under_curve(f, torch.tensor([1.0, 0.0, 0.0, 0.0, 0.0])), torch.tensor(0.125)
    )
    torch.testing.assert_close(area_under_curve(f, f), torch.tensor(0.5))


def test_rank_units_is_stable():
    assert rank_units(torch.tensor([[0.5, 0.9, 0.5]])).tolist() == [[1, 0, 2]]


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"order": torch.zeros(2, 16, dtype=torch.long)},
            ValueError,
            "order must hold a permutation",
        ),
        ({"order": torch.arange(15).expand(2, 15)}, ValueError, r"order must have shape \(2, 16\)"),
        (
            {"kind": "erase"},
            ValueError,
            r"kind must be one of \['deletion', 'insertion'\], got 'erase'",
        ),
        ({"steps": [0, 8]}, ValueError, "steps must increase from 0 to 16"),
        (
            {"units": torch.zeros(3, 3, dtype=torch.long)},
            ValueError,
            r"units must have shape \(1, 4, 4\)",
        ),
        ({"x": torch.zeros(0, 1, 4, 4)}, ValueError, "x must hold at least one input"),
    ],
)
def test_bad_input(kwargs, error, message):
    args = {"x": torch.zeros(2, 1, 4, 4), "order": torch.arange(16).expand(2, 16)}
    args.update(kwargs)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 2))
    with pytest.raises(error, match=message):
        faithfulness_curve(model, args.pop("x"), args.pop("order"), **args)


@pytest.mark.parametrize(
    "fractions, values, message",
    [
        (torch.tensor([0.0]), torch.tensor([1.0]), "at least 2 points"),
        (
            torch.tensor([0.0, 1.0]),
            torch.tensor([1.0, 0.5, 0.0]),
            "values must have last dimension 2",
        ),
        (torch.tensor([1.0, 0.0]), torch.tensor([1.0, 0.5]), "fractions must be increasing"),
    ],
)
def test_bad_area_input(fractions, values, message):
    with pytest.raises(ValueError, match=message):
        area_under_curve(fractions, values)

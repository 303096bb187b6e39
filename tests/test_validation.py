"""The validation helpers: every message names the argument, the expected and the received."""

import pytest
import torch

from attnlib.validation import (
    check_choice,
    check_dim,
    check_int,
    check_mask,
    check_one_per,
    check_scalar,
    check_tensor,
)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: check_tensor("abc", "x"), TypeError, "x must be a torch.Tensor, got str"),
        (
            lambda: check_tensor(torch.ones(2), "x", ndim=2),
            ValueError,
            "x must have 2 dimensions, got shape (2,)",
        ),
        (
            lambda: check_tensor(torch.tensor([1.0, float("nan")]), "x", finite=True),
            ValueError,
            "x must contain only finite values",
        ),
        (lambda: check_scalar(True, "tau"), TypeError, "tau must be a real number, got bool"),
        (
            lambda: check_scalar(-1, "tau", nonnegative=True),
            ValueError,
            "tau must be >= 0, got -1.0",
        ),
        (lambda: check_int(2.0, "k"), TypeError, "k must be an int, got float"),
        (lambda: check_int(0, "k", minimum=1), ValueError, "k must be >= 1, got 0"),
        (
            lambda: check_dim(3, torch.ones(2, 2)),
            ValueError,
            "dim must be in [-2, 1] for a tensor of shape (2, 2), got 3",
        ),
        (
            lambda: check_mask(torch.ones(2, dtype=torch.bool), torch.Size([3])),
            ValueError,
            "does not broadcast",
        ),
        (
            lambda: check_choice("val", "split", ["train", "test"]),
            ValueError,
            "split must be one of ['train', 'test'], got 'val'",
        ),
        (
            lambda: check_choice(1, "split", ["train", "test"]),
            TypeError,
            "split must be one of ['train', 'test'], got int",
        ),
        (
            lambda: check_one_per(torch.ones(3), "labels", 4, "image"),
            ValueError,
            "labels must have one entry per image (4), got 3",
        ),
    ],
)
def test_messages(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_valid_values_pass_through():
    x = torch.ones(2, 3)
    assert check_tensor(x, "x", ndim=2, floating=True) is x
    assert check_scalar(2, "tau", positive=True) == 2.0
    assert check_dim(-1, x) == 1
    assert check_mask(None, x.shape) is None
    assert check_one_per(x, "x", 2, "row") is x

"""The shared training loop: seeded, reproducible, and it actually learns."""

import pytest
import torch
from torch import nn

from attnlib.training import accuracy, fit_classifier, minibatches, predict, seed_everything


def toy_problem(n=400):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 2, generator=g)
    y = (x[:, 0] + x[:, 1] > 0).long()
    return x, y


def test_minibatches_cover_every_index_once():
    batches = list(minibatches(10, 3, generator=torch.Generator().manual_seed(1)))
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(torch.cat(batches).tolist()) == list(range(10))


def test_fit_learns_a_linearly_separable_problem_and_is_reproducible():
    x, y = toy_problem()
    runs = []
    for _ in range(2):
        seed_everything(0)
        model = nn.Linear(2, 2)
        losses = fit_classifier(model, x, y, epochs=5, batch_size=32, lr=0.1, seed=3)
        runs.append((losses, model.weight.detach().clone()))
    assert runs[0][0] == runs[1][0]
    assert torch.equal(runs[0][1], runs[1][1])
    assert runs[0][0][-1] < runs[0][0][0]
    assert accuracy(model, x, y) > 0.95
    assert predict(model, x).shape == (len(x),)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: fit_classifier(nn.Linear(2, 2), torch.ones(4, 2), torch.ones(3).long(), epochs=1), ValueError, "labels must have one entry per input (4), got 3"),
        (lambda: fit_classifier(nn.Linear(2, 2), torch.ones(4, 2), torch.ones(4).long(), epochs=0), ValueError, "epochs must be >= 1, got 0"),
        (lambda: fit_classifier(nn.Linear(2, 2), torch.ones(4, 2), torch.ones(4).long(), epochs=1, lr=-1.0), ValueError, "lr must be > 0"),
        (lambda: seed_everything(-1), ValueError, "seed must be >= 0, got -1"),
        (lambda: list(minibatches(5, 0)), ValueError, "batch_size must be >= 1, got 0"),
    ],
)
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


@pytest.mark.parametrize("value, disabled", [("1", True), ("true", True), ("0", False), ("", False)])
def test_progress_bar_honours_tqdm_disable(monkeypatch, value, disabled):
    monkeypatch.setenv("TQDM_DISABLE", value)
    from attnlib.training import progress_bar

    with progress_bar(total=3, desc="x") as bar:
        assert bar.disable is disabled

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
        history = fit_classifier(model, x, y, epochs=5, batch_size=32, lr=0.1, seed=3)
        losses = [epoch["loss"] for epoch in history]
        runs.append((losses, model.weight.detach().clone()))
    assert runs[0][0] == runs[1][0]
    assert torch.equal(runs[0][1], runs[1][1])
    assert runs[0][0][-1] < runs[0][0][0]
    assert accuracy(model, x, y) > 0.95
    assert predict(model, x).shape == (len(x),)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: fit_classifier(
                nn.Linear(2, 2), torch.ones(4, 2), torch.ones(3).long(), epochs=1
            ),
            ValueError,
            "labels must have one entry per input (4), got 3",
        ),
        (
            lambda: fit_classifier(
                nn.Linear(2, 2), torch.ones(4, 2), torch.ones(4).long(), epochs=0
            ),
            ValueError,
            "epochs must be >= 1, got 0",
        ),
        (
            lambda: fit_classifier(
                nn.Linear(2, 2), torch.ones(4, 2), torch.ones(4).long(), epochs=1, lr=-1.0
            ),
            ValueError,
            "lr must be > 0",
        ),
        (lambda: seed_everything(-1), ValueError, "seed must be >= 0, got -1"),
        (lambda: list(minibatches(5, 0)), ValueError, "batch_size must be >= 1, got 0"),
    ],
)
def test_bad_input_names_the_argument(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


@pytest.mark.parametrize(
    "value, disabled", [("1", True), ("true", True), ("0", False), ("", False)]
)
def test_progress_bar_honours_tqdm_disable(monkeypatch, value, disabled):
    monkeypatch.setenv("TQDM_DISABLE", value)
    from attnlib.training import progress_bar

    with progress_bar(total=3, desc="x") as bar:
        assert bar.disable is disabled


def test_train_loop_averages_stats_by_batch_size_and_clips_gradients():
    from attnlib.training import train_loop

    model = nn.Linear(1, 1)
    seen = []

    def batch_loss(index):
        seen.append(len(index))
        loss = 1e6 * model(torch.ones(len(index), 1)).sum()  # a huge gradient
        return loss, {"size": float(len(index))}

    before = model.weight.detach().clone()
    history = train_loop(model, 10, batch_loss, epochs=2, batch_size=4, lr=0.1, clip_grad_norm=1.0)
    assert seen == [4, 4, 2] * 2
    # Weighted by batch size: (4*4 + 4*4 + 2*2) / 10.
    assert history[0]["size"] == pytest.approx(3.6) and "seconds" in history[0]
    # Adam's first step moves each weight by about lr whatever the gradient; clipped, still finite.
    assert torch.isfinite(model.weight).all() and not torch.equal(model.weight, before)
    assert not model.training

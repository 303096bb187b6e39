"""Specification of the glimpse model (attnlib.models.glimpse, chapter 6)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from attnlib.models.glimpse import (
    GlimpseConfig,
    RecurrentAttentionModel,
    candidate_centres,
    candidate_glimpses,
    glimpse_loss,
    retina,
    to_float,
    train_glimpse_model,
)


def pixel_centre(row: int, col: int, size: int = 28) -> torch.Tensor:
    """Normalised (x, y) of the pixel boundary at (row, col)."""
    return torch.tensor([[-1 + 2 * col / size, -1 + 2 * row / size]])


# --- the retina ---------------------------------------------------------------------------


def test_retina_finest_scale_is_the_patch_itself():
    image = torch.arange(28 * 28, dtype=torch.float32).reshape(1, 28, 28)
    seen = retina(image, pixel_centre(10, 14), patch=8, scales=1)  # rows 6..13, cols 10..17
    torch.testing.assert_close(seen[0, 0], image[0, 6:14, 10:18])


def test_retina_coarser_scale_is_the_average_pooled_wider_patch():
    image = torch.rand(1, 28, 28)
    seen = retina(image, pixel_centre(14, 14), patch=4, scales=3)
    wide = image[0, 6:22, 6:22]  # 16 x 16 around the centre
    torch.testing.assert_close(seen[0, 2], F.avg_pool2d(wide[None, None], 4)[0, 0])
    narrow = image[0, 10:18, 10:18]  # 8 x 8 around the centre
    torch.testing.assert_close(seen[0, 1], F.avg_pool2d(narrow[None, None], 2)[0, 0])


def test_retina_reads_zeros_outside_the_image():
    image = torch.ones(1, 28, 28)
    seen = retina(image, pixel_centre(0, 0), patch=8, scales=1)  # rows and columns -4..3
    assert seen[0, 0, :4, :].abs().max() < 1e-5 and seen[0, 0, :, :4].abs().max() < 1e-5
    torch.testing.assert_close(seen[0, 0, 4:, 4:], torch.ones(4, 4))


@pytest.mark.parametrize("scales, stride", [(1, 4), (2, 4), (3, 4), (2, 2), (1, 7), (3, 8)])
def test_candidate_glimpses_equal_the_retina_at_every_candidate(scales, stride):
    config = GlimpseConfig(scales=scales, stride=stride)
    images = torch.rand(3, 28, 28, generator=torch.Generator().manual_seed(0))
    centres = candidate_centres(config)
    expected = torch.stack(
        [retina(images, c.expand(3, 2), patch=8, scales=scales).reshape(3, -1) for c in centres],
        dim=1,
    )
    torch.testing.assert_close(candidate_glimpses(images, config), expected)


def test_candidate_centres_are_a_row_major_grid():
    config = GlimpseConfig(stride=4)
    centres = candidate_centres(config)
    assert centres.shape == (49, 2) and config.grid == 7
    pixels = (centres + 1) * 14  # back to pixel coordinates
    torch.testing.assert_close(pixels[1] - pixels[0], torch.tensor([4.0, 0.0]))  # x moves first
    torch.testing.assert_close(pixels[7] - pixels[0], torch.tensor([0.0, 4.0]))
    torch.testing.assert_close(pixels[0], torch.tensor([2.0, 2.0]))


# --- configuration and bad inputs ---------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"estimator": "adam"}, ValueError, "estimator must be one of ['reinforce', 'gumbel']"),
        ({"glimpses": 0}, ValueError, "glimpses must be >= 1, got 0"),
        ({"glimpses": 2.5}, TypeError, "glimpses must be an int, got float"),
        ({"tau": 0.0}, ValueError, "tau must be > 0, got 0.0"),
        (
            {"scales": 3, "stride": 6},
            ValueError,
            "stride must be a multiple of 2**(scales - 1) = 4",
        ),
        ({"stride": 32}, ValueError, "stride must be at most image_size=28, got 32"),
    ],
)
def test_config_rejects_bad_values(kwargs, error, message):
    with pytest.raises(
        error,
        match=message.replace("*", r"\*")
        .replace("(", r"\(")
        .replace(")", r"\)")
        .replace("[", r"\[")
        .replace("]", r"\]"),
    ):
        GlimpseConfig(**kwargs)


def test_config_counts_what_the_retina_reads():
    config = GlimpseConfig(glimpses=4, patch=8, scales=3)
    assert config.values_per_glimpse == 192
    assert config.widest_patch == 32


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: retina(torch.rand(2, 28), torch.zeros(2, 2), patch=8, scales=1),
            ValueError,
            r"images must have 3 dimensions, got shape \(2, 28\)",
        ),
        (
            lambda: retina(torch.rand(2, 28, 28), torch.zeros(3, 2), patch=8, scales=1),
            ValueError,
            r"centres must have shape \(2, 2\) to match images, got \(3, 2\)",
        ),
        (
            lambda: retina(
                torch.zeros(2, 28, 28, dtype=torch.uint8), torch.zeros(2, 2), patch=8, scales=1
            ),
            TypeError,
            "images must have a floating-point dtype",
        ),
        (
            lambda: candidate_glimpses(torch.rand(2, 32, 32), GlimpseConfig()),
            ValueError,
            r"images must have shape \(B, 28, 28\) to match config.image_size, got \(2, 32, 32\)",
        ),
        (
            lambda: RecurrentAttentionModel()(torch.rand(2, 1, 28, 28)),
            ValueError,
            r"images must have 3 dimensions, got shape \(2, 1, 28, 28\)",
        ),
        (
            lambda: train_glimpse_model(
                RecurrentAttentionModel(),
                torch.rand(4, 28, 28),
                torch.zeros(3, dtype=torch.long),
                epochs=1,
            ),
            ValueError,
            r"labels must have one entry per image \(4\), got 3",
        ),
        (
            lambda: train_glimpse_model(
                RecurrentAttentionModel(),
                torch.rand(4, 28, 28),
                torch.zeros(4, dtype=torch.long),
                epochs=0,
            ),
            ValueError,
            "epochs must be >= 1, got 0",
        ),
    ],
)
def test_bad_inputs_name_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- the model ----------------------------------------------------------------------------


@pytest.mark.parametrize("estimator", ["reinforce", "gumbel"])
def test_trace_shapes_and_locations_on_the_grid(estimator):
    torch.manual_seed(0)
    config = GlimpseConfig(glimpses=3, estimator=estimator)
    model = RecurrentAttentionModel(config).train()
    trace = model.trace(torch.rand(5, 28, 28))
    assert trace.logits.shape == (5, 10)
    assert trace.centres.shape == (5, 3, 2)
    assert trace.choices.shape == trace.log_probs.shape == trace.baselines.shape == (5, 3)
    assert trace.policy_logits.shape == (5, 3, 49)
    # Hard attention: every glimpse sits exactly on one candidate centre, in training too.
    torch.testing.assert_close(trace.centres, model.centres[trace.choices])


def test_log_probs_are_the_categorical_policy_s():
    torch.manual_seed(0)
    model = RecurrentAttentionModel(GlimpseConfig(glimpses=3)).train()
    trace = model.trace(torch.rand(4, 28, 28))
    expected = torch.distributions.Categorical(logits=trace.policy_logits).log_prob(trace.choices)
    torch.testing.assert_close(trace.log_probs, expected)


def test_evaluation_takes_the_most_probable_location_deterministically():
    torch.manual_seed(0)
    model = RecurrentAttentionModel(GlimpseConfig(glimpses=3)).eval()
    images = torch.rand(6, 28, 28)
    first, second = model.trace(images), model.trace(images)
    torch.testing.assert_close(first.logits, second.logits)
    torch.testing.assert_close(first.choices, first.policy_logits.argmax(dim=-1))


def test_gumbel_forward_reads_only_the_chosen_patches():
    """Straight-through: the training forward pass equals a hard pass at the same choices."""
    torch.manual_seed(0)
    model = RecurrentAttentionModel(GlimpseConfig(glimpses=3, estimator="gumbel")).train()
    images = torch.rand(4, 28, 28)
    trace = model.trace(images)
    # Replay the same choices through the retina, with no straight-through weights.
    cfg = model.config
    h = images.new_zeros(4, cfg.hidden)
    for t in range(cfg.glimpses):
        centre = model.centres[trace.choices[:, t]]
        seen = retina(images, centre, patch=cfg.patch, scales=cfg.scales).reshape(4, -1)
        g = F.relu(model.what(seen) + model.where(centre))
        h = model.core(F.relu(model.glimpse(g)), h)
    torch.testing.assert_close(trace.logits, model.classifier(h), atol=1e-5, rtol=1e-5)


def policy_gradient(model, loss):
    model.zero_grad()
    loss.backward()
    return model.policy.weight.grad


def test_reinforce_policy_learns_only_from_the_score_function_term():
    torch.manual_seed(0)
    model = RecurrentAttentionModel(GlimpseConfig(glimpses=2, estimator="reinforce")).train()
    images, labels = torch.rand(8, 28, 28), torch.randint(0, 10, (8,))
    trace = model.trace(images)
    # Cross-entropy alone gives the policy no gradient: the choice is not differentiable.
    ce = F.cross_entropy(trace.logits, labels)
    assert policy_gradient(model, ce) is None or policy_gradient(model, ce).abs().max() == 0
    # The hybrid loss does, and its policy part equals the score-function formula.
    torch.manual_seed(1)
    loss, _ = glimpse_loss(model, images, labels)
    got = policy_gradient(model, loss).clone()
    torch.manual_seed(1)
    trace = model.trace(images)
    reward = (trace.logits.argmax(-1) == labels).float()
    surrogate = -((reward[:, None] - trace.baselines).detach() * trace.log_probs).sum(1).mean()
    torch.testing.assert_close(got, policy_gradient(model, surrogate))
    assert got.abs().max() > 0


def test_gumbel_policy_learns_through_the_cross_entropy():
    torch.manual_seed(0)
    model = RecurrentAttentionModel(GlimpseConfig(glimpses=2, estimator="gumbel")).train()
    loss, stats = glimpse_loss(model, torch.rand(8, 28, 28), torch.randint(0, 10, (8,)))
    assert loss.item() == pytest.approx(stats["ce"])
    assert policy_gradient(model, loss).abs().max() > 0


def test_baseline_does_not_push_gradients_into_the_core():
    torch.manual_seed(0)
    model = RecurrentAttentionModel(GlimpseConfig(glimpses=2)).train()
    trace = model.trace(torch.rand(4, 28, 28))
    model.zero_grad()
    trace.baselines.sum().backward()
    assert model.core.weight_ih.grad is None
    assert model.baseline.weight.grad.abs().max() > 0


def bar_task(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Blank images but for a 6-pixel bar in the top-left corner: label 0 vertical, 1 horizontal.

    One 8x8 glimpse at the right place answers it; a glimpse anywhere else sees nothing, so a
    model beats chance only if its policy learns where to look.
    """
    labels = torch.randint(0, 2, (n,), generator=torch.Generator().manual_seed(seed))
    images = torch.zeros(n, 28, 28, dtype=torch.uint8)
    images[labels == 0, 1:7, 3:5] = 255
    images[labels == 1, 3:5, 1:7] = 255
    return images, labels


@pytest.mark.parametrize("estimator", ["reinforce", "gumbel"])
def test_training_learns_where_to_look(estimator):
    images, labels = bar_task(1024, seed=0)
    config = GlimpseConfig(
        glimpses=1, scales=1, hidden=16, glimpse_hidden=16, num_classes=2, estimator=estimator
    )
    torch.manual_seed(0)
    model = RecurrentAttentionModel(config)
    history = train_glimpse_model(model, images, labels, epochs=8, batch_size=64, lr=3e-2)
    assert len(history) == 8 and set(history[0]) == {"ce", "reward", "seconds"}
    assert not model.training
    test_images, test_labels = bar_task(256, seed=1)
    trace = model.trace(to_float(test_images))
    accuracy = (trace.logits.argmax(-1) == test_labels).float().mean().item()
    assert accuracy > 0.95, accuracy
    # Its one glimpse lands where the bar is, on every test image.
    seen = retina(to_float(test_images), trace.centres[:, 0], patch=8, scales=1)
    assert torch.all(seen.sum(dim=(1, 2, 3)) > 0)


def test_training_is_reproducible_with_a_seed():
    images, labels = bar_task(128, seed=0)
    config = GlimpseConfig(glimpses=2, hidden=16, glimpse_hidden=16, num_classes=2)
    weights = []
    for _ in range(2):
        torch.manual_seed(0)
        model = RecurrentAttentionModel(config)
        train_glimpse_model(model, images, labels, epochs=1, batch_size=32, seed=3)
        weights.append(model.policy.weight.detach().clone())
    torch.testing.assert_close(weights[0], weights[1], rtol=0, atol=0)


def test_to_float_scales_uint8_and_keeps_floats():
    torch.testing.assert_close(
        to_float(torch.tensor([0, 255], dtype=torch.uint8)), torch.tensor([0.0, 1.0])
    )
    x = torch.rand(3)
    assert to_float(x) is x

"""Specification of the ViT and the sequence Transformer (attnlib.models.vit, chapter 9)."""

from pathlib import Path

import pytest
import torch

from attnlib.analysis.rollout import attention_rollout
from attnlib.data.markers import make_markers
from attnlib.models.vit import (
    SequenceTransformer,
    SequenceTransformerConfig,
    VisionTransformer,
    ViTConfig,
    load_vit,
    patchify,
)

ROOT = Path(__file__).resolve().parents[2]
# Two images, and the seed-0 checkpoint's logits and attention weights on them, computed by the
# code at commit 3540f65 (before the ViT and chapter 4 shared one encoder, issue 11).
REFERENCE = Path(__file__).with_name("vit_seed0_reference.pt")


def test_patchify_cuts_patches_in_raster_order():
    images = torch.arange(28 * 28.0).view(1, 1, 28, 28)
    patches = patchify(images, 7)  # (1, 16, 49)
    assert patches.shape == (1, 16, 49)
    torch.testing.assert_close(patches[0, 5].view(7, 7), images[0, 0, 7:14, 7:14])


def test_vit_shapes_and_attention_weights():
    torch.manual_seed(0)
    config = ViTConfig(depth=2, num_heads=2, dim=16, mlp_dim=32)
    model = VisionTransformer(config).eval()
    logits, attentions = model(torch.randn(3, 1, 28, 28), return_weights=True)
    assert logits.shape == (3, 10) and len(attentions) == 2
    assert all(a.shape == (3, 2, 17, 17) for a in attentions)
    torch.testing.assert_close(attentions[0].sum(-1), torch.ones(3, 2, 17))
    assert attention_rollout(attentions).shape == (3, 17, 17)


def test_a_patch_reaches_the_class_token_only_through_attention():
    """Zero attention from the class token to everything but itself in every layer would make
    the prediction independent of the image; check the converse: changing one patch changes the
    logits of a random model, and the weights returned are the ones the forward pass used."""
    torch.manual_seed(0)
    model = VisionTransformer(ViTConfig(depth=1)).eval()
    x = torch.randn(1, 1, 28, 28)
    block = model.encoder.blocks[0]
    tokens = torch.cat([model.cls_token, model.patch_embed(patchify(x, 7))], 1) + model.pos_embed
    h = block.norm1(tokens)
    _, expected = block.attn(h, h, h, return_weights=True)
    _, attentions = model(x, return_weights=True)
    torch.testing.assert_close(attentions[0], expected)


def test_float16_checkpoint_round_trip_keeps_predictions(tmp_path):
    torch.manual_seed(0)
    model = VisionTransformer().eval()
    x = torch.randn(8, 1, 28, 28)
    state = {k: v.half().float() for k, v in model.state_dict().items()}
    copy = VisionTransformer()
    copy.load_state_dict(state)
    copy.eval()
    assert torch.equal(model(x).argmax(-1), copy(x).argmax(-1))


def test_the_committed_checkpoint_still_gives_its_recorded_outputs():
    """Chapter 9 and the benchmarks load benchmarks/results/vit_mnist_seed*.pt: parameter names
    and arithmetic must stay what they were when those were trained (bit-identical on the machine
    that recorded the reference; the tolerance only allows for another CPU's rounding)."""
    reference = torch.load(REFERENCE, weights_only=True)
    model = load_vit(ROOT / "benchmarks" / "results" / "vit_mnist_seed0.pt")
    with torch.no_grad():
        logits, attentions = model(reference["x"], return_weights=True)
    torch.testing.assert_close(logits, reference["logits"])
    torch.testing.assert_close(torch.stack(attentions), reference["attentions"])


def test_sequence_transformer_learns_the_marker_task():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # two threads spin on a loaded machine (see CONTRIBUTING)
    torch.manual_seed(0)
    from attnlib.training import accuracy, fit_classifier

    train, test = make_markers(3000, seed=1), make_markers(500, seed=2)
    model = SequenceTransformer(SequenceTransformerConfig(vocab_size=train.vocab_size))
    fit_classifier(model, train.tokens, train.labels, epochs=3, batch_size=64, lr=3e-3)
    assert accuracy(model, test.tokens, test.labels) > 0.9
    logits, attentions = model(test.tokens[:4], return_weights=True)
    assert attentions[0].shape == (4, 2, 17, 17)
    torch.set_num_threads(threads)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"patch_size": 5}, ValueError, "patch_size must divide image_size=28, got 5"),
        ({"num_heads": 3}, ValueError, "num_heads must divide dim=64, got 3"),
        ({"depth": 0}, ValueError, "depth must be >= 1, got 0"),
        ({"dropout": 1.0}, ValueError, r"dropout must be in \[0, 1\), got 1.0"),
    ],
)
def test_bad_config(kwargs, error, message):
    with pytest.raises(error, match=message):
        ViTConfig(**kwargs)


def test_bad_input():
    model = VisionTransformer()
    with pytest.raises(
        ValueError, match=r"x must have shape \(B, 1, 28, 28\), got shape \(2, 1, 14, 14\)"
    ):
        model(torch.zeros(2, 1, 14, 14))
    with pytest.raises(TypeError, match="tokens must be int64 token ids"):
        SequenceTransformer()(torch.zeros(2, 16))


def test_a_token_outside_the_vocabulary_is_named_not_an_index_error():
    model = SequenceTransformer(SequenceTransformerConfig(vocab_size=4, max_length=5))
    with pytest.raises(ValueError, match=r"tokens must lie in \[0, 4\), got values from 0 to 4"):
        model(torch.tensor([[0, 1, 4]]))

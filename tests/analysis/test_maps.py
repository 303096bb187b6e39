"""Specification of the ViT maps (attnlib.analysis.maps, chapter 9)."""

import pytest
import torch

from attnlib.analysis.attribution import gradient_saliency, pool_patches
from attnlib.analysis.maps import METHODS, vit_maps
from attnlib.analysis.rollout import attention_rollout
from attnlib.models.vit import VisionTransformer, ViTConfig


@pytest.fixture(scope="module")
def model_and_images():
    torch.manual_seed(0)
    model = VisionTransformer(ViTConfig(depth=2, dim=16, num_heads=2, mlp_dim=32)).eval()
    return model, torch.randn(3, 1, 28, 28, generator=torch.Generator().manual_seed(1))


def test_every_method_gives_one_score_per_patch(model_and_images):
    model, x = model_and_images
    maps = vit_maps(model, x, generator=torch.Generator().manual_seed(0))
    assert list(maps) == list(METHODS)
    assert all(m.shape == (3, 16) and torch.isfinite(m).all() for m in maps.values())


def test_maps_are_the_library_functions(model_and_images):
    model, x = model_and_images
    maps = vit_maps(model, x, ["attention", "rollout", "saliency"])
    with torch.no_grad():
        logits, attentions = model(x, return_weights=True)
    torch.testing.assert_close(maps["attention"], attentions[-1].mean(1)[:, 0, 1:])
    torch.testing.assert_close(maps["rollout"], attention_rollout(attentions)[:, 0, 1:])
    pixels = gradient_saliency(model, x, logits.argmax(-1))
    torch.testing.assert_close(maps["saliency"], pool_patches(pixels, 7).flatten(1))


def test_bad_method(model_and_images):
    model, x = model_and_images
    with pytest.raises(ValueError, match="methods entries must be one of"):
        vit_maps(model, x, ["gradcam"])
    with pytest.raises(TypeError, match="model must be a VisionTransformer"):
        vit_maps(torch.nn.Linear(2, 2), x)

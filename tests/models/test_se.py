"""Specification of the squeeze-and-excitation block and CNN (chapter 11)."""

import pytest
import torch

from attnlib.models.se import SECNN, SECNNConfig, SqueezeExcitation
from attnlib.models.utils import count_parameters

g = torch.Generator().manual_seed(0)


def test_se_block_matches_the_formula_of_hu_et_al():
    torch.manual_seed(0)
    block = SqueezeExcitation(6, reduction=2)
    u = torch.randn(3, 6, 4, 5, generator=g)
    out, s = block(u, return_weights=True)
    squeeze = u.mean(dim=(2, 3))
    hidden = torch.relu(squeeze @ block.fc1.weight.T + block.fc1.bias)
    expected_s = torch.sigmoid(hidden @ block.fc2.weight.T + block.fc2.bias)
    torch.testing.assert_close(s, expected_s)
    torch.testing.assert_close(out, u * expected_s[:, :, None, None])
    assert block.fc1.out_features == 3


def test_se_weights_depend_on_the_input_and_lie_in_zero_one():
    torch.manual_seed(0)
    block = SqueezeExcitation(8)
    _, s1 = block(torch.randn(1, 8, 3, 3, generator=g), return_weights=True)
    _, s2 = block(torch.randn(1, 8, 3, 3, generator=g), return_weights=True)
    assert ((s1 > 0) & (s1 < 1)).all()
    assert not torch.allclose(s1, s2)


def test_se_weights_of_an_image_do_not_depend_on_the_rest_of_the_batch():
    block = SqueezeExcitation(4)
    u = torch.randn(5, 4, 3, 3, generator=g)
    _, alone = block(u[:1], return_weights=True)
    _, together = block(u, return_weights=True)
    torch.testing.assert_close(alone[0], together[0])


def test_the_baseline_is_the_same_network_without_the_se_blocks():
    with_se, without = SECNN(SECNNConfig(use_se=True)), SECNN(SECNNConfig(use_se=False))
    se_params = sum(count_parameters(b) for b in with_se.se)
    assert count_parameters(with_se) - count_parameters(without) == se_params > 0
    logits, weights = without(torch.randn(2, 1, 28, 28, generator=g), return_weights=True)
    assert logits.shape == (2, 10) and weights == []


def test_se_cnn_learns_a_separable_toy_task():
    torch.manual_seed(0)
    x = torch.randn(64, 1, 12, 12, generator=g)
    y = (x.mean(dim=(1, 2, 3)) > 0).long()
    x = x + 2.0 * (2 * y - 1).float()[:, None, None, None]  # class shifts every pixel
    model = SECNN(SECNNConfig(channels=(4,), num_classes=2))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(30):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    assert (model(x).argmax(1) == y).float().mean() > 0.95


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"channels": ()}, ValueError, "channels must be a non-empty tuple"),
        ({"channels": [8]}, ValueError, "channels must be a non-empty tuple"),
        ({"reduction": 0}, ValueError, "reduction"),
        ({"num_classes": 1}, ValueError, "num_classes"),
        ({"use_se": 1}, TypeError, "use_se must be a bool"),
    ],
)
def test_bad_configs_are_rejected_with_a_message(kwargs, error, match):
    with pytest.raises(error, match=match):
        SECNNConfig(**kwargs)


def test_bad_input_is_rejected_with_a_message():
    with pytest.raises(ValueError, match="one channel"):
        SECNN()(torch.randn(2, 3, 28, 28))
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        SECNN()([[0.0]])

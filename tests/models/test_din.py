"""Specification of the DIN-style target attention model and its measures (chapter 11)."""

import pytest
import torch
from sklearn.metrics import roc_auc_score

from attnlib.models.din import DIN, DINConfig, TargetAttention, relevant_mass, roc_auc

g = torch.Generator().manual_seed(0)


def test_target_attention_is_a_softmax_over_the_history_of_the_mlp_scores():
    torch.manual_seed(0)
    att = TargetAttention(3, 5)
    h, t = torch.randn(2, 4, 3, generator=g), torch.randn(2, 3, generator=g)
    pairs = torch.cat([h, t[:, None].expand_as(h), h - t[:, None], h * t[:, None]], dim=-1)
    expected = torch.softmax(att.mlp(pairs).squeeze(-1), dim=-1)
    torch.testing.assert_close(att(h, t), expected)


def test_din_pools_with_the_candidate_dependent_weights():
    torch.manual_seed(0)
    model = DIN(DINConfig(num_items=12, num_categories=3))
    history = torch.randint(0, 12, (2, 5), generator=g)
    t1, t2 = torch.tensor([0, 1]), torch.tensor([2, 2])
    _, w1 = model(history, t1, return_weights=True)
    _, w2 = model(history, t2, return_weights=True)
    torch.testing.assert_close(w1.sum(-1), torch.ones(2))
    assert not torch.allclose(w1[0], w2[0])  # a different candidate, different weights
    h, t = model.embed(history), model.embed(t1)
    u = (w1.unsqueeze(-1) * h).sum(1)
    torch.testing.assert_close(
        model(history, t1), model.mlp(torch.cat([u, t, u * t], -1)).squeeze(-1)
    )


def test_embedding_adds_the_category_embedding():
    model = DIN(DINConfig(num_items=12, num_categories=3))
    items = torch.tensor([4, 7])
    expected = model.item_embedding(items) + model.category_embedding(items % 3)
    torch.testing.assert_close(model.embed(items), expected)


def test_the_baseline_pools_with_the_mean_whatever_the_candidate():
    model = DIN(DINConfig(num_items=10, num_categories=2, use_attention=False))
    history = torch.randint(0, 10, (3, 4), generator=g)
    _, w = model(history, torch.tensor([0, 1, 2]), return_weights=True)
    torch.testing.assert_close(w, torch.full((3, 4), 0.25))
    assert model.attention is None


def test_roc_auc_matches_scikit_learn_with_ties():
    scores = torch.tensor([0.1, 0.4, 0.4, 0.8, 0.2, 0.4, 0.9, 0.0])
    labels = torch.tensor([0, 1, 0, 1, 0, 1, 1, 0])
    assert roc_auc(scores, labels) == pytest.approx(roc_auc_score(labels.numpy(), scores.numpy()))
    random_scores = torch.rand(200, generator=g)
    random_labels = (torch.rand(200, generator=g) > 0.3).long()
    assert roc_auc(random_scores, random_labels) == pytest.approx(
        roc_auc_score(random_labels.numpy(), random_scores.numpy())
    )


def test_relevant_mass_of_uniform_weights_is_the_chance_level():
    relevant = torch.tensor([[True, False, False, False], [True, True, False, False]])
    torch.testing.assert_close(
        relevant_mass(torch.full((2, 4), 0.25), relevant), torch.tensor([0.25, 0.5])
    )


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: roc_auc(torch.tensor([0.1, 0.2]), torch.tensor([1, 1])),
            ValueError,
            "both classes",
        ),
        (
            lambda: roc_auc(torch.tensor([0.1, 0.2]), torch.tensor([1])),
            ValueError,
            "labels must have shape",
        ),
        (
            lambda: relevant_mass(torch.rand(2, 3), torch.ones(2, 3)),
            ValueError,
            "relevant must be a bool",
        ),
        (
            lambda: DIN()(torch.zeros(2, 3, dtype=torch.long), torch.zeros(3, dtype=torch.long)),
            ValueError,
            "one item per history",
        ),
        (lambda: DINConfig(use_attention="yes"), TypeError, "use_attention must be a bool"),
        (lambda: DINConfig(embed_dim=0), ValueError, "embed_dim"),
    ],
)
def test_bad_arguments_are_rejected_with_a_message(call, error, match):
    with pytest.raises(error, match=match):
        call()

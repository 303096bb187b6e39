"""Golden tests: exercise set 11_applications's reference solutions against attnlib and sklearn."""

import math

import torch
from sklearn.metrics import roc_auc_score

from attnlib.grading.content import solution_module
from attnlib.models.din import relevant_mass, roc_auc
from attnlib.models.se import SqueezeExcitation
from attnlib.soft import scaled_dot_product_attention

sol = solution_module("11_applications")
g = torch.Generator().manual_seed(0)


def test_se_gate_is_attnlibs_squeeze_excitation():
    block = SqueezeExcitation(8, reduction=4)
    u = torch.randn(3, 8, 5, 5, generator=g)
    _, s = block(u, return_weights=True)
    got = sol.se_gate(u, block.fc1.weight, block.fc1.bias, block.fc2.weight, block.fc2.bias)
    torch.testing.assert_close(got, s)


def test_target_attention_is_scaled_dot_product_attention_with_the_candidate_as_query():
    h, t = torch.randn(4, 6, 8, generator=g), torch.randn(4, 8, generator=g)
    out, w = scaled_dot_product_attention(t.unsqueeze(1), h, h, return_weights=True)
    u, alpha = sol.target_attention(h, t)
    torch.testing.assert_close(u, out.squeeze(1))
    torch.testing.assert_close(alpha, w.squeeze(1))


def test_relevant_mass_and_top1():
    w = torch.softmax(torch.randn(5, 7, generator=g), dim=1)
    r = torch.rand(5, 7, generator=g) > 0.5
    torch.testing.assert_close(sol.relevant_mass(w, r), relevant_mass(w, r))
    expected = torch.tensor([float(r[i, w[i].argmax()]) for i in range(5)])
    torch.testing.assert_close(sol.top1_hit(w, r), expected)


def test_auc_matches_sklearn_and_attnlib_with_ties():
    s = torch.randint(0, 4, (50,), generator=g).float()
    y = (torch.rand(50, generator=g) > 0.4).long()
    assert math.isclose(sol.auc(s, y), roc_auc_score(y.numpy(), s.numpy()), rel_tol=1e-9)
    assert math.isclose(sol.auc(s, y), roc_auc(s, y), rel_tol=1e-9)

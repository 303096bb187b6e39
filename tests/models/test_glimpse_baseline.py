"""The glimpse model's REINFORCE estimate is unbiased: checked exactly and by sampling.

On a model small enough to enumerate (4 candidate centres, 2 glimpses: 16 paths), the expected
reward J = sum over paths of P(path) R(path) and its exact gradient with respect to the policy's
weights come from autograd on that sum. The estimator of ``glimpse_loss``,

    g = sum_t (R - b_t) grad log pi(l_t | h_{t-1}),

must have expectation grad J. It does when b_t = b(h_{t-1}) (the state the choice is made
from), and it does not when b_t = b(h_t), which has seen the glimpse at l_t: the pairing the
model had before (issue 15). Both are checked exactly, by enumerating the paths, and by
sampling through ``glimpse_loss`` itself, with a stated bound.
"""

import itertools
import math

import pytest
import torch

from attnlib.models.glimpse import GlimpseConfig, RecurrentAttentionModel, glimpse_loss

TINY = GlimpseConfig(
    glimpses=2, patch=2, scales=1, stride=4, image_size=8, glimpse_hidden=8, hidden=8,
    num_classes=3,
)  # fmt: skip


class Forced(RecurrentAttentionModel):
    """The model with its choices imposed: ``path[t]`` for every image at step ``t``."""

    path: tuple[int, ...] = ()

    def _choose(self, logits):
        step = self._step
        self._step += 1
        index = torch.full(logits.shape[:1], self.path[step], dtype=torch.int64)
        weights = torch.nn.functional.one_hot(index, logits.shape[-1]).to(logits.dtype)
        return weights, index, torch.log_softmax(logits, -1).gather(-1, index[:, None])[:, 0]

    def run(self, image, path):
        self.path, self._step = path, 0
        states = []
        hook = self.core.register_forward_hook(lambda m, i, out: states.append(out))
        try:
            trace = self.trace(image)
        finally:
            hook.remove()
        return trace, states  # states[t] = h_{t+1}


@pytest.fixture(scope="module")
def setup():
    torch.manual_seed(3)
    model = Forced(TINY).train()
    # A baseline that depends strongly on the state: whatever it is, the estimate must stay
    # unbiased, and if it sees the current glimpse the bias is large enough to measure.
    with torch.no_grad():
        model.baseline.weight.normal_(0, 3.0)
        model.classifier.weight.mul_(8)
    image = torch.rand(1, 8, 8)
    paths = list(itertools.product(range(TINY.grid**2), repeat=TINY.glimpses))
    runs = {p: model.run(image, p) for p in paths}
    predicted = {p: t.logits.argmax(-1).item() for p, (t, _) in runs.items()}
    # The label that makes the reward vary most across paths.
    label = max(range(3), key=lambda y: -abs(sum(v == y for v in predicted.values()) - 8))
    return model, image, label, runs, paths


def policy_grad(model, scalar):
    params = [model.policy.weight, model.policy.bias]
    grads = torch.autograd.grad(scalar, params, retain_graph=True)
    return torch.cat([g.reshape(-1) for g in grads])


def exact(setup):
    """grad J, and the exact expectations of the estimator with b(h_{t-1}) and with b(h_t)."""
    model, image, label, runs, paths = setup
    J, now, before = 0.0, 0.0, 0.0
    for p in paths:
        trace, states = runs[p]
        R = float(trace.logits.argmax(-1).item() == label)
        logp = trace.log_probs[0]  # (T,)
        prob = logp.sum().exp()
        J = J + prob * R
        b_before = trace.baselines[0]  # b(h_{t-1}), as the model computes it
        b_now = torch.stack([model.baseline(h.detach())[0, 0] for h in states])  # b(h_t)
        weight = prob.detach()
        before = before + weight * ((R - b_before.detach()) * logp).sum()
        now = now + weight * ((R - b_now.detach()) * logp).sum()
    return policy_grad(model, J), policy_grad(model, before), policy_grad(model, now)


def test_the_reward_varies_across_paths(setup):
    model, image, label, runs, paths = setup
    rewards = [runs[p][0].logits.argmax(-1).item() == label for p in paths]
    assert 0 < sum(rewards) < len(rewards)


def test_the_baseline_is_read_from_the_state_before_the_choice(setup):
    model, image, label, runs, paths = setup
    trace, states = runs[paths[5]]
    h = [torch.zeros(1, TINY.hidden), *states[:-1]]  # h_0 .. h_{T-1}
    expected = torch.stack([model.baseline(s)[0, 0] for s in h])
    torch.testing.assert_close(trace.baselines[0], expected)


def test_exact_expectation_of_the_estimate_is_the_gradient_and_the_old_pairing_is_biased(setup):
    grad_J, before, now = exact(setup)
    assert grad_J.norm() > 1e-2
    torch.testing.assert_close(before, grad_J, rtol=0, atol=1e-6)
    bias = (now - grad_J).norm() / grad_J.norm()
    assert bias > 0.1, f"the b(h_t) pairing should be visibly biased, relative bias {bias:.3g}"


def test_sampled_estimates_of_glimpse_loss_average_to_the_exact_gradient(setup):
    """Batch means: 64 batches of 1,000 samples through ``glimpse_loss``; their mean is compared
    with grad J along the direction of the old pairing's bias and along grad J, in standard
    errors. For an unbiased estimator each |z| exceeds 4 with probability 6e-5. The same samples,
    scored with the old pairing b(h_t), are more than 4 standard errors off: the bound catches it.
    """
    model, image, label, _, _ = setup
    grad_J, _, now = exact(setup)
    plain = RecurrentAttentionModel(TINY).train()
    plain.load_state_dict(model.state_dict())
    images, labels = image.expand(1000, -1, -1), torch.full((1000,), label)
    library, old = [], []
    for k in range(64):
        torch.manual_seed(k)
        loss, _ = glimpse_loss(plain, images, labels)
        library.append(-policy_grad(plain, loss))  # the loss descends; the estimate ascends J
        torch.manual_seed(k)  # the same paths again, scored with b(h_t)
        states: list[torch.Tensor] = []
        hook = plain.core.register_forward_hook(lambda m, i, out, seen=states: seen.append(out))
        trace = plain.trace(images)
        hook.remove()
        R = (trace.logits.argmax(-1) == labels).float()[:, None]  # (B, 1)
        b_now = torch.stack([plain.baseline(h.detach())[:, 0] for h in states], 1)  # (B, T)
        old.append(policy_grad(plain, ((R - b_now.detach()) * trace.log_probs).sum(1).mean()))

    def z(batches, direction):
        u = direction / direction.norm()
        s = torch.stack(batches) @ u  # (64,)
        return ((s.mean() - grad_J @ u) / (s.std() / math.sqrt(len(s)))).item()

    for name, direction in [("bias", now - grad_J), ("gradient", grad_J)]:
        assert abs(z(library, direction)) < 4, f"{name}: {z(library, direction):.2f} SE off"
    assert z(old, now - grad_J) > 4, "the old pairing's bias went undetected"

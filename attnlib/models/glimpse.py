"""A recurrent attention model that sees an image only through a few glimpses (chapter 6).

The model of Mnih et al. (2014), "Recurrent Models of Visual Attention": at each of ``T`` steps a
*location policy* picks where to look, a *retina* reads a few small patches centred there (one per
scale, coarser scales covering more of the image at the same number of values), a *glimpse
network* embeds what was seen and where, and a GRU *core* accumulates it. After the last glimpse a
linear classifier reads the core's state.

The choice of location is hard (one place, not a weighted average), so no gradient reaches the
policy by backpropagation. Two estimators are provided; both choose among a ``K x K`` grid of
candidate centres, so that they differ in nothing else:

- ``"reinforce"``: sample the location from the policy's categorical distribution and follow the
  score-function gradient (Williams, 1992) with the reward 1 for a correct final prediction, minus
  a learned baseline (the hybrid loss of Mnih et al.: the classifier and the core learn by
  backpropagation, the policy by REINFORCE).
- ``"gumbel"``: draw a one-hot choice with the Gumbel-max trick and let the gradient through the
  relaxed Gumbel-softmax weights (straight-through; Jang et al. 2017, Maddison et al. 2017). Its
  gradient needs the patches at every candidate (the derivative of the patch read with respect to
  each weight), so training reads the whole image; testing still reads only the chosen patches.

In evaluation mode both take the most probable location (no sampling), so predictions are
deterministic. The differentiable alternative that samples a *continuous* location with bilinear
interpolation is the spatial transformer (Jaderberg et al. 2015).

The sampling, the score-function surrogate and the straight-through Gumbel-softmax come from
``attnlib.hard``, where chapter 3 derives them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from attnlib.hard import (
    _categorical_log_prob,
    _gumbel_softmax,
    _sample_categorical,
    _score_function_surrogate,
)
from attnlib.training import train_loop
from attnlib.validation import check_choice, check_int, check_one_per, check_scalar, check_tensor

__all__ = [
    "GlimpseConfig",
    "GlimpseTrace",
    "RecurrentAttentionModel",
    "candidate_centres",
    "candidate_glimpses",
    "glimpse_loss",
    "retina",
    "to_float",
    "train_glimpse_model",
]

ESTIMATORS = ("reinforce", "gumbel")


@dataclass(frozen=True)
class GlimpseConfig:
    """The recurrent attention model's settings (defaults: the chapter's model)."""

    glimpses: int = 4  # T, the number of glimpses per image
    patch: int = 8  # side of each retina patch, in values
    scales: int = 2  # patches per glimpse; scale s covers (patch * 2**s) pixels, pooled to patch
    stride: int = 4  # candidate centres every `stride` pixels (a K x K grid)
    image_size: int = 28  # side of the (square) input images, in pixels
    glimpse_hidden: int = 128  # width of the glimpse network's "what" and "where" layers
    hidden: int = 256  # width of the GRU core
    num_classes: int = 10
    estimator: str = "reinforce"  # "reinforce" (score function + baseline) or "gumbel"
    tau: float = 1.0  # Gumbel-softmax temperature (estimator "gumbel" only)

    def __post_init__(self) -> None:
        for name in (
            "glimpses",
            "patch",
            "scales",
            "stride",
            "image_size",
            "glimpse_hidden",
            "hidden",
            "num_classes",
        ):
            check_int(getattr(self, name), name, minimum=1)
        check_choice(self.estimator, "estimator", ESTIMATORS)
        check_scalar(self.tau, "tau", positive=True)
        factor = 2 ** (self.scales - 1)
        if self.stride % factor:
            raise ValueError(
                f"stride must be a multiple of 2**(scales - 1) = {factor} so that every scale's "
                f"patches align with the candidate grid, got stride={self.stride}"
            )
        if self.stride > self.image_size:
            raise ValueError(
                f"stride must be at most image_size={self.image_size}, got {self.stride}"
            )

    @property
    def grid(self) -> int:
        """K, the number of candidate centres along each side."""
        return len(range(self.stride // 2, self.image_size, self.stride))

    @property
    def values_per_glimpse(self) -> int:
        """How many values the retina reads at one glimpse: scales * patch**2."""
        return self.scales * self.patch**2

    @property
    def widest_patch(self) -> int:
        """Side, in pixels, of the coarsest scale's patch."""
        return self.patch * 2 ** (self.scales - 1)


def candidate_centres(config: GlimpseConfig) -> torch.Tensor:
    """The ``K * K`` candidate glimpse centres, in grid_sample's normalised ``(x, y)`` coordinates.

    Centre ``k = i * K + j`` lies on the pixel boundary ``(stride/2 + j*stride,
    stride/2 + i*stride)`` (column, row), mapped to ``[-1, 1]`` by ``-1 + 2 p / image_size``.

    Returns:
        ``(K * K, 2)`` float32, row-major over the grid (row ``i``, column ``j``).
    """
    p = torch.arange(config.stride // 2, config.image_size, config.stride, dtype=torch.float32)
    u = -1 + 2 * p / config.image_size  # (K,)
    ys, xs = torch.meshgrid(u, u, indexing="ij")  # (K, K) each
    return torch.stack([xs.reshape(-1), ys.reshape(-1)], dim=-1)  # (K*K, 2)


def retina(images: torch.Tensor, centres: torch.Tensor, *, patch: int, scales: int) -> torch.Tensor:
    """Read a multi-resolution glimpse at arbitrary (continuous) centres.

    Scale ``s`` samples a square of ``patch * 2**s`` pixels around the centre (bilinearly, zero
    outside the image) and averages it down to ``patch x patch``, so every scale costs the same
    number of values and the coarser ones see more context at lower resolution.

    Args:
        images: ``(B, H, W)`` float images.
        centres: ``(B, 2)`` centres as ``(x, y)`` in ``[-1, 1]`` (``F.grid_sample``'s convention,
            ``align_corners=False``: -1 and 1 are the outer edges of the border pixels).
        patch: side of each patch, in values.
        scales: number of scales.

    Returns:
        ``(B, scales, patch, patch)``.

    Example:
        >>> retina(torch.rand(2, 28, 28), torch.zeros(2, 2), patch=8, scales=2).shape
        torch.Size([2, 2, 8, 8])
    """
    images = check_tensor(images, "images", ndim=3, floating=True)
    centres = check_tensor(centres, "centres", ndim=2, floating=True)
    if centres.shape != (images.shape[0], 2):
        raise ValueError(
            f"centres must have shape ({images.shape[0]}, 2) to match images, "
            f"got {tuple(centres.shape)}"
        )
    B, H, W = images.shape
    out = []
    for s in range(scales):
        f = 2**s
        n = patch * f  # pixels per side at this scale
        # (n,) pixel-centre offsets
        offsets = torch.arange(n, dtype=images.dtype, device=images.device) + 0.5 - n / 2
        dx = 2 * offsets / W  # (n,) in normalised units
        dy = 2 * offsets / H  # (n,)
        gx = centres[:, 0, None, None] + dx[None, None, :]  # (B, 1, n)
        gy = centres[:, 1, None, None] + dy[None, :, None]  # (B, n, 1)
        grid = torch.stack(torch.broadcast_tensors(gx, gy), dim=-1)  # (B, n, n, 2)
        sampled = F.grid_sample(images[:, None], grid, align_corners=False)  # (B, 1, n, n)
        out.append(F.avg_pool2d(sampled, f) if f > 1 else sampled)  # (B, 1, patch, patch)
    return torch.cat(out, dim=1)  # (B, scales, patch, patch)


def candidate_glimpses(images: torch.Tensor, config: GlimpseConfig) -> torch.Tensor:
    """The retina's reading at every candidate centre at once, by unfolding (no interpolation).

    Equal to :func:`retina` at each of :func:`candidate_centres` (the tests check it), but one
    ``F.unfold`` per scale instead of ``K * K`` bilinear samplings.

    Args:
        images: ``(B, H, W)`` float images with ``H = W = config.image_size``.
        config: the sensor's settings.

    Returns:
        ``(B, K * K, scales * patch * patch)``, candidates in :func:`candidate_centres`' order.
    """
    images = check_tensor(images, "images", ndim=3, floating=True)
    size = config.image_size
    if images.shape[1:] != (size, size):
        raise ValueError(
            f"images must have shape (B, {size}, {size}) to match config.image_size, "
            f"got {tuple(images.shape)}"
        )
    first = config.stride // 2  # pixel coordinate of the first centre
    K = config.grid
    out = []
    for s in range(config.scales):
        f = 2**s
        half = config.patch * f // 2  # half a patch, in pixels
        pad = max(half - first, 0)  # so that the first patch starts inside the padded image
        end = first + (K - 1) * config.stride + half  # last pixel boundary a patch reaches
        padded = F.pad(images[:, None], (pad, max(end - size, 0), pad, max(end - size, 0)))
        start = (first - half + pad) // f  # first patch's top-left corner, in pooled pixels
        pooled = F.avg_pool2d(padded, f) if f > 1 else padded  # (B, 1, H', W')
        pooled = pooled[:, :, start:, start:]
        cols = F.unfold(pooled, config.patch, stride=config.stride // f)  # (B, patch**2, L)
        L = cols.shape[-1]
        side = int(round(L**0.5))
        cols = cols.reshape(-1, config.patch**2, side, side)[:, :, :K, :K]  # (B, patch**2, K, K)
        out.append(cols.reshape(-1, config.patch**2, K * K).transpose(1, 2))  # (B, K*K, patch**2)
    return torch.cat(out, dim=-1)  # (B, K*K, scales * patch**2)


@dataclass
class GlimpseTrace:
    """What one pass of the model did, glimpse by glimpse.

    Attributes:
        logits: ``(B, num_classes)`` after the last glimpse.
        centres: ``(B, T, 2)`` the glimpse centres as ``(x, y)`` in ``[-1, 1]``.
        choices: ``(B, T)`` int64 index of each centre in :func:`candidate_centres`.
        log_probs: ``(B, T)`` the policy's log-probability of each choice.
        baselines: ``(B, T)`` the learned baseline's estimate of the reward at each step, from
            the state before that step's choice (``b_t = w_b^T h_{t-1} + c``).
        policy_logits: ``(B, T, K * K)`` the policy's scores over the candidates.
    """

    logits: torch.Tensor
    centres: torch.Tensor
    choices: torch.Tensor
    log_probs: torch.Tensor
    baselines: torch.Tensor
    policy_logits: torch.Tensor


class RecurrentAttentionModel(nn.Module):
    """A recurrent attention model over a grid of candidate glimpse centres (chapter 6).

    .. math::

        g_t = \\mathrm{ReLU}(W_w\\,\\rho(x, \\ell_t) + W_\\ell\\,\\ell_t),\\quad
        h_t = \\mathrm{GRU}(g_t, h_{t-1}),\\quad
        \\ell_{t+1} \\sim \\mathrm{Categorical}(\\mathrm{softmax}(W_\\pi h_t)),\\quad
        \\hat y = W_c h_T

    where :math:`\\rho(x, \\ell)` is the :func:`retina` reading at :math:`\\ell`; the first
    location comes from :math:`h_0 = 0`, i.e. a learned prior over where to look first.

    Args:
        config: a :class:`GlimpseConfig`.

    Shape:
        ``forward(images)``: ``(B, H, W)`` float -> logits ``(B, num_classes)``;
        :meth:`trace` returns every glimpse's centre and log-probability as a
        :class:`GlimpseTrace`.

    Example:
        >>> model = RecurrentAttentionModel(GlimpseConfig(glimpses=2))
        >>> model(torch.rand(5, 28, 28)).shape
        torch.Size([5, 10])
    """

    centres: torch.Tensor  # a buffer, (K*K, 2)

    def __init__(self, config: GlimpseConfig | None = None) -> None:
        super().__init__()
        self.config = config = config if config is not None else GlimpseConfig()
        self.register_buffer("centres", candidate_centres(config), persistent=False)
        self.what = nn.Linear(config.values_per_glimpse, config.glimpse_hidden)
        self.where = nn.Linear(2, config.glimpse_hidden)
        self.glimpse = nn.Linear(config.glimpse_hidden, config.hidden)
        self.core = nn.GRUCell(config.hidden, config.hidden)
        self.policy = nn.Linear(config.hidden, config.grid**2)
        self.baseline = nn.Linear(config.hidden, 1)
        self.classifier = nn.Linear(config.hidden, config.num_classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Logits ``(B, num_classes)`` for ``images`` ``(B, H, W)``."""
        return self.trace(images).logits

    def _choose(self, logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One location choice: one-hot (straight-through) weights ``(B, K*K)``, the chosen
        index ``(B,)`` and its log-probability ``(B,)``."""
        if not self.training:
            index = logits.argmax(dim=-1)  # (B,)
            weights = F.one_hot(index, logits.shape[-1]).to(logits.dtype)  # (B, K*K)
        elif self.config.estimator == "gumbel":
            weights = _gumbel_softmax(logits, self.config.tau, hard=True)  # (B, K*K)
            index = weights.detach().argmax(dim=-1)  # (B,)
        else:
            index = _sample_categorical(logits)  # (B,)
            weights = F.one_hot(index, logits.shape[-1]).to(logits.dtype)  # (B, K*K)
        return weights, index, _categorical_log_prob(logits, index)

    def trace(self, images: torch.Tensor) -> GlimpseTrace:
        """Run the ``T`` glimpses on ``images`` ``(B, H, W)`` and record every choice."""
        images = check_tensor(images, "images", ndim=3, floating=True)
        cfg = self.config
        B = images.shape[0]
        straight_through = self.training and cfg.estimator == "gumbel"
        # Straight-through needs every candidate's reading for its gradient; otherwise read only
        # the chosen patch.
        patches = candidate_glimpses(images, cfg) if straight_through else None  # (B, K*K, V)
        h = images.new_zeros(B, cfg.hidden)  # (B, hidden)
        record: dict[str, list[torch.Tensor]] = {
            "centres": [],
            "choices": [],
            "log_probs": [],
            "baselines": [],
            "logits": [],
        }
        for _ in range(cfg.glimpses):
            logits = self.policy(h)  # (B, K*K)
            # The baseline comes from h_{t-1}, the state the choice is made from: it may depend on
            # everything before the choice but not on the choice (nor on what it shows), or the
            # REINFORCE estimate is biased (chapter 3's theorem;
            # tests/models/test_glimpse_baseline.py).
            baseline = self.baseline(h.detach())[:, 0]  # (B,)
            weights, index, log_prob = self._choose(logits)
            centre = self.centres[index]  # (B, 2)
            if patches is not None:  # straight-through
                seen = (weights[:, None, :] @ patches)[:, 0]  # (B, 1, K*K) @ (B, K*K, V) -> (B, V)
                centre = weights @ self.centres  # (B, K*K) @ (K*K, 2) -> (B, 2)
            else:
                seen = retina(images, centre, patch=cfg.patch, scales=cfg.scales)  # (B, S, P, P)
                seen = seen.reshape(B, -1)  # (B, V)
            g = F.relu(self.what(seen) + self.where(centre))  # (B, glimpse_hidden)
            h = self.core(F.relu(self.glimpse(g)), h)  # (B, hidden)
            record["centres"].append(centre)
            record["choices"].append(index)
            record["log_probs"].append(log_prob)
            record["baselines"].append(baseline)
            record["logits"].append(logits)
        return GlimpseTrace(
            logits=self.classifier(h),  # (B, num_classes)
            centres=torch.stack(record["centres"], dim=1),  # (B, T, 2)
            choices=torch.stack(record["choices"], dim=1),  # (B, T)
            log_probs=torch.stack(record["log_probs"], dim=1),  # (B, T)
            baselines=torch.stack(record["baselines"], dim=1),  # (B, T)
            policy_logits=torch.stack(record["logits"], dim=1),  # (B, T, K*K)
        )


def glimpse_loss(
    model: RecurrentAttentionModel, images: torch.Tensor, labels: torch.Tensor
) -> tuple[torch.Tensor, dict[str, float]]:
    """The hybrid loss of Mnih et al. (2014): cross-entropy plus the location term.

    .. math::

        \\mathcal L = \\mathrm{CE}(\\hat y, y)
          \\; - \\; \\sum_{t=1}^{T} (R - b_t)\\,\\log \\pi(\\ell_t \\mid h_{t-1})
          \\; + \\; \\sum_{t=1}^{T} (R - b_t)^2,
        \\qquad R = \\mathbb 1[\\arg\\max \\hat y = y],

    averaged over the batch, with :math:`R - b_t` treated as a constant in the second term (the
    score-function estimator with a baseline; Williams 1992). The baseline
    :math:`b_t = b(h_{t-1})` is read from the state the choice :math:`\\ell_t` is made from, so
    :math:`\\mathbb E[b_t \\nabla \\log \\pi(\\ell_t \\mid h_{t-1})] = 0` and the estimate is
    unbiased; a baseline that had seen the glimpse at :math:`\\ell_t` would bias it. With the
    ``"gumbel"`` estimator the policy already receives a straight-through gradient through the
    cross-entropy, so the loss is the cross-entropy alone.

    Args:
        model: a :class:`RecurrentAttentionModel` in training mode.
        images: ``(B, H, W)`` float.
        labels: ``(B,)`` int64 classes.

    Returns:
        ``(loss, stats)``: the scalar loss and a dict of floats (``ce``, ``reward``).
    """
    labels = check_tensor(labels, "labels", ndim=1)
    trace = model.trace(images)
    ce = F.cross_entropy(trace.logits, labels)
    reward = (trace.logits.argmax(dim=-1) == labels).to(images.dtype)  # (B,)
    loss = ce
    if model.config.estimator == "reinforce":
        rewards = reward[:, None].expand_as(trace.log_probs)  # (B, T)
        surrogate = _score_function_surrogate(trace.log_probs, rewards, trace.baselines)  # (B, T)
        reinforce = -surrogate.sum(dim=1).mean()  # maximise the reward
        baseline = (reward[:, None] - trace.baselines).pow(2).sum(dim=1).mean()
        loss = ce + reinforce + baseline
    return loss, {"ce": ce.item(), "reward": reward.mean().item()}


def train_glimpse_model(
    model: RecurrentAttentionModel,
    images: torch.Tensor,
    labels: torch.Tensor,
    *,
    epochs: int,
    batch_size: int = 128,
    lr: float = 3e-3,
    seed: int = 0,
    desc: str = "training",
) -> list[dict[str, float]]:
    """Train with Adam and a one-cycle learning rate on :func:`glimpse_loss`.

    Args:
        model: the model to train (left in evaluation mode).
        images: ``(N, H, W)`` uint8 (0–255) or float in ``[0, 1]``.
        labels: ``(N,)`` int64.
        epochs, batch_size, lr: the usual.
        seed: fixes the batch order, the initial state of sampling and the Gumbel noise.
        desc: the progress bar's label.

    Returns:
        One dict per epoch: mean ``ce``, mean ``reward`` (training accuracy of the sampled
        glimpses) and ``seconds`` (wall time of the epoch).
    """
    images = check_tensor(images, "images", ndim=3)
    labels = check_one_per(check_tensor(labels, "labels", ndim=1), "labels", len(images), "image")

    def batch_loss(index: torch.Tensor) -> tuple[torch.Tensor, dict[str, float]]:
        return glimpse_loss(model, to_float(images[index]), labels[index])

    return train_loop(
        model,
        len(images),
        batch_loss,
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        seed=seed,
        desc=desc,
    )


def to_float(images: torch.Tensor) -> torch.Tensor:
    """uint8 images (0–255) to float32 in [0, 1]; float images unchanged."""
    return images.float() / 255 if images.dtype == torch.uint8 else images

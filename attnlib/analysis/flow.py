r"""Attention flow: the maximum flow from an output token to each input token (chapter 9).

Abnar and Zuidema (2020) view a Transformer's attention as a layered graph: one node per token
and layer (layer 0 = the inputs), and from token :math:`i` of layer :math:`l` an edge to each
token :math:`j` of layer :math:`l-1` whose *capacity* is the weight :math:`\tilde A_l[i, j]`
(head-averaged, with the residual path as in rollout). The flow of output token :math:`i` to
input token :math:`j` is the value of a maximum flow from node :math:`(L, i)` to node
:math:`(0, j)`; each output's flows are divided by their sum so that they form a distribution.
Rollout *multiplies* the weights along paths; flow is limited by each path's narrowest edge
and by the edges paths share.

The max-flow itself is networkx's (``networkx.maximum_flow_value``, preflow–push): a
maintained graph library, not a hand-written solver. It runs one max-flow per (output, input)
pair, so it is much slower than rollout: use it on a few images.

Shape legend: ``B`` batch, ``H`` heads, ``N`` tokens, ``L`` layers, ``O`` output tokens asked.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import torch

from attnlib.analysis.rollout import check_layers, head_average
from attnlib.validation import check_int, describe

__all__ = ["attention_flow", "flow_graph"]


def _mixing(layers: list[torch.Tensor], residual: bool) -> list[torch.Tensor]:
    mixed = []
    for a in layers:
        a = head_average(a).double()  # (B, N, N)
        if residual:
            a = 0.5 * a + 0.5 * torch.eye(a.shape[-1], dtype=a.dtype)
            a = a / a.sum(dim=-1, keepdim=True)
        mixed.append(a)
    return mixed


def flow_graph(mixing: Sequence[torch.Tensor]) -> nx.DiGraph:
    """The layered graph of one example: nodes ``(l, i)``, edges ``(l, i) -> (l-1, j)``.

    Args:
        mixing: per-layer ``(N, N)`` matrices, first layer first; the capacity of the edge from
            ``(l, i)`` to ``(l - 1, j)`` is ``mixing[l - 1][i, j]``. Zero weights add no edge.
    """
    graph: nx.DiGraph[tuple[int, int]] = nx.DiGraph()
    for layer, a in enumerate(mixing, start=1):
        rows, cols = torch.nonzero(a > 0, as_tuple=True)
        edges = zip(rows.tolist(), cols.tolist(), strict=True)
        graph.add_weighted_edges_from(
            (((layer, i), (layer - 1, j), a[i, j].item()) for i, j in edges), weight="capacity"
        )
    return graph


def attention_flow(
    attentions: Sequence[torch.Tensor],
    *,
    residual: bool = True,
    outputs: Sequence[int] | None = None,
) -> torch.Tensor:
    r"""Attention flow (Abnar and Zuidema, 2020): normalised max-flow from outputs to inputs.

    .. math::
        F[i, j] = \frac{\mathrm{maxflow}\big((L, i) \to (0, j)\big)}
                       {\sum_{j'} \mathrm{maxflow}\big((L, i) \to (0, j')\big)}

    in the layered graph whose edge :math:`(l, i) \to (l-1, j)` has capacity
    :math:`\tilde A_l[i, j]` (see :mod:`attnlib.analysis.rollout` for :math:`\tilde A`).

    Args:
        attentions: per-layer weights, first layer first, each ``(B, H, N, N)`` or
            ``(B, N, N)``, rows distributions.
        residual: add the residual path as :math:`\tfrac12 I` before re-normalising.
        outputs: the output tokens to compute (default: all ``N``); for a ViT, ``[0]`` (the
            class token) is all a map needs.

    Returns:
        ``(B, O, N)`` float32: row ``o`` is output token ``outputs[o]``'s flow to each input
        token, summing to 1.

    Example:
        >>> a = torch.tensor([[[0.0, 1.0], [0.0, 1.0]]])
        >>> attention_flow([a, a], outputs=[0])
        tensor([[[0.3333, 0.6667]]])
    """
    layers = check_layers(attentions)
    N = layers[0].shape[-1]
    if outputs is None:
        outputs = list(range(N))
    if isinstance(outputs, (str, bytes)) or not isinstance(outputs, Sequence) or not outputs:
        raise TypeError(
            f"outputs must be a non-empty sequence of token indices, got {describe(outputs)}"
        )
    outputs = [check_int(o, f"outputs[{k}]", minimum=0) for k, o in enumerate(outputs)]
    if max(outputs) >= N:
        raise ValueError(f"outputs must be token indices < {N}, got {max(outputs)}")
    mixing = _mixing(layers, residual)
    L, B = len(mixing), layers[0].shape[0]
    result = torch.zeros(B, len(outputs), N, dtype=torch.float64)
    for b in range(B):
        graph = flow_graph([a[b] for a in mixing])
        for k, o in enumerate(outputs):
            for j in range(N):
                if graph.has_node((L, o)) and graph.has_node((0, j)):
                    result[b, k, j] = nx.maximum_flow_value(graph, (L, o), (0, j))
    result = result / result.sum(dim=-1, keepdim=True).clamp_min(1e-300)
    return result.float()

"""Specification of attention flow (attnlib.analysis.flow, chapter 9)."""

import networkx as nx
import pytest
import torch

from attnlib.analysis.flow import attention_flow, flow_graph


def test_flow_of_identity_layers_is_the_identity():
    layers = [torch.eye(4).expand(1, 2, 4, 4) for _ in range(3)]
    torch.testing.assert_close(attention_flow(layers), torch.eye(4)[None])


def test_single_layer_flow_is_the_row_itself():
    # One layer: the max-flow from (1, i) to (0, j) is the capacity of the one edge.
    a = torch.softmax(torch.randn(2, 5, 5, generator=torch.Generator().manual_seed(0)), -1)
    torch.testing.assert_close(attention_flow([a], residual=False), a)


def test_two_layer_example_by_hand_differs_from_rollout():
    a = torch.tensor([[[0.0, 1.0], [0.0, 1.0]]])
    # residual: [[0.5, 0.5], [0, 1]]; flows from (2, 0): to (0, 0) 0.5, to (0, 1) 1.0
    torch.testing.assert_close(
        attention_flow([a, a], outputs=[0]), torch.tensor([[[1 / 3, 2 / 3]]])
    )


def test_graph_matches_networkx_max_flow_and_rows_sum_to_one():
    g = torch.Generator().manual_seed(2)
    layers = [torch.softmax(torch.randn(1, 2, 4, 4, generator=g), -1) for _ in range(2)]
    flow = attention_flow(layers, outputs=[0, 3])
    assert flow.shape == (1, 2, 4)
    torch.testing.assert_close(flow.sum(-1), torch.ones(1, 2))
    mixing = [0.5 * a[0].mean(0).double() + 0.5 * torch.eye(4, dtype=torch.float64) for a in layers]
    graph = flow_graph(mixing)
    raw = torch.tensor([nx.maximum_flow_value(graph, (2, 3), (0, j)) for j in range(4)])
    torch.testing.assert_close(flow[0, 1], (raw / raw.sum()).float())


@pytest.mark.parametrize(
    "outputs, error, message",
    [
        ([5], ValueError, "outputs must be token indices < 3, got 5"),
        ([], TypeError, "outputs must be a non-empty sequence"),
        ([-1], ValueError, r"outputs\[0\] must be >= 0, got -1"),
    ],
)
def test_bad_outputs(outputs, error, message):
    with pytest.raises(error, match=message):
        attention_flow([torch.eye(3)[None]], outputs=outputs)


def test_bad_layers_are_reported_as_by_rollout():
    with pytest.raises(ValueError, match=r"attentions\[1\] must have batch size 1 and 3 tokens"):
        attention_flow([torch.eye(3)[None], torch.eye(2)[None]])

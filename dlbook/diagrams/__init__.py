"""Schematic diagrams drawn from the objects the chapters compute (matplotlib only).

Each function takes a dlbook model or layer (or its sizes or arrays) and returns a matplotlib Figure (a
:class:`Diagram`, shown as SVG in notebooks and in the book) drawn on a light rounded panel, so that it reads the same
on light and dark pages. The families:

* networks: :func:`mlp_diagram`, :func:`backprop_graph`, :func:`residual_block_diagram`, :func:`dense_block_diagram`;
* convolutions: :func:`conv2d_diagram`, :func:`im2col_diagram`, :func:`max_pool_diagram`;
* sequences: :func:`rnn_unrolled_diagram`, :func:`lstm_cell_diagram`, :func:`attention_diagram`,
  :func:`multi_head_attention_diagram`, :func:`transformer_block_diagram`, :func:`seq2seq_attention_diagram`.

:func:`count` and :func:`texts` say what a diagram holds (the tests use them).
"""

from dlbook.diagrams.convolution import conv2d_diagram, im2col_diagram, max_pool_diagram
from dlbook.diagrams.figure import Diagram, count, texts
from dlbook.diagrams.networks import (
    backprop_graph,
    dense_block_diagram,
    describe_module,
    mlp_diagram,
    residual_block_diagram,
)
from dlbook.diagrams.sequences import (
    attention_diagram,
    lstm_cell_diagram,
    multi_head_attention_diagram,
    rnn_unrolled_diagram,
    seq2seq_attention_diagram,
    transformer_block_diagram,
)

__all__ = [
    "attention_diagram",
    "lstm_cell_diagram",
    "multi_head_attention_diagram",
    "rnn_unrolled_diagram",
    "seq2seq_attention_diagram",
    "transformer_block_diagram",
    "Diagram",
    "backprop_graph",
    "conv2d_diagram",
    "count",
    "dense_block_diagram",
    "describe_module",
    "im2col_diagram",
    "max_pool_diagram",
    "mlp_diagram",
    "residual_block_diagram",
    "texts",
]

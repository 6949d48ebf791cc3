"""Schematic diagrams drawn from the objects the chapters compute (matplotlib only).

Each function takes a dlbook model or layer (or its sizes or arrays) and returns a matplotlib Figure (a
:class:`~dlbook.diagrams.figure.Diagram`, shown as SVG in notebooks and in the book) drawn on a light rounded panel,
so that it reads the same on light and dark pages. Import them from here (``from dlbook.diagrams import mlp_diagram``);
they are documented in the module of their family:

* networks (:mod:`dlbook.diagrams.networks`): ``mlp_diagram``, ``backprop_graph``, ``residual_block_diagram``,
  ``dense_block_diagram``;
* convolutions (:mod:`dlbook.diagrams.convolution`): ``conv2d_diagram``, ``im2col_diagram``, ``max_pool_diagram``;
* sequences (:mod:`dlbook.diagrams.sequences`): ``rnn_unrolled_diagram``, ``lstm_cell_diagram``,
  ``attention_diagram``, ``multi_head_attention_diagram``, ``transformer_block_diagram``,
  ``seq2seq_attention_diagram``.

``count`` and ``texts`` (:mod:`dlbook.diagrams.figure`) say what a diagram holds (the tests use them).
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

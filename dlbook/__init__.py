"""dlbook: deep neural networks from scratch in NumPy, the library behind the course.

The modules are grouped by what the code is, and named as the text names things:

* the core: ``dlbook.layers`` (the layer contract, ``Linear``, ``Sequential``, ``Embedding``, ``ResidualBlock``),
  ``dlbook.activations``, ``dlbook.losses``, ``dlbook.init``, ``dlbook.optim``, ``dlbook.train`` (the one training
  loop, ``fit``) and ``dlbook.gradcheck``;
* layers by family: ``dlbook.conv``, ``dlbook.normalization``, ``dlbook.regularization``, ``dlbook.rnn``,
  ``dlbook.attention``;
* models built from them: ``dlbook.mlp``, ``dlbook.linear_models``, ``dlbook.architectures``,
  ``dlbook.language_models``;
* data and tasks: ``dlbook.data``, ``dlbook.text``, ``dlbook.augment``;
* what the book needs: ``dlbook.plotting``, ``dlbook.progress``, ``dlbook.book`` and the demos in ``dlbook.widgets``.

Import the module you need; importing ``dlbook`` itself loads nothing heavy.
"""

__version__ = "0.1.0"

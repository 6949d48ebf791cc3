"""dlbook: deep neural networks from scratch in NumPy, the library behind the course.

Each module is one topic of the book, named as the text names it: ``dlbook.activations``, ``dlbook.mlp``,
``dlbook.conv``, ``dlbook.rnn``, ``dlbook.attention`` and so on. Import the module you need; importing ``dlbook``
itself loads nothing heavy.
"""

__version__ = "0.1.0"

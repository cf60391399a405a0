"""course_lib: the tested reference implementations behind *Neural Networks from Scratch*.

Every chapter builds an idea inline in NumPy and then compares it with the version here. The
modules are named for what they hold:

- ``functions``       activations and their derivatives as plain functions
- ``layers``          the ``Layer`` contract, in modules by topic (all importable from
  ``course_lib.layers``):

  - ``layers.core``       ``Layer``, ``Dense``, the activation layers, ``Softmax``,
    ``Sequential``
  - ``layers.dropout``    ``Dropout``
  - ``layers.norm``       ``BatchNorm1d``, ``BatchNorm2d``, ``LayerNorm``
  - ``layers.conv``       ``Conv2d``, ``MaxPool2d``, ``AvgPool2d``, ``Flatten``
  - ``layers.attention``  ``Embedding``, positional encodings, multi-head attention,
    ``TransformerBlock``

- ``losses``          ``MSELoss``, ``BCELoss``, ``BCEWithLogitsLoss``, ``CrossEntropyLoss``
- ``init``            weight initialization (Xavier/Glorot, Kaiming/He), PyTorch's formulas
- ``regularization``  the L2 penalty and its gradient
- ``optim``           ``SGD``, ``AdaGrad``, ``RMSprop``, ``Adam``, ``AdamW``, moving averages
- ``lr_scheduler``    learning-rate schedules under PyTorch's names (step, cosine, warm-up, ...)
- ``training``        ``fit``, ``accuracy``, ``predict``, callbacks
- ``gradcheck``       numerical gradients and relative errors
- ``autograd``        a scalar autograd engine (``Value``, ``no_grad``); ``nn``: a network of
  ``Value``s (``Neuron``, ``MLP``)
- ``perceptron``      the perceptron of chapter 01 and its logic gates
- ``surfaces``        2-D loss landscapes for the optimizers of chapter 05
- ``data``            small data sets generated in code or bundled (no downloads), splits
- ``preprocessing``   ``StandardScaler``, ``MinMaxScaler``
- ``plots``           the course's figure style and figure helpers (``draw_graph`` included)
- ``checks``          the exercise checkers: ``checks.core`` is the engine, one module per chapter
- ``widgets``         interactive figures: frames computed in Python, played in the browser
  (anywidget)
- ``exercises``       ``python -m course_lib.exercises build|check``: exercises from solutions
- ``grade``           ``python -m course_lib.grade``: grade notebooks with the course's checkers
- ``_kernel``         ``in_kernel()``: are we inside a Jupyter kernel? (used by training and
  widgets)

Import what you need, for example ``from course_lib.layers import Dense``.
"""

__version__ = "0.1.0"

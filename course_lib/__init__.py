"""course_lib: the tested reference implementations behind *Neural Networks from Scratch*.

Every chapter builds an idea inline in NumPy and then compares it with the version here. The
modules are named for what they hold:

- ``functions``  activations and their derivatives as plain functions
- ``layers``     the ``Layer`` contract, ``Dense``, activation layers, ``Sequential``
- ``losses``     ``MSELoss``, ``BCELoss``, ``BCEWithLogitsLoss``, ``CrossEntropyLoss``
- ``gradcheck``  numerical gradients and relative errors
- ``data``       small data sets generated in code (no downloads)
- ``plots``      the course's figure style and helpers
- ``checks``     the exercise checkers
- ``widgets``    interactive figures (ipywidgets + ipympl)
- ``exercises``  ``python -m course_lib.exercises build|check``: exercises from solutions

Import what you need, for example ``from course_lib.layers import Dense``.
"""

__version__ = "0.1.0"

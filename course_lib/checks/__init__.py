"""Exercise checkers, one per exercise: ``checks.sigmoid(sigmoid)`` prints one line.

The engine is :mod:`course_lib.checks.core` (a declarative table per exercise); each chapter's
checkers live in their own module (``ch02_activations.py``, ...) and are re-exported here so
notebooks write ``checks.<exercise>``.
"""

from .ch00_05_extra import *  # noqa: F401,F403
from .ch00_numpy import *  # noqa: F401,F403
from .ch01_perceptron import *  # noqa: F401,F403
from .ch02_activations import *  # noqa: F401,F403
from .ch03_losses import *  # noqa: F401,F403
from .ch04_backprop import *  # noqa: F401,F403
from .ch05_optimizers import *  # noqa: F401,F403
from .ch05b_generalization import *  # noqa: F401,F403
from .ch06_normalization import *  # noqa: F401,F403
from .ch07_convolution import *  # noqa: F401,F403
from .ch08_attention import *  # noqa: F401,F403
from .core import is_strict, set_strict  # noqa: F401  (the engine itself: checks.core)

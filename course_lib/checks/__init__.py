"""Exercise checkers, one function per exercise: ``checks.sigmoid(sigmoid)`` prints one line.

The framework is in :mod:`course_lib.checks.core`; each chapter's checkers live in their own module
(``ch02_activations.py``, ...) and are re-exported here so notebooks write ``checks.<exercise>``.
"""

from .core import Checker, Result, Wrong, checker, is_strict, run, set_strict  # noqa: F401
from .ch00_numpy import *  # noqa: F401,F403
from .ch01_perceptron import *  # noqa: F401,F403
from .ch02_activations import *  # noqa: F401,F403
from .ch03_losses import *  # noqa: F401,F403
from .ch04_backprop import *  # noqa: F401,F403
from .ch05_optimizers import *  # noqa: F401,F403

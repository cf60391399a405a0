"""Interactive figures for the chapters; see ``base`` for how to build one.

Every widget is a :class:`~course_lib.widgets.base.CourseWidget`; animated ones play in the
browser with a :class:`~course_lib.widgets.base.FramePlayer`. Each chapter's widgets live in
their own module and are re-exported here.
"""

from .activations import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .base import RUN_HINT, CourseWidget, FramePlayer, Scene, static_figure  # noqa: F401
from .convolution import *  # noqa: F401,F403
from .ewa import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
from .perceptron import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403

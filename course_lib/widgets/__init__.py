"""Interactive figures for the chapters (ipywidgets + ipympl); see ``_common`` for the rules.

Each chapter's widgets live in their own module and are re-exported here.
"""

from ._common import (Backdrop, canvas_widget, play_controls, redraw, rewind, set_frames,  # noqa: F401
                      widget_figure)
from .perceptron import *  # noqa: F401,F403
from .activations import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
from .ewa import *  # noqa: F401,F403

"""The activation explorer runs headless: moving x or switching the function updates its artists."""

import ipywidgets as W
import numpy as np
import pytest

from course_lib import functions as F
from course_lib.widgets import ActivationExplorer


@pytest.fixture
def explorer():
    return ActivationExplorer("sigmoid", x=1.0, interactive=False)


def test_starts_at_the_given_function_and_x(explorer):
    fx, dfx = explorer.values()
    assert fx == pytest.approx(0.7310585786) and dfx == pytest.approx(0.1966119332)
    assert np.allclose(explorer.f_line.get_ydata(), F.sigmoid(explorer.grid))
    assert np.allclose(explorer.f_point.get_xydata(), [[1.0, fx]])
    assert np.allclose(explorer.d_point.get_xydata(), [[1.0, dfx]])
    assert "f(x)  = +0.7311" in explorer.readout.get_text()
    assert "f'(x) = +0.1966" in explorer.readout.get_text()


def test_moving_x_moves_point_tangent_and_readout(explorer):
    tangent_before = np.array(explorer.tangent.get_xydata())
    explorer.slider.value = -2.0                 # what the browser's slider does
    x, y = explorer.f_point.get_data()
    assert x[0] == -2.0 and y[0] == pytest.approx(float(F.sigmoid(-2.0)))
    assert explorer.d_point.get_data()[1][0] == pytest.approx(float(F.sigmoid_prime(-2.0)))
    tangent = np.array(explorer.tangent.get_xydata())
    assert not np.allclose(tangent, tangent_before)
    slope = (tangent[1, 1] - tangent[0, 1]) / (tangent[1, 0] - tangent[0, 0])
    assert slope == pytest.approx(float(F.sigmoid_prime(-2.0)))
    # the tangent touches the curve at x
    assert np.interp(-2.0, tangent[:, 0], tangent[:, 1]) == pytest.approx(float(F.sigmoid(-2.0)))
    assert "x     = -2.00" in explorer.readout.get_text()
    assert explorer.label.value.startswith("sigmoid: x = -2.00")


@pytest.mark.parametrize("name", list(F.ACTIVATIONS))
def test_switching_function_swaps_curves_and_limits_in_place(explorer, name):
    f_line, d_line, ax_f = explorer.f_line, explorer.d_line, explorer.ax_f
    n_lines = len(ax_f.lines)
    explorer.set_x(0.5)
    explorer.set_function(name)
    f, f_prime = F.ACTIVATIONS[name]
    assert explorer.f_line is f_line and explorer.d_line is d_line and len(ax_f.lines) == n_lines
    assert np.allclose(f_line.get_ydata(), f(explorer.grid))
    assert np.allclose(d_line.get_ydata(), f_prime(explorer.grid))
    lo, hi = ax_f.get_ylim()
    assert lo <= f(explorer.grid).min() and hi >= f(explorer.grid).max()
    lo, hi = explorer.ax_d.get_ylim()
    assert lo <= f_prime(explorer.grid).min() and hi >= f_prime(explorer.grid).max()
    assert explorer.values() == (float(f(0.5)), float(f_prime(0.5)))
    assert explorer.ax_d.get_title() == f"derivative of {name}"


def test_limits_follow_the_function(explorer):
    explorer.set_function("sigmoid")
    sigmoid_limits = explorer.ax_f.get_ylim()
    explorer.set_function("relu")
    assert explorer.ax_f.get_ylim() != sigmoid_limits
    assert explorer.ax_f.get_ylim()[1] >= 4.0


def test_rendering_changes_when_the_slider_moves(explorer):
    def pixels():
        explorer.fig.canvas.draw()
        return np.asarray(explorer.fig.canvas.buffer_rgba()).copy()

    before = pixels()
    explorer.set_x(-3.0)
    assert not np.array_equal(before, pixels())


def test_layout_repr_and_display():
    explorer = ActivationExplorer("tanh", x=0.0, names=["tanh", "relu"], interactive=False)
    assert isinstance(explorer.widget, W.VBox)
    assert [v for _, v in explorer.dropdown.options] == ["tanh", "relu"]
    assert repr(explorer) == "ActivationExplorer(function='tanh', x=0.00)"
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"] == repr(explorer)
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "0x" not in repr(explorer)


@pytest.mark.parametrize("kwargs, message", [
    (dict(name="swish"), "unknown function 'swish'"),
    (dict(names=["relu", "softplus"]), "unknown function 'softplus'"),
    (dict(name="tanh", names=["relu"]), "not among names"),
    (dict(x=9.0), "x should lie in x_range"),
])
def test_readable_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ActivationExplorer(interactive=False, **kwargs)

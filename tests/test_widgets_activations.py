"""The activation explorer, headless: every x of the grid is a frame (point, tangent, readout);
switching the function recomputes the frames in one update and keeps x."""

import ipywidgets as W
import numpy as np
import pytest

from course_lib import functions as F
from course_lib.widgets import ActivationExplorer
from course_lib.widgets.base import RUN_HINT


@pytest.fixture
def explorer():
    return ActivationExplorer("sigmoid", x=1.0)


def layer(ex, kind, i=0):
    return [la for la in ex.player.scene["layers"] if la["kind"] == kind][i]


def at(la, k):
    xy = np.frombuffer(la["xy"], np.float32).reshape(-1, 2)
    a, b = (int(np.frombuffer(la[key], np.int32)[k]) for key in ("start", "stop"))
    return xy[a:b].astype(np.float64)


def test_starts_at_the_given_function_and_x(explorer):
    fx, dfx = explorer.values()
    assert fx == pytest.approx(0.7310585786) and dfx == pytest.approx(0.1966119332)
    k = explorer.player.frame
    assert explorer.xs[k] == 1.0 and explorer.player.n_frames == 161       # -4 .. 4 by 0.05
    np.testing.assert_allclose(at(layer(explorer, "points", 0), k), [[1.0, fx]], rtol=1e-6)
    np.testing.assert_allclose(at(layer(explorer, "points", 1), k), [[1.0, dfx]], rtol=1e-6)
    # one readout (next to the scrubber), not a second copy in the axes
    assert not [la for la in explorer.player.scene["layers"] if la["kind"] == "text"]
    assert explorer.player.scene["labels"][k] == "x = 1.00, f(x) = 0.7311, f'(x) = 0.1966"


def test_every_frame_has_the_tangent_at_its_x(explorer):
    tangents = layer(explorer, "line")
    for x in (-2.0, 0.0, 3.5):
        k = int(np.argmin(np.abs(explorer.xs - x)))
        (x0, y0), (x1, y1) = at(tangents, k)
        slope = (y1 - y0) / (x1 - x0)
        assert slope == pytest.approx(float(F.sigmoid_prime(x)), rel=1e-5, abs=1e-6)
        # the tangent touches the curve at x
        assert np.interp(x, [x0, x1], [y0, y1]) == pytest.approx(float(F.sigmoid(x)), abs=1e-5)


def test_set_x_seeks_the_nearest_grid_point(explorer):
    explorer.set_x(-2.01)
    assert explorer.x == -2.0 and explorer.values()[0] == pytest.approx(float(F.sigmoid(-2.0)))
    explorer.set_x(99)
    assert explorer.x == 4.0
    # what the page says when the learner drags the scrubber
    explorer.player._handle_custom_msg({"type": "seek", "scene": explorer.player.scene["id"],
                                        "frame": 40}, [])
    assert explorer.x == -2.0


@pytest.mark.parametrize("name", list(F.ACTIVATIONS))
def test_switching_function_recomputes_in_one_update_and_keeps_x(explorer, name, monkeypatch):
    explorer.set_x(0.5)
    if name == explorer.name:                   # start elsewhere, so that this is a change
        explorer.set_function("identity" if name != "identity" else "relu")
    sent = []
    monkeypatch.setattr(explorer.player, "_send", lambda msg, buffers=None: sent.append(msg))
    explorer.set_function(name)
    assert len(sent) == 1 and sent[0]["state"]["scene"]["frame"] == explorer.player.frame
    f, f_prime = F.ACTIVATIONS[name]
    assert explorer.x == 0.5
    assert explorer.values() == (float(f(0.5)), float(f_prime(0.5)))
    (curve,) = explorer.ax_f.lines[:1]
    assert np.allclose(curve.get_ydata(), f(explorer.grid))
    lo, hi = explorer.ax_f.get_ylim()
    assert lo <= f(explorer.grid).min() and hi >= f(explorer.grid).max()
    lo, hi = explorer.ax_d.get_ylim()
    assert lo <= f_prime(explorer.grid).min() and hi >= f_prime(explorer.grid).max()
    shown = {"relu": "ReLU", "leaky_relu": "leaky ReLU", "elu": "ELU", "gelu": "GELU"}
    assert explorer.ax_d.get_title() == f"derivative of {shown.get(name, name)}"  # no "relu"
    k = explorer.player.frame
    np.testing.assert_allclose(at(layer(explorer, "points", 1), k)[0, 1], f_prime(0.5), atol=1e-6)


def test_limits_follow_the_function(explorer):
    sigmoid_limits = explorer.player.scene["axes"][0]["ylim"]
    explorer.set_function("relu")
    assert explorer.player.scene["axes"][0]["ylim"] != sigmoid_limits
    assert explorer.player.scene["axes"][0]["ylim"][1] >= 4.0


def test_layout_repr_and_display():
    explorer = ActivationExplorer("tanh", x=0.0, names=["tanh", "relu"])
    assert isinstance(explorer.widget, W.VBox)
    assert explorer.box.children == (explorer.dropdown, explorer.player)
    assert [v for _, v in explorer.dropdown.options] == ["tanh", "relu"]
    assert repr(explorer) == "ActivationExplorer(function='tanh', x=0.00)"
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"] == f"{explorer!r}\n{RUN_HINT}"
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
        ActivationExplorer(**kwargs)

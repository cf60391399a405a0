"""The optimizer explorer and the EWA widget, headless (Agg canvas): controls move artists in place."""

import numpy as np
import pytest

from course_lib.widgets.ewa import EWAExplorer, ewa_curves, noisy_series
from course_lib.widgets.optimizers import BUILTIN_OPTIMIZERS, OptimizerExplorer, plot_race, race


def momentum_step(p, g, state, lr, momentum=0.9):
    v = state.setdefault("velocity", np.zeros_like(p))
    v[...] = momentum * v + g
    p -= lr * v


def todo_step(p, g, state, lr):
    raise NotImplementedError()


@pytest.fixture
def explorer():
    return OptimizerExplorer("rosenbrock", optimizers=("SGD", "Momentum", "RMSprop", "Adam"),
                             interactive=False)


def line_data(ex):
    return [np.array(line.get_xydata()) for line in ex.drawing.lines[:len(ex.runs)]]


def test_frame_slider_moves_the_paths_in_place(explorer):
    lines = list(explorer.drawing.lines)
    explorer.frame.value = 3
    short = line_data(explorer)
    assert all(d.shape == (4, 2) for d in short)
    explorer.frame.value = 40
    assert all(d.shape == (41, 2) for d in line_data(explorer))
    assert explorer.drawing.lines == lines                 # the same artists, nothing re-plotted
    assert explorer.step_text.get_text() == "step 40 / 500"
    head = explorer.drawing.heads[0].get_xydata()[0]
    assert np.allclose(head, explorer.runs[0].path[40])


def test_paths_start_at_the_start_and_follow_the_optimizers(explorer):
    for run in explorer.runs:
        assert np.allclose(run.path[0], [-1.2, 1.0])
        assert run.path.shape == (501, 2) and run.loss.shape == (501,)
    names = [r.name for r in explorer.runs]
    assert names == ["SGD", "Momentum", "RMSprop", "Adam"]
    final = {r.name: r.loss[-1] for r in explorer.runs}
    assert final["Momentum"] < final["SGD"]                # momentum wins on Rosenbrock


def test_a_slider_recomputes_every_path(explorer):
    before = [r.path.copy() for r in explorer.runs]
    explorer.lr.value = 2e-4
    after = [r.path for r in explorer.runs]
    assert not np.allclose(before[0], after[0])            # SGD uses the SGD learning rate
    assert np.allclose(before[3], after[3])                # Adam uses the adaptive one
    explorer.beta1.value = 0.5
    assert not np.allclose(before[3], explorer.runs[3].path)
    assert explorer.frame.value == explorer.frame.max == 500   # shows the finished race


def test_divergence_is_reported_not_raised(explorer):
    explorer.lr.value = 0.5
    sgd = explorer.runs[0]
    assert sgd.diverged_at is not None and "diverged" in sgd.label
    assert np.isnan(sgd.path[-1]).all() and np.isfinite(sgd.path[:sgd.diverged_at]).all()
    explorer.show_frame(500)
    head = explorer.drawing.heads[0].get_xydata()
    assert np.isfinite(head).all()                          # the head stays at the last good point
    assert "diverged" in explorer.drawing.legend.get_texts()[0].get_text()


def test_selecting_optimizers_and_hyper_parameter_controls(explorer):
    explorer.checks["Adam"].value = False
    assert [r.name for r in explorer.runs] == ["SGD", "Momentum", "RMSprop"]
    assert explorer.beta1.disabled and not explorer.momentum.disabled
    explorer.checks["Nesterov"].value = True
    assert "Nesterov" in [r.name for r in explorer.runs]
    visible = [line.get_visible() for line in explorer.drawing.lines]
    assert sum(visible) == 4


def test_surface_switch_resets_defaults(explorer):
    explorer.lr.value = 0.3
    explorer.surface.value = "himmelblau"
    assert explorer.drawing.ax_map.get_xlim() == (-5.0, 5.0)
    assert explorer.lr.value == pytest.approx(0.01, rel=0.1)
    assert (explorer.x0.value, explorer.y0.value) == pytest.approx((-0.3, -0.6), abs=0.03)
    assert explorer.frame.max == 150


def test_click_sets_the_start(explorer):
    class Event:
        inaxes, xdata, ydata = explorer.drawing.ax_map, 0.5, 2.0

    explorer._on_click(Event())
    assert np.allclose(explorer.runs[0].path[0], [0.5, 2.0], atol=0.01)


def test_step_and_reset_buttons(explorer):
    explorer.frame.value = 10
    explorer.step_button.click()
    assert explorer.frame.value == 11
    explorer.lr.value = 1e-4
    explorer.reset_button.click()
    assert explorer.lr.value == pytest.approx(1e-3, rel=0.1)


def test_learner_step_function_races_and_matches_builtin():
    ex = OptimizerExplorer("ravine", optimizers=("Momentum",), extra={"mine": momentum_step},
                           interactive=False)
    runs = {r.name: r for r in ex.runs}
    assert np.allclose(runs["mine"].path, runs["Momentum"].path)
    ex.momentum.value = 0.5                                 # the slider reaches the learner's too
    runs = {r.name: r for r in ex.runs}
    assert np.allclose(runs["mine"].path, runs["Momentum"].path)


def test_unfinished_learner_function_is_left_out_with_one_line(capsys):
    ex = OptimizerExplorer("ravine", optimizers=("SGD",), extra={"mine": todo_step},
                           interactive=False)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "mine" in out and "once it is implemented" in out
    assert [r.name for r in ex.runs] == ["SGD"]


def test_learner_class_following_the_contract():
    from course_lib.optim import Optimizer

    class MySGD(Optimizer):
        def _update(self, p, g, state):
            p -= self.lr * g

    runs = race("saddle", ["SGD"], extra={"mine": MySGD})
    assert np.allclose(runs[0].path, runs[1].path)


def test_race_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown optimizer 'Adamax'"):
        race("ravine", ["Adamax"])
    with pytest.raises(ValueError, match="unknown optimizer"):
        OptimizerExplorer(optimizers=("sgd",), interactive=False)


def test_cached_backdrop_frame_matches_a_full_redraw():
    ex = OptimizerExplorer("beale", interactive=False)
    ex.show_frame(120)
    fast = np.asarray(ex.fig.canvas.buffer_rgba()).astype(int)
    # the reference: the same figure drawn with every artist live (no cached image)
    ex.backdrop._show_static(True)
    ex.backdrop.set_visible(False)
    ex.fig.canvas.draw()
    full = np.asarray(ex.fig.canvas.buffer_rgba()).astype(int)
    differing = np.mean(np.abs(fast - full).max(axis=-1) > 40)
    assert differing < 0.01, differing


def test_repr_and_mimebundle_are_stable(explorer):
    assert repr(explorer) == ("OptimizerExplorer(surface='rosenbrock', "
                              "optimizers=['SGD', 'Momentum', 'RMSprop', 'Adam'])")
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"] == repr(explorer)


def test_static_race_picture():
    import matplotlib.pyplot as plt

    runs = race("saddle", list(BUILTIN_OPTIMIZERS))
    fig, (a, b) = plt.subplots(1, 2)
    plot_race(a, b, "saddle", runs)
    assert len(b.get_legend().get_texts()) == len(BUILTIN_OPTIMIZERS)
    assert len(b.get_lines()) == len(BUILTIN_OPTIMIZERS)
    plt.close(fig)


# -- EWA ----------------------------------------------------------------------------------------

def test_ewa_curves_match_the_recursion():
    x = np.array([10.0, 20.0, 30.0])
    raw, fixed = ewa_curves(x, 0.5)
    assert np.allclose(raw, [5.0, 12.5, 21.25])
    assert np.allclose(fixed, raw / (1 - 0.5 ** np.arange(1, 4)))
    assert fixed[0] == pytest.approx(10.0)


def test_ewa_widget_updates_lines_in_place():
    w = EWAExplorer(interactive=False)
    line, raw = w.line, w.raw_line
    y9 = line.get_ydata().copy()
    w.beta.value = 0.5
    assert w.line is line and not np.allclose(line.get_ydata(), y9)
    assert "memory ≈ 1/(1-β) = 2 steps" in w.text.get_text()
    w.bias_correction.value = False
    assert not line.get_visible() and raw.get_visible()
    w.update(beta=0.98, bias_correction=True)
    assert line.get_visible() and w.memory.get_xdata()[0] == pytest.approx(50)
    assert repr(w) == "EWAExplorer(beta=0.98, bias_correction=True)"


def test_ewa_widget_rejects_bad_series():
    with pytest.raises(ValueError, match="shape"):
        EWAExplorer(values=np.ones((3, 3)), interactive=False)
    assert noisy_series(50).shape == (50,)


def test_learner_function_failing_mid_race_is_left_out(capsys):
    def flaky(p, g, state, lr):
        state["n"] = state.get("n", 0) + 1
        if state["n"] > 3:
            raise IndexError("boom")
        p -= lr * g

    runs = race("ravine", ["SGD"], extra={"flaky": flaky})
    assert [r.name for r in runs] == ["SGD"]
    assert "❌ flaky: left out of the race, it raised IndexError: boom" in capsys.readouterr().out

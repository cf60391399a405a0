"""The optimizer explorer and the EWA widget, headless: what the page gets (frames, one update
per control change, the finished race), the races themselves, the static pictures."""

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
    return OptimizerExplorer("rosenbrock", optimizers=("SGD", "Momentum", "RMSprop", "Adam"))


def layers(ex, kind=None, axes=None):
    return [layer for layer in ex.player.scene["layers"]
            if (kind is None or layer["kind"] == kind) and (axes is None or layer["axes"] == axes)]


def at(layer, k):
    """The points ``layer`` shows at frame ``k``."""
    xy = np.frombuffer(layer["xy"], np.float32).reshape(-1, 2)
    a, b = (int(np.frombuffer(layer[key], np.int32)[k]) for key in ("start", "stop"))
    return xy[a:b]


class Sent:
    def __init__(self, ex, monkeypatch):
        self.messages = []
        monkeypatch.setattr(ex.player, "_send", lambda msg, buffers=None: self.messages.append(msg))

    def updates(self):
        return [m["state"] for m in self.messages if m.get("method") == "update"]


def test_the_page_gets_every_step_of_every_run(explorer):
    assert explorer.player.n_frames == 501
    assert explorer.player.frame == 500                    # the finished race
    assert explorer.player.scene["labels"][40] == "step 40 / 500"
    paths, losses = layers(explorer, "line", 0), layers(explorer, "line", 1)
    heads = layers(explorer, "points")
    assert len(paths) == len(losses) == len(heads) == len(explorer.runs) == 4
    for run, path, loss, head in zip(explorer.runs, paths, losses, heads):
        np.testing.assert_allclose(at(path, 40), run.path[:41], rtol=1e-6)
        np.testing.assert_allclose(at(path, 500), run.path, rtol=1e-6)
        np.testing.assert_allclose(at(head, 40), run.path[40:41], rtol=1e-6)
        np.testing.assert_allclose(at(loss, 3)[:, 1], run.loss[:4], rtol=1e-6)
        np.testing.assert_array_equal(at(loss, 3)[:, 0], [0, 1, 2, 3])
    (text,) = layers(explorer, "text")
    assert text["texts"][40] == "step 40 / 500"
    axes = explorer.player.scene["axes"]
    assert axes[0]["clickable"] and not axes[1]["clickable"] and axes[1]["yscale"] == "log"
    assert explorer.player.fps == pytest.approx(500 / 6.0)   # a replay lasts ~6 s


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
    assert explorer.player.frame == 500                    # shows the finished race


def test_every_control_change_is_one_update_with_the_finished_race(explorer, monkeypatch):
    """The lost-update bug: each change must reach the page as ONE message holding the new
    arrays AND the last frame, never a rewind to 0 followed by a jump to n."""
    sent = Sent(explorer, monkeypatch)
    changes = [lambda: setattr(explorer.surface, "value", "himmelblau"),
               lambda: setattr(explorer.checks["Adam"], "value", False),
               lambda: setattr(explorer.steps, "value", 200),
               lambda: setattr(explorer.surface, "value", "saddle"),
               lambda: setattr(explorer.momentum, "value", 0.5),
               lambda: explorer.player._handle_custom_msg(
                   {"type": "click", "scene": explorer.player.scene["id"], "axes": 0,
                    "x": 0.5, "y": 0.5}, [])]
    last_id = explorer.player.scene["id"]
    for change in changes:
        sent.messages.clear()
        change()
        updates = sent.updates()
        assert len(updates) == 1, [sorted(u) for u in updates]
        n = explorer.steps.value
        assert updates[0]["scene"]["frame"] == n == explorer.player.frame
        assert explorer.player.n_frames == n + 1 and explorer.player.scene["id"] > last_id
        last_id = explorer.player.scene["id"]


def test_divergence_is_reported_not_raised(explorer):
    explorer.lr.value = 0.5
    sgd = explorer.runs[0]
    assert sgd.diverged_at is not None and "diverged" in sgd.label
    assert np.isnan(sgd.path[-1]).all() and np.isfinite(sgd.path[:sgd.diverged_at]).all()
    head = at(layers(explorer, "points")[0], 500)
    assert np.isfinite(head).all()                          # the head stays at the last good point
    np.testing.assert_allclose(head[0], sgd.path[sgd.diverged_at - 1], rtol=1e-6)
    assert layers(explorer, "points")[0]["marker"] == "X"
    assert "diverged" in explorer.drawing.legend.get_texts()[0].get_text()


def test_selecting_optimizers_and_hyper_parameter_controls(explorer):
    explorer.checks["Adam"].value = False
    assert [r.name for r in explorer.runs] == ["SGD", "Momentum", "RMSprop"]
    assert len(layers(explorer, "points")) == 3
    assert explorer.beta1.disabled and not explorer.momentum.disabled
    explorer.checks["Nesterov"].value = True
    assert "Nesterov" in [r.name for r in explorer.runs]
    visible = [line.get_visible() for line in explorer.drawing.lines]
    assert sum(visible) == 4


def test_surface_switch_resets_defaults(explorer):
    explorer.lr.value = 0.3
    explorer.surface.value = "himmelblau"
    assert explorer.drawing.ax_map.get_xlim() == (-5.0, 5.0)
    assert explorer.player.scene["axes"][0]["xlim"] == [-5.0, 5.0]
    assert explorer.lr.value == pytest.approx(0.01, rel=0.1)
    assert (explorer.x0.value, explorer.y0.value) == pytest.approx((-0.3, -0.6), abs=0.03)
    assert explorer.player.n_frames == 151 and explorer.player.frame == 150


def test_a_click_on_the_map_starts_a_race_there(explorer):
    sid = explorer.player.scene["id"]
    explorer.player._handle_custom_msg({"type": "click", "scene": sid, "axes": 0,
                                        "x": 0.5, "y": 2.0}, [])
    assert np.allclose(explorer.runs[0].path[0], [0.5, 2.0], atol=0.01)
    sid = explorer.player.scene["id"]
    explorer.player._handle_custom_msg({"type": "click", "scene": sid, "axes": 1,
                                        "x": 10.0, "y": 1.0}, [])     # the loss panel: ignored
    assert explorer.player.scene["id"] == sid
    assert np.allclose(explorer.runs[0].path[0], [0.5, 2.0], atol=0.01)


def test_reset_button(explorer):
    explorer.lr.value = 1e-4
    explorer.reset_button.click()
    assert explorer.lr.value == pytest.approx(1e-3, rel=0.1)
    assert explorer.player.frame == 500


def test_learner_step_function_races_and_matches_builtin():
    ex = OptimizerExplorer("ravine", optimizers=("Momentum",), extra={"mine": momentum_step})
    runs = {r.name: r for r in ex.runs}
    assert np.allclose(runs["mine"].path, runs["Momentum"].path)
    ex.momentum.value = 0.5                                 # the slider reaches the learner's too
    runs = {r.name: r for r in ex.runs}
    assert np.allclose(runs["mine"].path, runs["Momentum"].path)


def test_unfinished_learner_function_is_left_out_with_one_line(capsys):
    ex = OptimizerExplorer("ravine", optimizers=("SGD",), extra={"mine": todo_step})
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
        OptimizerExplorer(optimizers=("sgd",))


def test_snapshot_draws_the_frame_the_page_draws(explorer):
    fig = explorer.scene.snapshot(40)
    drawn = [line.get_xydata() for line in explorer.ax_map.lines if line.get_label() == "_snapshot"]
    assert len(drawn) == 4
    np.testing.assert_allclose(drawn[0], explorer.runs[0].path[:41], rtol=1e-6)
    assert fig is explorer.fig


def test_repr_and_mimebundle_are_stable(explorer):
    assert repr(explorer) == ("OptimizerExplorer(surface='rosenbrock', "
                              "optimizers=['SGD', 'Momentum', 'RMSprop', 'Adam'])")
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"].splitlines()[0] == repr(explorer)


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


def test_ewa_widget_has_a_frame_per_beta():
    from course_lib.widgets.ewa import BETAS

    w = EWAExplorer()
    assert w.player.n_frames == len(BETAS) == 100 and w.beta == 0.9
    assert w.player.scene["labels"][50] == "β = 0.50"
    raw, fixed = (layers_of(w, "line")[i] for i in (0, 1))
    r5, c5 = ewa_curves(w.values, 0.5)
    np.testing.assert_allclose(at(raw, 50)[:, 1], r5, rtol=1e-6)
    np.testing.assert_allclose(at(fixed, 50)[:, 1], c5, rtol=1e-6)
    texts = layers_of(w, "text")[0]["texts"]
    assert "memory ≈ 1/(1-β) = 2 steps" in texts[50]
    memory = layers_of(w, "line")[3]
    np.testing.assert_allclose(at(memory, 98)[:, 0], [50, 50], rtol=1e-5)
    weights = at(layers_of(w, "line")[2], 90)
    np.testing.assert_allclose(weights[:3, 1], 0.1 * 0.9 ** np.arange(3), rtol=1e-6)


def test_ewa_bias_correction_recomputes_and_keeps_beta(monkeypatch):
    w = EWAExplorer(beta=0.5)
    sent = []
    monkeypatch.setattr(w.player, "_send", lambda msg, buffers=None: sent.append(msg))
    w.bias_correction.value = False
    assert len(sent) == 1
    assert len(layers_of(w, "line")) == 3                    # the corrected line is gone
    assert w.beta == 0.5
    w.update(beta=0.98, bias_correction=True)
    assert len(layers_of(w, "line")) == 4 and w.beta == 0.98
    assert repr(w) == "EWAExplorer(beta=0.98, bias_correction=True)"
    with pytest.raises(ValueError, match=r"beta should lie in \[0, 0.99\]"):
        w.update(beta=1.0)


def layers_of(w, kind):
    return [la for la in w.player.scene["layers"] if la["kind"] == kind]


def test_ewa_widget_rejects_bad_series():
    with pytest.raises(ValueError, match="shape"):
        EWAExplorer(values=np.ones((3, 3)))
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

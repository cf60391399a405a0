"""Chapter 06's widget, headless: the recorded histograms (by hand on small cases), both networks
from the same start, divergence, probing without side effects, the player's one-update recompute,
the static summary, errors."""

import numpy as np
import pytest

from course_lib.layers import BatchNorm1d
from course_lib.widgets.base import RUN_HINT
from course_lib.widgets.normalization import (
    ActivationHistograms,
    _hidden_activations,
    _mlp,
    _outline,
    histogram_summary,
    record_histograms,
)

SMALL = {"steps": 6, "every": 2, "depth": 3, "width": 16, "probe": 48, "batch_size": 16}


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 8))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 1).astype(int)   # 3 classes
    return X, y


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_shapes_and_fractions(data, activation):
    r = record_histograms(*data, activation=activation, bins=10, **SMALL)
    np.testing.assert_array_equal(r["steps"], [0, 2, 4, 6])
    assert r["edges"].shape == (11,)
    for bn in (False, True):
        assert r["hist"][bn].shape == (4, 3, 10) and r["saturated"][bn].shape == (4, 3)
        assert r["loss"][bn].shape == (4,) and np.isnan(r["loss"][bn][0])
        assert np.isfinite(r["loss"][bn][1:]).all()
        total = r["hist"][bn].sum(axis=2)
        if activation == "tanh":        # every unit is in a bin
            np.testing.assert_allclose(total, 1.0)
        else:                           # zeros are left out and counted as saturated
            np.testing.assert_allclose(total + r["saturated"][bn], 1.0)


def test_step_zero_histogram_by_hand(data):
    X, y = data
    r = record_histograms(X, y, activation="tanh", bins=8, seed=3, **SMALL)
    probe = X[np.random.default_rng(5).choice(len(X), 48, replace=False)]
    model = _mlp("tanh", False, 1.0, 3, 16, 8, 3, seed=3)
    first = _hidden_activations(model, probe)[0]
    expected = np.histogram(first, bins=np.linspace(-1, 1, 9))[0] / first.size
    np.testing.assert_allclose(r["hist"][False][0, 0], expected)
    np.testing.assert_allclose(r["saturated"][False][0, 0], np.mean(np.abs(first) > 0.99))


def test_both_networks_start_from_the_same_weights():
    a, b = _mlp("relu", False, 2.0, 3, 8, 5, 2, seed=1), _mlp("relu", True, 2.0, 3, 8, 5, 2, seed=1)
    dense_a = [v for k, v in a.params.items() if k.endswith("W")]
    dense_b = [v for k, v in b.params.items() if k.endswith("W")]
    assert len(dense_a) == len(dense_b) == 4
    for wa, wb in zip(dense_a, dense_b):
        np.testing.assert_array_equal(wa, wb)
    assert sum(isinstance(layer, BatchNorm1d) for layer in b) == 3


def test_init_scale_scales_the_hidden_weights():
    a = _mlp("tanh", False, 1.0, 2, 8, 5, 2, seed=0)
    b = _mlp("tanh", False, 3.0, 2, 8, 5, 2, seed=0)
    np.testing.assert_allclose(b.params["0.W"], 3 * a.params["0.W"])
    np.testing.assert_allclose(b.params["4.W"], a.params["4.W"])       # the output layer: He


def test_batchnorm_keeps_step_zero_activations_unsaturated(data):
    r = record_histograms(*data, activation="tanh", init_scale=3.0, **SMALL)
    assert r["saturated"][False][0].mean() > 0.2            # x3 weights: saturated tanh
    assert r["saturated"][True][0].max() < 0.05             # BN: standardized first


def test_divergence_is_recorded_and_quiet(data, recwarn):
    X, y = data
    # inputs of size 1e100 overflow the plain network; batch norm standardizes them away
    r = record_histograms(X * 1e100, y, activation="relu", init_scale=3.0, lr=1.0,
                          **{**SMALL, "steps": 20, "every": 4})
    assert r["diverged"][False] is not None and 1 <= r["diverged"][False] <= 20
    assert r["diverged"][True] is None and np.isfinite(r["loss"][True][1:]).all()
    assert np.isnan(r["loss"][False][-1])
    np.testing.assert_array_equal(r["hist"][False][-1], r["hist"][False][-2])   # held
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
    labels = [t.get_text() for t in histogram_summary(r).axes[0].get_legend().get_texts()]
    assert labels[-1] == f"step 20 (diverged at {r['diverged'][False]})"


def test_seeded_and_reproducible(data):
    a = record_histograms(*data, seed=4, **SMALL)
    b = record_histograms(*data, seed=4, **SMALL)
    c = record_histograms(*data, seed=5, **SMALL)
    np.testing.assert_array_equal(a["hist"][True], b["hist"][True])
    assert not np.array_equal(a["hist"][True], c["hist"][True])


def test_probing_does_not_change_the_running_statistics(data):
    X, _ = data
    model = _mlp("relu", True, 1.0, 2, 8, 8, 3, seed=0)
    bn = model[1]
    bn.running_mean[...] = 0.5
    before = (bn.running_mean.copy(), bn.running_var.copy(), bn.num_batches_tracked)
    _hidden_activations(model, X[:32])
    np.testing.assert_array_equal(bn.running_mean, before[0])
    np.testing.assert_array_equal(bn.running_var, before[1])
    assert bn.num_batches_tracked == before[2]


def test_outline_is_a_closed_step_shape():
    xy = _outline(np.array([0.0, 1.0, 2.0]), np.array([0.25, 0.5]))
    np.testing.assert_array_equal(xy, [[0, 0], [0, 0.25], [1, 0.25], [1, 0.5], [2, 0.5], [2, 0]])


def test_widget_builds_recomputes_in_one_update_and_has_a_stable_repr(data):
    w = ActivationHistograms(*data, **SMALL)
    assert repr(w) == "ActivationHistograms(relu, init x3, lr 0.1, 4 frames, steps 0..6)"
    assert w.player.n_frames == 4 and w.player.frame == 3           # opens on the last frame
    kinds = [layer["kind"] for layer in w.player.scene["layers"]]
    assert kinds.count("line") == 6 and kinds.count("text") == 6 and kinds.count("points") == 2
    scene_id = w.player.scene["id"]
    w.activation.value = "tanh"                                       # a control retrains
    assert w.player.scene["id"] == scene_id + 1
    assert w.result["activation"] == "tanh" and w.player.frame == 3
    w.scale.value, w.lr.value = 0.1, 1.0
    assert w.player.scene["id"] == scene_id + 3
    assert repr(w) == "ActivationHistograms(tanh, init x0.1, lr 1, 4 frames, steps 0..6)"
    text = w._repr_mimebundle_()["text/plain"]
    assert text == f"{w!r}\n{RUN_HINT}" and "0x" not in text


def test_widget_texts_report_the_saturation(data):
    w = ActivationHistograms(*data, activation="tanh", init_scale=3.0, **SMALL)
    texts = [layer["texts"] for layer in w.player.scene["layers"] if layer["kind"] == "text"]
    sat = w.result["saturated"][False][:, 0]
    assert texts[0] == [f"{s:.0%} saturated" for s in sat]


def test_snapshot_and_summary(data):
    w = ActivationHistograms(*data, **SMALL)
    fig = w.scene.snapshot(-1)
    assert len(fig.axes) == 3 * 2 + 1
    summary = histogram_summary(w.result)
    assert len(summary.axes) == 6
    assert all(ax.get_title() for ax in summary.axes)
    labels = [t.get_text() for t in summary.axes[0].get_legend().get_texts()]
    assert labels == ["step 0", "step 4", "step 6"]


@pytest.mark.parametrize("kwargs, message", [
    ({"activation": "sigmoid"}, "activation must be one of"),
    ({"steps": 0}, "steps must be a positive integer"),
    ({"bins": 2.5}, "bins must be a positive integer"),
    ({"batch_size": 1}, "batch_size >= 2"),
    ({"batch_size": 500}, "N >= batch_size"),
])
def test_record_errors(data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        record_histograms(*data, **{**SMALL, **kwargs})


def test_widget_rejects_values_outside_its_menus(data):
    with pytest.raises(ValueError, match="init_scale must be one of"):
        ActivationHistograms(*data, init_scale=7.0, **SMALL)

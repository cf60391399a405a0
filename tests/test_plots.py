"""The course's figure style and helpers."""

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib import plots


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_use_course_style_sets_the_style():
    with mpl.rc_context():
        plots.use_course_style()
        assert mpl.rcParams["axes.grid"] is True
        assert mpl.rcParams["axes.prop_cycle"].by_key()["color"][:2] == plots.COLORS[:2]


@pytest.mark.parametrize("labels, legend", [(["a"], False), (["a", "b"], True)])
def test_finish_labels_and_legend_only_for_several_lines(labels, legend):
    fig, ax = plt.subplots()
    for i, label in enumerate(labels):
        ax.plot([0, 1], [i, i + 1], label=label)
    plots.finish(ax, "Title", "x", "y")
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Title", "x", "y")
    assert (ax.get_legend() is not None) is legend


def test_subplots_returns_a_flat_array():
    fig, axes = plots.subplots(3, 2, width=2, height=1)
    assert axes.shape == (6,)
    assert tuple(fig.get_size_inches()) == (6, 2)


def test_grid_covers_the_points():
    X = np.array([[0.0, 1.0], [2.0, -1.0]])
    xx, yy, points = plots.grid_2d(X, resolution=5, margin=0.5)
    assert xx.shape == yy.shape == (5, 5) and points.shape == (25, 2)
    assert points.min(axis=0).tolist() == [-0.5, -1.5] and points.max(axis=0).tolist() == [2.5, 1.5]
    with pytest.raises(ValueError, match=r"expected points of shape \(N, 2\), got \(2, 3\)"):
        plots.grid_2d(np.ones((2, 3)))


@pytest.mark.parametrize("scores", [False, True])
def test_decision_boundary_accepts_labels_or_scores(scores):
    X = np.array([[-1.0, 0.0], [1.0, 0.0]])
    y = np.array([0, 1])

    def predict(P):
        labels = (P[:, 0] > 0).astype(int)
        return np.eye(2)[labels] if scores else labels

    fig, ax = plt.subplots()
    filled, points = plots.plot_decision_boundary(ax, predict, X, y, resolution=20)
    assert points.get_offsets().shape == (2, 2)
    assert ax.get_title() == "Decision boundary"


def test_use_course_style_is_undone_by_rc_context():
    before = mpl.rcParams["axes.grid"]
    with mpl.rc_context():
        plots.use_course_style()
        assert mpl.rcParams["svg.hashsalt"] == "course"
    assert mpl.rcParams["axes.grid"] == before


@pytest.mark.parametrize("n_lines, legend, want", [(1, True, True), (2, False, False),
                                                    (0, None, False), (3, None, True)])
def test_finish_legend_argument_forces_or_suppresses(n_lines, legend, want):
    fig, ax = plt.subplots()
    for i in range(n_lines):
        ax.plot([0, 1], [i, i], label=f"line {i}")
    assert plots.finish(ax, "T", legend=legend) is ax
    assert (ax.get_legend() is not None) is want
    assert ax.get_xlabel() == "" and ax.get_ylabel() == ""      # None leaves the labels alone


def test_grid_of_a_single_point_and_margin_zero():
    xx, yy, points = plots.grid_2d(np.array([[1.0, 2.0]]), resolution=3, margin=0.0)
    assert np.all(points == [1.0, 2.0])                          # a degenerate box: one point
    xx, yy, points = plots.grid_2d(np.array([[0.0, 0.0], [1.0, 1.0]]), resolution=2, margin=0.0)
    assert points.tolist() == [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]


def test_decision_boundary_options_are_used():
    X = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    y = np.array([0, 1, 2])
    calls = []

    def predict(P):
        calls.append(P.shape)
        return np.where(P[:, 0] > 0, 1, np.where(P[:, 1] > 0.5, 2, 0))

    fig, ax = plt.subplots()
    filled, points = plots.plot_decision_boundary(ax, predict, X, y, resolution=9, title="Mine",
                                                  alpha=0.6, margin=1.0)
    assert calls == [(81, 2)] and ax.get_title() == "Mine"
    assert filled.get_alpha() == 0.6
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"
    np.testing.assert_allclose(ax.get_xlim(), [-2.0, 2.0], atol=0.3)


def test_draw_graph_options():
    from course_lib.autograd import Value
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    out = a * b + a
    fig, ax = plt.subplots()
    assert plots.draw_graph(out, ax=ax, local=False, title="G") is ax
    assert ax.get_title() == "G"                                 # no "(orange: ...)" suffix
    with_local = plots.draw_graph(out)
    assert with_local.get_title() == "Computational graph (orange: local derivatives)"
    assert len(with_local.texts) > len(ax.texts)                 # the derivative labels
    assert any(t.get_text() == "-3" for t in with_local.texts)   # d(a b)/da = b
    one = plots.draw_graph(Value(1.5))                           # a single leaf is fine
    assert len(one.texts) == 1


def test_subplots_passes_keyword_arguments_on():
    fig, axes = plots.subplots(2, sharey=True)
    axes[0].set_ylim(0, 7)
    assert axes[1].get_ylim() == (0, 7)                          # shared with the first panel


@pytest.mark.parametrize("scores", [False, True])
def test_decision_boundary_colours_the_predicted_classes(scores, monkeypatch):
    X = np.array([[-1.0, -1.0], [1.0, 1.0]])
    y = np.array([0, 0])                                         # the data shows one class only

    def predict(P):
        labels = (P[:, 0] > 0).astype(int) + 2 * (P[:, 1] > 0)   # four quadrants: classes 0..3
        return np.eye(4)[labels] if scores else labels

    fig, ax = plt.subplots()
    seen = {}
    original = ax.contourf

    def spy(xx, yy, Z, **kwargs):
        seen["Z"], seen["kwargs"] = Z, kwargs
        return original(xx, yy, Z, **kwargs)

    monkeypatch.setattr(ax, "contourf", spy)
    plots.plot_decision_boundary(ax, predict, X, y, resolution=4, margin=0.0)
    xx, yy, _ = plots.grid_2d(X, resolution=4, margin=0.0)
    want = (xx > 0).astype(int) + 2 * (yy > 0)
    np.testing.assert_array_equal(seen["Z"], want)
    assert seen["kwargs"]["cmap"].N == 4                         # a colour for each predicted class
    np.testing.assert_array_equal(seen["kwargs"]["levels"], [-0.5, 0.5, 1.5, 2.5, 3.5])

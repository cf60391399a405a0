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

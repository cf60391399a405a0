"""Chapter 07's widgets: the frames they send are the layers' numbers, controls recompute in one
update, stable reprs, readable errors, static snapshots."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib import layers as L  # noqa: E402
from course_lib.widgets.base import RUN_HINT  # noqa: E402
from course_lib.widgets.convolution import (  # noqa: E402
    KERNELS,
    ConvolutionExplorer,
    PoolRoutingExplorer,
    apply_kernel,
)

FMAP = np.array([[1.0, 3, 2, 1], [4, 6, 5, 0], [7, 2, 9, 8], [1, 0, 3, 4]])


def _images(n=3, seed=0):
    return np.random.default_rng(seed).uniform(size=(n, 1, 6, 7))


def _layers(widget, kind):
    return [layer for layer in widget.player.scene["layers"] if layer["kind"] == kind]


def test_apply_kernel_is_a_cross_correlation():
    image = np.arange(12.0).reshape(3, 4)
    kernel = np.array([[1.0, 0], [0, -1]])
    np.testing.assert_allclose(apply_kernel(image, kernel), [[-5, -5, -5], [-5, -5, -5]])
    assert apply_kernel(image, kernel, padding=1).shape == (4, 5)
    assert apply_kernel(image, np.ones((1, 1)), stride=2).shape == (2, 2)
    with pytest.raises(ValueError, match="expected a 2-D image and a 2-D kernel"):
        apply_kernel(np.ones((1, 3, 3)), kernel)


@pytest.mark.parametrize("padding", [0, 1])
def test_explorer_frames_fill_the_output_row_by_row(padding):
    images = _images()
    w = ConvolutionExplorer(images, padding=padding, image=1)
    kernel = KERNELS["vertical edges (Sobel x)"]
    expected = apply_kernel(images[1, 0], kernel, padding=padding)
    np.testing.assert_allclose(w.output, expected)
    ho, wo = expected.shape
    assert len(w.scene) == ho * wo == w.player.scene["n_frames"]
    assert w.player.frame == ho * wo - 1                     # opens on the filled map
    assert w.player.scene["labels"][:2] == ["output[0, 0]", "output[0, 1]"]
    (image,) = _layers(w, "image")
    assert image["shape"] == [ho * wo, ho, wo]
    texts = _layers(w, "text")[0]["texts"]
    assert texts[wo + 1] == f"output[1, 1] = sum(window * kernel) = {expected[1, 1]:.2f}"
    # the window of frame k covers input rows y..y+2, columns x..x+2 (row 0 drawn at the top)
    windows = _layers(w, "line")[0]
    xy = np.frombuffer(windows["xy"], np.float32).reshape(ho * wo, 5, 2)
    rows = images.shape[2] + 2 * padding
    k = wo + 2                                              # output[1, 2]
    np.testing.assert_allclose(xy[k].min(axis=0), [2 - 0.5, rows - 1 - (1 + 2) - 0.5])
    np.testing.assert_allclose(xy[k].max(axis=0), [2 + 2.5, rows - 1 - 1 + 0.5])


def test_picking_a_kernel_or_an_image_recomputes_in_one_update():
    images = _images()
    w = ConvolutionExplorer(images)
    first = w.player.scene["id"]
    w.kernel_menu.value = "blur (box)"
    assert w.player.scene["id"] == first + 1
    np.testing.assert_allclose(w.output, apply_kernel(images[0, 0], KERNELS["blur (box)"]))
    w.image_slider.value = 2
    assert w.player.scene["id"] == first + 2
    np.testing.assert_allclose(w.output, apply_kernel(images[2, 0], KERNELS["blur (box)"]))
    assert repr(w) == "ConvolutionExplorer(kernel 'blur (box)', image 2, 20 frames)"
    assert w._repr_mimebundle_()["text/plain"] == f"{w!r}\n{RUN_HINT}"


def test_explorer_accepts_own_kernels_and_rejects_bad_input():
    w = ConvolutionExplorer(_images()[:, 0], kernels={"2x3": np.ones((2, 3))})
    assert w.output.shape == (5, 5) and len(w.scene) == 25
    with pytest.raises(ValueError, match=r"expected images of shape \(N, H, W\)"):
        ConvolutionExplorer(np.ones((2, 3, 4, 4)))
    with pytest.raises(ValueError, match="unknown kernel 'nope'"):
        ConvolutionExplorer(_images(), kernel="nope")
    with pytest.raises(ValueError, match="must be 2-D"):
        ConvolutionExplorer(_images(), kernels={"bad": np.ones(3)})
    with pytest.raises(ValueError, match="at least one kernel"):
        ConvolutionExplorer(_images(), kernels={})


def test_explorer_snapshot_draws_a_frame():
    w = ConvolutionExplorer(_images())
    fig = w.scene.snapshot(3)
    assert fig is w.scene.fig and len(fig.axes) == 3
    assert [ax.get_title() for ax in fig.axes] == ["input", "kernel", "output (4x5)"]


@pytest.mark.parametrize("mode, stride", [("max", 2), ("max", 1), ("average", 2), ("average", 1)])
def test_pool_routing_dx_is_the_layers_backward(mode, stride):
    w = PoolRoutingExplorer(FMAP, mode=mode, stride=stride)
    cls = L.MaxPool2d if mode == "max" else L.AvgPool2d
    pool = cls(2, stride=stride)
    out = pool.forward(FMAP[None, None])[0, 0]
    np.testing.assert_allclose(w.out, out)
    dout = np.arange(1.0, out.size + 1).reshape(out.shape)
    np.testing.assert_allclose(w.dx, pool.backward(dout[None, None])[0, 0])
    assert len(w.scene) == out.size
    # the last frame's dx image is the full dx (0 shown as clear)
    (image,) = _layers(w, "image")
    assert image["shape"] == [out.size, 4, 4]


def test_pool_routing_hand_values_and_frames():
    w = PoolRoutingExplorer(FMAP)
    np.testing.assert_array_equal(w.dx, [[0, 0, 0, 0], [0, 1, 2, 0], [3, 0, 4, 0], [0, 0, 0, 0]])
    texts = [layer["texts"] for layer in _layers(w, "text")]
    assert texts[-1][0] == "window (0, 0): max 6 at x[1, 1] gets dout 1"
    # per-pixel dx texts: x[1, 1] shows 1 from the first window on; x[2, 2] only in the last
    pixel_11, pixel_22 = texts[1 * 4 + 1], texts[2 * 4 + 2]
    assert pixel_11 == ["1", "1", "1", "1"] and pixel_22 == ["", "", "", "4"]
    w.stride_menu.value = 1                                   # overlapping windows add up
    assert len(w.scene) == 9
    assert w.dx[2, 2] == 5 + 6 + 8 + 9
    assert repr(w) == "PoolRoutingExplorer(max pool 2x2, stride 1, 9 windows)"
    w.mode_menu.value = "average"
    np.testing.assert_allclose(w.dx.sum(), np.arange(1, 10).sum())   # every window gives all


def test_pool_routing_errors_and_custom_dout():
    w = PoolRoutingExplorer(FMAP, dout=np.array([[1.0, 0], [0, 2]]))
    np.testing.assert_array_equal(w.dx[1, 1], 1.0)
    assert w.dx[2, 2] == 2.0 and w.dx.sum() == 3.0
    with pytest.raises(ValueError, match=r"dout must have shape \(2, 2\)"):
        PoolRoutingExplorer(FMAP, dout=np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"expected a 2-D map x \(H, W\)"):
        PoolRoutingExplorer(np.ones((1, 4, 4)))
    with pytest.raises(ValueError, match="mode must be 'max' or 'average'"):
        PoolRoutingExplorer(FMAP, mode="min")
    assert w.scene.snapshot(-1) is w.scene.fig

"""Chapter 07's widgets: a kernel sliding over a digit, and max-pool gradient routing.

:class:`ConvolutionExplorer` plays a kernel window moving over an image while the output map
fills in, one output pixel per frame (pick the kernel and the image; padding and stride are
arguments). :class:`PoolRoutingExplorer` plays the windows of a max (or average) pool one by one
and shows where each window's upstream gradient lands in ``dx``; with stride < kernel the
windows overlap and the gradients add up. Both compute every frame with ``course_lib.layers``
and play in the browser on a :class:`~course_lib.widgets.base.FramePlayer`.
"""

import ipywidgets as W
import numpy as np

from ..layers import AvgPool2d, Conv2d, MaxPool2d
from ..plots import finish
from .base import CourseWidget, FramePlayer, Scene, static_figure

__all__ = ["KERNELS", "ConvolutionExplorer", "PoolRoutingExplorer", "apply_kernel"]

#: hand-made 3x3 filters (PyTorch's cross-correlation: the kernel is not flipped)
KERNELS = {
    "vertical edges (Sobel x)": np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]]),
    "horizontal edges (Sobel y)": np.array([[1.0, 2, 1], [0, 0, 0], [-1, -2, -1]]),
    "blur (box)": np.full((3, 3), 1 / 9),
    "sharpen": np.array([[0.0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "identity": np.array([[0.0, 0, 0], [0, 1, 0], [0, 0, 0]]),
}


def apply_kernel(image, kernel, *, stride=1, padding=0):
    """One 2-D kernel over one 2-D image with :class:`~course_lib.layers.Conv2d` (bias 0).

    ``image`` (H, W), ``kernel`` (kh, kw) -> output map (H_out, W_out), float64.
    """
    image, kernel = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"apply_kernel: expected a 2-D image and a 2-D kernel, got shapes "
                         f"{image.shape} and {kernel.shape}")
    conv = Conv2d(1, 1, kernel.shape, stride=stride, padding=padding)
    conv.params["W"][...] = kernel
    conv.params["b"][...] = 0.0
    return conv.forward(image[None, None])[0, 0]


def _images(images, owner):
    arr = np.asarray(images, dtype=np.float64)
    if arr.ndim == 4 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[0] == 0:
        raise ValueError(f"{owner}: expected images of shape (N, H, W), (N, 1, H, W) or (H, W), "
                         f"got {np.shape(images)}")
    return arr


def _box(y, x, h, w, rows):
    """A rectangle around pixels rows y..y+h-1, columns x..x+w-1 (row 0 drawn at the top)."""
    top, bottom = rows - 1 - y + 0.5, rows - 1 - (y + h - 1) - 0.5
    left, right = x - 0.5, x + w - 0.5
    return np.array([[left, top], [right, top], [right, bottom], [left, bottom], [left, top]])


def _pixel_axes(ax, rows, cols, title, xlabel="column", ylabel="row"):
    ax.set(xlim=(-0.5, cols - 0.5), ylim=(-0.5, rows - 0.5), aspect="equal")
    ax.set_xticks(range(cols))
    ax.set_yticks(range(rows), labels=[str(r) for r in range(rows)][::-1])
    ax.tick_params(labelsize=7)
    finish(ax, title, xlabel, ylabel, legend=False)


class ConvolutionExplorer(CourseWidget):
    """A kernel slides over an image; the output map fills in one pixel per frame.

    ``ConvolutionExplorer(images, kernels=KERNELS, kernel=<first>, image=0, padding=0, stride=1,
    fps=6)``: ``images`` (N, H, W) or (N, 1, H, W) (e.g. ``data.digits()[0]``), ``kernels`` a
    dict name -> (kh, kw) array. Left: the (zero-padded) input with the window; middle: the
    kernel's weights; right: the output map, filled up to the current window. A dropdown picks the
    kernel, a slider the image. ``.output`` is the full output map of the current choice.
    """

    def __init__(self, images, *, kernels=None, kernel=None, image=0, padding=0, stride=1,
                 fps=6):
        self.images = _images(images, "ConvolutionExplorer")
        self.kernels = {k: np.asarray(v, dtype=np.float64)
                        for k, v in (KERNELS if kernels is None else kernels).items()}
        if not self.kernels:
            raise ValueError("ConvolutionExplorer: expected at least one kernel")
        for name, k in self.kernels.items():
            if k.ndim != 2:
                raise ValueError(f"ConvolutionExplorer: kernel {name!r} must be 2-D, got shape "
                                 f"{k.shape}")
        kernel = next(iter(self.kernels)) if kernel is None else kernel
        if kernel not in self.kernels:
            raise ValueError(f"ConvolutionExplorer: unknown kernel {kernel!r}; expected one of "
                             f"{list(self.kernels)}")
        self.padding, self.stride = int(padding), int(stride)
        self.kernel_menu = W.Dropdown(options=list(self.kernels), value=kernel,
                                      description="kernel", layout=W.Layout(width="330px"))
        self.image_slider = W.IntSlider(value=int(image), min=0, max=len(self.images) - 1,
                                        description="image", continuous_update=False)
        self.scene = self._scene()
        self.player = FramePlayer(self.scene, fps=fps, frame=-1,
                                  alt="a kernel window sliding over a digit, output map filling in")
        self.kernel_menu.observe(lambda _: self.draw(), "value")
        self.image_slider.observe(lambda _: self.draw(), "value")
        self._assemble(self.player, [[self.kernel_menu, self.image_slider]])

    @property
    def kernel(self):
        return self.kernels[self.kernel_menu.value]

    def _scene(self):
        img, k = self.images[self.image_slider.value], self.kernel
        p, s = self.padding, self.stride
        self.output = out = apply_kernel(img, k, stride=s, padding=p)
        padded = np.pad(img, p)
        rows, cols = padded.shape
        kh, kw = k.shape
        ho, wo = out.shape
        fig = static_figure((10.0, 3.8))
        ax_in, ax_k, ax_out = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 0.55, 1]})
        fig.subplots_adjust(left=0.05, right=0.98, bottom=0.15, top=0.86, wspace=0.35)
        ax_in.imshow(padded, cmap="gray_r", vmin=0, vmax=1, origin="upper",
                     extent=(-0.5, cols - 0.5, -0.5, rows - 0.5))
        if p:
            ax_in.plot(*_box(p, p, img.shape[0], img.shape[1], rows).T, color="0.5", lw=0.8,
                       ls="--", label="image (inside the zero padding)")
        _pixel_axes(ax_in, rows, cols, f"input, padding {p}" if p else "input")
        lim = max(float(np.abs(k).max()), 1e-12)
        ax_k.imshow(k, cmap="RdBu_r", vmin=-lim, vmax=lim, extent=(-0.5, kw - 0.5, -0.5, kh - 0.5))
        for (i, j), v in np.ndenumerate(k):
            ax_k.text(j, kh - 1 - i, f"{v:.2g}", ha="center", va="center", fontsize=8)
        _pixel_axes(ax_k, kh, kw, "kernel", "j", "i")
        vmax = max(float(np.abs(out).max()), 1e-12)
        ax_out.imshow(np.full_like(out, np.nan), extent=(-0.5, wo - 0.5, -0.5, ho - 0.5))
        _pixel_axes(ax_out, ho, wo, f"output ({ho}x{wo})")
        positions = [(y, x) for y in range(ho) for x in range(wo)]
        frames = np.full((len(positions), ho, wo), np.nan)
        for f, (y, x) in enumerate(positions):
            frames[f:, y, x] = out[y, x]
        scene = Scene(fig, labels=[f"output[{y}, {x}]" for y, x in positions])
        scene.image(ax_out, frames[:, ::-1], (-0.5, wo - 0.5, -0.5, ho - 0.5), cmap="RdBu_r",
                    vmin=-vmax, vmax=vmax)
        scene.line(ax_in, np.array([_box(y * s, x * s, kh, kw, rows) for y, x in positions]),
                   color="#d62728", lw=2.0)  # tweened: the window glides
        scene.line(ax_out, np.array([_box(y, x, 1, 1, ho) for y, x in positions]),
                   color="#d62728", lw=2.0)  # tweened: the window glides
        scene.text(ax_out, [f"output[{y}, {x}] = sum(window * kernel) = {out[y, x]:.2f}"
                            for y, x in positions], pos=(0.0, -0.16), size=9)
        return scene

    def draw(self):
        """Recompute the frames for the chosen kernel and image; show the last frame."""
        self.scene = self._scene()
        self.player.show(self.scene, frame=-1)

    def _repr_state(self):
        return (f"kernel {self.kernel_menu.value!r}, image {self.image_slider.value}, "
                f"{len(self.scene)} frames")


class PoolRoutingExplorer(CourseWidget):
    """The windows of a pool one by one: the forward value, and where its gradient goes.

    ``PoolRoutingExplorer(x, dout=None, kernel_size=2, stride=None, mode="max", fps=1.5)``:
    ``x`` (H, W) an input map; ``dout`` the upstream gradient (H_out, W_out) (default
    1, 2, 3, ... so each window's share is recognisable). Left: ``x`` with the current window and
    its winner; middle: ``dout`` with the current entry; right: ``dx`` so far. Menus pick the
    stride (stride < kernel: overlapping windows, whose gradients add up) and max or average.
    ``.dx`` is the full input gradient of the current choice (computed by ``course_lib.layers``).
    """

    def __init__(self, x, dout=None, *, kernel_size=2, stride=None, mode="max", fps=1.5):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2:
            raise ValueError(f"PoolRoutingExplorer: expected a 2-D map x (H, W), got shape "
                             f"{x.shape}")
        if mode not in ("max", "average"):
            raise ValueError(f"PoolRoutingExplorer: mode must be 'max' or 'average', got {mode!r}")
        self.x, self.kernel_size, self._dout = x, int(kernel_size), dout
        k = self.kernel_size
        strides = sorted({1, k, *([] if stride is None else [int(stride)])})
        self.stride_menu = W.Dropdown(options=strides, value=k if stride is None else int(stride),
                                      description="stride")
        self.mode_menu = W.Dropdown(options=["max", "average"], value=mode, description="pool")
        self.scene = self._scene()
        self.player = FramePlayer(self.scene, fps=fps, frame=-1,
                                  alt="pooling windows and where their gradient goes")
        self.stride_menu.observe(lambda _: self.draw(), "value")
        self.mode_menu.observe(lambda _: self.draw(), "value")
        self._assemble(self.player, [[self.mode_menu, self.stride_menu]])

    def _pool(self):
        cls = MaxPool2d if self.mode_menu.value == "max" else AvgPool2d
        return cls(self.kernel_size, stride=self.stride_menu.value)

    def _scene(self):
        x, k, s = self.x, self.kernel_size, self.stride_menu.value
        pool = self._pool()
        out = pool.forward(x[None, None])[0, 0]
        ho, wo = out.shape
        dout = (np.arange(1.0, ho * wo + 1).reshape(ho, wo) if self._dout is None
                else np.asarray(self._dout, dtype=np.float64))
        if dout.shape != out.shape:
            raise ValueError(f"PoolRoutingExplorer: dout must have shape {out.shape}, got "
                             f"{dout.shape}")
        self.out, self.dout = out, dout
        self.dx = pool.backward(dout[None, None])[0, 0]
        rows, cols = x.shape
        positions = [(y, z) for y in range(ho) for z in range(wo)]
        # dx after each window: rerun the layer's backward with dout masked to the windows so far
        frames = []
        for f in range(len(positions)):
            partial = np.zeros_like(dout)
            for y, z in positions[:f + 1]:
                partial[y, z] = dout[y, z]
            frames.append(pool.backward(partial[None, None])[0, 0])
        frames = np.array(frames)
        fig = static_figure((10.0, 3.8))
        ax_x, ax_d, ax_dx = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 0.7, 1]})
        fig.subplots_adjust(left=0.05, right=0.98, bottom=0.15, top=0.86, wspace=0.35)
        ax_x.imshow(x, cmap="Greys", alpha=0.35, extent=(-0.5, cols - 0.5, -0.5, rows - 0.5))
        for (i, j), v in np.ndenumerate(x):
            ax_x.text(j, rows - 1 - i, f"{v:.3g}", ha="center", va="center", fontsize=9)
        name = "max" if self.mode_menu.value == "max" else "average"
        _pixel_axes(ax_x, rows, cols, f"x: {name} pool {k}x{k}, stride {s}")
        ax_d.imshow(np.zeros_like(dout), cmap="Greys", vmin=0, vmax=1,
                    extent=(-0.5, wo - 0.5, -0.5, ho - 0.5))
        for (i, j), v in np.ndenumerate(dout):
            ax_d.text(j, ho - 1 - i, f"{v:.3g}", ha="center", va="center", fontsize=9)
        _pixel_axes(ax_d, ho, wo, "upstream gradient dout")
        ax_dx.imshow(np.full_like(x, np.nan), extent=(-0.5, cols - 0.5, -0.5, rows - 0.5))
        _pixel_axes(ax_dx, rows, cols, "dx (so far)")
        scene = Scene(fig, labels=[f"window ({y}, {z})" for y, z in positions])
        vmax = max(float(np.abs(frames).max()), 1e-12)
        scene.image(ax_dx, np.where(frames == 0, np.nan, frames)[:, ::-1],
                    (-0.5, cols - 0.5, -0.5, rows - 0.5), cmap="Oranges", vmin=0, vmax=vmax * 1.2)
        scene.line(ax_x, np.array([_box(y * s, z * s, k, k, rows) for y, z in positions]),
                   color="#d62728", lw=2.0)  # tweened: the window glides
        scene.line(ax_d, np.array([_box(y, z, 1, 1, ho) for y, z in positions]),
                   color="#d62728", lw=2.0)  # tweened: the window glides
        texts = []
        for f, (y, z) in enumerate(positions):
            window = x[y * s:y * s + k, z * s:z * s + k]
            if name == "max":
                i, j = np.unravel_index(np.argmax(window), window.shape)
                texts.append(f"window ({y}, {z}): max {out[y, z]:.3g} at x[{y * s + i}, "
                             f"{z * s + j}] gets dout {dout[y, z]:.3g}")
            else:
                texts.append(f"window ({y}, {z}): each of its {k * k} inputs gets "
                             f"{dout[y, z]:.3g} / {k * k}")
        for (i, j) in np.ndindex(rows, cols):  # dx values as numbers, per frame
            scene.text(ax_dx, [f"{v:.3g}" if v else "" for v in frames[:, i, j]],
                       pos=((j + 0.5) / cols, (rows - i - 0.5) / rows), size=9, ha="center",
                       va="center")
        scene.text(ax_x, texts, pos=(0.0, -0.16), size=9)
        return scene

    def draw(self):
        """Recompute for the chosen pool and stride; show the last window."""
        self.scene = self._scene()
        self.player.show(self.scene, frame=-1)

    def _repr_state(self):
        return (f"{self.mode_menu.value} pool {self.kernel_size}x{self.kernel_size}, stride "
                f"{self.stride_menu.value}, {len(self.scene)} windows")

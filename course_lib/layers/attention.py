"""Attention and the transformer block, under the same layer contract as ``Dense``.

- :class:`Embedding`: integer token ids (N, T) -> vectors (N, T, D), a lookup in ``W`` (V, D).
- :class:`PositionalEncoding`: adds the sinusoidal position signal of "Attention Is All You Need".
- :func:`scaled_dot_product_attention` and :func:`attention_backward`: the core, on (..., T, d).
- :class:`MultiHeadAttention`: self-attention with ``n_heads`` heads on (N, T, D).
- :class:`TransformerBlock`: pre-norm ``x + MHA(LN(x))``, then ``h + FFN(LN(h))``.

Conventions are PyTorch's: a boolean mask is True where attention is *allowed* (``attn_mask`` of
``torch.nn.functional.scaled_dot_product_attention``); head ``h`` works on the ``h``-th consecutive
slice of ``d_model``; scores are scaled by ``1 / sqrt(d_head)``. Where we differ, the docstring
says so (our weights are (D_in, D_out), used as ``x @ W``, like ``Dense``).
"""

import numpy as np

from .core import GELU, Container, Dense, Layer, Sequential, check_shape
from .norm import LayerNorm

__all__ = ["Embedding", "MultiHeadAttention", "PositionalEncoding", "TransformerBlock",
           "attention_backward", "causal_mask", "merge_heads", "scaled_dot_product_attention",
           "sinusoidal_encoding", "split_heads"]


def _positive_int(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


class Embedding(Layer):
    """A lookup table: ``out[n, t] = W[ids[n, t]]`` (PyTorch's ``nn.Embedding``).

    Shapes: ids (N, T) integers in ``0..V-1`` (any shape works) -> out (*ids.shape, D);
    W (V, D), initialised ``N(0, 1)`` as PyTorch does.
    ``backward(dout)`` adds each position's ``dout`` into the row of its id (a repeated id gets
    the sum) and returns ``None``: there is no gradient with respect to integers.
    """

    def __init__(self, num_embeddings, embedding_dim, *, rng=None):
        super().__init__()
        v = _positive_int("Embedding", "num_embeddings", num_embeddings)
        d = _positive_int("Embedding", "embedding_dim", embedding_dim)
        rng = np.random.default_rng(rng)
        self.params = {"W": rng.normal(0.0, 1.0, (v, d))}
        self.grads = {"W": np.zeros((v, d))}

    def forward(self, ids):
        ids = np.asarray(ids)
        if not np.issubdtype(ids.dtype, np.integer):
            raise TypeError(f"Embedding: expected integer token ids, got dtype {ids.dtype} "
                            "(use ids.astype(int); float ids would be a silent bug)")
        v = self.params["W"].shape[0]
        if ids.size and (ids.min() < 0 or ids.max() >= v):
            raise ValueError(f"Embedding: ids must be in 0..{v - 1}, got values from {ids.min()} "
                             f"to {ids.max()}")
        self._ids = ids
        return self.params["W"][ids]

    def backward(self, dout):
        d = self.params["W"].shape[1]
        self.grads["W"][...] = 0.0
        # add.at, not W[ids] += dout: with a repeated id, fancy-index += keeps only the last one
        np.add.at(self.grads["W"], self._ids.reshape(-1), np.reshape(dout, (-1, d)))
        # no return value (None): integer ids have no gradient; nothing comes before an Embedding

    def __repr__(self):
        v, d = self.params["W"].shape
        return f"Embedding({v}, {d})"


def sinusoidal_encoding(max_len, d_model):
    """The table ``PE`` (max_len, d_model): ``PE[p, 2i] = sin(p / 10000^(2i/d))``,
    ``PE[p, 2i+1] = cos(p / 10000^(2i/d))`` ("Attention Is All You Need", section 3.5)."""
    pos = np.arange(max_len)[:, None]
    freq = 10000.0 ** (-np.arange(0, d_model, 2) / d_model)      # (ceil(d/2),)
    pe = np.zeros((max_len, d_model))
    pe[:, 0::2] = np.sin(pos * freq)
    pe[:, 1::2] = np.cos(pos * freq[: d_model // 2])               # odd d_model: one cos fewer
    return pe


class PositionalEncoding(Layer):
    """Adds the sinusoidal position signal: ``out = x + PE[:T]``; no parameters.

    Shapes: x (N, T, D) with ``T <= max_len`` and ``D == d_model`` -> out (N, T, D).
    ``self.pe`` is the table (max_len, d_model) of :func:`sinusoidal_encoding`. ``backward`` is
    the identity. (The paper also scales the embeddings by ``sqrt(d_model)``; we leave that to
    the model, as PyTorch's tutorial layer does.)
    """

    def __init__(self, max_len, d_model):
        super().__init__()
        self.max_len = _positive_int("PositionalEncoding", "max_len", max_len)
        self.d_model = _positive_int("PositionalEncoding", "d_model", d_model)
        self.pe = sinusoidal_encoding(self.max_len, self.d_model)

    def forward(self, x):
        x = check_shape(x, ("N", "T", self.d_model), "PositionalEncoding input")
        if x.shape[1] > self.max_len:
            raise ValueError(f"PositionalEncoding: sequence length {x.shape[1]} is longer than "
                             f"max_len={self.max_len}")
        return x + self.pe[: x.shape[1]]

    def backward(self, dout):
        return dout

    def __repr__(self):
        return f"PositionalEncoding(max_len={self.max_len}, d_model={self.d_model})"


def causal_mask(T):
    """Boolean (T, T) mask, True on and below the diagonal: position ``t`` sees ``0..t``."""
    return np.tril(np.ones((T, T), dtype=bool))


def _check_qkv(q, k, v, mask):
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    if q.ndim < 2 or k.ndim != q.ndim or v.ndim != q.ndim:
        raise ValueError(f"attention: q, k, v must be (..., T, d) arrays of the same rank, got "
                         f"q {q.shape}, k {k.shape}, v {v.shape}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"attention: expected q (..., Tq, d), k (..., Tk, d), v (..., Tk, dv), "
                         f"got q {q.shape}, k {k.shape}, v {v.shape}")
    if k.shape[-2] == 0 or q.shape[-1] == 0:
        raise ValueError(f"attention: need at least one key and one feature, got k {k.shape}")
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise TypeError(f"attention: mask must be boolean (True = may attend), got dtype "
                            f"{mask.dtype}; PyTorch would add a float mask to the scores instead")
        want = q.shape[:-1] + (k.shape[-2],)
        try:
            np.broadcast_shapes(mask.shape, want)
        except ValueError:
            raise ValueError(f"attention: mask of shape {mask.shape} does not broadcast to the "
                             f"scores' shape {want}") from None
    return q, k, v, mask


def _masked_softmax(scores, mask):
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    top = scores.max(axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)     # a fully masked row: no -inf - -inf = nan
    e = np.exp(scores - top)                       # max-shift against overflow; masked -> 0
    total = e.sum(axis=-1, keepdims=True)
    return e / np.where(total > 0, total, 1.0)     # a fully masked row stays all zeros


def scaled_dot_product_attention(q, k, v, mask=None):
    """``softmax(q k^T / sqrt(d) [masked]) v``; returns ``(out, weights)``.

    - q: queries (..., Tq, d); k: keys (..., Tk, d); v: values (..., Tk, dv); any leading
      dimensions (batch, heads), the same for all three.
    - mask: optional boolean array broadcastable to (..., Tq, Tk), True where query ``i`` may
      attend to key ``j`` (PyTorch's boolean ``attn_mask``). Masked weights are exactly 0.
    - out: (..., Tq, dv); weights: (..., Tq, Tk), each row sums to 1.

    Large scores are safe (the softmax subtracts each row's max). A query whose row is fully
    masked gets zero weights and a zero output, as PyTorch 2.13's
    ``F.scaled_dot_product_attention`` gives on the CPU; ``nn.MultiheadAttention`` and a
    hand-written ``masked_fill(-inf)`` + softmax give NaN there, which then spreads through the
    whole loss. Raises ``ValueError`` on mismatched shapes, ``TypeError`` on a
    non-boolean mask.
    """
    q, k, v, mask = _check_qkv(q, k, v, mask)
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    weights = _masked_softmax(scores, mask)
    return weights @ v, weights


def attention_backward(dout, q, k, v, weights):
    """Gradients ``(dq, dk, dv)`` of :func:`scaled_dot_product_attention`, given its ``weights``.

    With ``S = q k^T / sqrt(d)``, ``P = softmax(S)`` and ``out = P v``::

        dv = P^T dout                      # (..., Tk, dv)
        dP = dout v^T                      # (..., Tq, Tk)
        dS = P * (dP - sum(dP * P, -1))    # the softmax's backward, row by row
        dq = dS k / sqrt(d);  dk = dS^T q / sqrt(d)

    A masked weight is 0, so its ``dS`` is 0 too: the mask needs no special case here.
    """
    scale = 1.0 / np.sqrt(q.shape[-1])
    dv = np.swapaxes(weights, -1, -2) @ dout
    dp = dout @ np.swapaxes(v, -1, -2)
    ds = weights * (dp - np.sum(dp * weights, axis=-1, keepdims=True))
    dq = ds @ k * scale
    dk = np.swapaxes(ds, -1, -2) @ q * scale
    return dq, dk, dv


def split_heads(x, n_heads):
    """(N, T, D) -> (N, H, T, D/H): head ``h`` gets the ``h``-th consecutive slice of ``D``."""
    n, t, d = x.shape
    return x.reshape(n, t, n_heads, d // n_heads).transpose(0, 2, 1, 3)


def merge_heads(x):
    """(N, H, T, d_head) -> (N, T, H * d_head): the inverse of :func:`split_heads`."""
    n, h, t, dh = x.shape
    return x.transpose(0, 2, 1, 3).reshape(n, t, h * dh)


class MultiHeadAttention(Layer):
    """Multi-head self-attention on (N, T, D).

    ``q = x Wq + bq`` (likewise k, v), each split into ``n_heads`` heads of ``d_head = D / H``
    features (:func:`split_heads`), attention per head (scores scaled by ``1 / sqrt(d_head)``),
    heads merged back, then ``out = concat Wo + bo``.

    Shapes: x (N, T, D) -> out (N, T, D); ``Wq, Wk, Wv, Wo`` (D, D), used as ``x @ W`` like
    ``Dense``; ``bq, bk, bv, bo`` (D,). PyTorch's ``nn.MultiheadAttention`` stacks the three
    input weights transposed in ``in_proj_weight`` (3D, D), used as ``x @ W.T``:
    ``Wq = in_proj_weight[:D].T``, and ``Wo = out_proj.weight.T``.
    Weights start Xavier-uniform (as PyTorch's in-projection), biases at 0.
    ``causal=True`` lets position ``t`` attend only to ``0..t``. After ``forward``,
    ``self.attention`` holds the weights (N, H, T, T), for plots.
    """

    def __init__(self, d_model, n_heads, *, causal=False, rng=None):
        super().__init__()
        d = _positive_int("MultiHeadAttention", "d_model", d_model)
        h = _positive_int("MultiHeadAttention", "n_heads", n_heads)
        if d % h:
            raise ValueError(f"MultiHeadAttention: d_model={d} must be divisible by n_heads={h}")
        self.d_model, self.n_heads, self.causal = d, h, bool(causal)
        rng = np.random.default_rng(rng)
        limit = np.sqrt(6.0 / (d + d))
        for name in "qkvo":
            self.params["W" + name] = rng.uniform(-limit, limit, (d, d))
        for name in "qkvo":
            self.params["b" + name] = np.zeros(d)
        self.grads = {k: np.zeros_like(p) for k, p in self.params.items()}
        self.attention = None

    def forward(self, x):
        x = check_shape(x, ("N", "T", self.d_model), "MultiHeadAttention input")
        p, h = self.params, self.n_heads
        q = split_heads(x @ p["Wq"] + p["bq"], h)
        k = split_heads(x @ p["Wk"] + p["bk"], h)
        v = split_heads(x @ p["Wv"] + p["bv"], h)
        mask = causal_mask(x.shape[1]) if self.causal else None
        heads, self.attention = scaled_dot_product_attention(q, k, v, mask)
        concat = merge_heads(heads)
        self._cache = x, q, k, v, concat
        return concat @ p["Wo"] + p["bo"]

    def backward(self, dout):
        x, q, k, v, concat = self._cache
        p, g, d = self.params, self.grads, self.d_model
        dout2 = dout.reshape(-1, d)
        g["Wo"][...] = concat.reshape(-1, d).T @ dout2
        g["bo"][...] = dout2.sum(axis=0)
        dheads = split_heads(dout @ p["Wo"].T, self.n_heads)
        dq, dk, dv = (merge_heads(a) for a in attention_backward(dheads, q, k, v, self.attention))
        x2 = x.reshape(-1, d)
        dx = 0.0
        for name, da in (("q", dq), ("k", dk), ("v", dv)):
            da2 = da.reshape(-1, d)
            g["W" + name][...] = x2.T @ da2
            g["b" + name][...] = da2.sum(axis=0)
            dx = dx + da @ p["W" + name].T          # x feeds all three projections: sum them
        return dx

    def __repr__(self):
        return (f"MultiHeadAttention(d_model={self.d_model}, n_heads={self.n_heads}, "
                f"causal={self.causal})")


class TransformerBlock(Container):
    """One pre-norm transformer block (GPT-2's layout)::

        h   = x + attn(ln1(x))
        out = h + ff(ln2(h)),     ff = Dense(D, d_ff) -> GELU -> Dense(d_ff, D)

    Shapes: x (N, T, D) -> out (N, T, D). Children: ``ln1``, ``attn`` (a
    :class:`MultiHeadAttention`), ``ln2``, ``ff`` (a ``Sequential``); ``params``/``grads`` are flat
    dicts of their arrays named ``"ln1.gamma"``, ``"attn.Wq"``, ``"ff.0.W"``, ... (the very arrays,
    so optimizers update the children). The original paper puts the norm after each residual
    (post-norm); pre-norm trains more easily without a learning-rate warm-up.

    In PyTorch this is ``nn.TransformerEncoderLayer(D, H, d_ff, dropout=0.0, batch_first=True,
    norm_first=True, activation=nn.GELU(approximate="tanh"))`` (its ``activation="gelu"`` is the
    exact erf form; ours is the tanh form of ``GELU``), with the weights mapped as for
    :class:`MultiHeadAttention` and ``linear1.weight = ff[0].W.T``; outputs and gradients agree to
    about 1e-14.
    """

    def __init__(self, d_model, n_heads, d_ff, *, causal=False, rng=None):
        super().__init__()
        d_ff = _positive_int("TransformerBlock", "d_ff", d_ff)
        rng = np.random.default_rng(rng)
        self.ln1 = LayerNorm(d_model)
        self.attn = MultiHeadAttention(d_model, n_heads, causal=causal, rng=rng)
        self.ln2 = LayerNorm(d_model)
        self.ff = Sequential(Dense(d_model, d_ff, rng=rng), GELU(), Dense(d_ff, d_model, rng=rng))
        self.children = {"ln1": self.ln1, "attn": self.attn, "ln2": self.ln2, "ff": self.ff}
        self.d_model = self.attn.d_model

    def forward(self, x):
        x = check_shape(x, ("N", "T", self.d_model), "TransformerBlock input")
        h = x + self.attn.forward(self.ln1.forward(x))
        return h + self.ff.forward(self.ln2.forward(h))

    def backward(self, dout):
        dh = dout + self.ln2.backward(self.ff.backward(dout))     # the residual passes dout through
        return dh + self.ln1.backward(self.attn.backward(dh))

    @property
    def attention(self):
        """The attention weights (N, H, T, T) of the last ``forward``."""
        return self.attn.attention

    def __repr__(self):
        d_ff = self.ff[0].params["W"].shape[1]
        return (f"TransformerBlock(d_model={self.d_model}, n_heads={self.attn.n_heads}, "
                f"d_ff={d_ff}, causal={self.attn.causal})")

"""course_lib.layers.attention: Embedding, PositionalEncoding, attention, MHA, TransformerBlock."""

import numpy as np
import pytest

from course_lib import layers as L
from course_lib.gradcheck import (
    THRESHOLD,
    check_layer_gradients,
    numerical_gradient,
    rel_error,
)
from course_lib.layers import attention as A
from course_lib.losses import CrossEntropyLoss
from course_lib.optim import Adam


def _rng(seed):
    return np.random.default_rng([seed, 8])


# --- Embedding -------------------------------------------------------------------------------

def test_embedding_looks_up_rows():
    emb = L.Embedding(5, 3, rng=0)
    ids = np.array([[0, 4, 4], [2, 1, 0]])
    out = emb.forward(ids)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out[0, 1], emb.params["W"][4])
    np.testing.assert_array_equal(out[1, 0], emb.params["W"][2])
    assert repr(emb) == "Embedding(5, 3)"


def test_embedding_backward_accumulates_repeated_ids():
    emb = L.Embedding(4, 2, rng=0)
    ids = np.array([[1, 1, 3], [1, 0, 3]])
    emb.forward(ids)
    dout = np.arange(12, dtype=float).reshape(2, 3, 2)
    emb.grads["W"][...] = 99.0                       # stale values must be overwritten
    assert emb.backward(dout) is None
    expected = np.zeros((4, 2))
    expected[1] = dout[0, 0] + dout[0, 1] + dout[1, 0]
    expected[3] = dout[0, 2] + dout[1, 2]
    expected[0] = dout[1, 1]
    np.testing.assert_array_equal(emb.grads["W"], expected)   # row 2 never used: exactly 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_embedding_gradient_numerically(seed):
    rng = _rng(seed)
    v, d = rng.integers(2, 7), rng.integers(1, 5)
    emb = L.Embedding(v, d, rng=seed)
    ids = rng.integers(0, v, size=(4, rng.integers(1, 6)))
    dout = rng.normal(size=ids.shape + (d,))
    emb.forward(ids)
    emb.backward(dout)
    num = numerical_gradient(lambda: np.sum(emb.forward(ids) * dout), emb.params["W"])
    assert rel_error(emb.grads["W"], num) < THRESHOLD


def test_embedding_errors():
    emb = L.Embedding(5, 3)
    with pytest.raises(TypeError, match="integer token ids, got dtype float64"):
        emb.forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"ids must be in 0\.\.4, got values from 0 to 5"):
        emb.forward(np.array([[0, 5]]))
    with pytest.raises(ValueError, match=r"ids must be in 0\.\.4, got values from -1"):
        emb.forward(np.array([[-1, 2]]))
    for bad in (0, -2, 2.5, True):
        with pytest.raises(ValueError, match="num_embeddings must be a positive integer"):
            L.Embedding(bad, 3)
    assert L.Embedding(5, 3, rng=4).forward(np.zeros((0, 2), dtype=int)).shape == (0, 2, 3)


def test_embedding_init_is_seeded_standard_normal():
    a, b = L.Embedding(200, 50, rng=3), L.Embedding(200, 50, rng=3)
    np.testing.assert_array_equal(a.params["W"], b.params["W"])
    assert abs(a.params["W"].std() - 1.0) < 0.05 and abs(a.params["W"].mean()) < 0.05


# --- positional encoding ---------------------------------------------------------------------

def test_sinusoidal_encoding_hand_values():
    pe = A.sinusoidal_encoding(6, 4)
    np.testing.assert_allclose(pe[0], [0, 1, 0, 1], atol=1e-15)
    # position 3: i = 0 -> freq 1; i = 1 -> freq 10000^(-2/4) = 0.01
    np.testing.assert_allclose(pe[3], [np.sin(3), np.cos(3), np.sin(0.03), np.cos(0.03)],
                               rtol=1e-12)
    odd = A.sinusoidal_encoding(5, 5)                      # odd d_model: 3 sines, 2 cosines
    np.testing.assert_allclose(odd[2, 4], np.sin(2 * 10000.0 ** (-4 / 5)), rtol=1e-12)
    np.testing.assert_allclose(odd[2, 3], np.cos(2 * 10000.0 ** (-2 / 5)), rtol=1e-12)


def test_positional_encoding_adds_and_passes_gradient():
    layer = L.PositionalEncoding(10, 4)
    x = _rng(0).normal(size=(4, 7, 4))
    out = layer.forward(x)
    np.testing.assert_allclose(out - x, np.broadcast_to(layer.pe[:7], x.shape), atol=1e-15)
    assert layer.params == {}
    errors = check_layer_gradients(layer, x, rng=0)
    assert errors["x"] < THRESHOLD
    assert repr(layer) == "PositionalEncoding(max_len=10, d_model=4)"


def test_positional_encoding_errors():
    layer = L.PositionalEncoding(5, 4)
    with pytest.raises(ValueError, match="sequence length 6 is longer than max_len=5"):
        layer.forward(np.zeros((2, 6, 4)))
    with pytest.raises(ValueError, match=r"expected shape \(N, T, 4\), got \(2, 3, 5\)"):
        layer.forward(np.zeros((2, 3, 5)))
    with pytest.raises(ValueError, match="max_len must be a positive integer"):
        L.PositionalEncoding(0, 4)


# --- scaled dot-product attention ------------------------------------------------------------

def _qkv(rng, lead, tq, tk, d, dv):
    return (rng.normal(size=lead + (tq, d)), rng.normal(size=lead + (tk, d)),
            rng.normal(size=lead + (tk, dv)))


def test_attention_hand_computed():
    q = np.array([[1.0, 0.0]])
    k = np.array([[1.0, 0.0], [0.0, 1.0]])
    v = np.array([[10.0], [20.0]])
    out, w = L.scaled_dot_product_attention(q, k, v)
    s = np.array([1.0, 0.0]) / np.sqrt(2)
    p = np.exp(s) / np.exp(s).sum()
    np.testing.assert_allclose(w, [p], rtol=1e-12)
    np.testing.assert_allclose(out, [[p @ [10.0, 20.0]]], rtol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_attention_weights_are_row_softmax(seed):
    rng = _rng(seed)
    q, k, v = _qkv(rng, (4, 2), 3, 5, 6, 2)
    out, w = L.scaled_dot_product_attention(q, k, v)
    assert out.shape == (4, 2, 3, 2) and w.shape == (4, 2, 3, 5)
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-12)
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(6)
    e = np.exp(scores)
    np.testing.assert_allclose(w, e / e.sum(-1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(out, w @ v, rtol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_attention_mask_gives_exactly_zero_weight(seed):
    rng = _rng(seed)
    q, k, v = _qkv(rng, (4,), 5, 5, 3, 3)
    mask = rng.random((4, 5, 5)) < 0.6
    mask[..., 0] = True                                 # every row keeps at least one key
    _, w = L.scaled_dot_product_attention(q, k, v, mask)
    assert np.all(w[~mask] == 0.0)
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-12)
    causal = L.causal_mask(5)
    out_c, w_c = L.scaled_dot_product_attention(q, k, v, causal)
    assert np.all(np.triu(w_c[0], 1) == 0.0)
    v3 = v.copy()
    v3[:, -1] = 1e6                                     # only the last query sees the last key
    out3, _ = L.scaled_dot_product_attention(q, k, v3, causal)
    np.testing.assert_allclose(out3[:, :-1], out_c[:, :-1], rtol=1e-12)


def test_causal_mask_values():
    np.testing.assert_array_equal(L.causal_mask(3), [[1, 0, 0], [1, 1, 0], [1, 1, 1]])
    assert L.causal_mask(3).dtype == bool and L.causal_mask(1).shape == (1, 1)


def test_attention_is_stable_for_huge_scores():
    rng = _rng(5)
    q, k, v = _qkv(rng, (4,), 3, 4, 2, 2)
    out, w = L.scaled_dot_product_attention(q * 1e4, k * 1e4, v)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(w))
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-12)
    # the weights collapse onto the arg-max key
    scores = q @ np.swapaxes(k, -1, -2)
    np.testing.assert_array_equal(w.argmax(-1), scores.argmax(-1))


def test_fully_masked_row_gives_zero_weights_and_output_not_nan():
    rng = _rng(6)
    q, k, v = _qkv(rng, (4,), 3, 4, 2, 2)
    mask = np.ones((3, 4), dtype=bool)
    mask[1] = False                                      # query 1 may see nothing
    with np.errstate(all="raise"):
        out, w = L.scaled_dot_product_attention(q, k, v, mask)
    np.testing.assert_array_equal(w[:, 1], 0.0)
    np.testing.assert_array_equal(out[:, 1], 0.0)
    np.testing.assert_allclose(w[:, [0, 2]].sum(-1), 1.0, rtol=1e-12)
    dq, dk, dv = L.attention_backward(rng.normal(size=out.shape), q, k, v, w)
    assert np.all(dq[:, 1] == 0.0) and np.all(np.isfinite(dk)) and np.all(np.isfinite(dv))


def test_attention_inputs_untouched():
    rng = _rng(7)
    q, k, v = _qkv(rng, (4,), 3, 3, 2, 2)
    mask = L.causal_mask(3)
    copies = [a.copy() for a in (q, k, v, mask)]
    L.scaled_dot_product_attention(q, k, v, mask)
    for a, b in zip((q, k, v, mask), copies):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("q_shape, k_shape, v_shape, match", [
    ((4, 3, 2), (4, 5, 3), (4, 5, 2), r"q \(4, 3, 2\), k \(4, 5, 3\)"),
    ((4, 3, 2), (4, 5, 2), (4, 4, 2), r"v \(4, 4, 2\)"),
    ((3,), (3,), (3,), r"same rank"),
    ((4, 3, 2), (5, 2), (5, 2), r"same rank"),
])
def test_attention_bad_shapes(q_shape, k_shape, v_shape, match):
    with pytest.raises(ValueError, match=match):
        L.scaled_dot_product_attention(np.zeros(q_shape), np.zeros(k_shape), np.zeros(v_shape))


def test_attention_bad_masks():
    q = np.zeros((4, 3, 2))
    with pytest.raises(TypeError, match="mask must be boolean"):
        L.scaled_dot_product_attention(q, q, q, np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"mask of shape \(2, 3\) does not broadcast.*\(4, 3, 3\)"):
        L.scaled_dot_product_attention(q, q, q, np.ones((2, 3), dtype=bool))


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("masked", [False, True])
def test_attention_backward_numerically(seed, masked):
    """dq, dk, dv of softmax attention (with and without a mask) against centered differences."""
    rng = _rng(seed)
    lead = (4,) + ((2,) if seed % 2 else ())
    tq, tk, d, dv = (int(n) for n in rng.integers(1, 6, size=4))
    q, k, v = _qkv(rng, lead, tq, tk, d, dv)
    mask = None
    if masked:
        mask = rng.random((tq, tk)) < 0.6
        mask[:, 0] = True
    dout = rng.normal(size=lead + (tq, dv))
    _, w = L.scaled_dot_product_attention(q, k, v, mask)
    dq, dk, dv_ = L.attention_backward(dout, q, k, v, w)

    def loss():
        return np.sum(L.scaled_dot_product_attention(q, k, v, mask)[0] * dout)

    for analytic, x in ((dq, q), (dk, k), (dv_, v)):
        assert rel_error(analytic, numerical_gradient(loss, x)) < THRESHOLD
    if masked:
        # a masked score gets no gradient: dS = P * (...) with P = 0
        assert np.all(np.isfinite(dq))


def test_split_and_merge_heads():
    x = np.arange(2 * 3 * 4).reshape(2, 3, 4).astype(float)
    heads = L.split_heads(x, 2)
    assert heads.shape == (2, 2, 3, 2)
    np.testing.assert_array_equal(heads[0, 1, 2], x[0, 2, 2:4])     # head 1 = the second slice
    np.testing.assert_array_equal(L.merge_heads(heads), x)


# --- MultiHeadAttention ----------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("causal", [False, True])
def test_mha_gradients(seed, causal):
    rng = _rng(seed)
    h = int(rng.integers(1, 4))
    d = h * int(rng.integers(1, 4))
    t = int(rng.integers(1, 6))
    layer = L.MultiHeadAttention(d, h, causal=causal, rng=seed)
    for name in ("bq", "bk", "bv", "bo"):                   # non-zero biases, so they are tested
        layer.params[name][...] = rng.normal(size=d)
    x = rng.normal(size=(4, t, d))
    errors = check_layer_gradients(layer, x, rng=seed)
    assert set(errors) == {"x", "Wq", "Wk", "Wv", "Wo", "bq", "bk", "bv", "bo"}
    # bk adds q.bk to every score of a row: the softmax ignores it, so its gradient is exactly 0
    # (up to rounding) and a relative error would compare rounding noise with rounding noise
    assert np.max(np.abs(layer.grads["bk"])) < 1e-12
    errors.pop("bk")
    assert max(errors.values()) < THRESHOLD, errors


def test_mha_matches_per_head_attention_by_hand():
    rng = _rng(9)
    layer = L.MultiHeadAttention(6, 3, rng=1)
    x = rng.normal(size=(4, 5, 6))
    out = layer.forward(x)
    p = layer.params
    heads = []
    for h in range(3):
        sl = slice(2 * h, 2 * h + 2)
        q, k, v = (x @ p[w][:, sl] for w in ("Wq", "Wk", "Wv"))
        s = q @ np.swapaxes(k, 1, 2) / np.sqrt(2)                   # scaled by 1/sqrt(d_head)
        a = np.exp(s) / np.exp(s).sum(-1, keepdims=True)
        np.testing.assert_allclose(layer.attention[:, h], a, rtol=1e-10)
        heads.append(a @ v)
    np.testing.assert_allclose(out, np.concatenate(heads, -1) @ p["Wo"] + p["bo"], rtol=1e-10)
    assert layer.attention.shape == (4, 3, 5, 5)


def test_mha_causal_future_does_not_leak():
    rng = _rng(10)
    layer = L.MultiHeadAttention(4, 2, causal=True, rng=0)
    x = rng.normal(size=(4, 6, 4))
    out = layer.forward(x)
    assert np.all(np.triu(layer.attention, 1) == 0.0)
    x2 = x.copy()
    x2[:, 4:] = rng.normal(size=(4, 2, 4))
    np.testing.assert_allclose(layer.forward(x2)[:, :4], out[:, :4], rtol=1e-12)


def test_mha_errors_and_repr():
    with pytest.raises(ValueError, match="d_model=6 must be divisible by n_heads=4"):
        L.MultiHeadAttention(6, 4)
    with pytest.raises(ValueError, match="n_heads must be a positive integer"):
        L.MultiHeadAttention(6, 0)
    with pytest.raises(ValueError, match=r"MultiHeadAttention input: expected shape "
                                         r"\(N, T, 6\), got \(4, 6\)"):
        L.MultiHeadAttention(6, 2).forward(np.zeros((4, 6)))
    layer = L.MultiHeadAttention(8, 2, causal=True, rng=0)
    assert repr(layer) == "MultiHeadAttention(d_model=8, n_heads=2, causal=True)"
    assert {k: v.shape for k, v in layer.params.items()} == {
        **{f"W{c}": (8, 8) for c in "qkvo"}, **{f"b{c}": (8,) for c in "qkvo"}}
    same_seed = L.MultiHeadAttention(8, 2, rng=0)
    np.testing.assert_array_equal(layer.params["Wq"], same_seed.params["Wq"])


# --- TransformerBlock ------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("causal", [False, True])
def test_block_gradients(seed, causal):
    rng = _rng(seed)
    h = int(rng.integers(1, 3))
    d = 2 * h * int(rng.integers(1, 3))
    t = int(rng.integers(2, 5))
    block = L.TransformerBlock(d, h, int(rng.integers(2, 9)), causal=causal, rng=seed)
    for p in block.params.values():                  # move LayerNorm/biases off their defaults
        p += 0.3 * rng.normal(size=p.shape)
    x = rng.normal(size=(4, t, d))
    errors = check_layer_gradients(block, x, rng=seed)
    assert np.max(np.abs(block.grads["attn.bk"])) < 1e-12     # see test_mha_gradients
    errors.pop("attn.bk")
    assert "ln1.gamma" in errors and "attn.Wq" in errors and "ff.2.W" in errors
    assert max(errors.values()) < THRESHOLD, errors


def test_block_params_are_the_childrens_arrays():
    block = L.TransformerBlock(8, 2, 16, rng=0)
    assert block.params["attn.Wq"] is block.attn.params["Wq"]
    assert block.grads["ln1.gamma"] is block.ln1.grads["gamma"]
    assert block.params["ff.0.W"] is block.ff[0].params["W"]
    assert sorted(block.params) == sorted(block.grads)
    assert len(block.parameters()) == len(block.params) == 8 + 4 + 4
    block.forward(np.ones((2, 3, 8)) * np.arange(8))
    assert block.attention.shape == (2, 2, 3, 3)
    assert repr(block) == "TransformerBlock(d_model=8, n_heads=2, d_ff=16, causal=False)"
    with pytest.raises(ValueError, match=r"TransformerBlock input: expected shape \(N, T, 8\)"):
        block.forward(np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="d_ff must be a positive integer"):
        L.TransformerBlock(8, 2, 0)


def test_block_residual_layout_by_hand():
    rng = _rng(11)
    block = L.TransformerBlock(4, 2, 8, rng=2)
    x = rng.normal(size=(4, 3, 4))
    out = block.forward(x)
    h = x + block.attn.forward(block.ln1.forward(x))
    ff = block.ff
    expected = h + ff.forward(block.ln2.forward(h))
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_adam_trains_every_parameter_of_a_transformer():
    """Sequential(Embedding, PositionalEncoding, TransformerBlock, LayerNorm, Dense) with Adam."""
    rng = np.random.default_rng(0)
    model = L.Sequential(L.Embedding(5, 8, rng=0), L.PositionalEncoding(6, 8),
                         L.TransformerBlock(8, 2, 16, rng=1), L.LayerNorm(8), L.Dense(8, 5, rng=2))
    opt = Adam(model, lr=1e-2)
    assert len(opt.state) == len(model.params) == 1 + 16 + 2 + 2
    before = {k: v.copy() for k, v in model.params.items()}
    X = rng.integers(0, 5, size=(32, 6))
    y = X[:, ::-1].copy()
    loss_fn = CrossEntropyLoss()
    first = None
    for _ in range(60):
        opt.zero_grad()
        loss = loss_fn(model.forward(X), y)
        first = loss if first is None else first
        model.backward(loss_fn.backward())
        opt.step()
    assert all(not np.array_equal(before[k], v) for k, v in model.params.items())
    assert loss < 0.5 * first


def test_block_gelu_is_functions_gelu():
    """The block's feed-forward GELU (cubes by multiplying, keeps tanh) = functions.gelu."""
    from course_lib import functions as F

    act = L.TransformerBlock(4, 2, 8, rng=0).ff[1]
    assert repr(act) == "GELU()"
    x = np.concatenate([_rng(12).normal(scale=3, size=200), [0.0, -1e6, 1e6, 50.0, -50.0]])
    dout = _rng(13).normal(size=x.shape)
    np.testing.assert_allclose(act.forward(x), F.gelu(x), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(act.backward(dout), dout * F.gelu_prime(x), rtol=1e-12, atol=1e-300)
    assert check_layer_gradients(act, _rng(14).normal(size=(4, 3, 5)), rng=0)["x"] < THRESHOLD


# values recorded from torch 2.13 (nn.MultiheadAttention, float64, batch_first, boolean
# attn_mask = ~causal) with this layer's weights copied across: in_proj_weight = [Wq.T; Wk.T; Wv.T],
# out_proj.weight = Wo.T
TORCH_OUT0 = [[-1.075097222315, 2.180191342656, 0.275928867248, 0.020217339637],
              [-1.31593354889, 2.480772998887, 0.332786464618, -0.151698976352],
              [-1.24000376764, 2.317272319473, 0.234124421488, -0.283977431617]]
TORCH_DX0 = [[0.451512380383, 1.433733583628, -0.012360768434, -0.240393626809],
             [0.141201385895, 0.817361986265, -0.038202178903, 0.11115852188],
             [-0.306241163224, -0.411103620833, 0.126027374123, -0.276054822623]]
TORCH_DWO = [[-0.14996622829, 0.446659609306, -0.60702658143, 1.550067838115],
             [1.515033907453, -2.873513480459, 4.170388055107, 1.913296557995],
             [-3.738156322671, 0.029990874201, -2.502743235168, -3.590236033487],
             [-0.706129019353, -0.646380839579, -2.354305499864, -0.947997082773]]
TORCH_DWQ = [[0.736481180016, 1.130545068944, -0.187893144251, -0.109793750638],
             [0.104579124117, 0.250510098157, -0.0916852582, -0.094684330318],
             [0.00514224093, -0.012683213989, -0.088446458519, -0.181738918615],
             [-0.265549798988, -0.383319087271, 0.045160888553, -0.002243944307]]


def test_mha_matches_recorded_torch_values():
    rng = np.random.default_rng(42)
    mha = L.MultiHeadAttention(4, 2, causal=True, rng=0)
    for c in "qkvo":
        mha.params["b" + c][...] = rng.normal(size=4)
    x, dout = rng.normal(size=(4, 3, 4)), rng.normal(size=(4, 3, 4))
    out = mha.forward(x)
    dx = mha.backward(dout)
    np.testing.assert_allclose(out[0], TORCH_OUT0, atol=1e-11)
    np.testing.assert_allclose(dx[0], TORCH_DX0, atol=1e-11)
    np.testing.assert_allclose(mha.grads["Wo"], TORCH_DWO, atol=1e-11)
    np.testing.assert_allclose(mha.grads["Wq"], TORCH_DWQ, atol=1e-11)


# --- boundaries ------------------------------------------------------------------------------

def test_single_key_gets_all_the_weight():
    rng = _rng(30)
    q, k, v = _qkv(rng, (4,), 3, 1, 2, 5)
    out, w = L.scaled_dot_product_attention(q, k, v)
    np.testing.assert_array_equal(w, np.ones((4, 3, 1)))
    np.testing.assert_allclose(out, np.broadcast_to(v, (4, 3, 5)), rtol=1e-15)


def test_no_queries_and_no_keys():
    rng = _rng(31)
    q, k, v = _qkv(rng, (4,), 0, 3, 2, 2)
    out, w = L.scaled_dot_product_attention(q, k, v)
    assert out.shape == (4, 0, 2) and w.shape == (4, 0, 3)
    with pytest.raises(ValueError, match="at least one key"):
        L.scaled_dot_product_attention(*_qkv(rng, (4,), 2, 0, 2, 2))


def test_equal_scores_give_uniform_weights():
    q = np.zeros((4, 2, 3))
    k = _rng(32).normal(size=(4, 5, 3))
    _, w = L.scaled_dot_product_attention(q, k, k)
    np.testing.assert_allclose(w, 0.2, rtol=1e-15)


def test_length_one_sequences_and_full_length_positions():
    block = L.TransformerBlock(4, 2, 8, causal=True, rng=0)
    x = _rng(33).normal(size=(4, 1, 4))
    out = block.forward(x)
    np.testing.assert_array_equal(block.attention, np.ones((4, 2, 1, 1)))
    assert out.shape == (4, 1, 4)
    pe = L.PositionalEncoding(5, 4)
    np.testing.assert_allclose(pe.forward(np.zeros((4, 5, 4))), np.broadcast_to(pe.pe, (4, 5, 4)))


def test_train_eval_reach_every_child():
    block = L.TransformerBlock(4, 2, 8, rng=0)
    assert block.eval() is block
    assert not any(layer.training for layer in (block, block.ln1, block.attn, block.ln2, block.ff,
                                                *block.ff.layers))
    block.train()
    assert all(layer.training for layer in (block, block.ln1, block.attn, block.ln2, block.ff,
                                            *block.ff.layers))
    block.grads["attn.Wq"][...] = 1.0
    block.grads["ff.0.b"][...] = 1.0
    block.zero_grad()
    assert all(np.all(g == 0) for g in block.grads.values())


def test_backward_does_not_modify_dout_or_inputs():
    rng = _rng(34)
    block = L.TransformerBlock(4, 2, 8, rng=0)
    x = rng.normal(size=(4, 3, 4))
    x_copy = x.copy()
    dout = rng.normal(size=(4, 3, 4))
    dout_copy = dout.copy()
    block.forward(x)
    block.backward(dout)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(dout, dout_copy)

"""course_lib.perceptron: the learning rule, convergence on separable data, XOR, gates, errors."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib.data import linearly_separable, xor  # noqa: E402
from course_lib.perceptron import (  # noqa: E402
    AND,
    GATE_INPUTS,
    NAND,
    OR,
    XOR,
    Perceptron,
    draw_neuron,
    gate,
    perceptron_update,
    truth_table,
)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("lr", [0.01, 0.1, 1.0])
def test_converges_on_separable_data(seed, lr):
    X, y = linearly_separable(40, margin=0.3, rng=seed)
    model = Perceptron().fit(X, y, epochs=200, lr=lr, rng=seed)
    assert model.converged
    assert np.array_equal(model.predict(X), y)
    assert model.history[-1].mistakes == 0 and all(m > 0 for m in model.mistakes[:-1])


def test_history_holds_start_and_every_epoch():
    X, y = linearly_separable(30, margin=0.1, rng=0)
    model = Perceptron().fit(X, y, epochs=50, lr=0.01, rng=1)
    assert len(model.history) == len(model.mistakes) + 1 >= 3
    w0, b0, m0 = model.history[0]
    assert b0 == 0.0 and m0 == int(np.sum((X @ w0 > 0) != y))
    assert np.allclose(model.history[-1].w, model.w) and model.history[-1].b == model.b
    # each entry is its own array: later epochs did not overwrite earlier ones
    assert not np.allclose(model.history[0].w, model.history[-1].w)


def test_same_seed_same_run_and_no_global_state():
    X, y = linearly_separable(30, rng=0)
    a = Perceptron().fit(X, y, lr=0.1, rng=7)
    np.random.seed(123)
    b = Perceptron().fit(X, y, lr=0.1, rng=np.random.default_rng(7))
    assert np.array_equal(a.w, b.w) and a.b == b.b and a.mistakes == b.mistakes
    c = Perceptron().fit(X, y, lr=0.1, rng=8)
    assert not np.array_equal(a.history[0].w, c.history[0].w)


def test_matches_a_loop_over_perceptron_update():
    X, y = linearly_separable(20, margin=0.2, rng=3)
    model = Perceptron().fit(X, y, epochs=3, lr=0.5, rng=4, shuffle=False, stop_early=False)
    w, b = model.history[0].w, model.history[0].b
    for _ in range(3):
        for xi, yi in zip(X, y):
            w, b = perceptron_update(w, b, xi, yi, 0.5)
    assert np.allclose(w, model.w) and np.isclose(b, model.b)


def test_stop_early_false_runs_every_epoch():
    X, y = linearly_separable(20, margin=0.5, rng=0)
    model = Perceptron().fit(X, y, epochs=15, lr=0.1, rng=0, stop_early=False)
    assert len(model.mistakes) == 15 and model.mistakes[-1] == 0


def test_xor_never_converges():
    model = Perceptron().fit(GATE_INPUTS, [0, 1, 1, 0], epochs=100, lr=0.1, rng=0)
    assert len(model.mistakes) == 100 and min(model.mistakes) >= 1
    X, y = xor(20, rng=0)
    assert not Perceptron().fit(X, y, epochs=50, rng=0).converged


def test_update_rule_and_inputs_untouched():
    w, x = np.array([0.5, -1.0]), np.array([1.0, 2.0])
    w_copy, x_copy = w.copy(), x.copy()
    w_new, b_new = perceptron_update(w, 0.2, x, 1, 0.1)        # z = -1.3 -> y_hat = 0, error +1
    assert np.allclose(w_new, [0.6, -0.8]) and np.isclose(b_new, 0.3)
    assert np.array_equal(w, w_copy) and np.array_equal(x, x_copy)
    w_same, b_same = perceptron_update(w, 0.2, x, 0, 0.1)      # right: nothing changes
    assert np.allclose(w_same, w) and b_same == 0.2
    w_zero, _ = perceptron_update(np.array([1.0, -1.0]), 0.0, np.array([1.0, 1.0]), 1, 1.0)
    assert np.allclose(w_zero, [2.0, 0.0])                     # z = 0 -> y_hat = step(0) = 0


def test_predict_uses_step_zero_is_class_zero():
    model = Perceptron(w=[1.0, -1.0], b=0.0)
    assert model.predict([[1.0, 1.0], [2.0, 1.0], [0.0, 1.0]]).tolist() == [0, 1, 0]
    assert model.predict(np.zeros((0, 2))).shape == (0,)
    assert model.predict([[1.0, 0.0]]).dtype == np.int64


def test_fit_does_not_mutate_inputs():
    X, y = linearly_separable(10, rng=0)
    X0, y0 = X.copy(), y.copy()
    Perceptron().fit(X, y, rng=0)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


@pytest.mark.parametrize("X, y, message", [
    (np.ones(5), np.ones(5), "expected shape (N, D)"),
    (np.ones((5, 2, 1)), np.ones(5), "expected shape (N, D)"),
    (np.ones((5, 2)), np.ones(4), "expected shape (5,)"),
    (np.ones((3, 2)), np.array([0, 1, 2]), "labels must be 0 or 1, got [2]"),
    (np.ones((3, 2)), np.array([-1, 1, 1]), "labels must be 0 or 1, got [-1]"),
    (np.array([[1.0, np.nan]]), np.array([1]), "NaN"),
])
def test_fit_rejects_bad_input(X, y, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")):
        Perceptron().fit(X, y)


@pytest.mark.parametrize("kwargs", [{"epochs": 0}, {"epochs": 2.5}, {"lr": 0.0}, {"lr": -1}])
def test_fit_rejects_bad_hyperparameters(kwargs):
    with pytest.raises(ValueError):
        Perceptron().fit(np.ones((2, 2)), [0, 1], **kwargs)


def test_predict_errors():
    with pytest.raises(ValueError, match="call fit"):
        Perceptron().predict(np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"expected shape \(N, 2\), got \(4, 3\)"):
        Perceptron(w=[1.0, 1.0]).predict(np.ones((4, 3)))


def test_repr_has_no_address():
    assert repr(Perceptron()) == "Perceptron(not fitted)"
    assert repr(Perceptron(w=[1.0, -2.0], b=0.5)) == "Perceptron(w=[1.0, -2.0], b=0.5)"


# -- gates --------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn, column", [(AND, [0, 0, 0, 1]), (OR, [0, 1, 1, 1]),
                                        (NAND, [1, 1, 1, 0]), (XOR, [0, 1, 1, 0])])
def test_gate_truth_tables(fn, column):
    table = truth_table(fn)
    assert table.shape == (4, 3) and table.dtype == np.int64
    assert np.array_equal(table[:, :2], GATE_INPUTS) and table[:, 2].tolist() == column
    for (x1, x2), want in zip(GATE_INPUTS, column):
        got = fn(int(x1), int(x2))
        assert isinstance(got, int) and got == want


def test_gate_factory_and_errors():
    nor = gate([-1, -1], 0.5, "NOR")
    assert truth_table(nor)[:, 2].tolist() == [1, 0, 0, 0]
    assert nor.__name__ == "NOR" and np.array_equal(nor.w, [-1, -1]) and nor.b == 0.5
    assert "NOR(x1, x2) = step(-1·x1 + -1·x2 + 0.5)" in nor.__doc__
    with pytest.raises(ValueError, match="expected 2 weights"):
        gate([1, 1, 1], 0)
    with pytest.raises(ValueError, match="must be 0 or 1"):
        AND(2, 1)
    with pytest.raises(ValueError, match="must be 0 or 1"):
        XOR(np.array([0, 1]), np.array([0.5, 1]))


def test_draw_neuron_runs_and_labels():
    fig, ax = plt.subplots()
    draw_neuron(ax, w=(1, 1), b=-1.5, title="AND")
    texts = [t.get_text() for t in ax.texts]
    assert "$b=-1.5$" in texts and "$x_1$" in texts and "$1$" in texts and ax.get_title() == "AND"
    plt.close(fig)


# -- seeded reference values and every optional argument -------------------------------------------
def test_seeded_reference_run_at_default_settings():
    X, y = linearly_separable(rng=0)
    model = Perceptron().fit(X, y, rng=0)                       # epochs=20, lr=0.1, shuffle=True
    np.testing.assert_allclose(model.w, [-0.21479202503242745, 0.30063824139938117], atol=1e-12)
    assert model.b == pytest.approx(-0.1) and model.mistakes == [5, 0]
    ordered = Perceptron().fit(X, y, rng=0, shuffle=False)      # recorded once, too
    np.testing.assert_allclose(ordered.w, [-0.20209951862320796, 0.29822976285114056], atol=1e-12)
    assert ordered.mistakes == [4, 1, 0]


def manual_fit(X, y, epochs, lr, rng, shuffle):
    """The perceptron loop written out: same start, same visiting order."""
    rng = np.random.default_rng(rng)
    w, b = rng.normal(0.0, 1.0, X.shape[1]), 0.0
    for _ in range(epochs):
        order = rng.permutation(len(X)) if shuffle else range(len(X))
        for i in order:
            w, b = perceptron_update(w, b, X[i], y[i], lr)
    return w, b


@pytest.mark.parametrize("shuffle", [True, False])
def test_shuffle_visits_a_fresh_random_order_each_epoch(shuffle):
    X, y = linearly_separable(25, margin=0.05, rng=5)
    model = Perceptron().fit(X, y, epochs=4, lr=0.3, rng=2, shuffle=shuffle, stop_early=False)
    w, b = manual_fit(X, y, 4, 0.3, 2, shuffle)
    assert np.allclose(model.w, w) and np.isclose(model.b, b)
    w_other, _ = manual_fit(X, y, 4, 0.3, 2, not shuffle)
    assert not np.allclose(model.w, w_other)                   # the order really matters here


def test_init_scale_sets_the_random_start():
    X, y = linearly_separable(10, rng=0)
    zero = Perceptron().fit(X, y, epochs=1, rng=0, init_scale=0.0)
    assert np.array_equal(zero.history[0].w, [0.0, 0.0])
    one = Perceptron().fit(X, y, epochs=1, rng=0)
    big = Perceptron().fit(X, y, epochs=1, rng=0, init_scale=3.0)
    np.testing.assert_allclose(big.history[0].w, 3.0 * one.history[0].w)
    with pytest.raises(ValueError, match="init_scale"):
        Perceptron().fit(X, y, rng=0, init_scale=-1.0)


def test_lr_scales_every_update_from_a_zero_start():
    X, y = linearly_separable(10, rng=0)
    a = Perceptron().fit(X, y, epochs=3, lr=0.1, rng=0, init_scale=0.0, stop_early=False)
    b = Perceptron().fit(X, y, epochs=3, lr=2.0, rng=0, init_scale=0.0, stop_early=False)
    np.testing.assert_allclose(b.w, 20 * a.w)                  # from w = 0 the path just scales
    assert b.b == pytest.approx(20 * a.b) and a.mistakes == b.mistakes


def test_one_epoch_and_a_single_point():
    model = Perceptron().fit([[1.0, 2.0]], [1], epochs=1, lr=0.5, rng=0, init_scale=0.0)
    assert len(model.history) == 2
    assert np.allclose(model.w, [0.5, 1.0]) and model.b == 0.5  # step(0) = 0: one update
    assert model.mistakes == [1] and not model.converged


def test_stop_early_stops_after_the_first_clean_epoch():
    X, y = linearly_separable(20, margin=0.5, rng=0)
    model = Perceptron().fit(X, y, epochs=50, lr=0.1, rng=0)
    assert model.mistakes[-1] == 0 and 0 not in model.mistakes[:-1]

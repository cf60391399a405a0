"""course_lib.preprocessing: StandardScaler and MinMaxScaler against hand-computed values and
scikit-learn, constant features, every option, inputs untouched, readable errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn import preprocessing as skp

from course_lib.preprocessing import MinMaxScaler, NotFittedError, StandardScaler

HOUSES = np.array([[300.0, 0.0], [800.0, 2.0], [1200.0, 3.0], [2000.0, 5.0]])


def test_standard_scaler_by_hand():
    scaler = StandardScaler().fit(HOUSES)
    np.testing.assert_allclose(scaler.mean_, [1075.0, 2.5])
    var = np.array([((HOUSES[:, j] - HOUSES[:, j].mean()) ** 2).mean() for j in range(2)])
    np.testing.assert_allclose(scaler.var_, var)            # biased: divides by N
    np.testing.assert_allclose(scaler.scale_, np.sqrt(var))
    Z = scaler.transform(HOUSES)
    np.testing.assert_allclose(Z, (HOUSES - [1075.0, 2.5]) / np.sqrt(var))
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0)
    assert scaler.n_samples_seen_ == 4 and scaler.n_features_in_ == 2


def test_min_max_scaler_by_hand():
    scaler = MinMaxScaler().fit(HOUSES)
    np.testing.assert_allclose(scaler.data_min_, [300.0, 0.0])
    np.testing.assert_allclose(scaler.data_max_, [2000.0, 5.0])
    np.testing.assert_allclose(scaler.data_range_, [1700.0, 5.0])
    np.testing.assert_allclose(scaler.scale_, [1 / 1700, 1 / 5])
    np.testing.assert_allclose(scaler.min_, [-300 / 1700, 0.0])
    np.testing.assert_allclose(scaler.transform(HOUSES),
                               [[0, 0], [500 / 1700, 0.4], [900 / 1700, 0.6], [1, 1]])


def test_feature_range_and_clip():
    scaler = MinMaxScaler(feature_range=(-1, 1)).fit(HOUSES)
    np.testing.assert_allclose(scaler.transform(HOUSES)[[0, -1]], [[-1, -1], [1, 1]])
    new = np.array([[4000.0, -5.0]])                      # outside the training range
    np.testing.assert_allclose(scaler.transform(new), [[2 * 3700 / 1700 - 1, -3.0]])
    clipped = MinMaxScaler(feature_range=(-1, 1), clip=True).fit(HOUSES)
    np.testing.assert_allclose(clipped.transform(new), [[1.0, -1.0]])
    np.testing.assert_allclose(clipped.transform(HOUSES), scaler.transform(HOUSES))


@pytest.mark.parametrize("with_mean, with_std", [(True, True), (True, False), (False, True),
                                                 (False, False)])
def test_with_mean_with_std_match_sklearn(with_mean, with_std):
    X = np.random.default_rng(0).normal(size=(7, 3)) * [1, 10, 100] + [5, -5, 50]
    ours = StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    ref = skp.StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    for name in ("mean_", "var_", "scale_"):
        a, b = getattr(ours, name), getattr(ref, name)
        assert (a is None) == (b is None), name
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(X)), X, rtol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_match_sklearn_on_random_data(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(int(rng.integers(1, 12)), int(rng.integers(1, 5)))) * 100
    X_new = rng.normal(size=(5, X.shape[1])) * 200
    for ours, ref in ((StandardScaler(), skp.StandardScaler()),
                      (MinMaxScaler(), skp.MinMaxScaler()),
                      (MinMaxScaler((2, 7)), skp.MinMaxScaler((2, 7))),
                      (MinMaxScaler(clip=True), skp.MinMaxScaler(clip=True))):
        ours.fit(X)
        ref.fit(X)
        np.testing.assert_allclose(ours.transform(X_new), ref.transform(X_new), rtol=1e-10,
                                   atol=1e-12)
        np.testing.assert_allclose(ours.inverse_transform(X_new), ref.inverse_transform(X_new),
                                   rtol=1e-10, atol=1e-12)
        for name in ("scale_", "min_", "data_min_", "data_max_", "data_range_", "mean_", "var_"):
            if hasattr(ref, name):
                np.testing.assert_allclose(getattr(ours, name), getattr(ref, name), rtol=1e-12)


def test_constant_features_as_sklearn():
    X = np.array([[1.0, 7.0, 0.1], [2.0, 7.0, 0.1], [4.0, 7.0, 0.1]])
    s = StandardScaler().fit(X)
    np.testing.assert_allclose(s.scale_, [np.sqrt(14 / 9), 1.0, 1.0])
    np.testing.assert_allclose(s.transform(X)[:, 1:], 0.0, atol=1e-15)   # no division by zero
    np.testing.assert_allclose(s.scale_, skp.StandardScaler().fit(X).scale_)
    m = MinMaxScaler((-1, 2)).fit(X)
    np.testing.assert_allclose(m.scale_, [3 / 3, 3.0, 3.0])
    np.testing.assert_allclose(m.transform(X)[:, 1:], -1.0)              # feature_range[0]
    np.testing.assert_allclose(m.transform(X), skp.MinMaxScaler((-1, 2)).fit(X).transform(X))


def test_single_sample():
    x = np.array([[3.0, -2.0]])
    np.testing.assert_allclose(StandardScaler().fit_transform(x), [[0.0, 0.0]])
    np.testing.assert_allclose(MinMaxScaler().fit_transform(x), [[0.0, 0.0]])


def test_fit_transform_equals_fit_then_transform_and_returns_self():
    s = StandardScaler()
    assert s.fit(HOUSES) is s
    np.testing.assert_array_equal(StandardScaler().fit_transform(HOUSES), s.transform(HOUSES))
    m = MinMaxScaler()
    assert m.fit(HOUSES, y=np.arange(4)) is m
    np.testing.assert_array_equal(MinMaxScaler().fit_transform(HOUSES), m.transform(HOUSES))


def test_train_statistics_are_applied_to_test_data():
    """The point of fit/transform: the test set is scaled with the TRAINING numbers."""
    rng = np.random.default_rng(0)
    train, test = rng.normal(5, 2, size=(50, 1)), rng.normal(8, 2, size=(20, 1))
    scaler = StandardScaler().fit(train)
    z_test = scaler.transform(test)
    np.testing.assert_allclose(z_test, (test - train.mean()) / train.std())
    assert z_test.mean() > 1.0             # the shift of the test set stays visible


@pytest.mark.parametrize("make", [StandardScaler, MinMaxScaler, lambda: MinMaxScaler(clip=True)])
def test_inputs_untouched_and_outputs_new_float64(make):
    X = np.array([[1, 2], [3, 5], [4, 4]])                # integers are promoted
    before = X.copy()
    scaler = make()
    Z = scaler.fit_transform(X)
    back = scaler.inverse_transform(Z)
    Z_copy = Z.copy()
    scaler.transform(Z)
    np.testing.assert_array_equal(X, before)
    np.testing.assert_array_equal(Z, Z_copy)
    assert Z.dtype == np.float64 and back.dtype == np.float64
    np.testing.assert_allclose(back, X)
    assert not np.shares_memory(scaler.transform(Z), Z)


def test_fitted_attributes_do_not_alias_the_input():
    X = HOUSES.copy()
    m = MinMaxScaler().fit(X)
    X[0, 0] = -1e6
    assert m.data_min_[0] == 300.0


@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 3)),
              elements=st.floats(-1e6, 1e6, allow_nan=False)))
@settings(max_examples=40, deadline=None)
def test_round_trip_and_sklearn_agreement(X):
    for ours, ref in ((StandardScaler(), skp.StandardScaler()),
                      (MinMaxScaler(), skp.MinMaxScaler())):
        Z = ours.fit_transform(X)
        assert np.isfinite(Z).all()
        np.testing.assert_allclose(Z, ref.fit_transform(X), rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(ours.inverse_transform(Z), X, rtol=1e-9, atol=1e-6)


def test_reprs():
    assert repr(StandardScaler()) == "StandardScaler()"
    assert repr(StandardScaler(with_mean=False)) == "StandardScaler(with_mean=False)"
    assert repr(MinMaxScaler()) == "MinMaxScaler()"
    assert repr(MinMaxScaler((-1, 1), clip=True)) == \
        "MinMaxScaler(feature_range=(-1, 1), clip=True)"


# ---- errors ----

@pytest.mark.parametrize("make", [StandardScaler, MinMaxScaler])
def test_not_fitted(make):
    for method in ("transform", "inverse_transform"):
        with pytest.raises(NotFittedError, match=f"{method}: this scaler is not fitted yet"):
            getattr(make(), method)(HOUSES)
    assert issubclass(NotFittedError, ValueError) and issubclass(NotFittedError, AttributeError)


@pytest.mark.parametrize("make", [StandardScaler, MinMaxScaler])
@pytest.mark.parametrize("X, error, message", [
    (np.ones(4), ValueError, r"expected a 2-D array \(N, D\), got shape \(4,\); reshape"),
    (np.ones((2, 2, 2)), ValueError, r"got shape \(2, 2, 2\)"),
    (np.ones((0, 3)), ValueError, "0 samples"),
    (np.array([[1.0, np.nan]]), ValueError, "NaN or infinity"),
    (np.array([[1.0, np.inf]]), ValueError, "NaN or infinity"),
    ([["a", "b"]], TypeError, "expected an array of numbers"),
    (np.array([["a", "b"]]), TypeError, "expected numbers, got dtype"),
])
def test_bad_inputs(make, X, error, message):
    with pytest.raises(error, match=message):
        make().fit(X)


@pytest.mark.parametrize("make", [StandardScaler, MinMaxScaler])
def test_wrong_number_of_features(make):
    scaler = make().fit(HOUSES)
    with pytest.raises(ValueError, match="X has 3 features, but the scaler was fitted on 2"):
        scaler.transform(np.ones((4, 3)))
    with pytest.raises(ValueError, match="X has 1 features"):
        scaler.inverse_transform(np.ones((4, 1)))


@pytest.mark.parametrize("feature_range", [(1, 1), (2, 0), (0,), "ab", None])
def test_bad_feature_range(feature_range):
    with pytest.raises(ValueError, match="feature_range"):
        MinMaxScaler(feature_range)

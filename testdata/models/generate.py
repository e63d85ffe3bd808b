#!/usr/bin/python3
"""Regenerates the model fixtures of package runtime and their expected outputs.

Run from the repository root with Debian's packages (PyPI is not needed):

    apt-get install -y python3-xgboost python3-onnx python3-numpy python3-sklearn
    /usr/bin/python3 testdata/models/generate.py

Every fixture directory holds one model file and expected.json:

    {"inputs":  [{"name", "datatype", "shape", "data"}],
     "outputs": [{"name", "datatype", "shape", "data"}]}

data is row-major. A missing value (NaN) is written as null, because JSON has
no NaN. BOOL data is written as 0/1. Floats are written with repr, so they
read back bit for bit.

The outputs come from the real libraries: xgboost's Booster.predict on the
saved JSON loaded into a fresh Booster (checked against inplace_predict), and
for ONNX numpy doing exactly the graph's math, because onnx 1.12 (Debian
bookworm) has no onnx.reference.ReferenceEvaluator; onnx.checker validates
each graph.

Everything is seeded, and xgboost runs on one thread with tree_method=hist,
so a rerun with the same library versions writes the same files.
"""

import json
import os
import shutil
import sys

import numpy as np
import onnx
import sklearn
import xgboost as xgb
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_iris

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_MODEL_BYTES = 200 * 1024


def floats(a):
    """Flattens a to a list of Python floats, NaN as None."""
    out = []
    for v in np.asarray(a, dtype=np.float64).ravel():
        out.append(None if np.isnan(v) else float(v))
    return out


def tensor(name, datatype, a):
    return {"name": name, "datatype": datatype,
            "shape": list(np.shape(a)), "data": floats(a)}


def fresh_dir(name):
    d = os.path.join(HERE, name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(d)
    return d


def write_expected(d, inputs, outputs):
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump({"inputs": inputs, "outputs": outputs}, f, indent=1)
        f.write("\n")


def check_size(path):
    size = os.path.getsize(path)
    if size > MAX_MODEL_BYTES:
        sys.exit(f"{path} is {size} bytes, over {MAX_MODEL_BYTES}: make the model smaller")


# ---------------------------------------------------------------- xgboost

def train_xgboost(params, X, y, rounds):
    base = {"seed": 0, "nthread": 1, "tree_method": "hist"}
    base.update(params)
    dtrain = xgb.DMatrix(X, label=y, missing=np.nan)
    return xgb.train(base, dtrain, num_boost_round=rounds)


def xgboost_fixture(name, params, X, y, rounds, rows):
    """Trains, saves model.json, and records what the saved model predicts."""
    d = fresh_dir(name)
    path = os.path.join(d, "model.json")
    train_xgboost(params, X, y, rounds).save_model(path)
    check_size(path)

    # Predict with the file, not the in-memory booster: the file is what
    # kubox reads.
    booster = xgb.Booster()
    booster.load_model(path)
    rows = np.asarray(rows, dtype=np.float32)
    got = booster.predict(xgb.DMatrix(rows, missing=np.nan), output_margin=False)
    again = booster.inplace_predict(rows, missing=np.nan)
    # The two paths may sum trees in another order (dart does), so they
    # agree to float32 rounding, not bit for bit.
    if not np.allclose(got, again, rtol=1e-6, atol=1e-6):
        sys.exit(f"{name}: predict and inplace_predict disagree")

    write_expected(d, [tensor("input", "FP32", rows)],
                   [tensor("predict", "FP32", got.astype(np.float32))])
    print(f"{name}: {os.path.getsize(path)} bytes, {booster.num_boosted_rounds()} rounds")


def iris():
    X, y = load_iris(return_X_y=True)
    return X.astype(np.float32), y.astype(np.float32)


def iris_rows(X):
    rows = X[[0, 51, 102, 27, 133, 70]].copy()
    rows[5] = [6.1, 2.9, 4.9, 1.7]  # between versicolor and virginica
    return rows


def synthetic_regression(seed, n=400, features=6, missing=0.15):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, features)).astype(np.float32)
    y = (np.sin(X[:, 0]) * 2 + X[:, 1] * X[:, 2] - 0.5 * X[:, 3]
         + rng.normal(scale=0.1, size=n)).astype(np.float32)
    # Missing values in training give each split a learned default
    # direction, left for some nodes and right for others.
    X[rng.random(X.shape) < missing] = np.nan
    return X, y


def regression_rows(X):
    rows = X[:8].copy()
    rows[0, :] = np.nan          # every feature missing: default path only
    rows[1, 0] = np.nan
    rows[2, [1, 2]] = np.nan
    rows[3, 3] = np.nan
    rows[4, -1] = 1e30           # large but present, not missing
    return rows


def xgboost_fixtures():
    X, y = iris()
    rows = iris_rows(X)
    xgboost_fixture("iris-xgboost", {
        "objective": "multi:softprob", "num_class": 3,
        "max_depth": 3, "eta": 0.3,
    }, X, y, 10, rows)
    xgboost_fixture("iris-xgboost-v2", {
        "objective": "multi:softprob", "num_class": 3,
        "max_depth": 2, "eta": 0.1, "subsample": 0.7, "colsample_bytree": 0.75,
    }, X, y, 8, rows)
    xgboost_fixture("softmax-xgboost", {
        "objective": "multi:softmax", "num_class": 3, "max_depth": 2,
    }, X, y, 4, rows)

    X, y = synthetic_regression(1)
    xgboost_fixture("regressor-xgboost", {
        "objective": "reg:squarederror", "max_depth": 4, "eta": 0.2,
    }, X, y, 30, regression_rows(X))
    xgboost_fixture("pseudohuber-xgboost", {
        "objective": "reg:pseudohubererror", "huber_slope": 1.0, "max_depth": 3,
    }, X, y, 10, regression_rows(X))
    xgboost_fixture("dart-xgboost", {
        "booster": "dart", "objective": "reg:squarederror", "max_depth": 3,
        "rate_drop": 0.5, "skip_drop": 0.0,
    }, X, y, 10, regression_rows(X))

    X, _ = synthetic_regression(2, features=5, missing=0.05)
    rng = np.random.default_rng(3)
    logit = np.nan_to_num(X[:, 0]) + np.nan_to_num(X[:, 1] * X[:, 2]) + rng.normal(scale=0.3, size=len(X))
    label = (logit > 0.2).astype(np.float32)
    xgboost_fixture("binary-xgboost", {
        "objective": "binary:logistic", "max_depth": 3, "eta": 0.3,
    }, X, label, 15, regression_rows(X))
    # base_score away from 0.5 checks that it is read in probability space
    # and turned into a margin with the logit.
    xgboost_fixture("logistic-xgboost", {
        "objective": "reg:logistic", "max_depth": 2, "base_score": 0.3,
    }, X, (1 / (1 + np.exp(-logit))).astype(np.float32), 6, regression_rows(X))
    # base_score is a mean count for poisson, turned into a margin with log.
    counts = rng.poisson(np.exp(np.clip(logit, -2, 2))).astype(np.float32)
    xgboost_fixture("poisson-xgboost", {
        "objective": "count:poisson", "max_depth": 2, "base_score": 1.5,
    }, X, counts, 8, regression_rows(X))

    invalid_xgboost_fixtures()


def invalid_xgboost_fixtures():
    """Real files of kinds kubox refuses, for the error tests."""
    d = os.path.join(HERE, "invalid")
    os.makedirs(d, exist_ok=True)

    rng = np.random.default_rng(4)
    X = rng.normal(size=(200, 3)).astype(np.float32)
    X[:, 0] = rng.integers(0, 4, size=200)
    y = X[:, 0] * 2 + X[:, 1]
    dtrain = xgb.DMatrix(X, label=y, feature_types=["c", "q", "q"], enable_categorical=True)
    xgb.train({"seed": 0, "nthread": 1, "tree_method": "hist", "max_depth": 2,
               "max_cat_to_onehot": 1}, dtrain, 2).save_model(os.path.join(d, "categorical.json"))

    xgb.train({"seed": 0, "nthread": 1, "booster": "gblinear"},
              xgb.DMatrix(X[:, 1:], label=y), 2).save_model(os.path.join(d, "gblinear.json"))


# ---------------------------------------------------------------- onnx

def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def write_onnx(d, graph):
    model = helper.make_model(graph, producer_name="kubox testdata/models/generate.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model, full_check=True)
    path = os.path.join(d, "model.onnx")
    onnx.save(model, path)
    check_size(path)
    return path


def mlp_fixture(name, seed, rows):
    """A 4-8-3 MLP: Gemm, Relu, Gemm, Softmax, with fixed random weights."""
    rng = np.random.default_rng(seed)
    w1 = rng.normal(scale=0.8, size=(4, 8)).astype(np.float32)
    b1 = rng.normal(scale=0.3, size=(8,)).astype(np.float32)
    w2 = rng.normal(scale=0.8, size=(8, 3)).astype(np.float32)
    b2 = rng.normal(scale=0.3, size=(3,)).astype(np.float32)

    nodes = [
        helper.make_node("Gemm", ["input", "w1", "b1"], ["hidden"]),
        helper.make_node("Relu", ["hidden"], ["activated"]),
        helper.make_node("Gemm", ["activated", "w2", "b2"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "iris-mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 3])],
        initializer=[numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(b1, "b1"),
                     numpy_helper.from_array(w2, "w2"), numpy_helper.from_array(b2, "b2")],
    )
    d = fresh_dir(name)
    path = write_onnx(d, graph)

    x = np.asarray(rows, dtype=np.float32)
    hidden = np.maximum(x @ w1 + b1, np.float32(0))
    probs = softmax(hidden @ w2 + b2).astype(np.float32)
    write_expected(d, [tensor("input", "FP32", x)], [tensor("probabilities", "FP32", probs)])
    print(f"{name}: {os.path.getsize(path)} bytes")


def dtypes_fixture():
    """One input and output per non-float32 datatype, to check conversions."""
    nodes = [
        helper.make_node("Mul", ["x", "x_scale"], ["x_out"]),
        helper.make_node("Add", ["k", "k_offset"], ["k_out"]),
        helper.make_node("Mul", ["j", "j_scale"], ["j_out"]),
        helper.make_node("Not", ["b"], ["b_out"]),
    ]
    x_scale = np.array([2.5], dtype=np.float64)
    k_offset = np.array([7], dtype=np.int64)
    j_scale = np.array([-3], dtype=np.int32)
    graph = helper.make_graph(
        nodes, "dtypes",
        [helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["N", 3]),
         helper.make_tensor_value_info("k", TensorProto.INT64, ["N"]),
         helper.make_tensor_value_info("j", TensorProto.INT32, [None, 2]),
         helper.make_tensor_value_info("b", TensorProto.BOOL, ["N"])],
        [helper.make_tensor_value_info("x_out", TensorProto.DOUBLE, ["N", 3]),
         helper.make_tensor_value_info("k_out", TensorProto.INT64, ["N"]),
         helper.make_tensor_value_info("j_out", TensorProto.INT32, [None, 2]),
         helper.make_tensor_value_info("b_out", TensorProto.BOOL, ["N"])],
        initializer=[numpy_helper.from_array(x_scale, "x_scale"),
                     numpy_helper.from_array(k_offset, "k_offset"),
                     numpy_helper.from_array(j_scale, "j_scale")],
    )
    d = fresh_dir("dtypes-onnx")
    write_onnx(d, graph)

    x = np.array([[0.1, -2.0, 3.25], [1e-3, 1e10, -7.5]], dtype=np.float64)
    k = np.array([-9, 2 ** 40], dtype=np.int64)
    j = np.array([[4, -5], [100000, 0]], dtype=np.int32)
    b = np.array([True, False])
    write_expected(d, [tensor("x", "FP64", x), tensor("k", "INT64", k),
                       tensor("j", "INT32", j), tensor("b", "BOOL", b)],
                   [tensor("x_out", "FP64", x * x_scale), tensor("k_out", "INT64", k + k_offset),
                    tensor("j_out", "INT32", j * j_scale), tensor("b_out", "BOOL", np.logical_not(b))])
    print("dtypes-onnx")


def conv_fixture():
    """Conv with a bias, then Relu, Flatten, Gemm, a scalar Mul and Softmax.

    gonnx's Conv reshapes its bias in place, so this model checks that the
    second and later runs, and concurrent ones, still compute the same.
    """
    rng = np.random.default_rng(12)
    w = rng.normal(scale=0.5, size=(3, 1, 3, 3)).astype(np.float32)
    b = rng.normal(scale=0.2, size=(3,)).astype(np.float32)
    w2 = rng.normal(scale=0.4, size=(27, 2)).astype(np.float32)
    b2 = rng.normal(scale=0.1, size=(2,)).astype(np.float32)
    scale = np.array(0.5, dtype=np.float32)  # a scalar (shape []) initializer

    nodes = [
        helper.make_node("Conv", ["input", "w", "b"], ["conv"]),
        helper.make_node("Relu", ["conv"], ["activated"]),
        helper.make_node("Flatten", ["activated"], ["flat"], axis=1),
        helper.make_node("Gemm", ["flat", "w2", "b2"], ["logits"]),
        helper.make_node("Mul", ["logits", "scale"], ["scaled"]),
        helper.make_node("Softmax", ["scaled"], ["probabilities"], axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "conv",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, 5, 5])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 2])],
        initializer=[numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b"),
                     numpy_helper.from_array(w2, "w2"), numpy_helper.from_array(b2, "b2"),
                     numpy_helper.from_array(scale, "scale")],
    )
    d = fresh_dir("conv-onnx")
    path = write_onnx(d, graph)

    x = rng.normal(size=(3, 1, 5, 5)).astype(np.float32)
    conv = np.zeros((3, 3, 3, 3), dtype=np.float32)
    for i in range(3):
        for j in range(3):
            patch = x[:, :, i:i + 3, j:j + 3]  # N, C, kh, kw
            conv[:, :, i, j] = np.einsum("nckl,ockl->no", patch, w)
    conv += b[None, :, None, None]
    flat = np.maximum(conv, np.float32(0)).reshape(3, 27)
    probs = softmax((flat @ w2 + b2) * scale).astype(np.float32)
    write_expected(d, [tensor("input", "FP32", x)], [tensor("probabilities", "FP32", probs)])
    print(f"conv-onnx: {os.path.getsize(path)} bytes")


def onnx_fixtures():
    X, _ = iris()
    rows = iris_rows(X)
    mlp_fixture("iris-onnx", 10, rows)
    mlp_fixture("iris-onnx-v2", 11, rows)
    dtypes_fixture()
    conv_fixture()


def main():
    print(f"xgboost {xgb.__version__}, onnx {onnx.__version__}, numpy {np.__version__}, "
          f"scikit-learn {sklearn.__version__}")
    xgboost_fixtures()
    onnx_fixtures()


if __name__ == "__main__":
    main()

"""MiniLM's transformer layers on ONNX Runtime: the same weights, about twice as fast as NumPy.

A question is a dozen tokens, so each of MiniLM's matrix products has a dozen
rows: NumPy (OpenBLAS) spends as much time around the products as in them, and
reads every weight again from memory for each one. ONNX Runtime runs the same
layers as one graph (fused bias, GELU and layer norms, pre-packed weights): on
the 2-core machine of the benchmarks a question's forward pass took 8.5 ms of
CPU with NumPy and 4.7 ms here, with the same vectors (to float precision).

:class:`OrtLayers` builds that graph from the arrays :class:`~kgqa.translate.minilm.NumpyEncoder`
already loaded from ``model.safetensors``. The weights are handed to ONNX Runtime
in memory, not copied into a model file, so building it takes a fraction of a
second and needs neither torch nor an exported model. The graph itself (a few
kilobytes without the weights) is built with ``onnx`` once and kept in the user's
cache directory (``$XDG_CACHE_HOME/kgqa``, default ``~/.cache/kgqa``), keyed by
the layer shapes: importing ``onnx`` (and its ``ml_dtypes``) costs more than the
rest of a ``kgqa ask`` start, so later processes load the graph's bytes instead.
The embeddings, the padding mask and the pooling stay in NumPy.

Example:
    >>> from kgqa.translate.minilm import get_numpy_encoder
    >>> enc = get_numpy_encoder(backend="onnxruntime")
    >>> numpy = get_numpy_encoder(backend="numpy")
    >>> q = "Where was the author of X born?"
    >>> enc.backend, bool(abs(enc.encode([q]) - numpy.encode([q])).max() < 1e-5)
    ('onnxruntime', True)
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np

#: One thread: on a shared CPU a second one mostly waits for the first (see docs/question-answering.md).
THREADS = 1
#: Part of the cached graph's key: change it whenever the graph built below changes.
GRAPH_VERSION = 1


def available() -> bool:
    """True when ONNX Runtime (and ``onnx``, to build the graph) are installed (found, not imported)."""
    return find_spec("onnxruntime") is not None and find_spec("onnx") is not None


def cache_dir() -> Path:
    """Where built graphs are kept: ``$XDG_CACHE_HOME/kgqa`` (default ``~/.cache/kgqa``)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kgqa"


def _named_weights(layers: list[tuple]) -> Iterator[tuple[str, np.ndarray]]:
    """Each layer's arrays under the names the graph refers to them by."""
    for i, (qkv, qkv_b, wo, bo, ln1, wi, bi, wo2, bo2, ln2) in enumerate(layers):
        n = f"l{i}_"
        yield from ((n + "qkv", qkv), (n + "qkv_b", qkv_b), (n + "wo", wo), (n + "bo", bo),
                    (n + "ln1_w", ln1[0]), (n + "ln1_b", ln1[1]), (n + "wi", wi), (n + "bi", bi),
                    (n + "wo2", wo2), (n + "bo2", bo2), (n + "ln2_w", ln2[0]), (n + "ln2_b", ln2[1]))


def _graph(shapes: dict[str, tuple[int, ...]], layers: int, heads: int, dim: int, eps: float) -> bytes:
    """The serialized graph, from the cache when an earlier process built the same one."""
    key = hashlib.sha1(repr((GRAPH_VERSION, sorted(shapes.items()), layers, heads, dim, eps)).encode()).hexdigest()[:16]
    path = cache_dir() / f"minilm-layers-{key}.onnx"
    try:
        return path.read_bytes()
    except OSError:
        pass
    graph = _build(shapes, layers, heads, dim, eps)
    try:  # a cache only: a read-only home just means building again next time
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_bytes(graph)
        os.replace(partial, path)
    except OSError:
        pass
    return graph


class OrtLayers:
    """MiniLM's encoder layers as one ONNX Runtime session.

    ``layers`` are the per-layer arrays of ``NumpyEncoder.layers`` (matrices stored
    input x output); :meth:`__call__` maps the embedded tokens ``x`` (batch, length,
    dim) and the additive attention bias (batch, 1, 1, length) to the last hidden state.
    """

    def __init__(self, layers: list[tuple], heads: int, dim: int, eps: float) -> None:
        import onnxruntime as ort

        # The OrtValues must outlive the session's use of them.
        self._weights = {
            name: ort.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(array, dtype=np.float32))
            for name, array in _named_weights(layers)
        }
        shapes = {name: tuple(value.shape()) for name, value in self._weights.items()}
        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = THREADS
        options.log_severity_level = 3
        options.add_external_initializers(list(self._weights), list(self._weights.values()))
        graph = _graph(shapes, len(layers), heads, dim, eps)
        self.session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])

    def __call__(self, x: np.ndarray, bias: np.ndarray) -> np.ndarray:
        return self.session.run(None, {"x": x, "bias": bias})[0]


def _build(shapes: dict[str, tuple[int, ...]], layers: int, heads: int, dim: int, eps: float) -> bytes:
    """MiniLM's ``layers`` encoder layers as an ONNX graph whose weights come at session time."""
    from onnx import TensorProto, helper, numpy_helper

    external: list[TensorProto] = []
    small: list[TensorProto] = []

    def weight(name: str) -> str:
        """A weight handed over in memory at session time: only its name and shape are in the graph."""
        tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=shapes[name],
                             data_location=TensorProto.EXTERNAL)
        entry = tensor.external_data.add()
        entry.key, entry.value = "location", "memory"
        external.append(tensor)
        return name

    def const(name: str, value: Any, dtype: Any = np.float32) -> str:
        small.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    head_dim = dim // heads
    const("split_heads", [0, 0, 3, heads, head_dim], np.int64)
    const("merge_heads", [0, 0, dim], np.int64)
    const("scale", 1.0 / np.sqrt(head_dim))
    const("inv_sqrt2", 0.7071067811865476)
    const("one", 1.0)
    const("half", 0.5)
    for j in range(3):
        const(f"part{j}", j, np.int64)
    nodes = []

    def node(op: str, inputs: list[str], output: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], **attrs))
        return output

    x = "x"
    for i in range(layers):
        n = f"l{i}_"
        h = node("Add", [node("MatMul", [x, weight(n + "qkv")], n + "qkv_mm"), weight(n + "qkv_b")], n + "qkv_out")
        h = node("Transpose", [node("Reshape", [h, "split_heads"], n + "h5")], n + "heads", perm=[2, 0, 3, 1, 4])
        q, k, v = (node("Gather", [h, f"part{j}"], n + part, axis=0) for j, part in enumerate("qkv"))
        scores = node("MatMul", [q, node("Transpose", [k], n + "kt", perm=[0, 1, 3, 2])], n + "scores")
        scores = node("Add", [node("Mul", [scores, "scale"], n + "scaled"), "bias"], n + "masked")
        ctx = node("MatMul", [node("Softmax", [scores], n + "probs", axis=-1), v], n + "ctx")
        ctx = node("Reshape", [node("Transpose", [ctx], n + "ctx_t", perm=[0, 2, 1, 3]), "merge_heads"], n + "ctx_m")
        out = node("Add", [node("MatMul", [ctx, weight(n + "wo")], n + "wo_mm"), weight(n + "bo")], n + "wo_out")
        x = node("LayerNormalization", [node("Add", [out, x], n + "res1"), weight(n + "ln1_w"), weight(n + "ln1_b")],
                 n + "x1", axis=-1, epsilon=eps)
        inner = node("Add", [node("MatMul", [x, weight(n + "wi")], n + "wi_mm"), weight(n + "bi")], n + "inner")
        erf = node("Erf", [node("Mul", [inner, "inv_sqrt2"], n + "z")], n + "erf")
        gelu = node("Mul", [node("Mul", [inner, node("Add", [erf, "one"], n + "erf1")], n + "g2"), "half"], n + "gelu")
        out = node("Add", [node("MatMul", [gelu, weight(n + "wo2")], n + "wo2_mm"), weight(n + "bo2")], n + "ffn")
        x = node("LayerNormalization", [node("Add", [out, x], n + "res2"), weight(n + "ln2_w"), weight(n + "ln2_b")],
                 n + "x2", axis=-1, epsilon=eps)
    nodes.append(helper.make_node("Identity", [x], ["hidden"]))
    floats = TensorProto.FLOAT
    graph = helper.make_graph(
        nodes, "minilm_layers",
        [helper.make_tensor_value_info("x", floats, ["batch", "length", dim]),
         helper.make_tensor_value_info("bias", floats, ["batch", 1, 1, "length"])],
        [helper.make_tensor_value_info("hidden", floats, ["batch", "length", dim])],
        initializer=[*small, *external],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model.SerializeToString()

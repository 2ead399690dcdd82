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
second and needs neither torch nor an exported model. The embeddings, the
padding mask and the pooling stay in NumPy.

Example:
    >>> from kgqa.translate.minilm import get_numpy_encoder
    >>> enc = get_numpy_encoder(backend="onnxruntime")
    >>> numpy = get_numpy_encoder(backend="numpy")
    >>> q = "Where was the author of X born?"
    >>> enc.backend, bool(abs(enc.encode([q]) - numpy.encode([q])).max() < 1e-5)
    ('onnxruntime', True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: One thread: on a shared CPU a second one mostly waits for the first (see docs/question-answering.md).
THREADS = 1


def available() -> bool:
    """True when ONNX Runtime (and ``onnx``, to build the graph) can be imported."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


class OrtLayers:
    """MiniLM's encoder layers as one ONNX Runtime session.

    ``layers`` are the per-layer arrays of ``NumpyEncoder.layers`` (matrices stored
    input x output); :meth:`__call__` maps the embedded tokens ``x`` (batch, length,
    dim) and the additive attention bias (batch, 1, 1, length) to the last hidden state.
    """

    def __init__(self, layers: list[tuple], heads: int, dim: int, eps: float) -> None:
        import onnxruntime as ort
        from onnx import TensorProto, helper, numpy_helper

        self._weights: dict[str, Any] = {}  # the OrtValues must outlive the session's use of them
        external: list[TensorProto] = []
        small: list[TensorProto] = []

        def weight(name: str, array: np.ndarray) -> str:
            tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=array.shape,
                                 data_location=TensorProto.EXTERNAL)
            entry = tensor.external_data.add()
            entry.key, entry.value = "location", "memory"
            external.append(tensor)
            self._weights[name] = ort.OrtValue.ortvalue_from_numpy(np.ascontiguousarray(array, dtype=np.float32))
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
        for i, (qkv, qkv_b, wo, bo, ln1, wi, bi, wo2, bo2, ln2) in enumerate(layers):
            n = f"l{i}_"
            h = node("Add", [node("MatMul", [x, weight(n + "qkv", qkv)], n + "qkv_mm"), weight(n + "qkv_b", qkv_b)], n + "qkv_out")
            h = node("Transpose", [node("Reshape", [h, "split_heads"], n + "h5")], n + "heads", perm=[2, 0, 3, 1, 4])
            q, k, v = (node("Gather", [h, f"part{j}"], n + part, axis=0) for j, part in enumerate("qkv"))
            scores = node("MatMul", [q, node("Transpose", [k], n + "kt", perm=[0, 1, 3, 2])], n + "scores")
            scores = node("Add", [node("Mul", [scores, "scale"], n + "scaled"), "bias"], n + "masked")
            ctx = node("MatMul", [node("Softmax", [scores], n + "probs", axis=-1), v], n + "ctx")
            ctx = node("Reshape", [node("Transpose", [ctx], n + "ctx_t", perm=[0, 2, 1, 3]), "merge_heads"], n + "ctx_m")
            out = node("Add", [node("MatMul", [ctx, weight(n + "wo", wo)], n + "wo_mm"), weight(n + "bo", bo)], n + "wo_out")
            x = node("LayerNormalization", [node("Add", [out, x], n + "res1"), weight(n + "ln1_w", ln1[0]), weight(n + "ln1_b", ln1[1])],
                     n + "x1", axis=-1, epsilon=eps)
            inner = node("Add", [node("MatMul", [x, weight(n + "wi", wi)], n + "wi_mm"), weight(n + "bi", bi)], n + "inner")
            erf = node("Erf", [node("Mul", [inner, "inv_sqrt2"], n + "z")], n + "erf")
            gelu = node("Mul", [node("Mul", [inner, node("Add", [erf, "one"], n + "erf1")], n + "g2"), "half"], n + "gelu")
            out = node("Add", [node("MatMul", [gelu, weight(n + "wo2", wo2)], n + "wo2_mm"), weight(n + "bo2", bo2)], n + "ffn")
            x = node("LayerNormalization", [node("Add", [out, x], n + "res2"), weight(n + "ln2_w", ln2[0]), weight(n + "ln2_b", ln2[1])],
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
        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = THREADS
        options.log_severity_level = 3
        options.add_external_initializers(list(self._weights), list(self._weights.values()))
        self.session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])

    def __call__(self, x: np.ndarray, bias: np.ndarray) -> np.ndarray:
        return self.session.run(None, {"x": x, "bias": bias})[0]

"""A tiny piper test voice, generated: for languages no registry ships a piper voice for (Spanish,
Portuguese), so the real code path runs — piper loads it, espeak-ng phonemizes the language,
onnxruntime infers, the box encodes OGG/Opus — without real weights.

The ONNX graph has piper's interface (inputs ``input``, ``input_lengths``, ``scales``; output
``output`` of shape [1, 1, 1, samples]) and turns each phoneme id into 256 samples of a
windowed tone of its own pitch (so a longer text gives longer audio, and different texts give
different audio). It is about 170 KB; it is not a voice anyone should listen to.

    python -m tests.fakes.tone_voice DIR es pt     # writes DIR/<name>/voice.onnx(.json) + DIR/site.toml
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from piper.phoneme_ids import DEFAULT_PHONEME_ID_MAP

HOP = 256
SAMPLE_RATE = 16_000
ESPEAK = {"es": "es", "pt": "pt", "en": "en-us"}


def _graph(num_symbols: int) -> onnx.ModelProto:
    t = np.arange(HOP) / SAMPLE_RATE
    window = np.hanning(HOP)
    table = np.stack(
        [0.3 * window * np.sin(2 * np.pi * (120 + 7 * i) * t) for i in range(num_symbols)]
    ).astype(np.float32)
    nodes = [
        helper.make_node("Gather", ["table", "input"], ["frames"], axis=0),  # [1, N, HOP]
        helper.make_node("Slice", ["scales", "one", "two"], ["length_scale"]),
        helper.make_node("Mul", ["frames", "length_scale"], ["scaled"]),
        helper.make_node("Reshape", ["scaled", "shape"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes,
        "hotelbox-test-voice",
        [
            helper.make_tensor_value_info("input", TensorProto.INT64, ["batch_size", "phonemes"]),
            helper.make_tensor_value_info("input_lengths", TensorProto.INT64, ["batch_size"]),
            helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3]),
        ],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch_size", 1, 1, "samples"])],
        initializer=[
            numpy_helper.from_array(table, "table"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "one"),
            numpy_helper.from_array(np.array([2], dtype=np.int64), "two"),
            numpy_helper.from_array(np.array([1, 1, 1, -1], dtype=np.int64), "shape"),
        ],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="hotelbox-tests"
    )
    model.ir_version = 8  # what every onnxruntime of the last years reads
    onnx.checker.check_model(model)
    return model


def make_test_voice(directory: Path, lang: str) -> dict[str, object]:
    """Write the voice; return its site-manifest entry (name, files with sha256)."""
    name = f"test-{lang}-tiny"
    target = directory / name
    target.mkdir(parents=True, exist_ok=True)
    num_symbols = max(max(ids) for ids in DEFAULT_PHONEME_ID_MAP.values()) + 1
    (target / "voice.onnx").write_bytes(_graph(num_symbols).SerializeToString())
    config = {
        "audio": {"sample_rate": SAMPLE_RATE, "quality": "test"},
        "espeak": {"voice": ESPEAK[lang]},
        "inference": {"noise_scale": 0.667, "length_scale": 1, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "phoneme_map": {},
        "phoneme_id_map": DEFAULT_PHONEME_ID_MAP,
        "num_symbols": num_symbols,
        "num_speakers": 1,
        "speaker_id_map": {},
        "piper_version": "1.0.0",
        "language": {"code": lang},
        "dataset": "hotelbox-test",
    }
    (target / "voice.onnx.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
    files = [
        {"path": f, "sha256": hashlib.sha256((target / f).read_bytes()).hexdigest()}
        for f in ("voice.onnx", "voice.onnx.json")
    ]
    return {
        "name": name,
        "kind": "tts",
        "engine": "piper",
        "language": lang,
        "licence": "generated for tests",
        "source": "tests/fakes/tone_voice.py",
        "files": files,
    }


def write_site_manifest(directory: Path, entries: list[dict[str, object]]) -> Path:
    lines = []
    for e in entries:
        lines += ["[[models]]"]
        for key in ("name", "kind", "engine", "language", "licence", "source"):
            lines.append(f"{key} = {json.dumps(e[key])}")
        files = ", ".join(
            f'{{ path = "{f["path"]}", sha256 = "{f["sha256"]}" }}'
            for f in e["files"]  # type: ignore[attr-defined]
        )
        lines += [f"files = [{files}]", ""]
    path = directory / "site.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1])
    manifest = write_site_manifest(out, [make_test_voice(out, lang) for lang in sys.argv[2:] or ["es", "pt"]])
    print(manifest)

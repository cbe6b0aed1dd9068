"""all-mpnet-base-v2 (int8) against all-MiniLM-L6-v2 (int8): embedding throughput on the same
passages (wall-clock and CPU time), as ratios measured in one run (rounds alternate which model goes first, since this
machine's speed varies with what else runs on it); optionally the time of a whole ingest of a corpus
with mpnet-int8; and what the model costs on disk (its five packages, the unpacked folder and the
ONNX graphs in the cache).

Usage: python benchmarks/mpnet.py [--corpus ../shared/corpus/state-dept] [--index /tmp/sd-mpnet]
       [--ingest] [--passages 500] [--rounds 2]

--ingest builds --index afresh with `readouts ingest CORPUS --embedder mpnet-int8 --index DIR` in a
subprocess and times it; the passages compared are then the first N of that index (their
embedding text: title and paragraph, as ingest embeds them). Without --ingest, --index must exist.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import time
from importlib.metadata import distribution
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index import settings  # noqa: E402
from index.models import onnx_model  # noqa: E402
from index.models.embed import embedder_named  # noqa: E402
from index.models.split_model import MPNET_PARTS, mpnet_dir  # noqa: E402
from index.store import generations as store  # noqa: E402

MODELS = ("minilm-int8", "mpnet-int8")


def installed_bytes(package: str) -> int:
    """Bytes a distribution installed, from its RECORD."""
    return sum(f.size or 0 for f in distribution(package).files or [])


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def timed_ingest(corpus: Path, index: Path) -> tuple[float, float, int]:
    """Wall-clock and CPU seconds of a fresh `readouts ingest --embedder mpnet-int8` (model already
    exported), and its passages."""
    shutil.rmtree(index, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "index.cli", "ingest", str(corpus), "--embedder", "mpnet-int8",
                    "--index", str(index)], check=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, len(store.load(index).passages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "state-dept")
    parser.add_argument("--index", type=Path, default=Path("/tmp/sd-mpnet"))
    parser.add_argument("--ingest", action="store_true")
    parser.add_argument("--passages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.1f}")

    embedders = {name: embedder_named(name) for name in MODELS}
    for embedder in embedders.values():  # unpack, export and load every model before any timing
        embedder.embed(["warm up"] * 40)
    if args.ingest:
        seconds, cpu, count = timed_ingest(args.corpus, args.index)
        print(f"\ningest of {args.corpus.name} with mpnet-int8: {seconds:.0f} s for {count} passages "
              f"({count / seconds:.2f} passages/s; CPU {cpu:.0f} s, {cpu * 1000 / count:.1f} ms per passage), "
              f"load average after: {os.getloadavg()[0]:.1f}")
    texts = [p.embedding_text for p in store.load(args.index).passages[: args.passages]]

    print(f"\n{len(texts)} passages of {args.index}, embedded in one call (as ingest does)\n")
    print("| round | model | passages/s | mpnet-int8 ÷ minilm-int8 | CPU ms per passage | mpnet-int8 ÷ minilm-int8 |")
    print("|---|---|---|---|---|---|")
    for round_ in range(1, args.rounds + 1):
        rates, cpu = {}, {}
        for name in (MODELS if round_ % 2 else MODELS[::-1]):
            started, cpu_started = time.perf_counter(), time.process_time()  # process time: all threads
            embedders[name].embed(texts)
            rates[name] = len(texts) / (time.perf_counter() - started)
            cpu[name] = (time.process_time() - cpu_started) * 1000 / len(texts)
        ratio, cpu_ratio = rates["mpnet-int8"] / rates["minilm-int8"], cpu["mpnet-int8"] / cpu["minilm-int8"]
        for name in MODELS:
            print(f"| {round_} | {name} | {rates[name]:.2f} | {ratio:.3f} | {cpu[name]:.1f} | {cpu_ratio:.2f} |",
                  flush=True)

    print("\n| what | MB |")
    print("|---|---|")
    parts = sum(installed_bytes(p) for p in MPNET_PARTS)
    print(f"| the five packages `{MPNET_PARTS[0]}` … `-005` (installed) | {parts / 1e6:.0f} |")
    print(f"| unpacked folder in the cache ({mpnet_dir()}) | {folder_bytes(mpnet_dir()) / 1e6:.0f} |")
    for quantized in (False, True):
        path = onnx_model.cache_path(quantized, onnx_model.MPNET)
        print(f"| {path.name} | {path.stat().st_size / 1e6:.0f} |")
    minilm = onnx_model.cache_path(True)
    print(f"| for scale: {minilm.name} | {minilm.stat().st_size / 1e6:.0f} |")
    print(f"\ncache: {settings.cache_dir()}; load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

"""Measure ingest throughput, question latency, `readouts ask` cold start and the bot's reply latency.

Prints a table and writes bench-results/latest.json. Timings never go into unit tests; quote
medians, the machine is noisy. Usage: python benchmarks/run.py [--skip-ingest] [--users 50 --questions 5]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fakebotapi import FakeBotApi  # noqa: E402

from bot.answers import Answerer  # noqa: E402
from bot.app import build_application  # noqa: E402
from bot.config import Settings  # noqa: E402
from index import settings, store  # noqa: E402
from index.embed import MiniLMEmbedder  # noqa: E402
from index.errors import NothingMatches  # noqa: E402
from index.evaluate import load_questions  # noqa: E402
from index.ingest import ingest  # noqa: E402
from index.search import Retriever  # noqa: E402

STATE_DEPT = ROOT.parent / "shared" / "corpus" / "state-dept"
QUESTIONS = [q.q for name in ("seeds", "state_dept", "off_topic") for q in load_questions(ROOT / "tests" / "questions" / f"{name}.jsonl")]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_ingest(embedder: MiniLMEmbedder, workdir: Path) -> dict:
    started = time.perf_counter()
    report = ingest([STATE_DEPT], workdir / "state-dept", embedder)
    seconds = time.perf_counter() - started
    return {"documents": report.documents, "passages": report.passages, "seconds": round(seconds, 1),
            "passages_per_s": round(report.passages / seconds, 1),
            "index_mb": round(store.load(workdir / "state-dept").size_on_disk() / 1e6, 2)}


def bench_questions(retriever: Retriever) -> dict:
    retriever.search("warm up", 5)
    figures = {}
    for method in ("hybrid", "dense", "lexical"):
        times = []
        for question in QUESTIONS:
            started = time.perf_counter()
            try:
                retriever.search(question, 5, method=method)
            except NothingMatches:  # a question's date filter excluding the corpus is an answer too
                pass
            times.append((time.perf_counter() - started) * 1000)
        figures[method] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 95), 1),
                           "p99_ms": round(percentile(times, 99), 1), "questions": len(times)}
    return figures


def bench_cold_start(index: Path, runs: int = 3) -> dict:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "index.cli", "ask", "--index", str(index), "--json", "Fukushima"],
                       check=True, capture_output=True, env={**os.environ})
        times.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(times), 2), "runs": runs}


async def bench_bot(retriever: Retriever, users: int, questions: int, workdir: Path) -> dict:
    """One user asking one question at a time (reply latency as a user sees it), then a burst of
    `users` x `questions` at once (throughput; latency then is mostly waiting in line)."""
    token = "123456:benchmark-token"
    api = FakeBotApi(token).start()
    settings_ = Settings(token=token, api_base_url=api.url, outgoing_per_second=10_000, questions_per_minute=10_000)
    application = build_application(settings_, Answerer(retriever), workdir / "bot.pickle")
    pushed: dict[int, float] = {}
    async with application:
        await application.start()
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        alone = []
        for n, question in enumerate(QUESTIONS[:40]):
            sent = time.monotonic()
            api.message(1, question)
            await asyncio.to_thread(api.wait_for, "sendMessage", n + 1, 60, chat_id=1)
            alone.append((time.monotonic() - sent) * 1000)
        started = time.monotonic()
        for n in range(questions):
            for user in range(users):
                chat = 50_000 + user
                api.message(chat, QUESTIONS[(n * users + user) % len(QUESTIONS)])
                pushed[(chat, n)] = time.monotonic()
        await asyncio.to_thread(api.wait_for, "sendMessage", users * questions, 600)
        elapsed = time.monotonic() - started
        await application.updater.stop()
        await application.stop()
    api.stop()
    replies: dict[int, list[float]] = {}
    for call in api.calls:
        if call.method == "sendMessage" and call.status == 200 and int(call.params["chat_id"]) != 1:
            replies.setdefault(int(call.params["chat_id"]), []).append(call.at)
    latencies = [(at - pushed[(chat, n)]) * 1000 for chat, times in replies.items() for n, at in enumerate(sorted(times))]
    return {"one_user_p50_ms": round(statistics.median(alone)), "one_user_p95_ms": round(percentile(alone, 95)),
            "users": users, "questions_each": questions, "answers": len(latencies),
            "answers_per_s": round(len(latencies) / elapsed, 1), "reply_p50_ms": round(statistics.median(latencies)),
            "reply_p95_ms": round(percentile(latencies, 95))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--questions", type=int, default=5)
    args = parser.parse_args()
    embedder = MiniLMEmbedder()
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
               "date": time.strftime("%Y-%m-%d")}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        seeds_dir = workdir / "seeds"
        ingest([settings.SEEDS], seeds_dir, embedder)
        if not args.skip_ingest:
            results["ingest_state_dept"] = bench_ingest(embedder, workdir)
            results["question_latency_state_dept"] = bench_questions(Retriever(store.load(workdir / "state-dept"), embedder))
        seeds = Retriever(store.load(seeds_dir), embedder)
        results["question_latency_seeds"] = bench_questions(seeds)
        if not args.skip_ingest:
            results["ask_cold_start_seeds"] = bench_cold_start(seeds_dir)
        results["bot_fake_server"] = asyncio.run(bench_bot(seeds, args.users, args.questions, workdir))
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=1))
    for section, figures in results.items():
        print(f"{section:30} {figures}")


if __name__ == "__main__":
    main()

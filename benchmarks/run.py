"""Measure ingest throughput, question latency, `readouts ask` cold start and the bot's reply latency.

Prints the figures and writes bench-results/latest-EMBEDDER.json. Timings never go into unit tests;
quote medians, the machine is noisy. Usage: python benchmarks/run.py [--embedder minilm-int8]
[--skip-ingest] [--skip-bot] [--rates 25 50 75 100 --seconds 10]. Scale: benchmarks/scale.py.
"""
from __future__ import annotations

import argparse
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
sys.path.insert(0, str(ROOT))

from fakebotapi import FakeBotApi  # noqa: E402

from benchmarks.questions import distinct_questions  # noqa: E402
from index import settings  # noqa: E402
from index.errors import NothingMatches  # noqa: E402
from index.evaluate import load_questions  # noqa: E402
from index.ingest.documents import sentence_spans  # noqa: E402
from index.ingest.update import ingest  # noqa: E402
from index.models.embed import DEFAULT_EMBEDDER, EMBEDDERS, Embedder, embedder_named  # noqa: E402
from index.retrieve.search import Retriever  # noqa: E402
from index.store import generations as store  # noqa: E402

STATE_DEPT = ROOT.parent / "shared" / "corpus" / "state-dept"
QUESTIONS = [q.q for name in ("seeds", "state_dept", "off_topic") for q in load_questions(ROOT / "tests" / "questions" / f"{name}.jsonl")]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def bench_ingest(embedder: Embedder, workdir: Path) -> dict:
    started = time.perf_counter()
    report = ingest([STATE_DEPT], workdir / "state-dept", embedder)
    seconds = time.perf_counter() - started
    return {"documents": report.documents, "passages": report.passages, "seconds": round(seconds, 1),
            "passages_per_s": round(report.passages / seconds, 1),
            "index_mb": round(store.load(workdir / "state-dept").size_on_disk() / 1e6, 2)}


def bench_questions(index: Path, embedder: Embedder) -> dict:
    figures = {}
    for method in ("hybrid", "dense", "lexical"):
        retriever = Retriever(store.load(index), embedder)  # each method starts with empty caches
        retriever.search("warm up", 5)
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


def bench_bot(index: Path, workdir: Path, rates: list[int], seconds: float, asked: list[str]) -> dict:
    """The real bot (`readouts bot`, its own process, as deployed) against the fake Bot API server in
    this one. First one user asking one question at a time: reply latency as a user sees it. Then
    open-loop load: questions arrive at a fixed rate, each from a new chat, whatever the bot's pace,
    and every reply's latency counts from the question's arrival at the server."""
    token = "123456:benchmark-token"
    api = FakeBotApi(token).start()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": api.url,
           "READOUTS_QUESTIONS_PER_MINUTE": "100000", "TELEGRAM_OUTGOING_PER_SECOND": "100000",
           "READOUTS_BOT_STATE": str(workdir / "bot-state.json")}
    log = open(workdir / "bot.log", "w")  # a pipe nobody reads would fill and stall the bot
    bot = subprocess.Popen([sys.executable, "-m", "index.cli", "bot", "--index", str(index)], env=env,
                           stdout=subprocess.DEVNULL, stderr=log)
    try:
        api.wait_for("setMyCommands", 1, timeout=120)
        alone = []
        for n, question in enumerate(asked[:40]):
            sent = time.monotonic()
            api.message(1, question)
            api.wait_for("sendMessage", n + 1, 60, chat_id=1)
            alone.append((time.monotonic() - sent) * 1000)
        figures = {"one_user_p50_ms": round(statistics.median(alone)), "one_user_p95_ms": round(percentile(alone, 95)),
                   "distinct_questions": len(asked),
                   "load": []}
        fresh = 40  # every step asks questions not asked before: cached ones would flatter it
        for n, rate in enumerate(rates):
            count = int(rate * seconds)
            figures["load"].append(open_loop(api, rate, seconds, 100_000 * (n + 1), asked[fresh : fresh + count]))
            fresh += count
    finally:
        bot.terminate()
        try:
            bot.wait(30)
        except subprocess.TimeoutExpired:
            bot.kill()
        api.stop()
        log.close()
    return figures


def open_loop(api: FakeBotApi, rate: int, seconds: float, first_chat: int, asked: list[str]) -> dict:
    count = int(rate * seconds)
    arrived: dict[int, float] = {}
    started = time.monotonic()
    for n in range(count):
        time.sleep(max(0.0, started + n / rate - time.monotonic()))
        chat = first_chat + n
        api.message(chat, asked[n % len(asked)])  # repeats only when the benchmark runs out of questions
        arrived[chat] = time.monotonic()
    replied = replies(api, set(arrived), timeout=120)
    latencies = [(replied[chat] - at) * 1000 for chat, at in arrived.items() if chat in replied]
    span = max(replied.values()) - min(arrived.values())
    return {"offered_per_s": rate, "questions": count, "answered": len(replied),
            "answers_per_s": round(len(replied) / span, 1),
            "p50_ms": round(statistics.median(latencies)), "p95_ms": round(percentile(latencies, 95)),
            "p99_ms": round(percentile(latencies, 99))}


def replies(api: FakeBotApi, chats: set[int], timeout: float) -> dict[int, float]:
    """When the first reply reached each chat (server clock), waiting up to `timeout` for them all."""
    deadline = time.monotonic() + timeout
    while True:
        replied: dict[int, float] = {}
        for call in list(api.calls):
            chat = int(call.params.get("chat_id") or 0) if call.method == "sendMessage" else 0
            if chat in chats and chat not in replied:
                replied[chat] = call.at
        if len(replied) == len(chats) or time.monotonic() > deadline:
            return replied
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedder", choices=EMBEDDERS, default=DEFAULT_EMBEDDER)
    parser.add_argument("--skip-ingest", action="store_true", help="seeds only: no state-dept ingest, no cold start")
    parser.add_argument("--skip-bot", action="store_true")
    parser.add_argument("--rates", type=int, nargs="+", default=[25, 50, 75, 100], help="questions/s offered to the bot")
    parser.add_argument("--seconds", type=float, default=10, help="length of each load step")
    args = parser.parse_args()
    embedder = embedder_named(args.embedder)
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
               "date": time.strftime("%Y-%m-%d"), "embedder": embedder.name}
    out = ROOT / "bench-results" / f"latest-{args.embedder}.json"
    out.parent.mkdir(exist_ok=True)

    def record(section: str, figures: dict) -> None:  # saved as they come: a later failure loses nothing
        results[section] = figures
        out.write_text(json.dumps(results, indent=1))
        print(f"{section:30} {figures}", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        seeds_dir = workdir / "seeds"
        ingest([settings.SEEDS], seeds_dir, embedder)
        if not args.skip_ingest:
            record("ingest_state_dept", bench_ingest(embedder, workdir))
            record("question_latency_state_dept", bench_questions(workdir / "state-dept", embedder))
        record("question_latency_seeds", bench_questions(seeds_dir, embedder))
        if not args.skip_ingest:
            record("ask_cold_start_seeds", bench_cold_start(seeds_dir))
        if not args.skip_bot:  # over state-dept when built: a 42-passage corpus would flatter the caches
            served = seeds_dir if args.skip_ingest else workdir / "state-dept"
            passages = store.load(served).passages
            asked = distinct_questions([p.text[a:b] for p in passages for a, b in sentence_spans(p.text, 0, len(p.text))],
                                       count=2600)
            record(f"bot_fake_server_{served.name}", bench_bot(served, workdir, args.rates, args.seconds, asked))


if __name__ == "__main__":
    main()

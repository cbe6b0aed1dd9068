"""`readouts`: ingest readouts, ask questions, inspect the index. Errors become one-line messages."""
from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import settings
from .errors import BadQuery, InputNotFound, NothingMatches, ReadoutsError
from .settings import DEFAULT_EMBEDDER, EMBEDDERS, METHODS
from .terminal import one_line, safe

if TYPE_CHECKING:
    from .feedback import Summary
    from .ingest.documents import Document
    from .models.embed import Embedder

# The subcommands import what they need when they run: `readouts --help` loads no model stack.

FILE_FORMATS = ("csl-json", "ris")  # `ask --format`: the quoted passages as a file a reference manager imports


def questions_from(arguments: Sequence[str]) -> list[str]:
    """The question from argv, or one per line from stdin ('-'); bytes that are not UTF-8 become U+FFFD."""
    if list(arguments) == ["-"]:
        stdin = getattr(sys.stdin, "buffer", None)
        text = stdin.read().decode("utf-8", errors="replace") if stdin else sys.stdin.read()
        questions = [line.strip() for line in text.splitlines() if line.strip()]
    else:
        text = " ".join(arguments).encode("utf-8", "surrogateescape").decode("utf-8", errors="replace")
        questions = [text.strip()] if text.strip() else []
    if not questions:
        raise BadQuery("no question given: readouts ask 'What did China say about the Fukushima water release?'")
    return questions


def embedder_to_ingest(choice: str | None, directory: Path) -> Embedder:
    """The embedder asked for, else the index's own: adding one readout to an e5-small index must not
    quietly re-embed it all as English-only. A new index, or one this version cannot read, gets the default."""
    from .models.embed import embedder_for, embedder_named
    from .store import generations as store

    if choice:
        return embedder_named(choice)
    try:
        return embedder_for(store.recorded_model(directory) or "")
    except KeyError:
        return embedder_named(settings.default_embedder())


def split_arguments(arguments: Sequence[str]) -> tuple[list[Path], list[str]]:
    """Paths and URLs (http:// or https://) among the command's arguments."""
    urls = [a for a in arguments if re.match(r"https?://", a, re.I)]
    return [Path(a) for a in arguments if a not in urls], urls


def cmd_ingest(args: argparse.Namespace) -> int:
    from .ingest.update import format_report, ingest

    directory = settings.index_dir(args.index)
    paths, urls = split_arguments(args.paths)
    report = ingest(paths, directory, embedder_to_ingest(args.embedder, directory),
                    rebuild=args.rebuild, progress=True, urls=urls)
    print(safe(format_report(report, directory)))
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    """Refresh the sources file's pages, feeds and listings into the index on their schedules; with --once,
    exit 1 when every source failed, so that cron can tell."""
    from .ingest.watch import Watcher, load_sources

    sources = load_sources(Path(args.sources))
    directory = settings.index_dir(args.index)
    watcher = Watcher(directory, embedder_to_ingest(None, directory), progress=True)
    if not args.once:
        print(f"watching {len(sources)} source{'s' if len(sources) != 1 else ''} into {directory} (Ctrl-C stops)",
              file=sys.stderr)
    try:
        outcomes = watcher.run(sources, once=args.once, report=lambda outcome: print(one_line(outcome.line()), flush=True))
    except KeyboardInterrupt:
        print("readouts: stopped; every refresh that had finished is in the index", file=sys.stderr)
        return 130 if args.once else 0
    if outcomes and all(outcome.failed for outcome in outcomes):
        print(f"readouts: every source failed ({len(outcomes)})", file=sys.stderr)
        return 1
    return 0


def inspect_documents(arguments: Sequence[str]) -> tuple[list[Document], list[tuple[str, str]]]:
    """What `ingest` would index from these paths and URLs, read as it reads them, without an index."""
    from .ingest.corpus import load_corpus
    from .models.onnx_model import word_pieces

    paths, urls = split_arguments(arguments)
    corpus = load_corpus(paths, word_pieces) if paths else None
    documents = list(corpus.documents) if corpus else []
    skipped = list(corpus.skipped) if corpus else []
    if urls:
        from .ingest.sources.web import fetch_documents

        web = fetch_documents(urls, {}, set(), word_pieces)
        documents += web.documents
        skipped += web.skipped
    return documents, skipped


def cmd_inspect(args: argparse.Namespace) -> int:
    from .answer.plain import quote

    documents, skipped = inspect_documents(args.paths)
    for document in documents:
        if args.json:
            print(json.dumps({"file": document.identity, "title": document.title, "date": document.date,
                              "source": document.source, "url": document.url,
                              "passages": [p.text for p in document.passages]}, ensure_ascii=False))
        else:
            print(f"{one_line(document.identity)}\n  title   {one_line(document.title)}\n"
                  f"  date    {one_line(document.date or 'none stated')}\n  source  {one_line(document.source)}\n"
                  f"  url     {one_line(document.url or '-')}\n  passages {len(document.passages)}")
            for passage in document.passages:
                print(safe(f"  [{passage.paragraph}]\n{quote(passage)}"))
            print()
    for path, reason in skipped:
        print(f"skipped: {one_line(f'{path}: {reason}')}", file=sys.stderr)
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    """Each question answered by the answer policy the bot uses: quoted passages, or what is missing;
    with --format csl-json or ris, the passages quoted for all the questions as one file for Zotero."""
    from . import open_retriever
    from .answer.plain import answer_text
    from .answer.policy import Answerer
    from .answer.references import Cited, csl_json, ris

    output = args.format or ("json" if args.json else "text")
    if args.json and output != "json":
        raise BadQuery(f"--json and --format {output} ask for two formats: give one")
    questions = questions_from(args.question)
    retriever = open_retriever(args.index)
    answerer = Answerer(retriever, first_page=args.k)
    cited: list[Cited] = []
    for question in questions:
        try:
            answer = answerer.answer(question, args.k, method=args.method, emphasis=False)
            answer = answerer.linked(answer, range(len(answer.hits)))  # links to the quoted words
        except (BadQuery, NothingMatches) as error:
            if len(questions) == 1:
                raise
            if output == "json":
                print(json.dumps({"query": question, "answered": False, "error": str(error), "results": []},
                                 ensure_ascii=False))
            else:
                print(safe(f"{question}: {error}"), file=sys.stderr if output in FILE_FORMATS else sys.stdout)
            continue
        if output in FILE_FORMATS:
            cited += [Cited(hit.passage, hit.link) for hit in answer.hits]
            if not answer.hits:
                print(safe(f"{question}: no passage answers it; nothing to cite"), file=sys.stderr)
            continue
        if output == "json":
            print(json.dumps(answer.to_json(), ensure_ascii=False))
        else:
            context = ({i: retriever.context(hit.passage, args.context) for i, hit in enumerate(answer.hits)}
                       if args.context else None)
            print(f"Q: {safe(answer.question)}\n\n{answer_text(answer, detail=True, context=context)}\n")
        sys.stdout.flush()
    if output in FILE_FORMATS:
        from datetime import date

        sys.stdout.write((csl_json if output == "csl-json" else ris)(cited, accessed=date.today()))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from collections import Counter

    from .store import generations as store
    from .store import vectors

    index = store.load(settings.index_dir(args.index))
    manifest = index.manifest
    dates = sorted(record.date for record in manifest.documents if record.date)
    undated = len(manifest.documents) - len(dates)
    sources = Counter(record.source for record in manifest.documents)
    lines = [
        f"index      {one_line(str(index.directory))}",
        f"model      {one_line(manifest.model)} ({manifest.dimension}-d)",
        f"documents  {len(manifest.documents)}",
        f"passages   {manifest.passage_count}",
        f"vectors    {vectors.describe(index.vectors)}",
        f"dates      {f'{dates[0]} … {dates[-1]}' if dates else 'none'}" + (f" ({undated} undated)" if undated else ""),
        "sources    " + ", ".join(f"{one_line(name)} ({count})" for name, count in sources.most_common(10))
        + (f", … {len(sources) - 10} more" if len(sources) > 10 else ""),
        f"size       {index.size_on_disk() / 1e6:.2f} MB on disk",
        f"built      {manifest.created}",
    ]
    print("\n".join(lines))  # a source is often a file's name: any control character in it is shown escaped
    if not manifest.documents:
        print("note       the index is empty: add readouts with `readouts ingest PATH...`")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from . import open_retriever
    from .answer.policy import Answerer
    from .evaluate import evaluate, load_questions

    path = Path(args.questions)
    if not path.is_file():
        raise InputNotFound(f"no such question file: {path}")
    questions = load_questions(path)
    answerer = Answerer(open_retriever(args.index))
    methods = METHODS if args.method == "all" else tuple(m for m in METHODS if m == args.method)
    results = {m: evaluate(questions, answerer, args.k, method=m) for m in methods}
    first = next(iter(results.values()))
    print(f"{path.name}: {first.questions} questions with answers, {first.off_topic} off-topic")
    print(f"  {'method':8} {'hit@1':>6} {'hit@3':>6} {'hit@5':>6} {'MRR':>6} {'answered':>9} {'abstained':>9}")
    for method, scores in results.items():
        print(f"  {method:8} {scores.hit_rate(1):6.3f} {scores.hit_rate(3):6.3f} {scores.hit_rate(5):6.3f} "
              f"{scores.mrr:6.3f} {scores.answered_rate:9.3f} "
              + (f"{scores.abstained_rate:9.3f}" if scores.off_topic else f"{'-':>9}"))
    for question, first_hit in first.misses:
        expected = "; ".join(f"{doc}: {snippet!r}" for doc, snippet in question.gold)
        print(safe(f"  miss ({methods[0]}) {question.id}: {question.q}\n    expected {expected}\n    first    {first_hit}"))
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    """What the votes on answers say: counts, and the questions and passages with most 👎."""
    from .feedback import FeedbackLog
    from .store import generations as store

    directory = settings.index_dir(args.index)
    log = FeedbackLog(directory)
    if not args.json and not log.path.is_file():
        print(safe(f"no feedback yet: {log.path} does not exist"))
        return 0
    summary = log.summary()
    if args.json:
        print(json.dumps(summary.to_json(), ensure_ascii=False))
        return 0
    print(safe("\n".join(format_feedback(summary, store.document_titles(directory), args.top, log.path))))
    return 0


def format_feedback(summary: Summary, titles: dict[str, str], top: int, path: Path) -> list[str]:
    """The lines `readouts feedback` prints: counts and shares, the most 👎 questions and passages (titled when
    the index knows them), malformed lines skipped."""
    if not summary.presses:
        lines = [f"no feedback yet: {path} holds no votes"]
        return lines + ([f"skipped    {summary.skipped} malformed line(s)"] if summary.skipped else [])
    share = lambda n: f"{n} ({100 * n / summary.votes:.1f}%)"
    lines = [f"feedback   {path}",
             f"votes      {summary.votes} (of {summary.presses} presses: a changed vote counts once, as its last)",
             f"👍 up      {share(summary.up)}", f"👎 down    {share(summary.down)}"]
    for heading, tallies, label in (("questions", summary.questions, _one_line),
                                    ("passages", summary.passages, lambda name: _passage_label(name, titles))):
        disliked = [tally for tally in tallies if tally.down][:top]
        lines.append(f"{heading} with most 👎:" + ("" if disliked else " none"))
        lines += [f"  {t.down:4} 👎 {t.up:4} 👍  {label(t.name)}" for t in disliked]
    if summary.skipped:
        lines.append(f"skipped    {summary.skipped} malformed line(s)")
    return lines


def _one_line(text: str, width: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _passage_label(passage: str, titles: dict[str, str]) -> str:
    title = titles.get(passage.rpartition("-")[0])
    return f"{passage}  {_one_line(title, 80)}" if title else passage


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The `readouts` commands, and those packages add through the `readouts.commands` entry point
    (the bot's `bot` and `chat`); these are looked up only when `argv` names no built-in command:
    reading every installed package's entry points cost `readouts ask` a tenth of its start
    (docs/benchmarks.md)."""
    main = argparse.ArgumentParser(prog="readouts", description="Search diplomatic readouts and quote them.")
    commands = main.add_subparsers(dest="command", required=True)
    index_help = f"index directory (default: $READOUTS_INDEX or {settings.DEFAULT_INDEX})"

    p = commands.add_parser("ingest", help="add readouts (.txt/.md, HTML or PDF files, folders, or URLs of pages, "
                                           "feeds and listing pages) to the index")
    p.add_argument("paths", nargs="+", metavar="PATH_OR_URL")
    p.add_argument("--index", help=index_help)
    p.add_argument("--rebuild", action="store_true", help="start a new index instead of updating the old one")
    p.add_argument("--embedder", choices=tuple(EMBEDDERS),
                   help="model that embeds passages and questions (default: the index's own; for a new index "
                        f"$READOUTS_EMBEDDER or {DEFAULT_EMBEDDER}); changing it re-embeds every passage")
    p.set_defaults(run=cmd_ingest)

    p = commands.add_parser("watch", help="refresh the pages, feeds and listings of a sources file into the index, "
                                          "each on its schedule")
    p.add_argument("sources", metavar="SOURCES.toml", help="[[source]] tables with name, url, kind and interval")
    p.add_argument("--index", help=index_help)
    p.add_argument("--once", action="store_true", help="refresh every source once, then exit (for cron)")
    p.set_defaults(run=cmd_watch)

    p = commands.add_parser("inspect", help="show what ingest would index from files, folders or URLs, without indexing")
    p.add_argument("paths", nargs="+", metavar="PATH_OR_URL")
    p.add_argument("--json", action="store_true", help="one JSON object per document per line")
    p.set_defaults(run=cmd_inspect)

    p = commands.add_parser("ask", help="answer questions with quoted passages ('-' reads one per line from stdin)")
    p.add_argument("question", nargs="*", metavar="QUESTION")
    p.add_argument("--index", help=index_help)
    p.add_argument("-k", type=int, default=5, help="passages per question (default 5)")
    p.add_argument("--json", action="store_true", help="one JSON object per question per line (as --format json)")
    p.add_argument("--format", choices=("text", "json", *FILE_FORMATS),
                   help="text (default); json; or the quoted passages of all the questions as one CSL-JSON or RIS "
                        "file, for Zotero and other reference managers")
    p.add_argument("--method", choices=METHODS, default="hybrid", help="ranking (default: hybrid, dense + BM25 fused)")
    p.add_argument("--context", type=int, default=0, metavar="N", help="also show N neighbouring paragraphs each side")
    p.set_defaults(run=cmd_ask)

    p = commands.add_parser("stats", help="what the index holds")
    p.add_argument("--index", help=index_help)
    p.set_defaults(run=cmd_stats)
    p = commands.add_parser("eval", help="hit@1/3/5 and MRR on a question set (JSONL), with every miss")
    p.add_argument("questions", metavar="QUESTIONS.jsonl")
    p.add_argument("--index", help=index_help)
    p.add_argument("-k", type=int, default=5, help="passages retrieved per question (default 5)")
    p.add_argument("--method", choices=("all", *METHODS), default="all", help="ranking(s) to measure (default: all)")
    p.set_defaults(run=cmd_eval)

    p = commands.add_parser("feedback", help="what users' 👍/👎 on answers say: counts, the questions and "
                                             "passages with most 👎")
    p.add_argument("--index", help=index_help)
    p.add_argument("--json", action="store_true", help="the summary as one JSON object")
    p.add_argument("--top", type=_positive, default=10, metavar="N",
                   help="questions and passages listed (default 10)")
    p.set_defaults(run=cmd_feedback)

    named = next((word for word in argv or () if not word.startswith("-")), None)
    if named not in commands.choices:
        import importlib.metadata

        for plugin in importlib.metadata.entry_points(group="readouts.commands"):  # e.g. the bot package's `bot` and `chat`
            plugin.load()(commands)
    return main


def main(argv: Iterable[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    arguments = list(argv) if argv is not None else sys.argv[1:]
    args = parser(arguments).parse_args(arguments)
    if getattr(args, "k", 1) < 1:
        print("readouts: -k must be at least 1", file=sys.stderr)
        return 2
    try:
        return args.run(args)
    except ReadoutsError as error:
        print(f"readouts: {one_line(str(error))}", file=sys.stderr)
        return error.exit_code
    except BrokenPipeError:  # `readouts ask ... | head -1`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141
    except KeyboardInterrupt:
        print("readouts: interrupted; the index is unchanged unless the run had finished", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())

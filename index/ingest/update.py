"""Bring an index up to date with the readouts under some paths, embedding only what is new."""
from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.errors import IndexCorrupt, IndexMismatch, IndexNotFound, IndexWriteFailed, NothingToIngest
from index.models.embed import Embedder
from index.models.onnx_model import word_pieces
from index.passage import EMBEDDING_RECIPE, Passage
from index.progress import DocumentsDone, tracker
from index.store import generations as store
from index.store.lexical import Lexical
from index.terminal import one_line
from index.text.script import script_of
from index.urls import without_credentials

from .corpus import Corpus, absolute, load_corpus
from .documents import Document

if TYPE_CHECKING:
    import scipy.sparse as sparse

    from .sources.web import Fetcher, WebResult


MAX_WARNINGS = 10  # readouts named in a script the embedder does not read; one more line says there are more
MULTILINGUAL = "e5-small"  # the embedder suggested for readouts that are not in Latin script
LOCK_WAIT = 60.0  # seconds an ingest waits for another one's write to end before it gives up (IndexBusy)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # readouts in a script the embedder does not read
    model: str = ""  # the embedder's
    embedded: int = 0  # passages embedded in this run (the rest reused stored vectors)
    documents: int = 0  # in the index after the run
    passages: int = 0
    seconds: float = 0.0


def format_report(report: IngestReport, directory: Path) -> str:
    """The report as `readouts ingest` prints it: totals, then a line per removal, skip, note and warning."""
    lines = [
        f"index {directory}: {report.documents} documents, {report.passages} passages "
        f"({report.embedded} passages embedded by {report.model} in {report.seconds:.1f} s)",
        f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
        f"removed {len(report.removed)}, skipped {len(report.skipped)}",
    ]
    lines += [f"  removed: {one_line(name)} (gone from the given paths)" for name in report.removed]
    lines += [f"  skipped: {one_line(f'{path}: {reason}')}" for path, reason in report.skipped]
    lines += [f"  note: {one_line(note)}" for note in report.notes]
    lines += [f"  warning: {one_line(warning)}" for warning in report.warnings]
    return "\n".join(lines)


def text_key(text: str) -> str:
    """Vectors are reused by the hash of the text embedded, wherever that text now sits."""
    return hashlib.sha1(text.encode()).hexdigest()


def _under(path: str, roots: Sequence[Path]) -> bool:
    candidate = Path(path)
    return any(candidate == root or root in candidate.parents for root in roots)


def _previous(directory: Path, report: IngestReport) -> store.Index | None:
    try:
        return store.load(directory)
    except IndexNotFound:
        return None
    except (IndexCorrupt, IndexMismatch) as error:
        report.notes.append(f"starting a new index: the old one could not be used ({error})")
        return None


def _write_failed(directory: Path, error: OSError) -> IndexWriteFailed:
    """The OS refused a write: one line that names the fix (the previous generation stays live)."""
    reason = error.strerror or str(error)
    fix = {28: "free some disk space", 13: "make it writable or choose another with --index",
           30: "choose a writable folder with --index", 1: "make it writable or choose another with --index",
           122: "free some space in your quota"}.get(error.errno or 0, "check the folder")
    return IndexWriteFailed(f"could not write the index at {directory} ({reason}): {fix}, then ingest again; "
                            "the index as it was is unchanged")


def _fetch(urls: Sequence[str], directory: Path, previous: store.Index | None, fetcher: Fetcher | None,
           kinds: Mapping[str, str] | None) -> WebResult:
    """Fetch the pages (and what their feeds and listings link to), conditionally for those indexed already."""
    from .sources.web import fetch_documents, load_state

    known = {record.path for record in previous.manifest.documents} if previous is not None else set()
    return fetch_documents(urls, load_state(directory), known, word_pieces, fetcher, kinds)


class _Lexical:
    """BM25 of the passages a new index will most likely hold, built in a thread of its own while the
    model embeds them, so that the write after the embedding does not wait for it (docs/benchmarks.md).
    Used only if the passages written are those, in order."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.texts = [(p.lexical_text, p.heading) for p in passages]
        pool = ThreadPoolExecutor(1, thread_name_prefix="bm25")
        self._built = pool.submit(Lexical.build, [p.lexical_text for p in passages], [p.heading for p in passages],
                                  [p.text for p in passages])
        pool.shutdown(wait=False)  # its thread ends with the build

    def of(self, passages: Sequence[Passage]) -> Lexical | None:
        """The BM25 built, if it is of exactly these passages; None (BM25 to be built) otherwise."""
        return self._built.result() if [(p.lexical_text, p.heading) for p in passages] == self.texts else None


def _new_index_passages(documents: Sequence[Document]) -> list[Passage]:
    """The passages of an index made from `documents` alone: a document whose text came before is
    left out, as `_ingest` leaves it out."""
    seen: set[str] = set()
    passages: list[Passage] = []
    for document in documents:
        if document.content_hash not in seen:
            seen.add(document.content_hash)
            passages.extend(document.passages)
    return passages


@dataclass
class _Gathered:
    """What a run brings, read, fetched and embedded before the write lock is taken."""

    corpus: Corpus
    web: WebResult | None
    vectors: dict[str, np.ndarray]  # of the texts the index did not hold, by text_key
    latent: dict[str, sparse.csr_matrix]
    before: store.Index | None  # the generation they were compared with, still open
    lexical: _Lexical | None = None  # BM25 of a new index, being built


def _record(document: Document) -> store.DocumentRecord:
    return store.DocumentRecord(
        path=document.identity,
        doc=document.name,
        title=document.title,
        source=document.source,
        date=document.date,
        url=document.url,
        content_hash=document.content_hash,
        fingerprint=document.fingerprint,
        passages=len(document.passages),
    )


def ingest(
    paths: Sequence[Path], directory: Path, embedder: Embedder, *, rebuild: bool = False, progress: bool = False,
    urls: Sequence[str] = (), fetcher: Fetcher | None = None, kinds: Mapping[str, str] | None = None,
) -> IngestReport:
    """Add new and changed documents under `paths` and at `urls`, drop those gone from the paths, keep the
    rest of the index (documents of URLs not given this time included). `kinds` may say what a URL must
    be ("page", "feed" or "listing"); one that is something else is skipped with the reason.

    Reading, fetching and embedding happen first, without the write lock; the lock is held only to
    merge with the generation live at that moment and write the next, so a slow server never keeps
    another ingest out, and an ingest that meets another's write waits for it (LOCK_WAIT)."""
    started = time.perf_counter()
    report = IngestReport(model=embedder.name)
    try:
        gathered = _gather(paths, urls, directory, embedder, rebuild, progress, fetcher, kinds)
        old = gathered.before
        try:
            if fetcher is not None and fetcher.cancelled:  # stopped while embedding: write nothing
                from .sources.web import FetchCancelled

                raise FetchCancelled
            with store.write_lock(directory, wait=LOCK_WAIT):
                if old is None or store.live_generation(directory) != old.generation:  # another writer's meanwhile
                    if old is not None:
                        old.close()
                    old = _previous(directory, report)
                _ingest(paths, urls, directory, embedder, rebuild, progress, report, old, gathered)
        finally:
            if old is not None:
                old.close()
    except OSError as error:
        raise _write_failed(directory, error) from error
    report.seconds = time.perf_counter() - started
    return report


def _gather(paths: Sequence[Path], urls: Sequence[str], directory: Path, embedder: Embedder, rebuild: bool,
            progress: bool, fetcher: Fetcher | None, kinds: Mapping[str, str] | None) -> _Gathered:
    """The files under `paths`, the pages at `urls`, and the vectors of every text the live generation
    does not hold, all without the write lock (FetchCancelled when the fetcher is cancelled)."""
    corpus = load_corpus(paths, word_pieces)
    before = _previous(directory, IngestReport())
    try:
        previous = None if rebuild else before
        web = _fetch(urls, directory, previous, fetcher, kinds) if urls else None
        held: set[str] = set()
        if previous is not None and _same_vectors(previous, embedder):
            held = {text_key(passage.embedding_text) for _, passages in previous.documents_with_passages()
                    for passage in passages}
        documents = [*corpus.documents, *(web.documents if web else [])]
        keys = [[text_key(passage.embedding_text) for passage in document.passages] for document in documents]
        texts = {key: passage.embedding_text
                 for document, of_document in zip(documents, keys) for key, passage in zip(of_document, document.passages)}
        missing = [key for key in texts if key not in held]
        if progress:
            print(f"Read {len(documents):,} documents ({len(texts):,} distinct passages); "
                  f"{len(missing):,} passages to embed", file=sys.stderr, flush=True)
        vectors: dict[str, np.ndarray] = {}
        latent: dict[str, sparse.csr_matrix] = {}
        lexical = None
        if missing and previous is None:  # a new index: its BM25 is built while the model embeds
            lexical = _Lexical(_new_index_passages(documents))
        if missing:
            fresh = _embed_counting_documents(keys, missing, texts, embedder, progress)
            vectors = dict(zip(missing, fresh))
            fresh_latent = embedder.embed_latent([texts[key] for key in missing], progress=progress)
            if fresh_latent is not None:
                latent = {key: fresh_latent[row] for row, key in enumerate(missing)}
    except BaseException:
        if before is not None:
            before.close()
        raise
    return _Gathered(corpus, web, vectors, latent, before, lexical)


def _embed_counting_documents(keys: Sequence[Sequence[str]], missing: Sequence[str], texts: Mapping[str, str],
                              embedder: Embedder, progress: bool) -> np.ndarray:
    """The vectors of the `missing` texts (keys into `texts`), with progress that counts the documents
    (`keys`: each one's text keys) done as well as passages."""
    position = {key: row for row, key in enumerate(missing)}
    holders: list[list[int]] = [[] for _ in missing]
    for number, of_document in enumerate(keys):
        for key in dict.fromkeys(of_document):
            if key in position:
                holders[position[key]].append(number)
    bar = tracker(len(missing), "Embedding", enabled=progress, documents=len(keys))
    vectors = embedder.embed([texts[key] for key in missing], done=DocumentsDone(holders, len(keys), bar).done)
    bar.close()
    return vectors


def _same_vectors(previous: store.Index, embedder: Embedder) -> bool:
    """Whether the stored vectors are what `embedder` would compute (same model, same recipe)."""
    return (previous.manifest.model, previous.manifest.embedding_recipe) == (embedder.name, EMBEDDING_RECIPE)


def _ingest(paths: Sequence[Path], urls: Sequence[str], directory: Path, embedder: Embedder, rebuild: bool,
            progress: bool, report: IngestReport, old: store.Index | None, gathered: _Gathered) -> None:
    """The body of `ingest`, under the write lock, over the `old` generation (closed before the save, so
    that the save may delete it)."""
    previous = None if rebuild else old
    corpus, web = gathered.corpus, gathered.web
    report.skipped = list(corpus.skipped)
    documents = list(corpus.documents)
    if web is not None:
        documents.extend(web.documents)
        report.skipped.extend(web.skipped)
    fetched = {document.identity for document in web.documents} if web else set()
    not_modified = set(web.unchanged) if web else set()
    roots = [absolute(path) for path in paths]
    found = {document.identity for document in documents}

    records: list[store.DocumentRecord] = []
    passages: list[Passage] = []
    old_fingerprints: dict[str, str] = {}
    reusable: dict[str, np.ndarray] = dict(gathered.vectors)
    reusable_latent: dict[str, sparse.csr_matrix] = dict(gathered.latent)
    same_vectors = previous is not None and _same_vectors(previous, embedder)
    if previous is not None:
        if previous.manifest.model != embedder.name:
            report.notes.append(f"embedder changed from {previous.manifest.model} to {embedder.name}: "
                                "every passage is embedded again")
        old_vectors = previous.all_vectors() if same_vectors else None
        old_latent = previous.latent.matrix if same_vectors and previous.latent is not None else None
        row = 0
        for record, old_passages in previous.documents_with_passages():
            old_fingerprints[record.path] = record.fingerprint
            if old_vectors is not None:
                for offset, passage in enumerate(old_passages):
                    reusable.setdefault(text_key(passage.embedding_text), old_vectors[row + offset])
                    if old_latent is not None:
                        reusable_latent.setdefault(text_key(passage.embedding_text), old_latent[row + offset])
            row += len(old_passages)
            if record.path in fetched:
                continue  # replaced by the page fetched again
            if record.path in not_modified:
                report.unchanged.append(record.doc)
                records.append(record)
                passages.extend(old_passages)
            elif not _under(record.path, roots):
                records.append(record)
                passages.extend(old_passages)
            elif record.path not in found:
                report.removed.append(record.doc)
    held = {record.path for record in records}
    lost = [url for url in (web.unchanged if web else []) if url not in held]
    report.skipped.extend((url, "answered 304 Not Modified, but the index does not hold it: fetched in full "
                                "next run") for url in lost)

    kept_hashes = {record.content_hash: record.path for record in records}
    for document in documents:
        if document.content_hash in kept_hashes:
            report.skipped.append((str(document.path), f"duplicate of {kept_hashes[document.content_hash]}"))
            continue
        fingerprint = old_fingerprints.get(document.identity)
        bucket = report.added if fingerprint is None else report.unchanged if fingerprint == document.fingerprint else report.updated
        bucket.append(document.name)
        if bucket is not report.unchanged:
            _warn_if_unread(document, embedder, report)
        records.append(_record(document))
        passages.extend(document.passages)
        kept_hashes[document.content_hash] = document.identity

    if not records and (old is None or not old.manifest.documents):
        raise NothingToIngest(_nothing_found(paths, urls, report), tuple(report.skipped))
    if rebuild and old is not None:  # a rebuild drops whatever other paths brought in: say so
        kept = {record.path for record in records}
        report.removed = [record.doc for record in old.manifest.documents if record.path not in kept]
    report.embedded = len(gathered.vectors)
    if (previous is None or not same_vectors or records != previous.manifest.documents
            or previous.manifest.format_version != store.FORMAT_VERSION):  # an older format is written anew
        vectors, latent = _embeddings_for(passages, reusable, reusable_latent, embedder, progress, report)
        if old is not None:
            old.close()
        lexical = gathered.lexical.of(passages) if gathered.lexical is not None else None
        store.save(directory, embedder.name, records, passages, vectors, latent=latent, lexical=lexical)
    if web is not None:
        from .sources.web import load_state, save_state

        state = {**load_state(directory), **web.state}
        for url in lost:
            state.pop(url, None)
        save_state(directory, state)
    report.documents, report.passages = len(records), len(passages)


def _warn_if_unread(document: Document, embedder: Embedder, report: IngestReport) -> None:
    """A readout mostly in another script than Latin, given to an English-only embedder, is indexed but
    its passages will hardly be found: say so at ingest, naming the file and the model that reads it."""
    if embedder.multilingual:
        return
    script = script_of(" ".join(passage.text for passage in document.passages))
    if script is None:
        return
    if len(report.warnings) < MAX_WARNINGS:
        report.warnings.append(f"{document.identity} is mostly in {script} script, which {embedder.name} does not "
                               f"read: its passages will hardly be found. Ingest with --embedder {MULTILINGUAL}, "
                               "which does")
    elif len(report.warnings) == MAX_WARNINGS:
        report.warnings.append(f"… and more readouts not in Latin script: ingest with --embedder {MULTILINGUAL}")


def _nothing_found(paths: Sequence[Path], urls: Sequence[str], report: IngestReport) -> str:
    """Why an ingest that found no readout wrote nothing, with the first reasons files were skipped."""
    shown = "; ".join(f"{Path(path).name}: {reason}" for path, reason in report.skipped[:5])
    more = f" and {len(report.skipped) - 5} more" if len(report.skipped) > 5 else ""
    where = ", ".join([*map(str, paths), *map(without_credentials, urls)])
    return (f"nothing to index in {where}" + (f" ({shown}{more})" if shown else " (no .txt or .md files)")
            + "; no index was written")


def _embeddings_for(
    passages: Sequence[Passage],
    reusable: dict[str, np.ndarray],
    reusable_latent: dict[str, sparse.csr_matrix],
    embedder: Embedder,
    progress: bool,
    report: IngestReport,
) -> tuple[np.ndarray, sparse.csr_matrix | None]:
    """Vectors (and latent terms, for a model that has them) of every passage, computing only those of
    texts not seen before."""
    keys = [text_key(passage.embedding_text) for passage in passages]
    missing = list(dict.fromkeys(key for key in keys if key not in reusable))  # another writer's meanwhile: rare
    if missing:
        text_of = {key: passage.embedding_text for key, passage in zip(keys, passages)}
        texts = [text_of[key] for key in missing]
        reusable = {**reusable, **dict(zip(missing, embedder.embed(texts, progress=progress)))}
        fresh_latent = embedder.embed_latent(texts, progress=progress)
        if fresh_latent is not None:
            reusable_latent = {**reusable_latent, **{key: fresh_latent[row] for row, key in enumerate(missing)}}
    report.embedded += len(missing)
    if not passages:
        return np.zeros((0, embedder.dimension), dtype=np.float32), None
    vectors = np.stack([reusable[key] for key in keys]).astype(np.float32, copy=False)
    if not all(key in reusable_latent for key in keys):
        return vectors, None
    import scipy.sparse as sparse

    return vectors, sparse.vstack([reusable_latent[key] for key in keys], format="csr")

"""The index directory: a FAISS file, the passages and a manifest, saved atomically, loaded with checks.

Layout: DIR/CURRENT names the live generation, DIR/gen-*/ holds its files. A save writes a
new generation, syncs it, then swaps CURRENT with one atomic rename, so a crash at any
point leaves the previous generation live and whole. Every file of a generation, FAISS's included, is
written through Python's file I/O, so a full disk is one OSError whichever file meets it.

Readers hold a shared flock on their generation's `.readers` file while it is loaded (until
`Index.close`); a save deletes only the old generations it can lock exclusively, so a generation
in use stays whole under its readers and is removed by a later save once they have let it go.
"""
from __future__ import annotations

import fcntl
import json
import mmap
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, overload

import faiss
import numpy as np

from index.errors import IndexBusy, IndexCorrupt, IndexMismatch, IndexNotFound
from index.passage import EMBEDDING_RECIPE, Passage
from index.urls import without_credentials

from . import arrays
from . import vectors as vector_index
from .lexical import Lexical

if TYPE_CHECKING:
    import scipy.sparse as sparse

    from index.models.latent import LatentTerms

# 2: BM25 index beside the vectors; 3: embedding recipe recorded; 4: BM25 stopwords;
# 5: passage offsets, IVF above vectors.EXACT_LIMIT; 6: latent terms beside the vectors (e5-small);
# 7: BM25 arrays written by lexical.py, with each term's passages by score (6 is still read: by bm25s,
# searched without that order, with the same results)
FORMAT_VERSION = 7
READABLE_VERSIONS = (6, 7)
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
OFFSETS = "passages.offsets.npy"
VECTORS = "index.faiss"
LEXICAL = "bm25"
LATENT = "latent.npz"  # only for an embedder with latent terms
READERS = ".readers"  # readers hold a shared flock on it; not in the manifest
LOCK_POLL = 0.1  # seconds between two tries of a writer waiting for the write lock
LOAD_ATTEMPTS = 5  # CURRENT read again when the generation it named was removed meanwhile
REBUILD_HINT = "rebuild it with `readouts ingest --rebuild PATH...`"


@dataclass(frozen=True)
class DocumentRecord:
    """A document as the manifest remembers it; its passages are the next `passages` rows."""

    path: str  # resolved path: the document's identity across ingests
    doc: str
    title: str
    source: str
    date: str | None
    url: str | None
    content_hash: str
    fingerprint: str
    passages: int

    def __post_init__(self) -> None:
        # credentials are never shown or stored (urls.py), old manifests included; a file's path is left alone
        if self.url and "@" in self.url:
            object.__setattr__(self, "url", without_credentials(self.url))
        if "@" in self.path and self.path[:8].lower().startswith(("http://", "https://")):
            object.__setattr__(self, "path", without_credentials(self.path))


@dataclass(frozen=True)
class Manifest:
    format_version: int
    model: str
    embedding_recipe: str
    dimension: int
    created: str
    documents: list[DocumentRecord]
    passage_count: int
    file_sizes: dict[str, int]

    def to_json(self) -> dict:
        return {**asdict(self), "document_count": len(self.documents)}

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        return cls(
            format_version=data["format_version"],
            model=data["model"],
            embedding_recipe=data["embedding_recipe"],
            dimension=data["dimension"],
            created=data["created"],
            documents=[DocumentRecord(**record) for record in data["documents"]],
            passage_count=data["passage_count"],
            file_sizes=data["file_sizes"],
        )


class PassageFile(Sequence[Passage]):
    """The passages of a generation, read on demand from the memory-mapped JSON lines file, so that
    a million passages cost their offsets in memory, not a million Python objects."""

    def __init__(self, path: Path, offsets: np.ndarray) -> None:
        self._offsets = offsets  # len + 1 byte offsets: row i is data[offsets[i]:offsets[i + 1]]
        with open(path, "rb") as handle:
            self._data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if offsets[-1] else b""

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, row: int) -> Passage: ...

    @overload
    def __getitem__(self, row: slice) -> list[Passage]: ...

    def __getitem__(self, row: int | slice) -> Passage | list[Passage]:
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(len(self)))]
        if not -len(self) <= row < len(self):
            raise IndexError(row)
        row %= len(self)
        return Passage.from_json(json.loads(self._data[self._offsets[row] : self._offsets[row + 1]]))

    def close(self) -> None:
        if isinstance(self._data, mmap.mmap):
            self._data.close()


@dataclass
class Index:
    directory: Path
    manifest: Manifest
    passages: PassageFile
    vectors: faiss.Index
    lexical: Lexical
    latent: LatentTerms | None = None
    generation: str = ""  # the gen-* folder it was loaded from
    reader_lock: IO[bytes] | None = None  # the shared flock that keeps the generation on disk

    def close(self) -> None:
        """Let the generation go: its passages file is unmapped and a later save may delete it."""
        self.passages.close()
        if self.reader_lock is not None:
            self.reader_lock.close()
            self.reader_lock = None

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def documents_with_passages(self) -> Iterator[tuple[DocumentRecord, list[Passage]]]:
        offset = 0
        for record in self.manifest.documents:
            yield record, self.passages[offset : offset + record.passages]
            offset += record.passages

    def all_vectors(self) -> np.ndarray:
        return self.vectors.reconstruct_n(0, self.vectors.ntotal) if self.vectors.ntotal else np.zeros(
            (0, self.vectors.d), dtype=np.float32
        )

    def size_on_disk(self) -> int:
        return sum(self.manifest.file_sizes.values())


def has_index(directory: Path) -> bool:
    return (directory / CURRENT).is_file()


@contextmanager
def write_lock(directory: Path, wait: float = 0.0) -> Iterator[None]:
    """One writer at a time: a second waits up to `wait` seconds for the first to finish writing, then
    fails (IndexBusy) instead of racing it. Held only to write: ingests read, fetch and embed before."""
    directory.mkdir(parents=True, exist_ok=True)
    give_up = time.monotonic() + wait
    with open(directory / ".lock", "w") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as error:
                if time.monotonic() >= give_up:
                    raise IndexBusy(f"another ingest is writing {directory}; wait for it to finish") from error
                time.sleep(LOCK_POLL)
        yield


def save(
    directory: Path,
    model: str,
    documents: Sequence[DocumentRecord],
    passages: Sequence[Passage],
    vectors: np.ndarray,
    timings: dict[str, float] | None = None,
    latent: sparse.csr_matrix | None = None,
    lexical: Lexical | None = None,
) -> Manifest:
    """Write a new generation and make it live in one rename. Callers hold `write_lock`.

    `timings`, when given, receives the seconds spent building the vector and BM25 indexes and
    writing (the benchmark reports them apart). `lexical`, when given, is BM25 over these passages'
    `lexical_text`s, built already (ingest builds it while the model embeds)."""
    if (len(passages) != len(vectors) or sum(record.passages for record in documents) != len(passages)
            or (latent is not None and latent.shape[0] != len(passages))):
        raise ValueError("documents, passages and vectors disagree in number")
    directory.mkdir(parents=True, exist_ok=True)
    generation = Path(tempfile.mkdtemp(prefix="gen-", dir=directory))
    timings = {} if timings is None else timings
    try:
        started = time.perf_counter()
        built = vector_index.build(vectors)
        timings["vector_index"] = time.perf_counter() - started
        started = time.perf_counter()
        if lexical is None:
            lexical = Lexical.build([passage.lexical_text for passage in passages], [p.heading for p in passages],
                                    [passage.text for passage in passages])
        timings["bm25_index"] = time.perf_counter() - started
        started = time.perf_counter()
        _write_vectors(built, generation / VECTORS)
        _write_passages(generation, passages)
        (generation / LEXICAL).mkdir()
        lexical.save(generation / LEXICAL)
        if latent is not None:
            from index.models.latent import LatentTerms

            LatentTerms(latent).save(generation / LATENT)
        files = sorted(path for path in generation.rglob("*") if path.is_file())
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            model=model,
            embedding_recipe=EMBEDDING_RECIPE,
            dimension=int(vectors.shape[1]),
            created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            documents=list(documents),
            passage_count=len(passages),
            file_sizes={str(path.relative_to(generation)): path.stat().st_size for path in files},
        )
        _write_synced(generation / MANIFEST, json.dumps(manifest.to_json(), ensure_ascii=False, indent=1))
        (generation / READERS).touch()
        for path in files:
            _fsync(path)
        _fsync(generation / LEXICAL)
        _fsync(generation)
        _write_synced(directory / (CURRENT + ".tmp"), generation.name)
        os.replace(directory / (CURRENT + ".tmp"), directory / CURRENT)
        _fsync(directory)
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    _remove_stale_generations(directory, keep=generation.name)
    timings["write"] = time.perf_counter() - started
    return manifest


def _write_vectors(index: faiss.Index, path: Path) -> None:
    """FAISS's index, written through Python's file I/O: a full disk is then the OSError (ENOSPC) that every
    other writer of a generation raises, turned into one line by the ingest, not a C++ RuntimeError."""
    with open(path, "wb") as handle:
        faiss.write_index(index, faiss.PyCallbackIOWriter(handle.write))  # type: ignore[attr-defined]


def _write_passages(generation: Path, passages: Sequence[Passage]) -> None:
    offsets = np.zeros(len(passages) + 1, dtype=np.int64)
    with open(generation / PASSAGES, "wb") as handle:
        for row, passage in enumerate(passages):
            line = json.dumps(passage.to_json(), ensure_ascii=False).encode() + b"\n"
            handle.write(line)
            offsets[row + 1] = offsets[row] + len(line)
    arrays.save(generation / OFFSETS, offsets)


class _Moved(Exception):
    """The generation CURRENT named was removed before it could be locked: CURRENT has moved on."""


def load(directory: Path) -> Index:
    """The live generation, checked against its manifest and locked for reading until `Index.close`;
    errors name the fix."""
    if not has_index(directory):
        raise IndexNotFound(f"no index at {directory}: build one with `readouts ingest PATH...` (e.g. seeds/)")
    for _ in range(LOAD_ATTEMPTS):
        generation = live_generation(directory)
        try:
            lock = _lock_for_reading(directory / generation) if generation else None
        except _Moved:
            continue
        try:
            index = _load(directory, lock)
        except BaseException:
            if lock is not None:
                lock.close()
            raise
        if index.generation == generation or lock is None:
            return index
        index.close()  # CURRENT moved between reading it and the manifest: lock the new one
    return _load(directory, None)


def live_generation(directory: Path) -> str | None:
    """The name of the live generation (a read of CURRENT), or None when it cannot be read."""
    try:
        return (directory / CURRENT).read_text().strip() or None
    except (OSError, ValueError):
        return None


def _lock_for_reading(generation: Path) -> IO[bytes] | None:
    """A shared flock on the generation's `.readers` (made for a generation saved before there were
    any); None where the folder is read-only. _Moved when the generation is gone or being deleted."""
    path = generation / READERS
    handle: IO[bytes]
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        if not generation.is_dir():
            raise _Moved from None
        try:
            handle = open(path, "ab")
        except OSError:
            return None
    except OSError:
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        if os.fstat(handle.fileno()).st_ino != os.stat(path).st_ino:
            raise _Moved
    except (BlockingIOError, FileNotFoundError, _Moved):  # a writer holds it to delete it, or has
        handle.close()
        raise _Moved from None
    return handle


def _load(directory: Path, lock: IO[bytes] | None) -> Index:
    """The generation CURRENT names now, checked; `lock` is handed to the Index."""
    try:
        generation, data = _live_manifest(directory)
        if data.get("format_version") not in READABLE_VERSIONS:
            raise IndexMismatch(
                f"index at {directory} has format {data.get('format_version')}, this version reads "
                f"{' and '.join(map(str, READABLE_VERSIONS))}; "
                f"{REBUILD_HINT}"
            )
        manifest = Manifest.from_json(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise IndexCorrupt(f"index at {directory} is damaged (manifest: {_reason(error)}); {REBUILD_HINT}") from error
    for name, size in manifest.file_sizes.items():
        actual = (generation / name).stat().st_size if (generation / name).is_file() else None
        if actual != size:
            raise IndexCorrupt(f"index at {directory} is damaged ({name}: expected {size} bytes, found {actual}); {REBUILD_HINT}")
    try:
        vectors = faiss.read_index(str(generation / VECTORS))
        passages = PassageFile(generation / PASSAGES, np.load(generation / OFFSETS))
        lexical = Lexical.load(generation / LEXICAL, len(passages))
        latent = _latent(generation / LATENT) if LATENT in manifest.file_sizes else None
    except (OSError, RuntimeError, ValueError, KeyError, TypeError) as error:
        raise IndexCorrupt(f"index at {directory} is damaged ({_reason(error)}); {REBUILD_HINT}") from error
    if (not (vectors.ntotal == len(passages) == manifest.passage_count) or vectors.d != manifest.dimension
            or (latent is not None and len(latent) != len(passages))):
        raise IndexCorrupt(
            f"index at {directory} is damaged ({vectors.ntotal} vectors, {len(passages)} passages, "
            f"manifest says {manifest.passage_count}); {REBUILD_HINT}"
        )
    return Index(directory, manifest, passages, vectors, lexical, latent, generation.name, lock)


def _latent(path: Path) -> LatentTerms:
    """Latent terms load scipy: only an index that has them pays for it."""
    from index.models.latent import LatentTerms

    return LatentTerms.load(path)


def recorded_model(directory: Path) -> str | None:
    """The model the live generation's manifest names, or None: no index, or one whose manifest cannot
    be read (`load` says why)."""
    try:
        return _live_manifest(directory)[1].get("model")
    except (OSError, ValueError, AttributeError):
        return None


def document_titles(directory: Path) -> dict[str, str]:
    """The title of each live document by its passages' id prefix (its content hash, as documents.py
    names passages); empty when there is no readable index."""
    try:
        records = _live_manifest(directory)[1]["documents"]
        return {record["content_hash"][:12]: record["title"] for record in records}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _live_manifest(directory: Path) -> tuple[Path, dict]:
    generation = directory / (directory / CURRENT).read_text().strip()
    return generation, json.loads((generation / MANIFEST).read_text(encoding="utf-8"))


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error).splitlines()[0][:120]}" if str(error) else type(error).__name__


def _write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale_generations(directory: Path, keep: str) -> None:
    """Delete the other generations that no reader holds (an exclusive flock taken without waiting);
    those in use are left for a later save."""
    for entry in directory.glob("gen-*"):
        if entry.name == keep or not entry.is_dir():
            continue
        try:
            handle = open(entry / READERS, "ab")
        except OSError:
            continue
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            shutil.rmtree(entry, ignore_errors=True)

"""Readout retrieval: ingest readouts into a FAISS index and find the passages that answer a question."""
from .errors import BadQuery, IndexBusy, IndexCorrupt, IndexMismatch, IndexNotFound, InputNotFound, ReadoutsError
from .passage import Hit, Passage

__all__ = [
    "BadQuery", "Hit", "IndexBusy", "IndexCorrupt", "IndexMismatch", "IndexNotFound", "InputNotFound",
    "Passage", "ReadoutsError",
]

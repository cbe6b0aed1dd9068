"""numpy arrays saved as `.npy` files through Python's file I/O.

numpy's own writer hands a real file's descriptor to C's fwrite: a disk that fills midway is then
reported as "47394 requested and 42976 written", an OSError without the errno that names the fix, or,
when the loss shows only as the file is closed, not at all. Written in chunks through Python, every failed write is the OSError
(ENOSPC) that the other writers of a generation raise, and the ingest says "free some disk space".
"""
from __future__ import annotations

from pathlib import Path
from typing import IO

import numpy as np
from numpy.lib import format as npy


class _Sink:
    """A file's `write` alone: numpy does not take it for a real file, so it writes through it."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.write = handle.write


def save(path: Path, array: np.ndarray) -> None:
    """`array` as the .npy file `path` (np.load reads it, memory-mapped or not); OSError on any failed write."""
    with open(path, "wb") as handle:
        npy.write_array(_Sink(handle), np.asarray(array), allow_pickle=False)

"""index/store/arrays.py: .npy files written through Python's file I/O, so that a disk filling midway is an
OSError with its errno (ENOSPC), which the ingest turns into "free some disk space"."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index.store import arrays


def test_saved_arrays_load_as_numpy_writes_them(tmp_path: Path) -> None:
    for array in (np.arange(10, dtype=np.int64), np.linspace(0, 1, 70_001, dtype=np.float32),
                  np.zeros(0, dtype=np.int32), np.arange(12, dtype=np.float16).reshape(3, 4).T):
        arrays.save(tmp_path / "a.npy", array)
        np.save(tmp_path / "b.npy", array)
        assert (tmp_path / "a.npy").read_bytes() == (tmp_path / "b.npy").read_bytes()
        loaded = np.load(tmp_path / "a.npy", mmap_mode="r")
        assert loaded.dtype == array.dtype and np.array_equal(loaded, array)


NEARLY_FULL = r'''
import errno, json, os, sys
import numpy as np
from pathlib import Path
from index.store import arrays, lexical

disk = sys.argv[1]
model = lexical.Lexical.build([f"The ministers met in city number {n} and talked about trade {n * 7}." for n in range(3000)])
seen = {}
for leave in (20_000, 40_000, 100_000, 300_000):
    for name, write in (("array", lambda: arrays.save(os.path.join(disk, "a.npy"), np.arange(100_000))),
                        ("bm25", lambda: (os.makedirs(os.path.join(disk, "bm25")), model.save(Path(disk) / "bm25")))):
        stats = os.statvfs(disk)
        with open(os.path.join(disk, "filler"), "wb") as out:
            out.write(b"\0" * max(0, stats.f_bavail * stats.f_frsize - leave))
        try:
            write()
            seen[f"{name} {leave}"] = "written"
        except OSError as error:
            seen[f"{name} {leave}"] = error.errno
        os.system(f"rm -rf {disk}/*")
print(json.dumps(seen))
'''


def test_a_disk_filling_midway_is_an_oserror_with_its_errno(tmp_path: Path) -> None:
    """A real nearly full disk (a tmpfs in a user namespace) with room for an array's header but not its data:
    numpy's own writer said "100000 requested and 2032 written" (no errno) there, for arrays and BM25 alike."""
    if not shutil.which("unshare") or subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        pytest.skip("no user namespaces here to mount a small filesystem in")
    disk, script = tmp_path / "disk", tmp_path / "nearly_full.py"
    disk.mkdir()
    script.write_text(NEARLY_FULL)
    done = subprocess.run(["unshare", "-rm", "sh", "-c", f'mount -t tmpfs -o size=2m tmpfs "{disk}" && exec "$0" "$@"',
                           sys.executable, str(script), str(disk)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(seen) == 8 and all(outcome == 28 for outcome in seen.values()), seen

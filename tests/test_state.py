"""The bot's state file (bot/state.py): JSON written atomically, anything unreadable set aside, the
pickles of earlier versions read without running them, one file per index and bot."""
from __future__ import annotations

import errno
import json
import logging
import os
import pickle
import subprocess
import sys
import tempfile
from collections import OrderedDict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import state as state_module
from bot.config import ConfigError
from bot.context import Alert, ChatData, Quoted, Search
from bot.state import ChatStatePersistence, load, parse, set_aside, state_file, write_atomically

DATA = Path(__file__).parent / "data"
USER = 1001


def saved(path: Path, chats: dict[int, ChatData]) -> bytes:
    """`chats` written by the persistence, as a running bot would; the bytes of the file."""
    import asyncio

    async def write() -> None:
        persistence = ChatStatePersistence(path)
        await persistence.get_chat_data()
        for chat, data in chats.items():
            await persistence.update_chat_data(chat, data)
        await persistence.flush()

    asyncio.run(write())
    return path.read_bytes()


def a_chat() -> ChatData:
    search = Search("China Japan relations", "China Japan relations",
                    [Quoted("46c0a32b7c29-5", (0, 150), ("e05107d06aee-9",)), Quoted("e05107d06aee-6")],
                    notice=None, generation="gen-000007")
    return ChatData(OrderedDict(abc123=search), [Alert("0a1b2c3d", "Zembla tides", USER, {"feed": None})],
                    OrderedDict({77: ("abc123", 1)}), "chicago", "ja")


# --- what earlier versions wrote ------------------------------------------------------------------
def test_the_state_of_the_version_before_loads_as_data(caplog: pytest.LogCaptureFixture) -> None:
    """tests/data/make_old_bot_state.py made it with the code that pickled Answer, Hit and Passage."""
    caplog.set_level(logging.INFO)
    chats = parse((DATA / "bot-state-chatdata.pickle").read_bytes())
    chat = chats[USER]
    first = chat.searches["1ce84202"]
    assert (first.question, first.subject, first.notice) == ("China Japan relations", "China Japan relations", None)
    assert first.quoted[0] == Quoted("46c0a32b7c29-5", (0, 150), ())
    assert [q.passage for q in first.quoted][1:3] == ["e05107d06aee-9", "e05107d06aee-6"]
    follow_up = chat.searches["f0fd399f"]
    assert follow_up.notice is not None and follow_up.notice.startswith("Read together with")
    assert chat.messages == OrderedDict({1001: ("1ce84202", 1), 1003: ("f0fd399f", 0)})
    assert chat.alerts == [Alert("619919c4", "tidal observatories on the Zembla coast", USER, {})]
    assert chat.cite_style == "chicago"
    assert "saved by an earlier version" in caplog.text
    json.dumps(state_module.CHAT_DATA.dump_python(chat, mode="json"))  # and it is data now


def test_the_first_versions_dict_of_bot_answers_loads_too() -> None:
    chats = parse((DATA / "bot-state-dict.pickle").read_bytes())
    assert list(chats[USER].searches) == ["1ce84202", "f0fd399f"]
    assert chats[USER].searches["1ce84202"].quoted[0].passage == "46c0a32b7c29-5"


def test_a_pickle_that_would_run_code_is_set_aside_without_running(tmp_path: Path) -> None:
    marker = tmp_path / "ran"

    class Exploit:
        def __reduce__(self):  # noqa: ANN204
            return os.mkdir, (str(marker),)

    path = tmp_path / "state.pickle"
    data = pickle.dumps({"chat_data": {1: Exploit()}}, protocol=pickle.HIGHEST_PROTOCOL)
    path.write_bytes(data)
    assert load(path) == {}
    assert not marker.exists()
    [aside] = tmp_path.glob("state.pickle.unreadable-*")
    assert aside.read_bytes() == data


# --- what this version writes ---------------------------------------------------------------------
def test_chat_data_round_trips_through_the_file_as_json(tmp_path: Path) -> None:
    data = saved(tmp_path / "state.json", {USER: a_chat(), -100200: ChatData()})
    document = json.loads(data)
    assert document["format"] == "readouts-bot-state" and document["version"] == 2
    assert document["chat_data"][str(USER)]["searches"]["abc123"]["quoted"][0]["passage"] == "46c0a32b7c29-5"
    assert load(tmp_path / "state.json") == {USER: a_chat(), -100200: ChatData()}


def test_a_chat_that_does_not_validate_is_dropped_and_the_others_kept(tmp_path: Path,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    document = json.loads(saved(tmp_path / "state.json", {USER: a_chat()}))
    document["chat_data"]["5"] = {"searches": {"abc": {"question": 7}}}
    document["chat_data"]["not a chat"] = {}
    (tmp_path / "state.json").write_text(json.dumps(document))
    assert load(tmp_path / "state.json") == {USER: a_chat()}
    assert "dropped the saved state of chat '5'" in caplog.text and "not a chat" in caplog.text


UNREADABLE = {
    "empty": b"",
    "junk": b"\x00\xffjunk that is not a state file",
    "a JSON list": b"[]",
    "JSON of another shape": b'{"chat_data": {}}',
    "another version": b'{"format": "readouts-bot-state", "version": 99, "chat_data": {}}',
    "a pickle of a list": pickle.dumps([1, 2, 3], protocol=pickle.HIGHEST_PROTOCOL),
    "a pickle of another dict": pickle.dumps({"users": {}}, protocol=pickle.HIGHEST_PROTOCOL),
    "a pickle of a foreign class": pickle.dumps({"chat_data": {1: Path("/")}}, protocol=pickle.HIGHEST_PROTOCOL),
}


@pytest.mark.parametrize("kind", [*UNREADABLE, "truncated JSON", "a truncated pickle"])
def test_an_unreadable_state_file_is_set_aside_with_a_warning_and_the_bot_starts_fresh(
        kind: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "state.json"
    if kind == "truncated JSON":
        data = saved(path, {USER: a_chat()})[:-40]
    elif kind == "a truncated pickle":
        data = (DATA / "bot-state-chatdata.pickle").read_bytes()[:5000]
    else:
        data = UNREADABLE[kind]
    path.write_bytes(data)
    assert load(path) == {}
    [aside] = tmp_path.glob("state.json.unreadable-*")
    assert aside.read_bytes() == data and not path.exists()  # nothing is lost
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "could not read the bot state file" in warning.getMessage() and aside.name in warning.getMessage()
    assert "\n" not in warning.getMessage() and warning.exc_info is None


def test_a_state_file_that_cannot_be_moved_aside_stops_the_bot_in_one_line(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b"junk")

    def refuse(*args: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(state_module.os, "replace", refuse)
    with pytest.raises(ConfigError, match="cannot be read, nor moved aside"):
        set_aside(path)
    with pytest.raises(ConfigError):
        load(path)
    assert path.read_bytes() == b"junk"


@pytest.mark.parametrize("where", ["write", "fsync"])
async def test_a_full_disk_mid_write_leaves_the_previous_state(where: str, tmp_path: Path, monkeypatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "state.json"
    persistence = ChatStatePersistence(path)
    await persistence.get_chat_data()
    await persistence.update_chat_data(USER, a_chat())
    await persistence.flush()
    before = path.read_bytes()

    real_fdopen, real_fsync = os.fdopen, os.fsync

    class HalfWritten:
        """A file whose disk fills halfway through the write."""

        def __init__(self, file) -> None:  # noqa: ANN001
            self.file = file

        def __enter__(self):  # noqa: ANN204
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

        def write(self, data: bytes) -> int:
            self.file.write(data[: len(data) // 2])
            self.file.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name: str) -> object:
            return getattr(self.file, name)

    def no_space(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    if where == "write":
        monkeypatch.setattr(state_module.os, "fdopen", lambda *a, **k: HalfWritten(real_fdopen(*a, **k)))
    else:
        monkeypatch.setattr(state_module.os, "fsync", no_space)
    await persistence.update_chat_data(-5, ChatData(cite_style="chicago"))
    await persistence.flush()
    assert path.read_bytes() == before  # the old state, whole
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left behind
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "No space left on device" in warning.getMessage() and "keeps its previous state" in warning.getMessage()

    monkeypatch.setattr(state_module.os, "fdopen", real_fdopen)  # space freed: the next change saves everything
    monkeypatch.setattr(state_module.os, "fsync", real_fsync)
    await persistence.update_chat_data(-6, ChatData())
    await persistence.flush()
    assert set(load(path)) == {USER, -5, -6} and "again" in caplog.text


def test_a_write_the_kernel_cuts_short_leaves_the_previous_state(tmp_path: Path) -> None:
    """A real short write: the file-size limit (RLIMIT_FSIZE) stops the write halfway, as a full disk would."""
    path = tmp_path / "state.json"
    path.write_bytes(b'{"old": true}')
    script = ("import resource, signal, sys\n"
              "from pathlib import Path\n"
              "from bot.state import write_atomically\n"
              "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
              "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
              "try:\n"
              f"    write_atomically(Path({str(path)!r}), b'x' * 100_000)\n"
              "except OSError as error:\n"
              "    print(error.errno)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.stdout.strip() == str(errno.EFBIG), done.stderr
    assert path.read_bytes() == b'{"old": true}' and [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_write_atomically_replaces_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"a much longer previous content")
    write_atomically(path, b"new")
    assert path.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["f"]


# --- one file per index and bot -------------------------------------------------------------------
def test_indexes_that_share_a_folder_get_state_files_of_their_own(tmp_path: Path) -> None:
    token = "4242424242:AAF-secret-part"
    first, second = state_file(tmp_path / "a", token), state_file(tmp_path / "b", token)
    assert first != second and first.parent == tmp_path / "a" and second.parent == tmp_path / "b"
    assert "AAF" not in first.name and "4242424242" in first.name  # the bot's public id, never the secret part
    assert state_file(tmp_path / "a", "5:other") != first  # two bots over one index


def test_the_shared_file_of_earlier_versions_starts_each_index_and_stays(tmp_path: Path,
                                                                         caplog: pytest.LogCaptureFixture) -> None:
    legacy = tmp_path / "bot-state.pickle"
    legacy.write_bytes((DATA / "bot-state-chatdata.pickle").read_bytes())
    for index in ("a", "b"):
        (tmp_path / index).mkdir()
        own = state_file(tmp_path / index, "7:x")
        assert set(load(own, legacy)) == {USER}
        saved(own, {USER: a_chat(), 8: ChatData()} if index == "a" else {USER: ChatData()})
    assert legacy.exists() and "shared" in caplog.text
    assert set(load(state_file(tmp_path / "a", "7:x"), legacy)) == {USER, 8}  # its own file from now on
    assert set(load(state_file(tmp_path / "b", "7:x"), legacy)) == {USER}


def test_a_bot_over_each_index_keeps_its_own_state(tmp_path: Path, monkeypatch) -> None:
    """`readouts bot --index`: the state file it is given, for two indexes in one folder."""
    from bot import app, cli

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "4242424242:AAF-token")
    monkeypatch.delenv("READOUTS_BOT_STATE", raising=False)
    monkeypatch.delenv("WEBHOOK_URL", raising=False)
    monkeypatch.setattr(cli, "_answerer", lambda flag, settings: (None, None))
    given_state: list[tuple[Path, Path | None]] = []

    def capture(settings, answerer, state, feedback=None, *, legacy_state=None, library=None):  # noqa: ANN001, ANN202
        given_state.append((state, legacy_state))
        raise SystemExit(0)

    monkeypatch.setattr(app, "build_application", capture)
    for index in ("a", "b"):
        with pytest.raises(SystemExit):
            cli.run_bot(type("Args", (), {"index": str(tmp_path / index)})())
    [(a, legacy_a), (b, legacy_b)] = given_state
    assert a == tmp_path / "a" / "bot-4242424242-state.json" and b == tmp_path / "b" / "bot-4242424242-state.json"
    assert legacy_a == legacy_b == tmp_path / "bot-state.pickle"


# --- properties -----------------------------------------------------------------------------------
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                         max_size=4), max_leaves=30)
state_bytes = st.one_of(
    st.binary(max_size=2000),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.dictionaries(st.text(max_size=12), json_values, max_size=4).map(lambda chats: json.dumps(
        {"format": "readouts-bot-state", "version": 2, "chat_data": chats}).encode()),
    st.builds(lambda data, cut: data[:cut], st.just((DATA / "bot-state-chatdata.pickle").read_bytes()),
              st.integers(0, 18061)),
    json_values.map(lambda value: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)),
    st.binary(max_size=200).map(lambda tail: b"\x80\x05" + tail),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=state_bytes)
def test_a_state_file_of_any_bytes_loads_or_is_set_aside_whole(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "state.json"
        path.write_bytes(data)
        chats = load(path)
        assert isinstance(chats, dict) and all(isinstance(c, int) and isinstance(v, ChatData) for c, v in chats.items())
        asides = list(Path(directory).glob("state.json.unreadable-*"))
        if asides:
            assert not chats and asides[0].read_bytes() == data and not path.exists()
        else:
            assert path.read_bytes() == data


keys = st.text("0123456789abcdef", min_size=1, max_size=16)
words = st.text(max_size=40)
quoted = st.builds(Quoted, st.text(max_size=20),
                   st.none() | st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)),
                   st.lists(st.text(max_size=20), max_size=3).map(tuple))
chats = st.builds(
    ChatData,
    st.dictionaries(keys, st.builds(Search, words, words, st.lists(quoted, max_size=4), st.none() | words,
                                    st.none() | words), max_size=3).map(OrderedDict),
    st.lists(st.builds(Alert, keys, words, st.none() | st.integers(-2**53, 2**53),
                       st.dictionaries(words, st.none(), max_size=3)), max_size=3),
    st.dictionaries(st.integers(-2**31, 2**31), st.tuples(keys, st.integers(0, 100)), max_size=3).map(OrderedDict),
    words, st.none() | words)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.integers(-10**13, 10**13), chats, max_size=4))
def test_any_chat_data_comes_back_as_it_was_saved(chats_saved: dict[int, ChatData]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "state.json"
        saved(path, chats_saved)
        assert load(path) == chats_saved

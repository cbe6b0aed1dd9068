import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from index import cli, settings
from index.models.embed import MiniLMEmbedder, MiniLMInt8Embedder
from index.store import generations as store


def test_ask_json_gives_one_object_per_question(run, seeds_index: Path) -> None:
    code, out, _ = run("ask", "--index", str(seeds_index), "--json", "-k", "3", "Beijing-Tokyo Forum")
    assert code == 0
    [line] = out.splitlines()
    answer = json.loads(line)
    assert answer["query"] == "Beijing-Tokyo Forum" and len(answer["results"]) == 3
    first = answer["results"][0]
    assert set(first) >= {"rank", "score", "text", "doc", "title", "source", "date", "url", "paragraph"}
    assert first["rank"] == 1 and first["doc"] == "004_928d3c2fc4727297.txt" and "Beijing-Tokyo Forum" in first["text"]


def test_ask_reads_questions_from_stdin(run, seeds_index: Path, monkeypatch) -> None:
    import io
    monkeypatch.setattr(sys, "stdin", io.StringIO("Fukushima water\n\nBeijing-Tokyo Forum\n"))
    code, out, _ = run("ask", "--index", str(seeds_index), "--json", "-k", "1", "-")
    assert code == 0
    assert [json.loads(line)["query"] for line in out.splitlines()] == ["Fukushima water", "Beijing-Tokyo Forum"]


def test_human_answer_quotes_and_cites(run, seeds_index: Path) -> None:
    code, out, _ = run("ask", "--index", str(seeds_index), "-k", "5", "security dialogue in Tokyo")
    assert code == 0
    assert "  > " in out and "date unknown" in out and "002_97bc6a86a9d677fe.txt" in out


def test_usage_errors_exit_2(run, seeds_index: Path, tmp_path: Path) -> None:
    code, out, err = run("ask", "--index", str(seeds_index), "   ")
    assert (code, out) == (2, "") and "no question" in err
    code, _, err = run("ingest", "--index", str(tmp_path / "i"), str(tmp_path / "missing"))
    assert code == 2 and "missing" in err and not (tmp_path / "i" / "CURRENT").exists()


def test_missing_index_is_a_one_line_error(run, tmp_path: Path) -> None:
    code, out, err = run("stats", "--index", str(tmp_path / "none"))
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1 and "readouts ingest" in err


def test_stats_describes_the_index(run, seeds_index: Path) -> None:
    code, out, _ = run("stats", "--index", str(seeds_index))
    assert code == 0
    assert "documents  5" in out and "2017-09-01 … 2024-12-04 (1 undated)" in out and "Xinhua (2)" in out
    assert "all-MiniLM-L6-v2" in out and "vectors    exact (flat)" in out


def test_ingest_reports_skipped_files(run, corpus_copy: Path, tmp_path: Path) -> None:
    (corpus_copy / "empty.md").write_text("")
    code, out, _ = run("ingest", "--index", str(tmp_path / "i"), str(corpus_copy))
    assert code == 0 and "added 5" in out and "skipped 1" in out and "empty.md: empty file" in out


def test_an_update_keeps_the_index_embedder(run, seeds_e5_index: Path, tmp_path: Path) -> None:
    """No --embedder: a readout added to a multilingual index is embedded by e5-small, and nothing else is."""
    shutil.copytree(seeds_e5_index, tmp_path / "index")
    new = tmp_path / "new"
    new.mkdir()
    (new / "zh.txt").write_text("王毅会见上川阳子\n\n2024年9月23日，外交部长王毅在纽约会见日本外相上川阳子。\n", encoding="utf-8")
    code, out, _ = run("ingest", "--index", str(tmp_path / "index"), str(new))
    assert code == 0 and "added 1" in out and "embedder changed" not in out, out
    embedded = int(re.search(r"(\d+) passages embedded by multilingual-e5-small-q4", out).group(1))
    index = store.load(tmp_path / "index")
    assert index.manifest.model == "multilingual-e5-small-q4" and index.latent is not None
    assert 1 <= embedded < index.manifest.passage_count - 40  # the new readout's passages only


def test_another_embedder_asked_for_embeds_every_passage_again(run, seeds_index: Path, seeds_dir: Path,
                                                                 tmp_path: Path) -> None:
    shutil.copytree(seeds_index, tmp_path / "index")
    code, out, _ = run("ingest", "--index", str(tmp_path / "index"), "--embedder", "minilm", str(seeds_dir))
    assert code == 0, out
    assert f"embedder changed from {MiniLMInt8Embedder.name} to {MiniLMEmbedder.name}" in out
    passages = store.load(tmp_path / "index").manifest.passage_count
    assert f"{passages} passages embedded by {MiniLMEmbedder.name} " in out
    assert store.recorded_model(tmp_path / "index") == MiniLMEmbedder.name


def test_default_index_is_built_from_seeds_on_first_use(run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(settings, "DEFAULT_INDEX", tmp_path / "default")
    monkeypatch.delenv("READOUTS_INDEX", raising=False)
    code, out, err = run("ask", "--json", "-k", "1", "Fukushima")
    assert code == 0 and "building" in err and json.loads(out)["results"][0]["doc"].startswith("003")
    assert (tmp_path / "default" / "CURRENT").is_file()


@pytest.mark.slow
def test_console_script_keeps_stdout_for_answers(seeds_index: Path) -> None:
    env = {**os.environ, "READOUTS_INDEX": str(seeds_index)}
    result = subprocess.run([sys.executable, "-m", "index.cli", "ask", "--json", "Fukushima"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["query"] for line in result.stdout.splitlines()] == ["Fukushima"]


def _console(*argv: str | bytes, stdin: bytes | None = None, index: Path | None = None,
             shell: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **({"READOUTS_INDEX": str(index)} if index else {})}
    if shell:
        return subprocess.run(shell, shell=True, capture_output=True, env=env, timeout=120)
    return subprocess.run([sys.executable, "-m", "index.cli", *argv], input=stdin, capture_output=True, env=env, timeout=120)


@pytest.mark.slow
def test_invalid_utf8_in_a_question_is_replaced_not_a_traceback(seeds_index: Path) -> None:
    result = _console("ask", "--json", "-k", "1", b"Fukushima \xff\xfe water", index=seeds_index)
    assert result.returncode == 0 and b"Traceback" not in result.stderr, result.stderr
    assert json.loads(result.stdout)["query"] == "Fukushima \ufffd\ufffd water"
    result = _console("ask", "--json", "-k", "1", "-", stdin=b"Fukushima \xc3\x28 water\nBeijing-Tokyo Forum\n",
                      index=seeds_index)
    assert result.returncode == 0 and len(result.stdout.splitlines()) == 2, result.stderr


@pytest.mark.slow
def test_a_closed_pipe_ends_ask_quietly(seeds_index: Path) -> None:
    questions = "\\n".join(["Fukushima water", "Beijing-Tokyo Forum", "Korean Peninsula"] * 20)
    result = _console(index=seeds_index, shell=f"printf '{questions}' | {sys.executable} -m index.cli ask -k 5 - | head -1")
    assert b"Traceback" not in result.stderr and b"BrokenPipe" not in result.stderr, result.stderr
    assert result.stdout.startswith(b"Q: ")


def test_control_characters_in_a_readout_are_shown_escaped(run, corpus_copy: Path, tmp_path: Path, fake_embedder,
                                                           monkeypatch) -> None:
    from index.ingest.update import ingest
    (corpus_copy / "evil.txt").write_text("Evil readout\n\nThe ministers met in Vienna \x1b[31mand\x1b]0;pwned\x07 agreed "
                                          "on the text of a ceasefire for the region.\n")
    ingest([corpus_copy], tmp_path / "i", fake_embedder)
    monkeypatch.setattr("index.open_retriever", lambda directory: __import__("index.retrieve.search").retrieve.search.Retriever(
        store.load(tmp_path / "i"), fake_embedder))
    code, out, _ = run("ask", "-k", "3", "ceasefire Vienna")
    assert code == 0 and "\x1b" not in out and "\x07" not in out and "\\x1b[31mand" in out


def test_an_empty_index_is_reported_by_every_command(run, corpus_copy: Path, tmp_path: Path, fake_embedder,
                                                     monkeypatch) -> None:
    from index.ingest.update import ingest
    ingest([corpus_copy], tmp_path / "i", fake_embedder)
    for file in corpus_copy.glob("*.txt"):
        file.unlink()
    ingest([corpus_copy], tmp_path / "i", fake_embedder)
    code, out, _ = run("stats", "--index", str(tmp_path / "i"))
    assert code == 0 and "documents  0" in out and "the index is empty" in out
    monkeypatch.setattr("index.open_retriever", lambda directory: __import__("index.retrieve.search").retrieve.search.Retriever(
        store.load(tmp_path / "i"), fake_embedder))
    code, out, err = run("ask", "anything")
    assert code == 1 and out == "" and "holds no readouts" in err and len(err.splitlines()) == 1


def test_ingesting_nothing_is_an_error_that_writes_nothing(run, tmp_path: Path) -> None:
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "x.doc").write_bytes(b"\x00\x01")
    code, out, err = run("ingest", "--index", str(tmp_path / "i"), str(tmp_path / "junk"))
    assert code == 1 and "nothing to index" in err and not store.has_index(tmp_path / "i")


def test_an_impossible_filter_is_a_usage_error(run, seeds_index: Path) -> None:
    code, out, err = run("ask", "--index", str(seeds_index), "Fukushima after:2023-13-45")
    assert code == 2 and out == "" and "after:2023-13-45 is not a date" in err


def test_ask_applies_the_answer_policy(run, seeds_index: Path) -> None:
    code, out, _ = run("ask", "--index", str(seeds_index), "--json", "Who won the 2022 World Cup final?")
    answer = json.loads(out)
    assert code == 0 and answer["answered"] is False and answer["results"] == []
    code, out, _ = run("ask", "--index", str(seeds_index), "What did Wang Yi tell Ruritania's envoy?")
    assert code == 0 and "No readout mentions Ruritania." in out and "[1]" not in out.split("Related")[0]


@pytest.mark.slow
def test_ingest_prints_its_report_and_no_library_chatter(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "index.cli", "ingest", "--index", str(tmp_path / "i"),
                             str(settings.SEEDS)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "added 5" in result.stdout
    assert "DEBUG" not in result.stderr + result.stdout and "INFO" not in result.stderr, result.stderr


def test_names_with_control_characters_or_not_utf8_are_printed_escaped_on_one_line(run, corpus_copy: Path,
                                                                                   tmp_path: Path, fake_embedder,
                                                                                   monkeypatch) -> None:
    """A folder holding a name that is not UTF-8 still ingests (that file skipped, its line printable);
    names with ESC or a newline are shown escaped by the ingest report and by `stats` (a readout that
    states no source is cited by its file's name)."""
    monkeypatch.setattr(cli, "embedder_to_ingest", lambda choice, directory: fake_embedder)
    readout = "Talks\n\nThe ministers met in {} and agreed that their teams would meet again before the summit.\n"
    (corpus_copy / os.fsdecode(b"bad\xff\x1b.txt")).write_text(readout.format("Oslo"))
    (corpus_copy / "esc\x1b[31m.txt").write_text(readout.format("Rome"))
    (corpus_copy / "two\nlines.txt").write_text(readout.format("Lima"))
    (corpus_copy / ".hidden.txt").write_text(readout.format("Bern"))
    index = tmp_path / "index"
    code, out, _ = run("ingest", "--index", str(index), str(corpus_copy))
    assert code == 0
    assert f"  skipped: {corpus_copy}/bad\\xff\\x1b.txt: its name is not valid UTF-8: rename it to read it" in out
    assert f"  skipped: {corpus_copy}/.hidden.txt: hidden file (its name starts with a dot)" in out
    assert "added 7," in out
    code, out, _ = run("stats", "--index", str(index))
    assert code == 0 and "\x1b" not in out and "\\x1b[31m" in out and "esc\\x1b[31m.txt (1)" in out
    assert "two\\x0alines.txt (1)" in out and len(out.splitlines()) == 9
    out.encode("utf-8")  # printable: no lone surrogate left


def test_ask_names_the_speaker_of_a_transcripts_quote_in_json_and_in_text(run, state_dept_index: Path) -> None:
    index = str(state_dept_index)
    code, out, _ = run("ask", "--index", index, "--json", "-k", "5", "Daesh in Africa: what was proposed to the coalition?")
    results = json.loads(out)["results"]
    assert code == 0 and results and all("speaker" in result for result in results)
    [proposal] = [r for r in results if r["text"].startswith("Given the growing threat stemming from Daesh in Africa")]
    assert proposal["speaker"] == "Foreign Minister Di Maio (via interpreter)"
    code, out, _ = run("ask", "--index", index, "-k", "3", "We act. As the G7, we will play a central role")
    assert code == 0 and "— Foreign Minister Baerbock (via interpreter), in: Secretary Antony J. Blinken And German" in out


def test_ask_writes_the_quoted_passages_as_csl_json_or_ris(run, seeds_index: Path, monkeypatch) -> None:
    import io

    import rispy
    from test_references import citeproc_rendering

    questions = ["Fukushima water", "Beijing-Tokyo Forum"]
    answers = {}
    for question in questions:
        code, out, _ = run("ask", "--index", str(seeds_index), "-k", "2", "--json", question)
        answers[question] = [result for result in json.loads(out)["results"] if not result.get("related")]
    quoted = answers[questions[0]] + answers[questions[1]]
    ids = list(dict.fromkeys(result["id"] for result in quoted))
    assert len(ids) >= 2
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(questions) + "\n"))
    code, out, _ = run("ask", "--index", str(seeds_index), "-k", "2", "--format", "csl-json", "-")
    items = json.loads(out)  # one file for both questions, each passage once
    assert code == 0 and [item["id"] for item in items] == ids
    by_id = {result["id"]: result for result in quoted}
    for item in items:
        for style in ("chicago-author-date", "apa"):
            rendered = citeproc_rendering(item, style)
            assert by_id[item["id"]]["source"] in rendered and (item.get("URL") or "") in rendered
    code, out, _ = run("ask", "--index", str(seeds_index), "-k", "2", "--format", "ris", questions[1])
    entries = rispy.loads(out)
    results = answers[questions[1]]
    assert code == 0 and entries and [entry["title"] for entry in entries] == [r["title"] for r in results]
    for entry, result in zip(entries, results):
        assert entry["publisher"] == result["source"] and entry.get("urls") == ([result.get("link") or result["url"]]
                                                                               if result["url"] else None)
        assert entry.get("date") == (result["date"].replace("-", "/") + "/" if result["date"] else None)
    code, out, err = run("ask", "--index", str(seeds_index), "--json", "--format", "ris", "Beijing-Tokyo Forum")
    assert code == 2 and out == "" and "two formats" in err


@pytest.mark.slow
def test_a_new_index_is_built_with_the_default_model_unless_readouts_embedder_says_otherwise(
        run, corpus_copy: Path, tmp_path: Path, monkeypatch) -> None:
    """No --embedder and no READOUTS_EMBEDDER: all-mpnet-base-v2 int8 (unpacked and exported on first
    use), and questions are answered with it; a READOUTS_EMBEDDER no model bears is one clear line."""
    monkeypatch.delenv("READOUTS_EMBEDDER")
    code, _, err = run("ingest", "--index", str(tmp_path / "default"), str(corpus_copy))
    assert code == 0, err
    assert store.recorded_model(tmp_path / "default") == "all-mpnet-base-v2-int8"
    code, out, _ = run("ask", "--index", str(tmp_path / "default"), "--json", "-k", "1", "Beijing-Tokyo Forum")
    assert code == 0 and "Beijing-Tokyo Forum" in json.loads(out)["results"][0]["text"]
    monkeypatch.setenv("READOUTS_EMBEDDER", "gpt-9")
    code, out, err = run("ingest", "--index", str(tmp_path / "other"), str(corpus_copy))
    assert code != 0 and out == "" and "READOUTS_EMBEDDER must be one of" in err and "Traceback" not in err
    assert not store.has_index(tmp_path / "other")


def test_built_in_commands_run_without_reading_entry_points_and_the_others_find_theirs(
        run, seeds_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    looked_up: list[str] = []
    entry_points = importlib.metadata.entry_points

    def recording(**selection: str):  # noqa: ANN202
        looked_up.append(selection.get("group", ""))
        return entry_points(**selection)

    monkeypatch.setattr(importlib.metadata, "entry_points", recording)
    code, out, _ = run("ask", "--index", str(seeds_index), "--json", "-k", "1", "Beijing-Tokyo Forum")
    assert code == 0 and json.loads(out)["results"] and looked_up == []
    for argv in ([], ["--help"], ["chat", "--index", str(seeds_index)]):
        listed = re.search(r"\{([\w,]+)\}", cli.parser(argv).format_usage())
        assert listed and {"ask", "bot", "chat"} <= set(listed.group(1).split(","))
    assert looked_up == ["readouts.commands"] * 3


def test_inspect_prints_names_escaped_on_one_line(run, tmp_path: Path) -> None:
    """`inspect` shows a document's source (its file's name, when it states none) escaped like every other name:
    a newline in it printed raw split the source line in two."""
    folder = tmp_path / "readouts"
    folder.mkdir()
    (folder / "two\nlines\x1b[2J.txt").write_text(
        "Talks in Lima\n\nThe ministers met in Lima and agreed that their teams would meet again before the summit.\n")
    code, out, _ = run("inspect", str(folder))
    assert code == 0 and "\x1b" not in out
    assert "  source  two\\x0alines\\x1b[2J.txt" in out.splitlines()

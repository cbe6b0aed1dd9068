"""metadata.jsonl lines: typed values, or one clear reason per bad line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.ingest.metadata import BadMetadata, Metadata, iso_date, parse_record, read_metadata


@pytest.mark.parametrize("line, reason", [
    ({"file": "a.txt", "date": "not-a-date"}, "not a date"),
    ({"file": "a.txt", "date": "2023-13-45"}, "not a date"),
    ({"file": 42}, "\"file\" must be"),
    ({"file": "a.txt", "title": 123}, "title must be text, not int"),
    ({"file": "a.txt", "source": ["a", "b"]}, "source must be text, not list"),
    ({"file": "../secret.txt"}, "inside this folder"),
    ({"file": "a.txt", "url": "javascript:alert(1)"}, "not an http\\(s\\) address"),
    (["a.txt"], "expected a JSON object"),
])
def test_a_bad_line_gives_its_reason(line: object, reason: str) -> None:
    with pytest.raises(BadMetadata, match=reason):
        parse_record(line)


def test_good_values_are_typed_and_tidied() -> None:
    name, metadata = parse_record({"file": "sub/a.txt", "title": "  Wang Yi meets\u00a0Kono ", "date": "2017-09-21T10:00:00Z",
                                   "source": "MFA", "url": "https://example.org/a", "author": "ignored"})
    assert name == "sub/a.txt"
    assert metadata == Metadata("Wang Yi meets\u00a0Kono", "2017-09-21", "MFA", "https://example.org/a")


def test_every_bad_line_is_reported_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "metadata.jsonl"
    path.write_bytes(b'{"file": "a.txt", "date": "2023-01-02"}\n{not json\n\xff\xfe\n'
                     b'{"file": "b.txt", "date": "2023-02-30"}\n\n{"file": "c.txt", "title": "C"}\n')
    entries, problems = read_metadata(path)
    assert entries == {"a.txt": Metadata(date="2023-01-02"), "c.txt": Metadata(title="C")}
    assert [problem.split(": ", 1)[0].rsplit(":", 1)[1] for problem in problems] == ["2", "3", "4"]
    assert "not JSON" in problems[0] and "not a date" in problems[2]


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=4),
                    max_leaves=8)
       | st.fixed_dictionaries({"file": st.text(max_size=20)},
                               optional={key: st.text(max_size=30) | st.integers() | st.none()
                                         for key in ("title", "date", "source", "url")}))
def test_any_json_value_is_either_typed_metadata_or_a_clear_reason(record: object) -> None:
    try:
        name, metadata = parse_record(record)
    except BadMetadata as error:
        assert str(error)
        return
    assert isinstance(name, str) and name
    assert all(value is None or isinstance(value, str) for value in metadata.values())
    if metadata.date is not None:
        assert iso_date(metadata.date) == metadata.date


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_as_a_metadata_file_never_raise(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("meta") / "metadata.jsonl"
    path.write_bytes(data)
    entries, problems = read_metadata(path)
    assert all(isinstance(name, str) for name in entries)
    assert all(isinstance(problem, str) and str(path) in problem for problem in problems)


def test_json_round_trip_of_dates() -> None:
    assert json.loads(json.dumps(iso_date("2024-02-29"))) == "2024-02-29"
    with pytest.raises(BadMetadata):
        iso_date("2023-02-29")

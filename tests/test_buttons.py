from hypothesis import given, settings
from hypothesis import strategies as st

from bot import buttons
from index.answer.citation import STYLES

keys = st.text("0123456789abcdef", min_size=1, max_size=16)
numbers = st.integers(0, 999_999)
passage_ids = st.builds(lambda prefix, n: f"{prefix}-{n}", st.text("0123456789abcdef", min_size=12, max_size=12),
                        st.integers(1, 999_999))
any_button = st.one_of(st.builds(buttons.More, keys, numbers), st.builds(buttons.Context, keys, numbers),
                       st.builds(buttons.Sources, numbers), st.builds(buttons.Unalert, keys),
                       st.builds(buttons.Cite, passage_ids), st.builds(buttons.Vote, keys, st.integers(0, 1), numbers),
                       st.builds(buttons.Style, st.sampled_from([*STYLES, "chicago"])))


@given(any_button)
def test_every_button_reads_back_as_itself_within_telegrams_64_bytes(button: buttons.Button) -> None:
    data = buttons.encode(button)
    assert buttons.decode(data) == button and len(data.encode()) <= buttons.MAX_BYTES


@settings(max_examples=300)
@given(st.one_of(st.text(), st.binary().map(lambda b: b.decode("latin-1")), st.none(), st.integers()))
def test_any_other_data_reads_as_a_button_or_none_never_an_error(data: object) -> None:
    button = buttons.decode(data)
    assert button is None or buttons.encode(button) == data


def test_data_the_bot_did_not_write_reads_as_none() -> None:
    for data in ("", "more:abc", "ctx:", "src:", "src:\u0661", "more:DEADBEEF:1", "more:deadbeef:-1",
                 "more:deadbeef:1:2", "ctx:deadbeef:99999999999999999999", "src:1 ", "junk", None, b"src:1"):
        assert buttons.decode(data) is None, data
    assert buttons.decode("more:deadbeef:2") == buttons.More("deadbeef", 2)
    assert buttons.decode("src:07") is None  # one spelling per button
    assert buttons.decode("unalert:0a1b") == buttons.Unalert("0a1b") and buttons.decode("unalert:") is None


def test_new_kinds_refuse_what_the_bot_would_not_write() -> None:
    assert buttons.decode("cite:0123456789ab-3") == buttons.Cite("0123456789ab-3")
    assert buttons.decode("vote:0a1b:1:2") == buttons.Vote("0a1b", 1, 2)
    assert buttons.decode("style:chicago") == buttons.Style("chicago")
    assert buttons.decode(buttons.encode(buttons.Timeline("0a1b2c3d"))) == buttons.Timeline("0a1b2c3d")
    for data in ("date:", "date:0A1B", "date:0a1b:1", "cite:0123456789ab-0", "cite:0123456789AB-3", "cite:0123456789ab", "cite:../x-1",
                 "vote:0a1b:2:0", "vote:0a1b:01:0", "vote:0a1b:1", "vote:0a1b", "style:vancouver", "style:APA",
                 "style:"):
        assert buttons.decode(data) is None, data


@given(passage_ids)
def test_a_shared_links_payload_names_its_passage_within_telegrams_rules(passage_id: str) -> None:
    payload = buttons.payload(passage_id)
    assert buttons.passage_of(payload) == passage_id
    assert len(payload) <= 64 and all(c.isascii() and (c.isalnum() or c in "_-") for c in payload)


def test_any_other_payload_names_no_passage() -> None:
    for payload in ("", "p", "0123456789ab-3", "p0123456789ab-0", "q0123456789ab-3", "p0123456789ab-3x"):
        assert buttons.passage_of(payload) is None, payload

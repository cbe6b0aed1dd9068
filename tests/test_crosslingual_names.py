import pytest

from index.retrieve.crosslingual.names import Names

READOUTS = [
    "Chinese Vice Foreign Minister Sun Weidong met Japanese Foreign Minister Yoshimasa Hayashi.",
    "Wang Yi met Yoko Kamikawa and Taro Kono. Xi Jinping sent a message.",
    "As for the incident in Shenzhen, the two sides agreed. He said ties matter.",
    "Relations have improved, he said.",
]


@pytest.fixture(scope="module")
def names() -> Names:
    return Names(READOUTS)


@pytest.mark.parametrize(("question", "expected"), [
    ("王毅对孙卫东说了什么？", ["Wang Yi", "Sun Weidong"]),  # two and three syllables, one or two words
    ("习近平和深圳", ["Xi Jinping", "Shenzhen"]),
])
def test_chinese_names_are_read_as_pinyin_and_spelled_as_the_readouts_do(names: Names, question: str,
                                                                         expected: list[str]) -> None:
    assert names.in_question(question) == expected


def test_syllables_of_common_words_never_become_names(names: Names) -> None:
    # 关系 (guanxi) holds "xi", 和 reads "he": both are in the readouts only inside names or as a word
    assert names.in_question("中日关系和发展") == []


def test_names_the_readouts_lack_are_not_invented(names: Names) -> None:
    assert names.in_question("李强在巴黎说了什么？") == []  # Li Qiang, Paris: not in these readouts


def test_japanese_proper_nouns_are_read_in_hepburn_with_short_long_vowels(names: Names) -> None:
    assert names.in_question("上川外相と林外相は河野太郎について何と言いましたか？") == ["Kamikawa", "Hayashi", "Kono", "Taro"]


def test_japanese_names_in_chinese_questions_are_read_in_japanese(names: Names) -> None:
    # not shangchuan, lin; 林 alone (one character) is not read in Japanese in a Chinese question
    assert names.in_question("上川阳子和林芳正说了什么？") == ["Kamikawa", "Yoshimasa"]


def test_single_characters_of_a_chinese_question_are_not_read_as_japanese_names() -> None:
    # Read as Japanese, 有 is the given name Yuu and 莫 is Baku; both are names in some English readout.
    names = Names(["Yu Zhengsheng met Baku officials.", "The mayor of Baku spoke."])
    assert names.in_question("海地总统莫伊兹遇刺后，有哪些国家表示慰问？") == []


def test_japan_is_never_read_as_nippon() -> None:
    names = Names(["Nippon Export and Investment Insurance took part.", "Japan and the United States met."])
    assert names.in_question("美国和日本如何回应？") == [] and names.in_question("日本はどう応じましたか？") == []


def test_a_name_weighs_by_how_few_documents_hold_it() -> None:
    names = Names(["Sun Weidong met Hayashi.", "Wang Yi met Hayashi.", "Wang Yi spoke.", "Nothing named here."])
    rare, common = names.document_weights(["Sun Weidong"]), names.document_weights(["Wang Yi"])
    assert rare[0] == pytest.approx(1.0) and rare[1:].tolist() == [0, 0, 0]
    assert 0 < common[1] == common[2] < rare[0] and common[0] == common[3] == 0
    both = names.document_weights(["Sun Weidong", "Hayashi"])
    assert both[0] > both[1] > both[2] == 0
    assert both[0] == pytest.approx(rare[0])  # a document holding every name weighs as the rarest alone
    # A commoner name beside a rare one leaves a document holding only the rare one most of its
    # weight (a mean over the names would halve it).
    assert names.document_weights(["Sun Weidong", "Wang Yi"])[0] > 0.5 * rare[0]
    assert names.document_weights([]).tolist() == [0, 0, 0, 0]


def test_chinese_names_in_japanese_questions_are_read_as_pinyin(names: Names) -> None:
    assert names.in_question("王毅は深圳事件について何と言いましたか？") == ["Wang Yi", "Shenzhen"]


def test_a_capitalised_word_also_used_in_lower_case_is_not_a_name(names: Names) -> None:
    assert names.spelling("he") is None  # "He said" starts a sentence; "he said" is the same word
    assert names.spelling("sunweidong") == "Sun Weidong" and len(names) > 0


def test_names_a_dictionary_knows_are_spelled_as_the_readouts_do_and_overrule_pinyin() -> None:
    """拜登 reads "baideng" and 普京 "pujing", which no readout spells; 巴黎 reads "bali", which one
    does, but 巴黎 is Paris."""
    known = {"拜登": ["Biden", "Joe Biden"], "普京": ["Vladimir Putin"], "巴黎": ["Paris"]}
    readouts = ["President Biden spoke with Putin.", "Leaders met in Bali.", "Ministers met in Paris."]
    question = "拜登和普京在巴黎谈了什么？"
    lookup = lambda text: {word: named for word, named in known.items() if word in text}  # noqa: E731
    assert Names(readouts).in_question(question) == ["Bali"]
    assert Names(readouts, dictionary=lookup).in_question(question) == ["Biden", "Putin", "Paris"]


def test_foreign_names_written_by_sound_are_found_when_close_to_a_readouts_name() -> None:
    """布林肯 reads "bulinken": Chinese puts a vowel between b and l, so only a close match finds
    Blinken. 单解释 ("danjieshi", in a question on photosynthesis) is as close to Danish as 0.8:
    not close enough."""
    names = Names(["Secretary Blinken spoke with Foreign Minister Kuleba.", "The Danish minister met Blinken."])
    assert names.in_question("布林肯和库列巴讨论了哪些援助需求？") == ["Blinken", "Kuleba"]
    assert names.in_question("简单解释一下光合作用") == []


FOREIGN_READOUTS = [
    "Secretary Blinken spoke with Bulgarian President Rumen Radev about energy.",
    "Secretary Blinken met French Foreign Minister Jean-Yves Le Drian and Foreign Minister Linde.",
    "Deputy Secretary Sherman met Linda Thomas and President Cortizo.",
]


@pytest.mark.parametrize(("question", "expected"), [
    ("ブリンケン長官とラデフ大統領は何を話し合いましたか？", ["Blinken", "Radev"]),  # unidic cuts ブリンケン in two
    ("ル・ドリアン外相は何と言いましたか？", ["Le Drian"]),  # two words, joined by ・
    ("コルティソ大統領", ["Cortizo"]),  # コル keeps the r that the consonants of Cortizo hold
])
def test_foreign_names_in_katakana_are_matched_by_their_consonants(question: str, expected: list[str]) -> None:
    assert Names(FOREIGN_READOUTS).in_question(question) == expected


def test_a_katakana_name_close_to_two_readouts_names_is_read_only_when_one_is_clearly_closer() -> None:
    names = Names(FOREIGN_READOUTS)
    assert names.in_question("リンデ外相") == ["Linde"]  # Linde 1.0 against Linda 0.8
    assert names.in_question("リンド外相") == []  # Linde 0.8 against Linda 0.8: neither


def test_katakana_loanwords_are_not_read_as_names() -> None:
    names = Names([*FOREIGN_READOUTS, "The initiative was launched by Ambassador Rist."])
    assert names.in_question("関係のリセットについて") == []  # リセット (risetto) is "reset" in unidic, not Rist

from pathlib import Path

import pytest

from bot.config import NO_TOKEN, ConfigError, environment, load_settings


def test_defaults_and_parsing() -> None:
    settings = load_settings({"TELEGRAM_BOT_TOKEN": "1:abc", "ALLOWED_USER_IDS": "1, 2,3",
                              "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/", "READOUTS_MIN_SCORE": "0.4"})
    assert settings.allowed_user_ids == {1, 2, 3} and settings.allowed_chat_ids == frozenset()
    assert settings.bot_api_url == "http://127.0.0.1:8081/bot"
    assert (settings.questions_per_minute, settings.results_per_page, settings.min_score) == (20, 3, 0.4)
    assert load_settings({"TELEGRAM_BOT_TOKEN": "1:abc"}).min_score is None  # the embedder's own threshold
    assert "1:abc" not in repr(settings)


def test_missing_token_explains_botfather_and_chat() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({})
    assert str(error.value) == NO_TOKEN and "BotFather" in NO_TOKEN and "readouts chat" in NO_TOKEN
    assert error.value.exit_code == 2
    assert load_settings({}, require_token=False).token == ""


@pytest.mark.parametrize("env, message", [
    ({"ALLOWED_CHAT_IDS": "12,abc"}, "ALLOWED_CHAT_IDS"),
    ({"READOUTS_QUESTIONS_PER_MINUTE": "many"}, "must be a whole number"),
    ({"READOUTS_RESULTS_PER_PAGE": "0"}, "between 1 and"),
    ({"TELEGRAM_API_BASE_URL": "api.telegram.org"}, "http://"),
])
def test_bad_values_name_the_setting(env: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings({"TELEGRAM_BOT_TOKEN": "1:abc", **env})


def test_env_file_is_read_and_environment_wins(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=from-file\nALLOWED_USER_IDS=5\n")
    monkeypatch.setenv("ALLOWED_USER_IDS", "6")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    env = environment(tmp_path / ".env")
    assert env["TELEGRAM_BOT_TOKEN"] == "from-file" and env["ALLOWED_USER_IDS"] == "6"


@pytest.mark.parametrize("name", ["READOUTS_RELOAD_SECONDS", "READOUTS_FETCH_SECONDS", "READOUTS_MIN_SCORE",
                                  "WEBHOOK_PORT", "READOUTS_QUESTIONS_PER_MINUTE"])
@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e300", "9" * 400, "-2"])
def test_numbers_that_are_not_finite_or_in_range_are_one_line_naming_the_setting(name: str, raw: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({"TELEGRAM_BOT_TOKEN": "1:abc", name: raw})
    assert str(error.value).startswith(f"{name} must be ") and "\n" not in str(error.value)
    assert len(str(error.value)) < 120


def test_a_port_beyond_65535_is_refused() -> None:
    with pytest.raises(ConfigError, match="WEBHOOK_PORT must be between 1 and 65535, not '70000'"):
        load_settings({"TELEGRAM_BOT_TOKEN": "1:abc", "WEBHOOK_PORT": "70000"})


def test_the_fetch_deadline_is_a_setting() -> None:
    assert load_settings({"TELEGRAM_BOT_TOKEN": "1:abc"}).fetch_seconds == 20.0
    assert load_settings({"TELEGRAM_BOT_TOKEN": "1:abc", "READOUTS_FETCH_SECONDS": "45"}).fetch_seconds == 45.0


def test_the_embedder_of_a_new_index_is_the_default_or_readouts_embedder() -> None:
    from index import settings
    from index.errors import SettingInvalid

    assert settings.default_embedder({}) == settings.DEFAULT_EMBEDDER == "mpnet-int8"
    assert settings.default_embedder({"READOUTS_EMBEDDER": " minilm-int8 "}) == "minilm-int8"
    with pytest.raises(SettingInvalid, match="READOUTS_EMBEDDER must be one of"):
        settings.default_embedder({"READOUTS_EMBEDDER": "mpnet-int9"})

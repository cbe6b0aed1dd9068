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
    ({"READOUTS_QUESTIONS_PER_MINUTE": "many"}, "must be a number"),
    ({"READOUTS_RESULTS_PER_PAGE": "0"}, "at least 1"),
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


@pytest.mark.parametrize("name, value, message", [
    ("READOUTS_RELOAD_SECONDS", "nan", "finite"), ("READOUTS_RELOAD_SECONDS", "inf", "finite"),
    ("READOUTS_RELOAD_SECONDS", "1e300", "at most 86400"), ("READOUTS_MIN_SCORE", "nan", "finite"),
    ("READOUTS_MIN_SCORE", "-inf", "finite"), ("WEBHOOK_PORT", "70000", "at most 65535"),
])
def test_numbers_that_are_not_finite_or_out_of_range_are_refused_in_one_line(name: str, value: str,
                                                                            message: str) -> None:
    with pytest.raises(ConfigError, match=message) as error:
        load_settings({"TELEGRAM_BOT_TOKEN": "1:abc", name: value})
    assert name in str(error.value) and "\n" not in str(error.value)

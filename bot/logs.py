"""Logging for the bot: quiet httpx, and the token redacted from every record, whoever logs it."""
from __future__ import annotations

import logging
import traceback

REDACTED = "<token>"
_secrets: set[str] = set()


def _redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    return text


def redact_in_logs(secret: str) -> None:
    """Keep `secret` out of every log record from now on: message, arguments and traceback.

    httpx logs request URLs and the Bot API puts the token in the URL path; redacting in the
    record factory covers every logger and handler, including ones added later (e.g. pytest's).
    """
    if not secret:
        return
    if not _secrets:
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            message = record.getMessage()
            if any(s in message for s in _secrets):
                record.msg, record.args = _redact(message), ()
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = _redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
            return record

        logging.setLogRecordFactory(factory)
    _secrets.add(secret)


FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(token: str, level: int = logging.INFO) -> None:
    """The bot's log: time, level and logger of every record, from `level` on (httpx's from WARNING).

    `force`: the `readouts` command has set up the root logger for its terse CLI messages already,
    and without it this call would change nothing.
    """
    logging.basicConfig(format=FORMAT, level=level, force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    redact_in_logs(token)

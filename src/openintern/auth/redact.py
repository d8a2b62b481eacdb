"""Secrets out of every log line: tokens, API keys, passwords and provider keys.

What is redacted, wherever it appears in a message, its arguments or a traceback:

* query and form parameters that carry credentials (``access_token=``, ``api_key=``,
  ``password=``, ``key=``, ``token=``, ``secret=`` …): the access log prints the path
  with its query, and the UI's event streams authenticate with ``?access_token=``;
* ``Bearer …`` values, JWTs (``eyJ….eyJ….…``) and OpenIntern API keys (``oi_…``);
* provider keys (``sk-…``, ``sk-ant-…``) and JSON fields named like a secret
  (``"password": "…"``, ``"api_key": "…"``).

`install_redaction` makes it hold for the whole process by wrapping the log-record
factory: every record is redacted as it is created, whichever logger made it and
whichever handler prints it. (A `logging.Filter` on a logger does not see the records
its child loggers propagate, and uvicorn replaces its handlers when it configures
logging, so a filter alone would leave gaps.) `RedactSecrets` is the same redaction as a
filter, for a logging configuration of the operator's own.

Cost: one precompiled regular expression over each emitted message (records below the
level are never created), and nothing at all for records without a secret-like token.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from openintern.auth.principals import API_KEY_PREFIX

REDACTED = "[redacted]"

_PARAMS = r"access_token|refresh_token|id_token|api_key|apikey|api-key|password|passwd|secret|token|key"
_SECRET_PATTERN = re.compile(
    "|".join(
        [
            rf"(?P<param>\b(?:{_PARAMS})=)[^&\s\"'#;,)]+",
            r"(?P<json>\"(?:password|api_key|apiKey|access_token|secret|token|key)\"\s*:\s*\")[^\"]*",
            r"(?P<bearer>\b[Bb]earer\s+)[A-Za-z0-9._~+/=-]+",
            r"\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*",
            rf"\b{API_KEY_PREFIX}[A-Za-z0-9_-]{{20,}}",
            r"\bsk-[A-Za-z0-9_-]{16,}",
        ]
    ),
    re.IGNORECASE,
)


def _replace(match: re.Match[str]) -> str:
    kept = match.group("param") or match.group("json") or match.group("bearer") or ""
    return kept + REDACTED


def redact(text: str) -> str:
    """``text`` with every secret-like value replaced by ``[redacted]``."""
    return _SECRET_PATTERN.sub(_replace, text)


def redact_record(record: logging.LogRecord) -> None:
    """Redact a record in place: its message, each string argument (kept as arguments, so
    a formatter that unpacks them, like uvicorn's access formatter, still works) and its
    traceback (rendered now, redacted, and cached where formatters look for it)."""
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    if isinstance(record.args, tuple):
        record.args = tuple(_redact_arg(a) for a in record.args)
    elif isinstance(record.args, dict):
        record.args = {k: _redact_arg(v) for k, v in record.args.items()}
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))


def _redact_arg(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    text = str(value)  # exceptions, URLs, paths …: their text is what will be printed
    cleaned = redact(text)
    return value if cleaned == text else cleaned


class RedactSecrets(logging.Filter):
    """The redaction as a filter (it never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install_redaction() -> None:
    """Redact every log record this process creates from now on (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        redact_record(record)
        return record

    factory.redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)

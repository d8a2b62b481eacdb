"""Where the CLI's log lines go.

A command's output is its answer: `openintern memory search` prints results, `doctor` its
checks, and nothing else. So the log lines that the code under a command writes (the
embedded PostgreSQL starting, a migration, a retry) go to ``DATA_DIR/logs/cli.log``, and
appear on stderr only with ``--verbose``. The long-running processes (`serve`, `api`,
`worker`, `dev`) are the exception: their log is what they have to say, on stderr as before.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

SERVER_COMMANDS = frozenset({"serve", "api", "worker", "dev"})
"""Commands that run until stopped and log to stderr."""

LOG_FILE = Path("logs") / "cli.log"
"""Under the data directory."""

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure(*, command: str | None, verbose: bool) -> None:
    """Our own lines from INFO and libraries' (alembic, the embedded server) from WARNING:
    on stderr for a server command, in `LOG_FILE` for the others. ``verbose``: everything
    from DEBUG, on stderr too."""
    logging.getLogger("openintern").setLevel(logging.DEBUG if verbose else logging.INFO)
    level = logging.DEBUG if verbose else logging.WARNING
    if command in SERVER_COMMANDS or verbose:
        logging.basicConfig(level=level, format=FORMAT)  # stderr
    else:
        logging.getLogger().setLevel(level)
    if command not in SERVER_COMMANDS:
        _FILE.setFormatter(logging.Formatter(FORMAT))
        logging.getLogger().addHandler(_FILE)


def use_data_dir(data_dir: Path) -> None:
    """The command read its settings: log under their data directory (``--config`` may name
    another than ``DATA_DIR``)."""
    _FILE.move_to(data_dir)


def log_path() -> Path:
    """Where this command's log lines go (or would go)."""
    return _FILE.path


class DataDirLog(logging.Handler):
    """Appends to ``<data dir>/logs/cli.log``, opened at the first record: a command that
    logs nothing creates nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.data_dir = Path(os.environ.get("DATA_DIR") or Path("~/.openintern").expanduser())
        self._file: logging.FileHandler | None = None

    @property
    def path(self) -> Path:
        return self.data_dir / LOG_FILE

    def move_to(self, data_dir: Path) -> None:
        if data_dir != self.data_dir:
            self.close()
            self.data_dir = data_dir

    def emit(self, record: logging.LogRecord) -> None:
        if self._file is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = logging.FileHandler(self.path, encoding="utf-8")
            except OSError:  # nowhere to write it: a log line is not worth failing a command for
                return
            self._file.setFormatter(self.formatter)
        self._file.emit(record)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        super().close()


_FILE = DataDirLog()

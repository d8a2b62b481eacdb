"""Settings for a command: config file < env < the command's flags."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openintern.cli import logs
from openintern.config import Settings, load_settings


def settings_from(config: Path | None = None, **flags: Any) -> Settings:
    overrides: dict[str, Any] = {}
    for dotted, value in flags.items():
        if value is None:
            continue
        node = overrides
        *parents, leaf = dotted.split("__")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    settings = load_settings(overrides, config_file=config)
    logs.use_data_dir(settings.data_dir)  # this command's log lines go under its data dir
    return settings


ConfigOption = Path | None

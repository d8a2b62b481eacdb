"""Render the settings tree as Markdown: ``python -m openintern.config_docs > docs/configuration.md``.

A test checks the committed page is current, so the reference cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from openintern.config import ENV_ALIASES, Settings

INTRO = """# Configuration

Precedence, lowest first: the config file (`agent.config.json` in the working directory,
or `--config PATH`, or `OPENINTERN_CONFIG`; `openintern init` writes one) < environment
variables < CLI flags < request parameters. Keys in the file may be snake_case or the
seeds' camelCase (`pollIntervalMs`). Every field is also reachable as
`OPENINTERN_<SECTION>__<FIELD>` (e.g. `OPENINTERN_RUNTIME__WORKER_CONCURRENCY=500`); the
seeds' names in the second column work too. Unknown keys and bad values stop the start with
the file or variable, the key and the reason. Secrets are never logged.

This page is generated from `openintern/config.py` (`python -m openintern.config_docs`).
"""


def _env_name(path: tuple[str, ...]) -> str:
    seed = [name for name, p in ENV_ALIASES.items() if p == path]
    generic = "OPENINTERN_" + "__".join(part.upper() for part in path)
    names = [*seed, generic] if generic not in seed else seed
    return " / ".join(f"`{n}`" for n in names)


def _default(field: Any) -> str:
    if field.default_factory is not None:
        return "(computed)"
    value = field.default
    if value is None:
        return "unset"
    return f"`{value}`"


def _rows(model: type[BaseModel], prefix: tuple[str, ...]) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            continue
        description = (field.description or "").replace("|", "\\|")
        key = ".".join((*prefix, name))
        rows.append(f"| `{key}` | {_env_name((*prefix, name))} | {_default(field)} | {description} |")
    return rows


def render() -> str:
    out = [INTRO, "| key | environment | default | meaning |", "|---|---|---|---|"]
    out += _rows(Settings, ())
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out += [f"| **{name}** | | | |", *_rows(annotation, (name,))]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(render(), end="")

"""What a memory call acts in: an org and maybe a project, and the WHERE that keeps it there.

`memory` may not import `auth`, so a scope is anything with ``org_id`` and ``project_id``
(`ScopeLike`): the API's request scope, or a `PlainScope` made from plain ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Select

from openintern.db.orm import Memory


class ScopeLike(Protocol):
    """What memory needs of a scope: the org and (maybe) the project it acts in."""

    @property
    def org_id(self) -> str: ...

    @property
    def project_id(self) -> str | None: ...


@dataclass(frozen=True)
class PlainScope:
    """A scope from plain ids (the agent loop, the CLI, tools)."""

    org_id: str
    project_id: str | None = None


def scoped(query: Select[Any], scope: ScopeLike) -> Select[Any]:
    """``query`` over `Memory` limited to the scope: its org, and with a project, that
    project's memories and the org-wide ones (no project)."""
    query = query.where(Memory.org_id == scope.org_id)
    if scope.project_id is not None:
        query = query.where((Memory.project_id == scope.project_id) | Memory.project_id.is_(None))
    return query

"""Who is asking and what they may see.

A :class:`Principal` is what the credentials prove (a user with memberships, or an API
key bound to an org and maybe a project). A :class:`Scope` is what one request acts in.
The seeds' ``x-org-id / x-user-id / x-project-id`` (headers, body or query) may only
*narrow* the principal to a scope it already may use; naming one it may not is 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from openintern.errors import Forbidden

Role = Literal["owner", "admin", "member", "viewer"]
_RANK: dict[str, int] = {"viewer": 0, "member": 1, "admin": 2, "owner": 3}


@dataclass(frozen=True)
class Principal:
    user_id: str
    username: str
    memberships: dict[str, Role] = field(default_factory=dict)  # org_id → role, oldest first
    api_key_id: str | None = None
    key_org_id: str | None = None
    key_project_id: str | None = None
    key_role: Role | None = None


@dataclass(frozen=True)
class Scope:
    org_id: str
    user_id: str
    role: Role
    project_id: str | None = None
    api_key_id: str | None = None

    def at_least(self, role: Role) -> bool:
        return _RANK[self.role] >= _RANK[role]

    def require(self, role: Role, action: str = "do that") -> None:
        if not self.at_least(role):
            raise Forbidden(f"your role ({self.role}) may not {action}; it needs {role} or above")

    def with_project(self, project_id: str | None) -> Scope:
        return Scope(self.org_id, self.user_id, self.role, project_id, self.api_key_id)


def narrow(principal: Principal, *, org_id: str | None, user_id: str | None, project_id: str | None) -> Scope:
    """The scope for one request; project existence is checked by the caller (needs the DB)."""
    if user_id is not None and user_id != principal.user_id:
        raise Forbidden(f"x-user-id {user_id!r} is not you; a principal may only act as itself")
    if principal.api_key_id is not None:
        return _narrow_key(principal, org_id, project_id)
    if not principal.memberships:
        raise Forbidden("you are not a member of any org")
    if org_id is None:
        org_id = next(iter(principal.memberships))
    elif org_id not in principal.memberships:
        raise Forbidden(f"you are not a member of org {org_id!r}")
    return Scope(org_id, principal.user_id, principal.memberships[org_id], project_id)


def _narrow_key(principal: Principal, org_id: str | None, project_id: str | None) -> Scope:
    assert principal.key_org_id is not None and principal.key_role is not None
    if org_id is not None and org_id != principal.key_org_id:
        raise Forbidden(f"this API key belongs to another org than {org_id!r}")
    bound = principal.key_project_id
    if bound is not None and project_id is not None and project_id != bound:
        raise Forbidden(f"this API key is bound to project {bound!r}, not {project_id!r}")
    # A key may not outrank its creator's current role in the org.
    member_role = principal.memberships.get(principal.key_org_id)
    if member_role is None:
        raise Forbidden("the user who created this API key is no longer a member of its org")
    role = min(principal.key_role, member_role, key=lambda r: _RANK[r])
    return Scope(principal.key_org_id, principal.user_id, role, project_id or bound, principal.api_key_id)

"""ORM tables, grouped by area. Importing this module registers every table on ``Base.metadata``."""

from openintern.db.orm.base import TENANT_TABLES, Base
from openintern.db.orm.memory import Memory, MemoryChunk
from openintern.db.orm.runs import Approval, Checkpoint, Provider, Run, RunEvent, ToolPolicyRule
from openintern.db.orm.teams import Group, GroupMember, Role
from openintern.db.orm.tenancy import (
    ApiKey,
    AuditEntry,
    LoginFailures,
    Membership,
    Org,
    Project,
    Secret,
    User,
)

__all__ = [
    "TENANT_TABLES",
    "ApiKey",
    "Approval",
    "AuditEntry",
    "Base",
    "Checkpoint",
    "Group",
    "GroupMember",
    "LoginFailures",
    "Membership",
    "Memory",
    "MemoryChunk",
    "Org",
    "Project",
    "Provider",
    "Role",
    "Run",
    "RunEvent",
    "Secret",
    "ToolPolicyRule",
    "User",
]

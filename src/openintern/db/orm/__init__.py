"""ORM tables, grouped by area. Importing this module registers every table on ``Base.metadata``."""

from openintern.db.orm.base import TENANT_TABLES, Base
from openintern.db.orm.runs import Approval, Checkpoint, Provider, Run, RunEvent, ToolPolicyRule
from openintern.db.orm.tenancy import ApiKey, AuditEntry, Membership, Org, Project, Secret, User

__all__ = [
    "Approval",
    "Checkpoint",
    "Provider",
    "Run",
    "RunEvent",
    "ToolPolicyRule","TENANT_TABLES", "ApiKey", "AuditEntry", "Base", "Membership", "Org", "Project", "Secret", "User"]

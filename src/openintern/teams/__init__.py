"""Teams as resources: roles, groups and their members, and the groups' blackboards.

The ``group`` run kind that runs a team is `openintern.orchestration`; this package holds
what it and the API read and write.
"""

from openintern.teams import blackboard, groups, roles
from openintern.teams.tools import ASSIGN_TASKS, team_tools

__all__ = ["ASSIGN_TASKS", "blackboard", "groups", "roles", "team_tools"]

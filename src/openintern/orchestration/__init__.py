"""The ``group`` run kind: teams of role agents (orchestrators, member turns as child runs)."""

from openintern.orchestration.kind import GroupKind
from openintern.orchestration.orchestrators import PLANS

__all__ = ["PLANS", "GroupKind"]

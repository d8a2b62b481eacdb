"""Tool policies: an org's rules (CRUD) and the rules a run starts with."""

from openintern.policies.service import create_policy, delete_policy, list_policies, org_rules

__all__ = ["create_policy", "delete_policy", "list_policies", "org_rules"]

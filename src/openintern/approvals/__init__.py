"""Approvals: a tool call parked until a human decides."""

from openintern.approvals.service import (
    approval_decision,
    decide,
    get_approval,
    insert_approval_statement,
    list_approvals,
    park_again_statement,
)

__all__ = [
    "approval_decision",
    "decide",
    "get_approval",
    "insert_approval_statement",
    "list_approvals",
    "park_again_statement",
]

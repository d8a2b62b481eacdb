"""ToolPolicy: may this tool run here — allow, block, or ask a human first?

Rules are plain objects (the runtime loads them from the ``tool_policies`` table). The
most specific matching rule decides:

1. scope: a rule bound to the role (and project) beats a project rule beats an org-wide rule;
2. then the higher ``priority``;
3. then an exact tool name beats a wildcard pattern;
4. then a rule for the tool's risk level beats one for any risk;
5. and on a remaining tie the most restrictive action wins (block > require_approval > allow),
   so an ambiguous policy errs on the safe side.

Rules bound to another project or role do not apply at all. When no rule matches, the
tool's risk decides: low and medium are allowed, high is blocked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Literal

from openintern.errors import ApprovalRequired, PolicyDenied
from openintern.tools.context import Risk
from openintern.tools.registry import Tool

Action = Literal["allow", "block", "require_approval"]

_RESTRICTIVENESS: dict[str, int] = {"allow": 0, "require_approval": 1, "block": 2}
_WILDCARDS = frozenset("*?[")


@dataclass(frozen=True)
class PolicyRule:
    """One row of a ToolPolicy: `pattern` is an fnmatch pattern over tool names."""

    pattern: str
    action: Action
    risk: Risk | None = None
    project_id: str | None = None
    role_id: str | None = None
    priority: int = 0
    id: str | None = None
    org_id: str | None = None  # the org whose rule it is (rules of several orgs travel together)

    def applies(self, tool: Tool, *, project_id: str | None, role_id: str | None) -> bool:
        """Whether this rule speaks about `tool` in this project, for this role."""
        if self.project_id is not None and self.project_id != project_id:
            return False
        if self.role_id is not None and self.role_id != role_id:
            return False
        if self.risk is not None and self.risk != tool.risk:
            return False
        return fnmatchcase(tool.name, self.pattern)

    @property
    def is_exact(self) -> bool:
        """True when the pattern names one tool rather than matching many."""
        return not (_WILDCARDS & set(self.pattern))

    def specificity(self) -> tuple[int, int, bool, bool, int]:
        """Sort key: larger is more specific (see the module docstring for the order)."""
        scope = (2 if self.role_id is not None else 0) + (1 if self.project_id is not None else 0)
        return (scope, self.priority, self.is_exact, self.risk is not None, _RESTRICTIVENESS[self.action])


@dataclass(frozen=True)
class Decision:
    """The outcome for one tool; `reason` is a sentence shown to users (``tool.blocked`` events)."""

    action: Action
    reason: str
    rule_id: str | None = None

    @property
    def allowed(self) -> bool:
        return self.action == "allow"


def decide(
    tool: Tool, rules: Iterable[PolicyRule], *, project_id: str | None, role_id: str | None
) -> Decision:
    """The decision of the most specific matching rule, or the default for the tool's risk."""
    matching = [r for r in rules if r.applies(tool, project_id=project_id, role_id=role_id)]
    if not matching:
        return _default(tool)
    rule = max(matching, key=PolicyRule.specificity)
    return Decision(rule.action, _rule_reason(tool, rule), rule.id)


def enforce(decision: Decision, tool: Tool) -> None:
    """Raise what the runtime acts on: `PolicyDenied` for block, `ApprovalRequired` for approval."""
    if decision.action == "block":
        raise PolicyDenied(decision.reason, tool=tool.name, rule_id=decision.rule_id)
    if decision.action == "require_approval":
        raise ApprovalRequired(decision.reason, tool=tool.name, rule_id=decision.rule_id)


def _default(tool: Tool) -> Decision:
    if tool.risk == "high":
        return Decision(
            "block",
            f"{tool.name} is a high-risk tool and no policy rule covers it; high-risk tools are "
            "blocked by default; add a policy rule to allow or require approval",
        )
    return Decision("allow", f"{tool.name} is a {tool.risk}-risk tool and no policy rule restricts it")


def _rule_reason(tool: Tool, rule: PolicyRule) -> str:
    verdict = {
        "allow": "is allowed",
        "block": "is blocked",
        "require_approval": "needs a person's approval before it runs",
    }[rule.action]
    return f"{tool.name} {verdict} by {_describe(rule)}"


def _describe(rule: PolicyRule) -> str:
    named = f"policy rule {rule.id!r}" if rule.id else "a policy rule"
    risk = f"{rule.risk}-risk " if rule.risk else ""
    scope = "org-wide"
    if rule.role_id is not None:
        scope = f"for role {rule.role_id!r}"
    if rule.project_id is not None:
        scope = f"{'' if rule.role_id is None else scope + ' '}in project {rule.project_id!r}"
    return f"{named} ({risk}tools matching {rule.pattern!r}, {scope})"

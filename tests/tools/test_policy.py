"""ToolPolicy decisions: specificity, scoping and the defaults by risk, as one table.

No database: `decide` works on plain `PolicyRule` objects; the runtime loads them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from openintern.errors import ApprovalRequired, PolicyDenied
from openintern.tools import Decision, PolicyRule, Tool, decide, enforce
from openintern.tools.context import Risk


def _tool(name: str, risk: Risk) -> Tool:
    def fn() -> str:
        """A tool."""
        return ""

    return Tool.from_function(fn, name=name, risk=risk)


READ = _tool("read_file", "low")
WRITE = _tool("write_file", "medium")
RUN = _tool("run_command", "high")


@dataclass(frozen=True)
class Case:
    why: str
    tool: Tool
    rules: list[PolicyRule]
    action: str
    rule_id: str | None
    project_id: str | None = "p1"
    role_id: str | None = "dev"


CASES = [
    Case("no rules: low risk is allowed", READ, [], "allow", None),
    Case("no rules: medium risk is allowed", WRITE, [], "allow", None),
    Case("no rules: high risk is blocked", RUN, [], "block", None),
    Case(
        "org-wide wildcard allow lifts the high-risk default",
        RUN,
        [PolicyRule("*", "allow", id="r1")],
        "allow",
        "r1",
    ),
    Case(
        "role rule beats project rule",
        RUN,
        [
            PolicyRule("*", "block", project_id="p1", id="proj"),
            PolicyRule("*", "allow", role_id="dev", id="role"),
        ],
        "allow",
        "role",
    ),
    Case(
        "project rule beats org rule even with lower priority",
        WRITE,
        [
            PolicyRule("write_*", "block", priority=100, id="org"),
            PolicyRule("*", "allow", project_id="p1", id="p"),
        ],
        "allow",
        "p",
    ),
    Case(
        "role+project rule beats a role-only rule",
        WRITE,
        [
            PolicyRule("*", "block", role_id="dev", priority=9, id="role"),
            PolicyRule("*", "require_approval", role_id="dev", project_id="p1", id="both"),
        ],
        "require_approval",
        "both",
    ),
    Case(
        "higher priority wins within a scope",
        WRITE,
        [PolicyRule("write_file", "block", id="low"), PolicyRule("write_*", "allow", priority=5, id="high")],
        "allow",
        "high",
    ),
    Case(
        "exact name beats wildcard at equal priority",
        WRITE,
        [PolicyRule("write_*", "block", id="wild"), PolicyRule("write_file", "allow", id="exact")],
        "allow",
        "exact",
    ),
    Case(
        "a risk-specific rule beats an any-risk rule",
        RUN,
        [PolicyRule("*", "allow", id="any"), PolicyRule("*", "require_approval", risk="high", id="high")],
        "require_approval",
        "high",
    ),
    Case(
        "a full tie goes to the most restrictive action",
        READ,
        [PolicyRule("read_*", "allow", id="a"), PolicyRule("read_*", "block", id="b")],
        "block",
        "b",
    ),
    Case(
        "a rule for another risk level does not apply",
        READ,
        [PolicyRule("*", "block", risk="high", id="r")],
        "allow",
        None,
    ),
    Case(
        "a rule bound to another project does not apply",
        READ,
        [PolicyRule("*", "block", project_id="p2", id="other")],
        "allow",
        None,
    ),
    Case(
        "a rule bound to another role does not apply",
        RUN,
        [PolicyRule("*", "allow", role_id="admin", id="other")],
        "block",
        None,
    ),
    Case(
        "a project rule does not apply when no project is in scope",
        WRITE,
        [PolicyRule("*", "block", project_id="p1", id="p")],
        "allow",
        None,
        project_id=None,
    ),
    Case(
        "a role rule does not apply to a caller without a role",
        RUN,
        [PolicyRule("*", "allow", role_id="dev", id="r")],
        "block",
        None,
        role_id=None,
    ),
    Case("non-matching pattern is ignored", WRITE, [PolicyRule("read_*", "block", id="r")], "allow", None),
    Case("patterns are case-sensitive", WRITE, [PolicyRule("WRITE_*", "block", id="r")], "allow", None),
    Case(
        "character-class patterns count as wildcards",
        RUN,
        [
            PolicyRule("run_comman[d]", "allow", id="cls"),
            PolicyRule("run_command", "require_approval", id="exact"),
        ],
        "require_approval",
        "exact",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.why for c in CASES])
def test_decide(case: Case) -> None:
    decision = decide(case.tool, case.rules, project_id=case.project_id, role_id=case.role_id)
    assert (decision.action, decision.rule_id) == (case.action, case.rule_id)


def test_the_order_of_rules_does_not_matter() -> None:
    rules = [PolicyRule("write_*", "block", id="wild"), PolicyRule("write_file", "allow", id="exact")]
    for ordering in (rules, rules[::-1]):
        assert decide(WRITE, ordering, project_id=None, role_id=None).rule_id == "exact"


class TestReasons:
    def test_high_risk_default_says_how_to_change_it(self) -> None:
        reason = decide(RUN, [], project_id=None, role_id=None).reason
        assert reason.startswith("run_command is a high-risk tool")
        assert (
            "high-risk tools are blocked by default; add a policy rule to allow or require approval" in reason
        )

    def test_rule_reason_names_the_rule_and_its_scope(self) -> None:
        rule = PolicyRule("write_*", "require_approval", role_id="dev", project_id="p1", id="r7")
        reason = decide(WRITE, [rule], project_id="p1", role_id="dev").reason
        assert reason == (
            "write_file needs a person's approval before it runs by policy rule 'r7' "
            "(tools matching 'write_*', for role 'dev' in project 'p1')"
        )

    def test_org_wide_rule_without_id(self) -> None:
        reason = decide(
            READ, [PolicyRule("read_*", "block", risk="low")], project_id=None, role_id=None
        ).reason
        assert reason == "read_file is blocked by a policy rule (low-risk tools matching 'read_*', org-wide)"


class TestEnforce:
    def test_allow_passes(self) -> None:
        enforce(Decision("allow", "ok"), READ)

    def test_block_raises_policy_denied_with_the_reason(self) -> None:
        with pytest.raises(PolicyDenied, match="blocked by default") as info:
            enforce(decide(RUN, [], project_id=None, role_id=None), RUN)
        assert info.value.fields["tool"] == "run_command"

    def test_require_approval_raises_approval_required(self) -> None:
        decision = decide(WRITE, [PolicyRule("*", "require_approval", id="r")], project_id=None, role_id=None)
        with pytest.raises(ApprovalRequired) as info:
            enforce(decision, WRITE)
        assert info.value.fields["rule_id"] == "r"

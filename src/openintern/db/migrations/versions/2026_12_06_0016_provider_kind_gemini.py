"""providers.kind: gemini (Google's OpenAI-compatible endpoint) besides openai and anthropic

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 06:30:00
Deploy: before the code (a wider CHECK: old code never writes the new value).

The constraint is replaced in one transaction; providers is a small table, so the check of
its rows is instant. A downgrade fails while an org still has a gemini provider (delete it,
or change its kind to openai with Gemini's base URL, first).
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint(op.f("ck_providers_kind"), "providers", type_="check")
    op.create_check_constraint(
        op.f("ck_providers_kind"), "providers", "kind IN ('openai', 'anthropic', 'gemini')"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_providers_kind"), "providers", type_="check")
    op.create_check_constraint(op.f("ck_providers_kind"), "providers", "kind IN ('openai', 'anthropic')")

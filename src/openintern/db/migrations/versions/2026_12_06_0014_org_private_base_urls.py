"""orgs.allow_private_base_urls: an org may forbid private and loopback provider base URLs

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 04:30:00
Deploy: before the code (a new column with a default; old code never reads it).

The platform setting ``llm.allow_private_base_urls`` is the ceiling: when it is false no
org may use such a URL. When it is true, an org whose column is false still refuses
them (its admins decide; `PATCH /api/orgs/{org_id}`). True by default: nothing changes
for an existing org.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "orgs",
        sa.Column("allow_private_base_urls", sa.Boolean(), server_default=sa.true(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("orgs", "allow_private_base_urls")

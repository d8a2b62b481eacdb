"""What one API process holds for its lifetime, built by the lifespan in ``app.py``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openintern.auth import AuditWriter, SecretBox
from openintern.config import Settings
from openintern.db.session import Database


@dataclass
class Platform:
    settings: Settings
    db: Database
    jwt_secret: str
    box: SecretBox
    audit: AuditWriter
    # Services that later subsystems attach (runtime worker, event hub, …), by name.
    services: dict[str, Any] = field(default_factory=dict)

"""What one API process holds for its lifetime, built by the lifespan in ``app.py``."""

from __future__ import annotations

from dataclasses import dataclass

from openintern.auth import AuditWriter, SecretBox
from openintern.config import Settings
from openintern.container import Services
from openintern.db.session import Database
from openintern.runtime import EventHub, Worker


@dataclass
class Platform:
    settings: Settings
    db: Database
    jwt_secret: str
    box: SecretBox
    audit: AuditWriter
    services: Services
    hub: EventHub
    worker: Worker | None = None  # the in-process worker, when this process runs one

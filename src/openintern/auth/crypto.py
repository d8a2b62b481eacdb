"""Secrets at rest (provider keys, connector credentials): Fernet (AES-128-CBC + HMAC).

The key comes from OPENINTERN_SECRET_KEY, or is generated once into DATA_DIR/secrets;
it is never stored in the database next to what it protects.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from openintern.errors import ConfigError


class SecretBox:
    def __init__(self, key: str) -> None:
        # Accept any string: derive a Fernet key from it, so operators can use a passphrase.
        digest = hashlib.sha256(key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ConfigError("a stored secret cannot be decrypted: OPENINTERN_SECRET_KEY changed?") from exc


def load_or_create_key(configured: str | None, secrets_dir: Path) -> str:
    if configured:
        return configured
    path = secrets_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key

"""Write the OpenAPI document without starting a server: ``python -m openintern.api.export_openapi PATH``.

``make client`` runs this, then generates the web UI's TypeScript types from it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from openintern.api.app import create_app
from openintern.config import load_settings


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0] if args else "openapi.json")
    document = create_app(load_settings(environ={})).openapi()
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    print(f"wrote {path} ({len(document['paths'])} paths)")


if __name__ == "__main__":
    main()

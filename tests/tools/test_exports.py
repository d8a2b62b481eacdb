"""The public surface of `openintern.tools` is exactly its `__all__`, and it stays within
its import boundary. No database: this only imports modules."""

from __future__ import annotations

import subprocess
import sys

import openintern.tools as tools


def test_all_names_exist_and_nothing_else_is_public() -> None:
    assert all(hasattr(tools, name) for name in tools.__all__)
    public = {n for n in vars(tools) if not n.startswith("_")}
    assert public - set(tools.__all__) <= {
        "builtin",
        "context",
        "policy",
        "registry",
        "sandbox",
        "validation",
    }


def test_importing_tools_loads_no_runtime_api_or_vendor_sdk() -> None:
    code = (
        "import sys, openintern.tools\n"
        "bad = [m for m in sys.modules if m.startswith(('openintern.runtime', 'openintern.api', 'openintern.cli',"
        " 'openai', 'anthropic', 'fastapi'))]\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

"""The public surfaces are what `__all__` says, and nothing in them is missing."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types

import pytest


@pytest.mark.parametrize("package", ["openintern.llm", "openintern.testing"])
def test_all_lists_exactly_the_public_names(package: str) -> None:
    module = importlib.import_module(package)
    public = {
        n for n, v in vars(module).items() if not n.startswith("_") and not isinstance(v, types.ModuleType)
    }

    assert sorted(module.__all__) == sorted(public)
    assert len(set(module.__all__)) == len(module.__all__)


def test_importing_llm_loads_no_vendor_sdk() -> None:
    code = "import sys, openintern.llm; print(sorted({'openai', 'anthropic'} & set(sys.modules)))"

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout

    assert out.strip() == "[]"

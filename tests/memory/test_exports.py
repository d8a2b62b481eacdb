"""The public surface of `openintern.memory` is exactly its `__all__` (plus its modules).
No database: this only imports modules."""

from __future__ import annotations

import pkgutil

import openintern.memory as memory


def test_all_names_exist_and_nothing_else_is_public() -> None:
    assert all(hasattr(memory, name) for name in memory.__all__)
    modules = {m.name for m in pkgutil.iter_modules(memory.__path__)}
    public = {n for n in vars(memory) if not n.startswith("_")}
    assert public - set(memory.__all__) <= modules

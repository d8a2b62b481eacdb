"""Test doubles for OpenIntern: the fake OpenAI/Anthropic HTTP server and `ScriptedModel`.

Imported by tests and benchmarks, never by the product. `testing/fake_mineru.py` (MinerU
double) lives alongside but is not re-exported here.
"""

from openintern.testing.fake_llm import FakeLLMServer, serve
from openintern.testing.fake_llm_app import create_app
from openintern.testing.fake_llm_scripts import (
    STAMP_RE,
    FakeError,
    FakeToolCall,
    Reply,
    ScriptLibrary,
    parse_stamps,
    strip_stamps,
)
from openintern.testing.scripted import ScriptedModel

__all__ = [
    "STAMP_RE",
    "FakeError",
    "FakeLLMServer",
    "FakeToolCall",
    "Reply",
    "ScriptLibrary",
    "ScriptedModel",
    "create_app",
    "parse_stamps",
    "serve",
    "strip_stamps",
]

"""Test doubles: the fake LLM server, ScriptedModel, fakes of external APIs. Never imported by the product."""

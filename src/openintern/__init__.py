"""OpenIntern: a self-hosted, multi-tenant runtime for LLM agents.

Importing the package starts nothing; see ``openintern.cli`` for the entry points.
"""

__version__ = "0.1.0"

"""Pydantic contracts shared by every layer. Imports only pydantic and ``errors``."""

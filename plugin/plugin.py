"""MkDocs adapter (placeholder until the execution core lands)."""
from __future__ import annotations

from mkdocs.plugins import BasePlugin


class BackpropPlugin(BasePlugin):
    pass

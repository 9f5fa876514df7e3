"""Fixtures for the figure tests."""
from __future__ import annotations

import graphviz
import pytest

from figure_helpers import apple_digraph


@pytest.fixture
def apple() -> graphviz.Digraph:
    return apple_digraph()

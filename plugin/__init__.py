"""MkDocs plugin that runs the Python in the pages at build time."""

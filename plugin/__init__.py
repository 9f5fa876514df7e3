"""MkDocs plugin that runs the Python in the pages at build time, installed as ``mkdocs_backprop``.

Only ``plugin.py`` (the hooks, entry point ``backprop``) and ``config.py`` (the
options) know MkDocs; they hand each page to the core, ``session.py``, which
plans the page, gets its results from the cache or from the worker process
(``worker_client``/``worker_process``, speaking ``worker_protocol``), draws its
figures (``figures.py``) and assembles Markdown with placeholders that the
adapter fills in after conversion. The core names no textbook: what the worker
pre-imports, how values are formatted and how figures are styled come from the
configuration and from the objects the pages return. README.md maps every module.
"""

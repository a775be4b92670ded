"""Confluence for LLMs and vector stores: ``splitting`` (documents -> token-bounded Markdown chunks),
``changeset`` (which chunks appeared, changed and disappeared since the previous run), ``chunks`` (the
pipeline step writing ``document_chunks`` and its change tables into the DuckDB file, and exports) and
``search`` (keyword retrieval over the chunks a user may read)."""

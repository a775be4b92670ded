"""Confluence -> DuckDB -> dbt marts -> an HTML report, in one command.

    python -m pipeline run --config secrets/config.json [--duckdb confluence.duckdb] [--streams pages,comments]
    python -m pipeline demo

Modules: ``sync`` (the connector through PyAirbyte into a DuckDB cache), ``progress`` (live record
counts and failure diagnosis from the connector's trace messages), ``changes`` (what a sync
changed, by comparing the cache before and after), ``dbt_runner`` (``dbt build``), ``marts`` (the
report's data), ``report`` (one self-contained HTML file), ``summary`` (plain text), ``job``
(the whole chain), ``demo`` (the bundled sample site), ``ai`` (documents -> chunks, their change
sets and search) and ``cli``.
"""

STREAMS = ("spaces", "pages", "blog_posts", "comments", "tasks", "content_labels", "attachments", "users",
           "content_versions", "content_restrictions", "folders", "groups", "group_members", "audit_records",
           "space_permissions", "decisions", "content_views")
# Streams without a cursor: PyAirbyte always asks for incremental, which the connector refuses for
# them, so they are read in a separate full-refresh pass that replaces their tables.
FULL_REFRESH_STREAMS = ("spaces", "groups")

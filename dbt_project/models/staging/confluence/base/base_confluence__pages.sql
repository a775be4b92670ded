{#-
    Latest version of every id of the raw `pages` table, with the versions only the history snapshot
    still holds (an append + dedup loader keeps one row per id; see macros/confluence_history.sql);
    a purge tombstone keeps the last live version's descriptive values. Columns:
    macros/entities/confluence_pages.sql.
-#}
{{ confluence_latest_versions('pages') }}

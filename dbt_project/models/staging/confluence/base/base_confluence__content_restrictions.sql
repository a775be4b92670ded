{#-
    Latest row of every id of the raw `content_restrictions` table; no rows when the stream was not synced
    (the table is missing). Columns: macros/entities/confluence_content_restrictions.sql.
-#}
{{ confluence_latest_versions('content_restrictions') }}

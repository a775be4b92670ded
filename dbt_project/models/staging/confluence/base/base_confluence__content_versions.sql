{#-
    Latest row of every id of the raw `content_versions` table (latest `created_at`, then latest load). The table may be absent (the
    stream was not synced): the model is then empty. Columns: macros/entities/confluence_content_versions.sql.
-#}
{{ confluence_latest_versions('content_versions') }}

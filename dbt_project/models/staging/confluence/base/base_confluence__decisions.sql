{#-
    Latest row of every id of the raw `decisions` table (latest `updated_at`, then latest load; a tombstone (`deleted_at` set) is the latest row of a decision removed from its container). The table may be absent (the
    stream was not synced): the model is then empty. Columns: macros/entities/confluence_decisions.sql.
-#}
{{ confluence_latest_versions('decisions') }}

{#-
    Latest row of every id of the raw `audit_records` table; no rows when the stream was not synced
    (the table is missing). Columns: macros/entities/confluence_audit_records.sql.
-#}
{{ confluence_latest_versions('audit_records') }}

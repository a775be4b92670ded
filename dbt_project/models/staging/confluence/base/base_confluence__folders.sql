{#-
    Latest row of every id of the raw `folders` table; no rows when the stream was not synced
    (the table is missing). Columns: macros/entities/confluence_folders.sql.
-#}
{{ confluence_latest_versions('folders') }}

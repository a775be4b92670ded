{#-
    Latest row of every space of the raw `spaces` table (the stream has no cursor: the last loaded
    row wins). Columns: macros/entities/confluence_spaces.sql.
-#}
{{ confluence_latest_versions('spaces') }}

{#-
    Latest row of every account of the raw `users` table: highest `resolved_at` (when the connector
    looked the user up), then latest load. Columns: macros/entities/confluence_users.sql.
-#}
{{ confluence_latest_versions('users') }}

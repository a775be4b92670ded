{#-
    Latest version of every task of the raw `tasks` table: latest `updated_at`, then latest load.
    Columns: macros/entities/confluence_tasks.sql.
-#}
{{ confluence_latest_versions('tasks') }}

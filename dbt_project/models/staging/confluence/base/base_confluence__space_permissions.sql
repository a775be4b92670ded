{#-
    Latest row of every id of the raw `space_permissions` table; no rows when the stream was not synced
    (the table is missing). Columns: macros/entities/confluence_space_permissions.sql.

    A full-refresh snapshot without a cursor: loaded with append or merge, a row removed in
    Confluence stays in the raw table; var('access_snapshot_hours') = N keeps only the rows loaded
    within N hours of the stream's latest load.
-#}
{{ confluence_latest_versions('space_permissions', within_hours_of_latest_load=var('access_snapshot_hours', none)) }}

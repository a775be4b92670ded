{#-
    Latest row of every (content, label) pair of the raw `content_labels` table (a full-refresh
    snapshot without a cursor: the last loaded row wins). Columns: macros/entities/confluence_content_labels.sql.

    Loaded with append or merge, a pair whose label was removed stays in the raw table with the
    extraction time of the last snapshot that had it. Setting var('content_labels_snapshot_hours')
    to N keeps only the pairs loaded within N hours of the latest label load, i.e. those of the
    latest snapshot (choose N longer than a sync, shorter than the interval between syncs).
    Loaded with overwrite (replace), the table holds only the latest snapshot and the var is not
    needed.
-#}
{{ confluence_latest_versions('content_labels', within_hours_of_latest_load=var('content_labels_snapshot_hours', none)) }}

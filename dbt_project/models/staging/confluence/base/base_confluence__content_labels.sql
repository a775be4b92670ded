{#-
    Latest row of every (content, label) pair of the raw `content_labels` table, without the pairs
    whose latest row is a tombstone (`deleted_at` set: the label was removed). The stream is
    incremental and appended, so a pair has a row per sync that read it; the latest `updated_at`
    (then the latest load) wins. Columns: macros/entities/confluence_content_labels.sql.
-#}
select *
from (
    {{ confluence_latest_versions('content_labels') }}
) as latest_rows
where deleted_at is null

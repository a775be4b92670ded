{#-
    Latest row of every id of the raw `group_members` table, without the ids whose latest row is a
    tombstone (`deleted_at` set: the member was removed in Confluence); no rows when the stream was
    not synced (the table is missing). Columns: macros/entities/confluence_group_members.sql.

    Incremental (append or append + dedup): every sync that read a (group, member) pair adds a row; the greatest
    `updated_at`, then the latest load, wins. Synced in full refresh and loaded with append, a row
    removed in Confluence stays in the raw table; var('access_snapshot_hours') = N then keeps only the
    rows loaded within N hours of the stream's latest load (never set it for incremental loads: a
    member is read again only once per access_reconciliation_interval_hours).
-#}
select *
from (
    {{ confluence_latest_versions('group_members', within_hours_of_latest_load=var('access_snapshot_hours', none)) }}
) as latest_rows
where deleted_at is null

{#-
    One row per folder (Cloud only): its latest row. Deleted folders stay flagged (`is_deleted`), as deleted content does. Empty on Data Center and when the stream was not synced. Renames and casts of base_confluence__folders (columns:
    macros/entities/confluence_folders.sql).
-#}
select
    {{ confluence_staged_columns('folders', 'base') }},
    {{ confluence_is_deleted('base.status', 'base.deleted_at') }} as is_deleted,
    {{ confluence_load_columns('folders', 'base') }}

from {{ ref('base_confluence__folders') }} as base

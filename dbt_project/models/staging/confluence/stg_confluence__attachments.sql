{#-
    One row per attachment (metadata only; file contents are never synced): its latest version.
    Renames and casts of base_confluence__attachments (columns:
    macros/entities/confluence_attachments.sql).
-#}
select
    {{ confluence_staged_columns('attachments', 'base') }},
    {{ confluence_is_deleted('base.status', 'base.deleted_at') }} as is_deleted,
    {{ confluence_is_purged('lower(base.status)') }} as is_purged,
    {{ confluence_load_columns('attachments', 'base') }}

from {{ ref('base_confluence__attachments') }} as base

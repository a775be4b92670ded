{#-
    One row per (content, operation, principal) restriction ever loaded: its latest row; lifted ones (`is_deleted`) stay flagged, as deleted content does, and the access models leave them out. Empty when the stream was not synced. Renames and casts of base_confluence__content_restrictions (columns:
    macros/entities/confluence_content_restrictions.sql).
-#}
select
    {{ confluence_staged_columns('content_restrictions', 'base') }},
    (base.deleted_at is not null) as is_deleted,
    {{ confluence_load_columns('content_restrictions', 'base') }}

from {{ ref('base_confluence__content_restrictions') }} as base

{#-
    One row per page: its latest version (purged pages keep their last live version's descriptive
    values). Renames and casts of base_confluence__pages (columns:
    macros/entities/confluence_pages.sql).
-#}
select
    {{ confluence_staged_columns('pages', 'base') }},
    {{ confluence_is_deleted('base.status', 'base.deleted_at') }} as is_deleted,
    {{ confluence_is_purged('lower(base.status)') }} as is_purged,
    {{ confluence_load_columns('pages', 'base') }}

from {{ ref('base_confluence__pages') }} as base

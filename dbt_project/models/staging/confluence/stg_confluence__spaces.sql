{#-
    One row per space: its latest load. Renames and casts of base_confluence__spaces (columns:
    macros/entities/confluence_spaces.sql).
-#}
select
    {{ confluence_staged_columns('spaces', 'base') }},
    (coalesce(lower(base.status), 'current') = 'archived') as is_archived,
    {{ confluence_load_columns('spaces', 'base') }}

from {{ ref('base_confluence__spaces') }} as base

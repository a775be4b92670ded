{#-
    One row per group: its last loaded row (the stream is a full-refresh snapshot without cursor). Empty when the stream was not synced. Renames and casts of base_confluence__groups (columns:
    macros/entities/confluence_groups.sql).
-#}
select
    {{ confluence_staged_columns('groups', 'base') }},
    {{ confluence_load_columns('groups', 'base') }}

from {{ ref('base_confluence__groups') }} as base

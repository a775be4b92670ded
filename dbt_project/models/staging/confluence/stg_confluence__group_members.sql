{#-
    One row per (group, member) pair still in its group: its latest row (removed members' tombstones are dropped by the base model). Empty when the stream was not synced. Renames and casts of base_confluence__group_members (columns:
    macros/entities/confluence_group_members.sql).
-#}
select
    {{ confluence_staged_columns('group_members', 'base') }},
    {{ confluence_load_columns('group_members', 'base') }}

from {{ ref('base_confluence__group_members') }} as base

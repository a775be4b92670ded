{#-
    One row per (space, principal, operation) grant: its last loaded row (the stream is a full-refresh snapshot without cursor). Empty when the stream was not synced. The access marts read view as operation_key `read` on operation_target `space`. Renames and casts of base_confluence__space_permissions (columns:
    macros/entities/confluence_space_permissions.sql).
-#}
select
    {{ confluence_staged_columns('space_permissions', 'base') }},
    {{ confluence_load_columns('space_permissions', 'base') }}

from {{ ref('base_confluence__space_permissions') }} as base

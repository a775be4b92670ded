{#-
    One row per (space, principal, operation) grant still in force: its latest row (revoked grants' tombstones are dropped by the base model). Empty when the stream was not synced. The access marts read view as operation_key `read` on operation_target `space`. Renames and casts of base_confluence__space_permissions (columns:
    macros/entities/confluence_space_permissions.sql).
-#}
select
    {{ confluence_staged_columns('space_permissions', 'base') }},
    {{ confluence_load_columns('space_permissions', 'base') }}

from {{ ref('base_confluence__space_permissions') }} as base

{#-
    One row per account: its latest lookup. Renames and casts of base_confluence__users (columns:
    macros/entities/confluence_users.sql).
-#}
select
    {{ confluence_staged_columns('users', 'base') }},
    (coalesce(lower(base.account_status), 'active') = 'active') as is_active,
    {{ confluence_load_columns('users', 'base') }}

from {{ ref('base_confluence__users') }} as base

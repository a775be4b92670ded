{#-
    One row per decision item ever read, its latest state; `is_deleted` marks the decisions
    since removed from their page or blog post (their tombstone is the latest row). Renames and
    casts of base_confluence__decisions (columns: macros/entities/confluence_decisions.sql).
-#}
select
    {{ confluence_staged_columns('decisions', 'base') }},
    (coalesce(lower(base.state), '') = 'decided') as is_decided,
    (base.deleted_at is not null) as is_deleted,
    {{ confluence_load_columns('decisions', 'base') }}

from {{ ref('base_confluence__decisions') }} as base

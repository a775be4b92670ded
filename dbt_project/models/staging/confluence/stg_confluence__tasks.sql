{#-
    One row per inline task (action item): its latest version. Renames and casts of
    base_confluence__tasks (columns: macros/entities/confluence_tasks.sql).
-#}
select
    {{ confluence_staged_columns('tasks', 'base') }},
    (coalesce(lower(base.status), '') = 'complete') as is_complete,
    {{ confluence_load_columns('tasks', 'base') }}

from {{ ref('base_confluence__tasks') }} as base

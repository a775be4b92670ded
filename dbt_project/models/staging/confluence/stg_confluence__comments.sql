{#-
    One row per footer or inline comment: its latest version. Renames and casts of
    base_confluence__comments (columns: macros/entities/confluence_comments.sql).
-#}
select
    {{ confluence_staged_columns('comments', 'base') }},
    (coalesce(lower(base.comment_type), '') = 'inline') as is_inline,
    {{ confluence_is_deleted('base.status', 'base.deleted_at') }} as is_deleted,
    {{ confluence_is_purged('lower(base.status)') }} as is_purged,
    {{ confluence_load_columns('comments', 'base') }}

from {{ ref('base_confluence__comments') }} as base

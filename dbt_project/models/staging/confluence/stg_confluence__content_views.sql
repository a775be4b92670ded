{#-
    One row per page or blog post whose views were counted: the latest count (empty when
    content_views was not synced). Renames and casts of base_confluence__content_views (columns:
    macros/entities/confluence_content_views.sql).
-#}
select
    {{ confluence_staged_columns('content_views', 'base') }},
    {{ confluence_load_columns('content_views', 'base') }}

from {{ ref('base_confluence__content_views') }} as base

{#-
    One row per version of a page, blog post, comment or attachment (empty when content_versions
    was not synced). Renames and casts of base_confluence__content_versions (columns:
    macros/entities/confluence_content_versions.sql).
-#}
select
    {{ confluence_staged_columns('content_versions', 'base') }},
    {{ confluence_load_columns('content_versions', 'base') }}

from {{ ref('base_confluence__content_versions') }} as base

{#-
    One row per blog post: its latest version (purged posts keep their last live version's
    descriptive values). Renames and casts of base_confluence__blog_posts (columns:
    macros/entities/confluence_blog_posts.sql).
-#}
select
    {{ confluence_staged_columns('blog_posts', 'base') }},
    {{ confluence_is_deleted('base.status', 'base.deleted_at') }} as is_deleted,
    {{ confluence_is_purged('lower(base.status)') }} as is_purged,
    {{ confluence_load_columns('blog_posts', 'base') }}

from {{ ref('base_confluence__blog_posts') }} as base

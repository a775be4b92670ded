{#- `blog_posts` as Airbyte's source-confluence 1.x loaded it: what GET /wiki/api/v2/blogposts lists
    (current blog posts), one row per post, with the API's field names and nested objects. -#}
{{ confluence_compat_config('blog_posts') }}

select
    blog_post_id as {{ adapter.quote('id') }},
    status as {{ adapter.quote('status') }},
    title as {{ adapter.quote('title') }},
    space_id as {{ adapter.quote('spaceId') }},
    author_account_id as {{ adapter.quote('authorId') }},
    created_at as {{ adapter.quote('createdAt') }},
    {{ confluence_compat_version() }} as {{ adapter.quote('version') }},
    {{ confluence_compat_body() }} as {{ adapter.quote('body') }},
    {{ confluence_compat_json_object([('webui', confluence_compat_webui('web_url')), ('editui', 'null'), ('tinyui', 'null')]) }}
        as {{ adapter.quote('_links') }},
    airbyte_raw_id as {{ adapter.quote('_airbyte_raw_id') }},
    airbyte_extracted_at as {{ adapter.quote('_airbyte_extracted_at') }}

from {{ ref('stg_confluence__blog_posts') }}
where status = 'current'

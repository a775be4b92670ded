{#- Pages and blog posts in one relation, with the flags the marts filter on. -#}
{%- set content_types = [
    ('page', ref('stg_confluence__pages'), 'page_id'),
    ('blogpost', ref('stg_confluence__blog_posts'), 'blog_post_id'),
] -%}

with unioned as (

    {% for content_type, relation, key in content_types %}
    select
        {{ key }} as content_id,
        cast('{{ content_type }}' as {{ dbt.type_string() }}) as content_type,
        space_id,
        title,
        status,
        {% if content_type == 'page' -%}
        parent_id,
        parent_type,
        {%- else -%}
        cast(null as {{ dbt.type_string() }}) as parent_id,
        cast(null as {{ dbt.type_string() }}) as parent_type,
        {%- endif %}
        author_account_id,
        owner_account_id,
        created_at,
        updated_at,
        version_number,
        version_author_account_id,
        is_minor_edit,
        word_count,
        web_url,
        is_deleted,
        is_purged,
        deleted_at,
        deletion_detected_at,
        first_extracted_at,
        last_live_extracted_at
    from {{ relation }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    content_id,
    content_type,
    space_id,
    title,
    status,
    parent_id,
    parent_type,
    author_account_id,
    coalesce(owner_account_id, author_account_id) as owner_account_id,
    created_at,
    updated_at,
    version_number,
    version_author_account_id,
    is_minor_edit,
    -- An edit is a version after the first; without a version number, a later update time.
    case
        when version_number is not null then version_number > 1
        else coalesce(updated_at > created_at, false)
    end as is_edited,
    word_count,
    web_url,
    (not is_deleted and coalesce(status, 'current') in ('current', 'archived')) as is_live,
    is_deleted,
    is_purged,
    deleted_at,
    deletion_detected_at,
    first_extracted_at,
    last_live_extracted_at

from unioned

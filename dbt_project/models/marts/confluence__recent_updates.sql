{#- Feed of the most recently modified live pages and blog posts (var('recent_updates_limit') items). -#}
with content as (

    select * from {{ ref('int_confluence__content') }}
    where is_live

),

spaces as (

    select * from {{ ref('stg_confluence__spaces') }}

),

people as (

    select * from {{ ref('int_confluence__people') }}

),

ranked as (

    select
        content.*,
        row_number() over (order by content.updated_at desc, content.content_id) as recency_rank
    from content

)

select
    ranked.recency_rank,
    ranked.content_id,
    ranked.content_type,
    ranked.title,
    ranked.space_id,
    spaces.space_key,
    spaces.space_name,
    ranked.updated_at,
    ranked.created_at,
    ranked.version_number,
    (not ranked.is_edited) as is_new_content,
    ranked.version_author_account_id as last_updated_by_account_id,
    editors.display_name as last_updated_by_name,
    ranked.author_account_id,
    authors.display_name as author_name,
    ranked.web_url

from ranked
left join spaces
    on spaces.space_id = ranked.space_id
left join people as editors
    on editors.account_id = ranked.version_author_account_id
left join people as authors
    on authors.account_id = ranked.author_account_id
where ranked.recency_rank <= {{ var('recent_updates_limit', 100) }}

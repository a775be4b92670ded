{#-
    Comments per live page or blog post, with the totals of its space alongside. Counts cover
    live comments (not trashed, purged or historical). An inline comment is unresolved unless
    its resolution status is `resolved` (open, reopened and dangling ones count).
-#}
with content as (

    select * from {{ ref('int_confluence__content') }}
    where is_live

),

comments as (

    select * from {{ ref('stg_confluence__comments') }}
    where not is_deleted
      and coalesce(status, 'current') <> 'historical'

),

spaces as (

    select * from {{ ref('stg_confluence__spaces') }}

),

per_content as (

    select
        container_id as content_id,
        count(*) as comment_count,
        {{ confluence_count_if("not is_inline") }} as footer_comment_count,
        {{ confluence_count_if("is_inline") }} as inline_comment_count,
        {{ confluence_count_if("is_inline and coalesce(resolution_status, 'open') <> 'resolved'") }}
            as unresolved_inline_comment_count,
        {{ confluence_count_if("parent_comment_id is not null") }} as reply_count,
        count(distinct author_account_id) as commenter_count,
        max(created_at) as last_comment_at
    from comments
    group by container_id

),

joined as (

    select
        content.content_id,
        content.content_type,
        content.title,
        content.space_id,
        spaces.space_key,
        spaces.space_name,
        coalesce(per_content.comment_count, 0) as comment_count,
        coalesce(per_content.footer_comment_count, 0) as footer_comment_count,
        coalesce(per_content.inline_comment_count, 0) as inline_comment_count,
        coalesce(per_content.unresolved_inline_comment_count, 0) as unresolved_inline_comment_count,
        coalesce(per_content.reply_count, 0) as reply_count,
        coalesce(per_content.commenter_count, 0) as commenter_count,
        per_content.last_comment_at,
        content.web_url
    from content
    left join per_content
        on per_content.content_id = content.content_id
    left join spaces
        on spaces.space_id = content.space_id

)

select
    content_id,
    content_type,
    title,
    space_id,
    space_key,
    space_name,
    comment_count,
    footer_comment_count,
    inline_comment_count,
    unresolved_inline_comment_count,
    reply_count,
    commenter_count,
    last_comment_at,
    cast(sum(comment_count) over (partition by space_id) as {{ dbt.type_bigint() }}) as space_comment_count,
    cast(sum(unresolved_inline_comment_count) over (partition by space_id) as {{ dbt.type_bigint() }})
        as space_unresolved_inline_comment_count,
    web_url
from joined

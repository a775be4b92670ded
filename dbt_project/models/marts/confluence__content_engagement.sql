{#-
    Which live pages and blog posts are read (rules: the confluence__content_engagement doc in
    models/docs/marts.md): the latest view count of each, if any, next to its staleness. Content
    without a count gets null counts and false flags: "unread" needs a count.
-#}
with content as (

    select * from {{ ref('int_confluence__content') }}
    where is_live

),

views as (

    select * from {{ ref('stg_confluence__content_views') }}

),

spaces as (

    select * from {{ ref('stg_confluence__spaces') }}

),

people as (

    select * from {{ ref('int_confluence__people') }}

),

aged as (

    select
        content.*,
        {{ dbt.datediff('cast(content.updated_at as date)', 'cast(' ~ confluence_as_of() ~ ' as date)', 'day') }} as days_since_update
    from content

),

flagged as (

    select
        aged.*,
        views.view_count,
        views.viewer_count,
        views.counted_from,
        views.counted_at,
        (views.content_id is not null and views.view_count is not null) as is_view_counted,
        (
            coalesce(aged.status, 'current') = 'current'
            and coalesce(aged.days_since_update >= {{ var('stale_after_days', 180) }}, false)
        ) as is_stale
    from aged
    left join views
        on views.content_id = aged.content_id

)

select
    flagged.content_id,
    flagged.content_type,
    flagged.title,
    flagged.space_id,
    spaces.space_key,
    spaces.space_name,
    flagged.web_url,
    flagged.owner_account_id,
    owners.display_name as owner_name,
    flagged.updated_at as last_updated_at,
    flagged.days_since_update,
    flagged.view_count,
    flagged.viewer_count,
    flagged.counted_from,
    flagged.counted_at,
    flagged.is_view_counted,
    flagged.is_stale,
    (
        flagged.is_stale and flagged.is_view_counted
        and flagged.view_count < {{ var('engagement_unread_below_views', 1) }}
    ) as is_stale_and_unread,
    (
        flagged.is_stale and flagged.is_view_counted
        and flagged.view_count >= {{ var('engagement_popular_views', 100) }}
    ) as is_popular_but_stale

from flagged
left join spaces
    on spaces.space_id = flagged.space_id
left join people as owners
    on owners.account_id = flagged.owner_account_id

{#-
    Current pages not updated for var('stale_after_days') days or more at the reference time
    (var('as_of'), else now). Days are counted between calendar dates (UTC).
-#}
with pages as (

    select * from {{ ref('int_confluence__content') }}
    where content_type = 'page'
      and is_live
      and status = 'current'

),

hierarchy as (

    select * from {{ ref('int_confluence__page_hierarchy') }}

),

spaces as (

    select * from {{ ref('stg_confluence__spaces') }}

),

people as (

    select * from {{ ref('int_confluence__people') }}

),

aged as (

    select
        pages.*,
        {{ confluence_days_since('pages.updated_at') }} as days_since_update
    from pages

)

select
    aged.content_id as page_id,
    aged.title,
    aged.space_id,
    spaces.space_key,
    spaces.space_name,
    aged.owner_account_id,
    owners.display_name as owner_name,
    aged.updated_at as last_updated_at,
    aged.version_author_account_id as last_updated_by_account_id,
    editors.display_name as last_updated_by_name,
    aged.days_since_update,
    {{ var('stale_after_days', 180) }} as stale_after_days,
    hierarchy.depth as page_depth,
    hierarchy.root_page_id,
    hierarchy.page_path_titles,
    aged.web_url

from aged
left join hierarchy
    on hierarchy.page_id = aged.content_id
left join spaces
    on spaces.space_id = aged.space_id
left join people as owners
    on owners.account_id = aged.owner_account_id
left join people as editors
    on editors.account_id = aged.version_author_account_id
where aged.days_since_update >= {{ var('stale_after_days', 180) }}

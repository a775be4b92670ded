{#-
    One row per live page or blog post: whether read restrictions apply and from where, how many
    groups and users can view it, whether anonymous visitors or all licensed users can, its
    labels, owner and the owner's status. The table behind an "over-exposed and orphaned content"
    dashboard. Rules: models/docs/marts.md (Access).
-#}
with content as (

    select * from {{ ref('int_confluence__content') }}
    where is_live

),

restrictions as (

    select * from {{ ref('int_confluence__content_read_restrictions') }}

),

principals as (

    select
        content_id,
        {{ confluence_count_if("principal_type = 'group'") }} as viewer_group_count,
        {{ confluence_count_if("principal_type = 'anonymous'") }} > 0 as is_open_to_anonymous,
        {{ confluence_count_if("principal_type = 'all_licensed_users'") }} > 0 as is_open_to_all_licensed_users
    from {{ ref('confluence__content_access') }}
    group by content_id

),

users as (

    select content_id, count(*) as viewer_user_count
    from {{ ref('confluence__content_access_by_user') }}
    group by content_id

),

titles as (

    select content_id as node_id, title from content
    union all
    select folder_id, title from {{ ref('stg_confluence__folders') }}

),

labels as (

    select
        content_id,
        {{ dbt.listagg('label_name', "', '", 'order by label_name') }} as label_names
    from (
        select distinct content_id, label_name
        from {{ ref('stg_confluence__content_labels') }}
        where content_type in ('page', 'blogpost')
    ) as distinct_labels
    group by content_id

)

select
    content.content_id,
    content.content_type,
    content.space_id,
    spaces.space_key,
    content.title,
    tree.page_path_titles,
    restrictions.is_restricted,
    restrictions.restriction_source,
    restrictions.restricted_level_count,
    restrictions.nearest_restricted_ancestor_id,
    restrictions.nearest_restricted_ancestor_type,
    ancestor_titles.title as nearest_restricted_ancestor_title,
    restrictions.has_edit_restriction,
    cast(coalesce(principals.viewer_group_count, 0) as {{ dbt.type_bigint() }}) as viewer_group_count,
    cast(coalesce(users.viewer_user_count, 0) as {{ dbt.type_bigint() }}) as viewer_user_count,
    coalesce(principals.is_open_to_anonymous, false) as is_open_to_anonymous,
    coalesce(principals.is_open_to_all_licensed_users, false) as is_open_to_all_licensed_users,
    (
        coalesce(principals.is_open_to_anonymous, false)
        or coalesce(principals.is_open_to_all_licensed_users, false)
        or coalesce(users.viewer_user_count, 0) > {{ var('access_over_exposed_users', 50) }}
    ) as is_over_exposed,
    cast(labels.label_names as {{ dbt.type_string() }}) as label_names,
    content.owner_account_id,
    owners.display_name as owner_name,
    owners.account_status as owner_account_status,
    (content.owner_account_id is null or not coalesce(owners.is_active, false)) as is_orphaned,
    content.updated_at as last_updated_at,
    content.web_url
from content
inner join restrictions
    on restrictions.content_id = content.content_id
left join {{ ref('stg_confluence__spaces') }} as spaces
    on spaces.space_id = content.space_id
left join {{ ref('int_confluence__page_hierarchy') }} as tree
    on tree.page_id = content.content_id
left join principals
    on principals.content_id = content.content_id
left join users
    on users.content_id = content.content_id
left join titles as ancestor_titles
    on ancestor_titles.node_id = restrictions.nearest_restricted_ancestor_id
left join labels
    on labels.content_id = content.content_id
left join {{ ref('int_confluence__people') }} as owners
    on owners.account_id = content.owner_account_id

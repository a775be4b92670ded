{#-
    One row per (live page or blog post, user) where the user can view it: the user holds the
    space's read permission (a grant to the user, or to a group they belong to; on restricted
    content also a grant to all licensed users) and every read restriction level of the content
    admits them (named, or a member of a named group). Open content is not expanded to every
    licensed user or anonymous visitor. Rules: models/docs/marts.md (Access).
-#}
with content as (

    select * from {{ ref('int_confluence__content_read_restrictions') }}

),

space_read as (

    select space_id, principal_type, principal_id
    from {{ ref('stg_confluence__space_permissions') }}
    where operation_key = 'read'
      and operation_target = 'space'

),

members as (

    select distinct group_id, account_id
    from {{ ref('stg_confluence__group_members') }}

),

-- How each user holds a space's read permission: `user` (a grant to them), `group:<id>` (a grant
-- to a group they belong to).
user_space_routes as (

    select distinct space_id, principal_id as account_id, cast('user' as {{ dbt.type_string() }}) as route
    from space_read
    where principal_type = 'user'
      and principal_id is not null

    union

    select distinct space_read.space_id, members.account_id,
        cast({{ dbt.concat(["'group:'", 'members.group_id']) }} as {{ dbt.type_string() }})
    from space_read
    inner join members
        on members.group_id = space_read.principal_id
    where space_read.principal_type = 'group'

),

all_licensed_spaces as (

    select distinct space_id from space_read where principal_type = 'all_licensed_users'

),

restrictions as (

    select content_id, principal_type, principal_id
    from {{ ref('stg_confluence__content_restrictions') }}
    where not is_deleted
      and operation = 'read'

),

-- Who each restricted level admits, and how: `user` (named) or `group:<id>` (member of a named group).
level_admissions as (

    select distinct
        ancestors.content_id,
        ancestors.ancestor_id as level_id,
        admitted.account_id,
        admitted.via
    from {{ ref('int_confluence__content_ancestors') }} as ancestors
    inner join (
        select content_id, principal_id as account_id, cast('user' as {{ dbt.type_string() }}) as via
        from restrictions
        where principal_type = 'user'

        union

        select restrictions.content_id, members.account_id,
            cast({{ dbt.concat(["'group:'", 'members.group_id']) }} as {{ dbt.type_string() }})
        from restrictions
        inner join members
            on members.group_id = restrictions.principal_id
        where restrictions.principal_type = 'group'
    ) as admitted
        on admitted.content_id = ancestors.ancestor_id

),

admitted_everywhere as (

    select level_admissions.content_id, level_admissions.account_id
    from level_admissions
    inner join content
        on content.content_id = level_admissions.content_id
    group by level_admissions.content_id, level_admissions.account_id, content.restricted_level_count
    having count(distinct level_admissions.level_id) = content.restricted_level_count

),

routes as (

    -- Open content: everyone with a route of their own to the space's read permission.
    select content.content_id, user_space_routes.account_id, user_space_routes.route
    from content
    inner join user_space_routes
        on user_space_routes.space_id = content.space_id
    where not content.is_restricted

    union all

    -- Restricted content: those every level admits, with their routes to the space.
    select admitted_everywhere.content_id, admitted_everywhere.account_id, user_space_routes.route
    from admitted_everywhere
    inner join content
        on content.content_id = admitted_everywhere.content_id
    inner join user_space_routes
        on user_space_routes.space_id = content.space_id
        and user_space_routes.account_id = admitted_everywhere.account_id

    union all

    select admitted_everywhere.content_id, admitted_everywhere.account_id,
        cast('all_licensed_users' as {{ dbt.type_string() }})
    from admitted_everywhere
    inner join content
        on content.content_id = admitted_everywhere.content_id
    inner join all_licensed_spaces
        on all_licensed_spaces.space_id = content.space_id

),

viewers as (

    select
        content_id,
        account_id,
        {{ dbt.listagg('route', "', '", 'order by route') }} as space_access,
        {{ confluence_count_if("route = 'user'") }} > 0 as has_user_space_permission
    from routes
    group by content_id, account_id

),

user_names as (

    -- The users stream's display name, else the one group_members gives (the greatest).
    select
        coalesce(known.account_id, listed.account_id) as account_id,
        coalesce(known.display_name, listed.display_name) as display_name
    from {{ ref('stg_confluence__users') }} as known
    full outer join (
        select account_id, max(display_name) as display_name
        from {{ ref('stg_confluence__group_members') }}
        group by account_id
    ) as listed
        on listed.account_id = known.account_id

),

admissions as (

    select
        content_id,
        account_id,
        {{ dbt.listagg('via', "', '", 'order by via') }} as restriction_access
    from (select distinct content_id, account_id, via from level_admissions) as distinct_admissions
    group by content_id, account_id

)

select
    viewers.content_id,
    content.content_type,
    content.space_id,
    viewers.account_id,
    cast(coalesce(user_names.display_name, viewers.account_id) as {{ dbt.type_string() }}) as display_name,
    cast(viewers.space_access as {{ dbt.type_string() }}) as space_access,
    viewers.has_user_space_permission,
    cast(case when content.is_restricted then admissions.restriction_access end as {{ dbt.type_string() }}) as restriction_access,
    content.is_restricted,
    content.restriction_source,
    content.nearest_restricted_id
from viewers
inner join content
    on content.content_id = viewers.content_id
left join user_names
    on user_names.account_id = viewers.account_id
left join admissions
    on admissions.content_id = viewers.content_id
    and admissions.account_id = viewers.account_id

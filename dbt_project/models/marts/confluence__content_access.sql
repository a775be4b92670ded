{#-
    One row per (live page or blog post, principal who can view it): groups that hold the space's
    read permission and are named at every read restriction level, anonymous visitors and all
    licensed users where the space grants them read and no restriction applies, and users who can
    view and either hold a grant of their own or are not covered by such a group. Rules:
    models/docs/marts.md (Access).
-#}
with content as (

    select * from {{ ref('int_confluence__content_read_restrictions') }}

),

space_read as (

    select distinct space_id, principal_type, principal_id
    from {{ ref('stg_confluence__space_permissions') }}
    where operation_key = 'read'
      and operation_target = 'space'
      and principal_type in ('group', 'anonymous', 'all_licensed_users')

),

group_restrictions as (

    select content_id, principal_id as group_id
    from {{ ref('stg_confluence__content_restrictions') }}
    where not is_deleted
      and operation = 'read'
      and principal_type = 'group'

),

group_names as (

    -- The groups stream's name, else the name group_members gives (the greatest, should they differ).
    select
        coalesce(named.group_id, listed.group_id) as group_id,
        coalesce(named.group_name, listed.group_name) as group_name
    from {{ ref('stg_confluence__groups') }} as named
    full outer join (
        select group_id, max(group_name) as group_name
        from {{ ref('stg_confluence__group_members') }}
        group by group_id
    ) as listed
        on listed.group_id = named.group_id

),

-- Groups holding the space's read permission, named at every restricted level (vacuously true
-- on open content).
viewing_groups as (

    select content.content_id, space_read.principal_id as group_id
    from content
    inner join space_read
        on space_read.space_id = content.space_id
        and space_read.principal_type = 'group'
    where content.restricted_level_count = (
        select count(distinct ancestors.ancestor_id)
        from {{ ref('int_confluence__content_ancestors') }} as ancestors
        inner join group_restrictions
            on group_restrictions.content_id = ancestors.ancestor_id
            and group_restrictions.group_id = space_read.principal_id
        where ancestors.content_id = content.content_id
    )

),

members as (

    select distinct group_id, account_id
    from {{ ref('stg_confluence__group_members') }}

),

principals as (

    select
        content_id,
        cast('group' as {{ dbt.type_string() }}) as principal_type,
        group_id as principal_id,
        cast({{ dbt.concat(["'group:'", 'group_id']) }} as {{ dbt.type_string() }}) as space_access,
        cast({{ dbt.concat(["'group:'", 'group_id']) }} as {{ dbt.type_string() }}) as restriction_access,
        cast(null as {{ dbt.type_string() }}) as user_name
    from viewing_groups

    union all

    select
        content.content_id,
        space_read.principal_type,
        cast(null as {{ dbt.type_string() }}),
        space_read.principal_type,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }})
    from content
    inner join space_read
        on space_read.space_id = content.space_id
        and space_read.principal_type in ('anonymous', 'all_licensed_users')
    where not content.is_restricted

    union all

    select
        viewers.content_id,
        cast('user' as {{ dbt.type_string() }}),
        viewers.account_id,
        viewers.space_access,
        viewers.restriction_access,
        viewers.display_name
    from {{ ref('int_confluence__content_viewers') }} as viewers
    where viewers.has_user_space_permission
       or not exists (
            select 1
            from viewing_groups
            inner join members
                on members.group_id = viewing_groups.group_id
            where viewing_groups.content_id = viewers.content_id
              and members.account_id = viewers.account_id
       )

)

select
    cast({{ dbt.concat(['principals.content_id', "':'", 'principals.principal_type', "':'", "coalesce(principals.principal_id, '-')"]) }}
        as {{ dbt.type_string() }}) as content_access_id,
    principals.content_id,
    content.content_type,
    content.space_id,
    principals.principal_type,
    principals.principal_id,
    cast(case
        when principals.principal_type = 'group' then coalesce(group_names.group_name, principals.principal_id)
        when principals.principal_type = 'user' then principals.user_name
    end as {{ dbt.type_string() }}) as principal_name,
    principals.space_access,
    cast(case
        when content.is_restricted then principals.restriction_access
    end as {{ dbt.type_string() }}) as restriction_access,
    content.is_restricted,
    content.restriction_source,
    content.nearest_restricted_id
from principals
inner join content
    on content.content_id = principals.content_id
left join group_names
    on group_names.group_id = principals.principal_id
    and principals.principal_type = 'group'

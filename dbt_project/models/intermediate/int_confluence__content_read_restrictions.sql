{#-
    One row per live page or blog post: the levels (itself and the pages and folders above it)
    carrying a read restriction, and the edit restriction on itself. Rules: models/docs/marts.md
    (Access).
-#}
with content as (

    select content_id, content_type, space_id
    from {{ ref('int_confluence__content') }}
    where is_live

),

restrictions as (

    select content_id, operation
    from {{ ref('stg_confluence__content_restrictions') }}
    where not is_deleted

),

levels as (

    select distinct
        ancestors.content_id,
        ancestors.ancestor_id as level_id,
        ancestors.ancestor_type as level_type,
        ancestors.distance
    from {{ ref('int_confluence__content_ancestors') }} as ancestors
    inner join restrictions
        on restrictions.content_id = ancestors.ancestor_id
        and restrictions.operation = 'read'

),

nearest as (

    select
        content_id,
        level_id,
        level_type,
        distance,
        row_number() over (partition by content_id order by distance) as nearness
    from levels

),

summary as (

    select
        content_id,
        count(*) as restricted_level_count,
        {{ confluence_count_if('distance = 0') }} as self_levels,
        {{ confluence_count_if('distance > 0') }} as ancestor_levels
    from levels
    group by content_id

)

select
    content.content_id,
    content.content_type,
    content.space_id,
    cast(coalesce(summary.restricted_level_count, 0) as {{ dbt.type_bigint() }}) as restricted_level_count,
    coalesce(summary.restricted_level_count, 0) > 0 as is_restricted,
    cast(case
        when summary.content_id is null then 'none'
        when summary.self_levels > 0 and summary.ancestor_levels > 0 then 'self_and_ancestor'
        when summary.self_levels > 0 then 'self'
        else 'ancestor'
    end as {{ dbt.type_string() }}) as restriction_source,
    nearest_level.level_id as nearest_restricted_id,
    nearest_ancestor.level_id as nearest_restricted_ancestor_id,
    nearest_ancestor.level_type as nearest_restricted_ancestor_type,
    exists (
        select 1 from restrictions
        where restrictions.content_id = content.content_id
          and restrictions.operation = 'update'
    ) as has_edit_restriction
from content
left join summary
    on summary.content_id = content.content_id
left join nearest as nearest_level
    on nearest_level.content_id = content.content_id
    and nearest_level.nearness = 1
left join (
    select
        content_id,
        level_id,
        level_type,
        row_number() over (partition by content_id order by distance) as nearness
    from levels
    where distance > 0
) as nearest_ancestor
    on nearest_ancestor.content_id = content.content_id
    and nearest_ancestor.nearness = 1

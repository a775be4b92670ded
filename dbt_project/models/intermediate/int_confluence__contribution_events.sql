{#-
    One row per contribution, attributed to a person (rules: the confluence__contributors doc in
    models/docs/marts.md):
      content_created  version 1 of a live page or blog post by its author at its time, else
                       (version 1 not synced) the creator at the creation time;
      content_updated  content with synced versions: every version after the first, by its
                       author; other content: the author of the latest version when it is an
                       edit (only the latest version is known);
      comment_written  the author of a live comment on live content, at its creation (its
                       version 1 when synced);
      task_completed   whoever completed a task on live content, at its completion time.
    `attribution_source` says whether the event came from a synced version (`versions`) or from
    the object's latest row (`latest_version`).
-#}
with content as (

    select * from {{ ref('int_confluence__content') }}

),

comments as (

    select * from {{ ref('stg_confluence__comments') }}

),

tasks as (

    select * from {{ ref('int_confluence__tasks') }}

),

versions as (

    select * from {{ ref('stg_confluence__content_versions') }}

),

-- Pages and blog posts with at least one synced version: their edits come from the versions.
versioned_content as (

    select distinct content_id
    from versions
    where content_type in ('page', 'blogpost')

),

first_versions as (

    select content_id, author_account_id, created_at
    from versions
    where version_number = 1

),

events as (

    select
        cast('content_created' as {{ dbt.type_string() }}) as event_type,
        case when first_versions.content_id is not null
            then first_versions.author_account_id else content.author_account_id end as account_id,
        case when first_versions.content_id is not null
            then first_versions.created_at else content.created_at end as occurred_at,
        content.content_id as object_id,
        content.content_id,
        content.content_type,
        content.space_id,
        case when first_versions.content_id is not null
            then 'versions' else 'latest_version' end as attribution_source
    from content
    left join first_versions
        on first_versions.content_id = content.content_id
    where content.is_live

    union all

    select
        cast('content_updated' as {{ dbt.type_string() }}) as event_type,
        versions.author_account_id as account_id,
        versions.created_at as occurred_at,
        versions.content_version_id as object_id,
        content.content_id,
        content.content_type,
        content.space_id,
        'versions' as attribution_source
    from content
    inner join versions
        on versions.content_id = content.content_id
    where content.is_live
      and versions.version_number > 1

    union all

    select
        cast('content_updated' as {{ dbt.type_string() }}) as event_type,
        content.version_author_account_id as account_id,
        content.updated_at as occurred_at,
        content.content_id as object_id,
        content.content_id,
        content.content_type,
        content.space_id,
        'latest_version' as attribution_source
    from content
    where content.is_live
      and content.is_edited
      and not exists (
          select 1 from versioned_content where versioned_content.content_id = content.content_id
      )

    union all

    select
        cast('comment_written' as {{ dbt.type_string() }}) as event_type,
        case when first_versions.content_id is not null
            then first_versions.author_account_id else comments.author_account_id end as account_id,
        case when first_versions.content_id is not null
            then first_versions.created_at else comments.created_at end as occurred_at,
        comments.comment_id as object_id,
        comments.container_id as content_id,
        comments.container_type as content_type,
        coalesce(comments.space_id, content.space_id) as space_id,
        case when first_versions.content_id is not null
            then 'versions' else 'latest_version' end as attribution_source
    from comments
    left join content
        on content.content_id = comments.container_id
    left join first_versions
        on first_versions.content_id = comments.comment_id
    where not comments.is_deleted
      and coalesce(comments.status, 'current') <> 'historical'
      and coalesce(content.is_live, true)

    union all

    select
        cast('task_completed' as {{ dbt.type_string() }}) as event_type,
        completed_by_account_id as account_id,
        completed_at as occurred_at,
        task_id as object_id,
        container_id as content_id,
        container_type as content_type,
        space_id,
        'latest_version' as attribution_source
    from tasks
    where is_container_live
      and is_complete

)

select
    {{ dbt.concat(['event_type', "':'", 'object_id']) }} as event_id,
    event_type,
    account_id,
    occurred_at,
    object_id,
    content_id,
    content_type,
    space_id,
    cast(attribution_source as {{ dbt.type_string() }}) as attribution_source
from events
where account_id is not null
  and occurred_at is not null

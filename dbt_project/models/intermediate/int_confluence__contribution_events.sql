{#-
    One row per contribution, attributed to a person:
      content_created  the creator of a live page or blog post, at its creation time;
      content_updated  the author of the latest version of a live page or blog post that was
                       edited after creation (only the latest version is synced), at its time;
      comment_written  the author of a live comment on live content, at its creation time;
      task_completed   whoever completed a task on live content, at its completion time.
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

events as (

    select
        cast('content_created' as {{ dbt.type_string() }}) as event_type,
        author_account_id as account_id,
        created_at as occurred_at,
        content_id as object_id,
        content_id,
        content_type,
        space_id
    from content
    where is_live
      and author_account_id is not null
      and created_at is not null

    union all

    select
        cast('content_updated' as {{ dbt.type_string() }}) as event_type,
        version_author_account_id as account_id,
        updated_at as occurred_at,
        content_id as object_id,
        content_id,
        content_type,
        space_id
    from content
    where is_live
      and is_edited
      and version_author_account_id is not null

    union all

    select
        cast('comment_written' as {{ dbt.type_string() }}) as event_type,
        comments.author_account_id as account_id,
        comments.created_at as occurred_at,
        comments.comment_id as object_id,
        comments.container_id as content_id,
        comments.container_type as content_type,
        coalesce(comments.space_id, content.space_id) as space_id
    from comments
    left join content
        on content.content_id = comments.container_id
    where not comments.is_deleted
      and coalesce(comments.status, 'current') <> 'historical'
      and coalesce(content.is_live, true)
      and comments.author_account_id is not null
      and comments.created_at is not null

    union all

    select
        cast('task_completed' as {{ dbt.type_string() }}) as event_type,
        completed_by_account_id as account_id,
        completed_at as occurred_at,
        task_id as object_id,
        container_id as content_id,
        container_type as content_type,
        space_id
    from tasks
    where is_container_live
      and is_complete
      and completed_by_account_id is not null
      and completed_at is not null

)

select
    {{ dbt.concat(['event_type', "':'", 'object_id']) }} as event_id,
    event_type,
    account_id,
    occurred_at,
    object_id,
    content_id,
    content_type,
    space_id
from events

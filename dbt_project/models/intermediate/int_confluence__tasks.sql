{#-
    Tasks with the state of their container and their due state at the reference time
    (var('as_of'), else now). A task is overdue when it is incomplete and its due date is before
    the reference date: a task due today is not overdue yet.
-#}
with tasks as (

    select * from {{ ref('stg_confluence__tasks') }}

),

content as (

    select * from {{ ref('int_confluence__content') }}

),

as_of as (

    select {{ confluence_as_of() }} as as_of_at

)

select
    tasks.task_id,
    tasks.container_id,
    coalesce(tasks.container_type, content.content_type) as container_type,
    coalesce(tasks.space_id, content.space_id) as space_id,
    content.title as container_title,
    -- Unknown containers (not synced) count as live; deleted or draft ones do not.
    coalesce(content.is_live, true) as is_container_live,
    tasks.status,
    tasks.is_complete,
    tasks.task_text,
    tasks.created_by_account_id,
    tasks.assignee_account_id,
    tasks.completed_by_account_id,
    tasks.created_at,
    tasks.updated_at,
    tasks.due_at,
    cast(tasks.due_at as date) as due_date,
    tasks.completed_at,
    (
        not tasks.is_complete
        and tasks.due_at is not null
        and cast(tasks.due_at as date) < cast(as_of.as_of_at as date)
    ) as is_overdue,
    case
        when not tasks.is_complete and tasks.due_at is not null
            and cast(tasks.due_at as date) < cast(as_of.as_of_at as date)
        then {{ dbt.datediff('cast(tasks.due_at as date)', 'cast(as_of.as_of_at as date)', 'day') }}
    end as days_overdue,
    as_of.as_of_at

from tasks
cross join as_of
left join content
    on content.content_id = tasks.container_id

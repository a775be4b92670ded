{#- Task (action item) completion per space and assignee, for tasks whose container is live. -#}
with tasks as (

    select * from {{ ref('int_confluence__tasks') }}
    where is_container_live

),

spaces as (

    select * from {{ ref('stg_confluence__spaces') }}

),

people as (

    select * from {{ ref('int_confluence__people') }}

),

per_assignee as (

    select
        space_id,
        assignee_account_id,
        count(*) as task_count,
        {{ confluence_count_if("not is_complete") }} as open_task_count,
        {{ confluence_count_if("is_complete") }} as completed_task_count,
        {{ confluence_count_if("is_overdue") }} as overdue_task_count
    from tasks
    group by space_id, assignee_account_id

)

select
    per_assignee.space_id,
    spaces.space_key,
    spaces.space_name,
    per_assignee.assignee_account_id,
    (per_assignee.assignee_account_id is null) as is_unassigned,
    people.display_name as assignee_name,
    per_assignee.task_count,
    per_assignee.open_task_count,
    per_assignee.completed_task_count,
    per_assignee.overdue_task_count,
    {{ confluence_safe_ratio('per_assignee.completed_task_count', 'per_assignee.task_count') }} as completion_rate

from per_assignee
left join spaces
    on spaces.space_id = per_assignee.space_id
left join people
    on people.account_id = per_assignee.assignee_account_id

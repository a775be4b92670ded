{#-
    Live pages and blog posts labelled var('meeting_notes_label'), one row per action item (task)
    they hold; meeting notes without tasks have one row with empty task columns.
-#}
with content as (

    select * from {{ ref('int_confluence__content') }}
    where is_live

),

labels as (

    select * from {{ ref('stg_confluence__content_labels') }}
    where lower(label_name) = lower('{{ var("meeting_notes_label", "meeting-notes") }}')

),

meeting_notes as (

    select content.*
    from content
    where exists (
        select 1 from labels where labels.content_id = content.content_id
    )

),

tasks as (

    select * from {{ ref('int_confluence__tasks') }}

),

spaces as (

    select * from {{ ref('stg_confluence__spaces') }}

),

people as (

    select * from {{ ref('int_confluence__people') }}

),

task_rollup as (

    select
        container_id,
        count(*) as action_item_count,
        {{ confluence_count_if("not is_complete") }} as open_action_item_count,
        {{ confluence_count_if("is_overdue") }} as overdue_action_item_count
    from tasks
    group by container_id

)

select
    meeting_notes.content_id,
    meeting_notes.content_type,
    meeting_notes.title,
    meeting_notes.space_id,
    spaces.space_key,
    spaces.space_name,
    cast(meeting_notes.created_at as date) as meeting_date,
    meeting_notes.author_account_id,
    authors.display_name as author_name,
    meeting_notes.web_url,
    coalesce(task_rollup.action_item_count, 0) as action_item_count,
    coalesce(task_rollup.open_action_item_count, 0) as open_action_item_count,
    coalesce(task_rollup.overdue_action_item_count, 0) as overdue_action_item_count,
    tasks.task_id,
    tasks.task_text,
    tasks.status as task_status,
    tasks.assignee_account_id,
    assignees.display_name as assignee_name,
    tasks.due_at,
    tasks.is_overdue,
    tasks.completed_at,
    tasks.completed_by_account_id,
    completers.display_name as completed_by_name

from meeting_notes
left join tasks
    on tasks.container_id = meeting_notes.content_id
left join task_rollup
    on task_rollup.container_id = meeting_notes.content_id
left join spaces
    on spaces.space_id = meeting_notes.space_id
left join people as authors
    on authors.account_id = meeting_notes.author_account_id
left join people as assignees
    on assignees.account_id = tasks.assignee_account_id
left join people as completers
    on completers.account_id = tasks.completed_by_account_id

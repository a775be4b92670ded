{#-
    Live pages and blog posts labelled var('meeting_notes_label'), one row per action item (task)
    they hold; meeting notes without tasks have one row with empty task columns.

    The connector writes a mention whose name it does not know as `@<account id>` (tasks are read
    without their users' names). The users stream usually knows them, so the digest, which shows
    the text, puts `@<display name>` in place of every mention of a known user. It is done here and
    not in staging (which only types and deduplicates what was loaded) nor in int_confluence__tasks
    (every task of the site would be searched for every user; here only the notes' tasks are).

    The notes' live decisions (tombstones left out) are summed up next to the action items, on
    every row of the notes (the grain stays one row per action item).
-#}
{%- set newline %}'
'{% endset -%}
with recursive content as (

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

note_tasks as (

    select tasks.task_id, cast(tasks.task_text as {{ dbt.type_string() }}) as task_text
    from tasks
    where exists (
        select 1 from meeting_notes where meeting_notes.content_id = tasks.container_id
    )

),

-- Known users mentioned in each task, longest id first (so that an id that begins another is
-- replaced after it).
mentions as (

    select
        note_tasks.task_id,
        {{ dbt.concat(["'@'", 'people.account_id']) }} as mention,
        {{ dbt.concat(["'@'", 'people.display_name']) }} as named,
        row_number() over (
            partition by note_tasks.task_id
            order by length(people.account_id) desc, people.account_id
        ) as mention_number
    from note_tasks
    inner join people
        on people.is_known_user
        and people.display_name <> people.account_id
        and {{ dbt.position(dbt.concat(["'@'", 'people.account_id']), 'note_tasks.task_text') }} > 0

),

named_texts (task_id, task_text, mention_number) as (

    select task_id, task_text, cast(0 as {{ dbt.type_bigint() }})
    from note_tasks

    union all

    select
        named_texts.task_id,
        cast(replace(named_texts.task_text, mentions.mention, mentions.named) as {{ dbt.type_string() }}),
        cast(mentions.mention_number as {{ dbt.type_bigint() }})
    from named_texts
    inner join mentions
        on mentions.task_id = named_texts.task_id
        and mentions.mention_number = named_texts.mention_number + 1

),

task_texts as (

    select named_texts.task_id, named_texts.task_text
    from named_texts
    inner join (
        select task_id, max(mention_number) as mention_count
        from named_texts
        group by task_id
    ) as last_step
        on last_step.task_id = named_texts.task_id
        and last_step.mention_count = named_texts.mention_number

),

decision_rollup as (

    select
        container_id,
        count(*) as decision_count,
        {{ confluence_count_if("is_decided") }} as decided_decision_count,
        {{ dbt.listagg(
            dbt.concat(["case when is_decided then '[decided] ' else '[undecided] ' end", "coalesce(decision_text, '')"]),
            newline,
            "order by first_seen_at, decision_local_id"
        ) }} as decision_texts
    from {{ ref('stg_confluence__decisions') }}
    where not is_deleted
    group by container_id

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
    coalesce(decision_rollup.decision_count, 0) as decision_count,
    coalesce(decision_rollup.decided_decision_count, 0) as decided_decision_count,
    cast(decision_rollup.decision_texts as {{ dbt.type_string() }}) as decision_texts,
    tasks.task_id,
    task_texts.task_text,
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
left join task_texts
    on task_texts.task_id = tasks.task_id
left join task_rollup
    on task_rollup.container_id = meeting_notes.content_id
left join decision_rollup
    on decision_rollup.container_id = meeting_notes.content_id
left join spaces
    on spaces.space_id = meeting_notes.space_id
left join people as authors
    on authors.account_id = meeting_notes.author_account_id
left join people as assignees
    on assignees.account_id = tasks.assignee_account_id
left join people as completers
    on completers.account_id = tasks.completed_by_account_id

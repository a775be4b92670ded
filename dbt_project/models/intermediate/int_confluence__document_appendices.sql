{#-
    What confluence__documents appends to a page or blog post's body, as Markdown: one row per
    content with comments, tasks or decisions. Rules: models/docs/marts.md (confluence__documents).
-#}
{%- set nl = confluence_newline() -%}
with people as (

    select account_id, display_name from {{ ref('int_confluence__people') }}

),

comments as (

    select
        comments.container_id as content_id,
        comments.created_at,
        comments.comment_id,
        {{ dbt.concat([
            "'### '", "coalesce(people.display_name, comments.author_account_id, 'Unknown author')",
            "' on '", "coalesce(cast(cast(comments.created_at as date) as " ~ dbt.type_string() ~ "), 'an unknown date')",
            "case when comments.is_inline then case when comments.resolution_status = 'resolved'"
            ~ " then ' (inline comment, resolved)' else ' (inline comment, unresolved)' end else ' (comment)' end",
            nl, nl, "coalesce(" ~ confluence_shift_markdown_headings("nullif(trim(comments.body_text), '')", 3) ~ ", '(no text)')",
        ]) }} as comment_markdown
    from {{ ref('stg_confluence__comments') }} as comments
    left join people
        on people.account_id = comments.author_account_id
    where not comments.is_deleted
      and coalesce(comments.status, 'current') <> 'historical'

),

tasks as (

    select
        tasks.container_id as content_id,
        tasks.created_at,
        tasks.task_id,
        {{ dbt.concat([
            "case when tasks.is_complete then '- [x] ' else '- [ ] ' end",
            "coalesce(nullif(trim(replace(tasks.task_text, " ~ nl ~ ", ' ')), ''), '(no text)')",
            "' (assignee: '", "coalesce(people.display_name, tasks.assignee_account_id, 'none')",
            "'; due: '", "coalesce(cast(tasks.due_date as " ~ dbt.type_string() ~ "), 'none')",
            "case when tasks.is_complete then '; done)' else '; open)' end",
        ]) }} as task_markdown
    from {{ ref('int_confluence__tasks') }} as tasks
    left join people
        on people.account_id = tasks.assignee_account_id

),

decisions as (

    select
        container_id as content_id,
        first_seen_at,
        decision_id,
        {{ dbt.concat([
            "case when is_decided then '- Decided: ' else '- Undecided: ' end",
            "coalesce(nullif(trim(replace(decision_text, " ~ nl ~ ", ' ')), ''), '(no text)')",
        ]) }} as decision_markdown
    from {{ ref('stg_confluence__decisions') }}
    where not is_deleted

),

comment_sections as (

    select
        content_id,
        count(*) as comment_count,
        {{ confluence_text_agg('comment_markdown', 'created_at, comment_id', 2) }} as comments_markdown
    from comments
    group by content_id

),

task_sections as (

    select
        content_id,
        count(*) as task_count,
        {{ confluence_text_agg('task_markdown', 'created_at, task_id', 1) }} as tasks_markdown
    from tasks
    group by content_id

),

decision_sections as (

    select
        content_id,
        count(*) as decision_count,
        {{ confluence_text_agg('decision_markdown', 'first_seen_at, decision_id', 1) }} as decisions_markdown
    from decisions
    group by content_id

),

contents as (

    select content_id from comment_sections
    union
    select content_id from task_sections
    union
    select content_id from decision_sections

)

select
    contents.content_id,
    coalesce(comment_sections.comment_count, 0) as comment_count,
    comment_sections.comments_markdown,
    coalesce(task_sections.task_count, 0) as task_count,
    task_sections.tasks_markdown,
    coalesce(decision_sections.decision_count, 0) as decision_count,
    decision_sections.decisions_markdown
from contents
left join comment_sections
    on comment_sections.content_id = contents.content_id
left join task_sections
    on task_sections.content_id = contents.content_id
left join decision_sections
    on decision_sections.content_id = contents.content_id

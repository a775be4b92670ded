{#-
    One row per account that appears anywhere (int_confluence__people), with its activity totals
    over all time (int_confluence__contribution_events), the live content it owns and the tasks
    assigned to it. Definitions: models/docs/marts.md.
-#}
with people as (

    select * from {{ ref('int_confluence__people') }}

),

contributions as (

    select
        account_id,
        {{ confluence_count_if("event_type = 'content_created'") }} as content_created_count,
        {{ confluence_count_if("event_type = 'content_updated'") }} as content_updated_count,
        {{ confluence_count_if("event_type = 'comment_written'") }} as comments_written_count,
        {{ confluence_count_if("event_type = 'task_completed'") }} as tasks_completed_count,
        count(*) as total_contributions,
        min(occurred_at) as first_contribution_at,
        max(occurred_at) as last_contribution_at
    from {{ ref('int_confluence__contribution_events') }}
    group by account_id

),

owned as (

    select
        owner_account_id as account_id,
        count(*) as owned_content_count
    from {{ ref('int_confluence__content') }}
    where is_live
      and owner_account_id is not null
    group by owner_account_id

),

assigned as (

    select
        assignee_account_id as account_id,
        {{ confluence_count_if('not is_complete') }} as open_assigned_task_count,
        {{ confluence_count_if('is_overdue') }} as overdue_assigned_task_count
    from {{ ref('int_confluence__tasks') }}
    where is_container_live
      and assignee_account_id is not null
    group by assignee_account_id

)

select
    people.account_id,
    people.display_name,
    people.email,
    people.account_type,
    people.account_status,
    people.is_active,
    people.is_known_user,
    coalesce(contributions.content_created_count, 0) as content_created_count,
    coalesce(contributions.content_updated_count, 0) as content_updated_count,
    coalesce(contributions.comments_written_count, 0) as comments_written_count,
    coalesce(contributions.tasks_completed_count, 0) as tasks_completed_count,
    cast(coalesce(contributions.total_contributions, 0) as {{ dbt.type_bigint() }}) as total_contributions,
    contributions.first_contribution_at,
    contributions.last_contribution_at,
    cast(coalesce(owned.owned_content_count, 0) as {{ dbt.type_bigint() }}) as owned_content_count,
    coalesce(assigned.open_assigned_task_count, 0) as open_assigned_task_count,
    coalesce(assigned.overdue_assigned_task_count, 0) as overdue_assigned_task_count

from people
left join contributions
    on contributions.account_id = people.account_id
left join owned
    on owned.account_id = people.account_id
left join assigned
    on assigned.account_id = people.account_id

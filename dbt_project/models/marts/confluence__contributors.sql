{#-
    Contributions per person and period (week, month): content created, content updated (each
    version when the versions are synced, else the latest version when it is an edit: see
    int_confluence__contribution_events), comments written and tasks completed, ranked within
    each period. Only person-periods with at least one contribution have a row.
-#}
{%- set periods = ['week', 'month'] -%}
{%- set measures = [
    ('content_created', 'content_created_count'),
    ('content_updated', 'content_updated_count'),
    ('comment_written', 'comments_written_count'),
    ('task_completed', 'tasks_completed_count'),
] -%}

with events as (

    select * from {{ ref('int_confluence__contribution_events') }}

),

people as (

    select * from {{ ref('int_confluence__people') }}

),

per_period as (

    {% for period in periods %}
    select
        cast('{{ period }}' as {{ dbt.type_string() }}) as period_type,
        {{ confluence_period_start(period, 'occurred_at') }} as period_start,
        account_id,
        {% for event_type, column in measures -%}
        {{ confluence_count_if("event_type = '" ~ event_type ~ "'") }} as {{ column }},
        {% endfor -%}
        count(*) as total_contributions,
        {{ confluence_count_if("event_type = 'content_updated' and attribution_source = 'versions'") }} as versioned_edit_count,
        {{ confluence_count_if("event_type = 'content_updated' and attribution_source = 'latest_version'") }} as latest_version_edit_count
    from events
    group by {{ confluence_period_start(period, 'occurred_at') }}, account_id
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    per_period.period_type,
    per_period.period_start,
    per_period.account_id,
    people.display_name,
    {% for _, column in measures -%}
    per_period.{{ column }},
    {% endfor -%}
    per_period.total_contributions,
    cast(case
        when per_period.versioned_edit_count > 0 and per_period.latest_version_edit_count > 0 then 'mixed'
        when per_period.versioned_edit_count > 0 then 'versions'
        when per_period.latest_version_edit_count > 0 then 'latest_version'
    end as {{ dbt.type_string() }}) as edit_count_source,
    rank() over (
        partition by per_period.period_type, per_period.period_start
        order by per_period.total_contributions desc
    ) as contributor_rank

from per_period
left join people
    on people.account_id = per_period.account_id

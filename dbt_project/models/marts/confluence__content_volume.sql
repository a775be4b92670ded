{#-
    Pages and blog posts created and updated per week and per month, per space and content type.
    Every (period, space, content type) from the first week/month with content to the one holding
    the reference time is present, with zeros for empty periods.
-#}
{%- set periods = ['week', 'month'] -%}
{%- set content_types = ['page', 'blogpost'] -%}

with content as (

    select * from {{ ref('int_confluence__content') }}
    where is_live

),

spaces as (

    select * from {{ ref('stg_confluence__spaces') }}

),

content_types as (

    {% for content_type in content_types %}
    select cast('{{ content_type }}' as {{ dbt.type_string() }}) as content_type
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

{% for period in periods %}
{{ period }}_bounds as (

    select
        min({{ confluence_period_start(period, 'created_at') }}) as spine_start,
        max({{ confluence_period_start(period, 'updated_at') }}) as last_update_period,
        min({{ confluence_period_start(period, confluence_as_of()) }}) as as_of_period
    from content

),

{{ period }}_spine_bounds as (

    select
        spine_start,
        case
            when last_update_period is null or as_of_period >= last_update_period then as_of_period
            else last_update_period
        end as spine_end
    from {{ period }}_bounds

),

{{ period }}_spine as (

    {{ confluence_date_spine(period, period ~ '_spine_bounds') }}

),

{{ period }}_created as (

    select
        {{ confluence_period_start(period, 'created_at') }} as period_start,
        space_id,
        content_type,
        count(*) as content_created_count
    from content
    where created_at is not null
    group by {{ confluence_period_start(period, 'created_at') }}, space_id, content_type

),

{{ period }}_updated as (

    select
        {{ confluence_period_start(period, 'updated_at') }} as period_start,
        space_id,
        content_type,
        count(*) as content_updated_count
    from content
    where is_edited
    group by {{ confluence_period_start(period, 'updated_at') }}, space_id, content_type

),

{{ period }}_volume as (

    select
        cast('{{ period }}' as {{ dbt.type_string() }}) as period_type,
        spine.period_start,
        spaces.space_id,
        spaces.space_key,
        spaces.space_name,
        content_types.content_type,
        coalesce(created.content_created_count, 0) as content_created_count,
        coalesce(updated.content_updated_count, 0) as content_updated_count
    from {{ period }}_spine as spine
    cross join spaces
    cross join content_types
    left join {{ period }}_created as created
        on created.period_start = spine.period_start
        and created.space_id = spaces.space_id
        and created.content_type = content_types.content_type
    left join {{ period }}_updated as updated
        on updated.period_start = spine.period_start
        and updated.space_id = spaces.space_id
        and updated.content_type = content_types.content_type

),

{% endfor %}

unioned as (

    {% for period in periods %}
    select * from {{ period }}_volume
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    period_type,
    period_start,
    space_id,
    space_key,
    space_name,
    content_type,
    content_created_count,
    content_updated_count
from unioned

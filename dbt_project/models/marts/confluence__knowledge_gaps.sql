{#-
    Spaces and labels whose live content is thin or stale relative to the rest of the site.
      content_count      live pages and blog posts in the space / carrying the label;
      stale              last updated var('stale_after_days') days or more before the reference time;
      is_thin            content_count < var('knowledge_gap_thin_ratio') x the average
                         content_count of the subjects of the same kind (spaces: all current
                         spaces, including empty ones; labels: labels on live content);
      is_mostly_stale    stale_share >= var('knowledge_gap_stale_share') and stale_share above
                         the stale share of all other live content (when there is any).
    A subject is a knowledge gap when it is thin or mostly stale.
-#}
with content as (

    select
        content.*,
        {{ confluence_days_since('content.updated_at') }}
            as days_since_update
    from {{ ref('int_confluence__content') }} as content
    where content.is_live

),

flagged as (

    select
        content_id,
        space_id,
        updated_at,
        (days_since_update >= {{ var('stale_after_days', 180) }}) as is_stale
    from content

),

site as (

    select
        count(*) as site_content_count,
        coalesce({{ confluence_count_if('is_stale') }}, 0) as site_stale_content_count
    from flagged

),

spaces as (

    select * from {{ ref('stg_confluence__spaces') }}
    where not is_archived

),

labels as (

    select * from {{ ref('stg_confluence__content_labels') }}
    where content_type in ('page', 'blogpost')

),

space_subjects as (

    select
        cast('space' as {{ dbt.type_string() }}) as subject_type,
        spaces.space_id as subject_id,
        coalesce(spaces.space_name, spaces.space_key, spaces.space_id) as subject_name,
        count(flagged.content_id) as content_count,
        coalesce({{ confluence_count_if('flagged.is_stale') }}, 0) as stale_content_count,
        max(flagged.updated_at) as last_updated_at
    from spaces
    left join flagged
        on flagged.space_id = spaces.space_id
    group by spaces.space_id, coalesce(spaces.space_name, spaces.space_key, spaces.space_id)

),

label_subjects as (

    select
        cast('label' as {{ dbt.type_string() }}) as subject_type,
        labels.label_id as subject_id,
        max(labels.label_name) as subject_name,
        count(distinct flagged.content_id) as content_count,
        count(distinct case when flagged.is_stale then flagged.content_id end) as stale_content_count,
        max(flagged.updated_at) as last_updated_at
    from labels
    inner join flagged
        on flagged.content_id = labels.content_id
    group by labels.label_id

),

subjects as (

    select * from space_subjects
    union all
    select * from label_subjects

),

compared as (

    select
        subjects.*,
        site.site_content_count,
        site.site_stale_content_count,
        avg(cast(subjects.content_count as {{ dbt.type_numeric() }})) over (partition by subjects.subject_type)
            as peer_average_content_count
    from subjects
    cross join site

),

measured as (

    select
        subject_type,
        subject_id,
        subject_name,
        content_count,
        stale_content_count,
        {{ confluence_safe_ratio('stale_content_count', 'content_count') }} as stale_share,
        {{ confluence_safe_ratio(
            'site_stale_content_count - stale_content_count',
            'site_content_count - content_count'
        ) }} as rest_of_site_stale_share,
        cast(round(peer_average_content_count, 4) as {{ dbt.type_numeric() }}) as peer_average_content_count,
        last_updated_at,
        case when last_updated_at is not null then
            {{ confluence_days_since('last_updated_at') }}
        end as days_since_last_update,
        (content_count < {{ var('knowledge_gap_thin_ratio', 0.5) }} * peer_average_content_count) as is_thin,
        (
            content_count > 0
            and cast(stale_content_count as {{ dbt.type_numeric() }})
                >= {{ var('knowledge_gap_stale_share', 0.5) }} * content_count
            and (
                site_content_count = content_count
                or cast(stale_content_count as {{ dbt.type_numeric() }}) * (site_content_count - content_count)
                    > cast(site_stale_content_count - stale_content_count as {{ dbt.type_numeric() }}) * content_count
            )
        ) as is_mostly_stale
    from compared

)

select
    subject_type,
    subject_id,
    subject_name,
    content_count,
    stale_content_count,
    stale_share,
    rest_of_site_stale_share,
    peer_average_content_count,
    last_updated_at,
    days_since_last_update,
    is_thin,
    is_mostly_stale,
    (is_thin or is_mostly_stale) as is_knowledge_gap,
    case
        when is_thin and is_mostly_stale then 'thin_and_stale'
        when is_thin then 'thin'
        when is_mostly_stale then 'stale'
    end as gap_reason
from measured

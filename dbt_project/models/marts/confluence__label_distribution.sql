{#- How labels are used on live pages and blog posts. -#}
with labels as (

    select * from {{ ref('stg_confluence__content_labels') }}
    where content_type in ('page', 'blogpost')

),

content as (

    select * from {{ ref('int_confluence__content') }}
    where is_live

),

totals as (

    select count(*) as live_content_count from content

),

labelled as (

    select
        labels.label_id,
        labels.label_name,
        labels.label_prefix,
        content.content_id,
        content.content_type,
        content.space_id,
        content.created_at,
        content.updated_at
    from labels
    inner join content
        on content.content_id = labels.content_id

),

per_label as (

    select
        label_id,
        max(label_name) as label_name,
        max(label_prefix) as label_prefix,
        count(distinct content_id) as content_count,
        count(distinct case when content_type = 'page' then content_id end) as page_count,
        count(distinct case when content_type = 'blogpost' then content_id end) as blog_post_count,
        count(distinct space_id) as space_count,
        min(created_at) as first_used_at,
        max(updated_at) as last_used_at
    from labelled
    group by label_id

)

select
    per_label.label_id,
    per_label.label_name,
    per_label.label_prefix,
    per_label.content_count,
    per_label.page_count,
    per_label.blog_post_count,
    totals.live_content_count,
    {{ confluence_safe_ratio('per_label.content_count', 'totals.live_content_count') }} as content_share,
    per_label.space_count,
    per_label.first_used_at,
    per_label.last_used_at

from per_label
cross join totals

{#-
    One row per live page or blog post (current or archived) with everything a BI tool joins to
    it: space, place in the page tree, owner, labels and how much hangs off it (comments, tasks,
    attachments, versions). Definitions: models/docs/marts.md.
-#}
with content as (

    select * from {{ ref('int_confluence__content') }}
    where is_live

),

spaces as (

    select * from {{ ref('stg_confluence__spaces') }}

),

people as (

    select * from {{ ref('int_confluence__people') }}

),

tree as (

    select * from {{ ref('int_confluence__page_hierarchy') }}

),

labels as (

    select
        content_id,
        count(*) as label_count,
        {{ dbt.listagg('label_name', "', '", 'order by label_name') }} as label_names
    from {{ ref('stg_confluence__content_labels') }}
    where content_type in ('page', 'blogpost')
    group by content_id

),

comments as (

    select
        container_id as content_id,
        count(*) as comment_count
    from {{ ref('stg_confluence__comments') }}
    where not is_deleted
      and coalesce(status, 'current') <> 'historical'
    group by container_id

),

tasks as (

    select
        container_id as content_id,
        count(*) as task_count,
        {{ confluence_count_if('not is_complete') }} as open_task_count
    from {{ ref('int_confluence__tasks') }}
    group by container_id

),

attachments as (

    select
        container_id as content_id,
        count(*) as attachment_count,
        sum(file_size_bytes) as attachment_bytes
    from {{ ref('stg_confluence__attachments') }}
    where not is_deleted
    group by container_id

),

as_of as (

    select {{ confluence_as_of() }} as as_of_at

)

select
    content.content_id,
    content.content_type,
    content.title,
    content.status,
    content.space_id,
    spaces.space_key,
    spaces.space_name,
    content.parent_id,
    tree.page_depth,
    tree.root_page_id,
    tree.page_path_titles,
    content.author_account_id,
    authors.display_name as author_name,
    content.owner_account_id,
    owners.display_name as owner_name,
    content.created_at,
    content.updated_at,
    content.version_author_account_id as last_updated_by_account_id,
    editors.display_name as last_updated_by_name,
    content.version_number as version_count,
    {{ dbt.datediff('cast(content.updated_at as date)', 'cast(as_of.as_of_at as date)', 'day') }} as days_since_update,
    coalesce(labels.label_count, 0) as label_count,
    labels.label_names,
    coalesce(comments.comment_count, 0) as comment_count,
    coalesce(tasks.task_count, 0) as task_count,
    coalesce(tasks.open_task_count, 0) as open_task_count,
    coalesce(attachments.attachment_count, 0) as attachment_count,
    cast(coalesce(attachments.attachment_bytes, 0) as {{ dbt.type_bigint() }}) as attachment_bytes,
    content.web_url

from content
cross join as_of
left join spaces
    on spaces.space_id = content.space_id
left join (
    select page_id, depth as page_depth, root_page_id, page_path_titles from tree
) as tree
    on tree.page_id = content.content_id
    and content.content_type = 'page'
left join people as authors
    on authors.account_id = content.author_account_id
left join people as owners
    on owners.account_id = content.owner_account_id
left join people as editors
    on editors.account_id = content.version_author_account_id
left join labels
    on labels.content_id = content.content_id
left join comments
    on comments.content_id = content.content_id
left join tasks
    on tasks.content_id = content.content_id
left join attachments
    on attachments.content_id = content.content_id

{#-
    Every live page and blog post with itself and each live page and folder above it (distance 0
    for itself, 1 for its parent...): the levels whose read restrictions apply to it. The chain
    stops where int_confluence__page_hierarchy starts a tree (a parent that is not a live page or
    folder). Bounded by var('max_page_depth').
-#}
with recursive live_nodes as (

    select
        content_id as node_id,
        content_type as node_type,
        parent_id
    from {{ ref('int_confluence__content') }}
    where is_live

    union all

    select
        folder_id,
        cast('folder' as {{ dbt.type_string() }}),
        parent_id
    from {{ ref('stg_confluence__folders') }}
    where not is_deleted
      and coalesce(status, 'current') in ('current', 'archived')

),

chain as (

    select
        node_id as content_id,
        node_type as content_type,
        node_id as ancestor_id,
        node_type as ancestor_type,
        parent_id as ancestor_parent_id,
        0 as distance
    from live_nodes
    where node_type in ('page', 'blogpost')

    union all

    select
        chain.content_id,
        chain.content_type,
        parents.node_id,
        parents.node_type,
        parents.parent_id,
        chain.distance + 1
    from chain
    inner join live_nodes as parents
        on parents.node_id = chain.ancestor_parent_id
        -- Blog posts have no parent; a page's parent is a page or a folder, never a blog post.
        and parents.node_type in ('page', 'folder')
    where chain.distance < {{ var('max_page_depth', 50) }}

)

select
    content_id,
    content_type,
    ancestor_id,
    ancestor_type,
    min(distance) as distance
from chain
group by content_id, content_type, ancestor_id, ancestor_type

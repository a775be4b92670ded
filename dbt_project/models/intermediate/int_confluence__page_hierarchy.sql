{#-
    Tree of live pages, through folders: the nodes are live pages and live folders (Cloud), so a
    page under a folder sits below the folder and the folder's own parents, up to the space root.
    A node starts a tree (depth 0) when it has no parent, or when its parent is not a live page or
    folder (a whiteboard, database or embed, or a deleted page or folder). One row per page.
    Recursion is bounded by var('max_page_depth'); nodes inside a parent cycle (which Confluence
    does not allow) are not reached.
-#}
with recursive live_nodes as (

    select
        content_id as node_id,
        cast('page' as {{ dbt.type_string() }}) as node_type,
        parent_id,
        title,
        space_id
    from {{ ref('int_confluence__content') }}
    where content_type = 'page'
      and is_live

    union all

    select
        folder_id,
        cast('folder' as {{ dbt.type_string() }}),
        parent_id,
        title,
        space_id
    from {{ ref('stg_confluence__folders') }}
    where not is_deleted
      and coalesce(status, 'current') in ('current', 'archived')

),

tree as (

    select
        live_nodes.node_id,
        live_nodes.node_type,
        live_nodes.space_id,
        cast(null as {{ dbt.type_string() }}) as parent_id,
        cast(null as {{ dbt.type_string() }}) as parent_type,
        cast(null as {{ dbt.type_string() }}) as parent_page_id,
        cast(case when live_nodes.node_type = 'page' then live_nodes.node_id end as {{ dbt.type_string() }}) as root_page_id,
        live_nodes.node_id as root_id,
        live_nodes.node_type as root_type,
        0 as depth,
        cast(live_nodes.node_id as {{ dbt.type_string() }}) as page_path_ids,
        cast(coalesce(live_nodes.title, live_nodes.node_id) as {{ dbt.type_string() }}) as page_path_titles
    from live_nodes
    where live_nodes.parent_id is null
       or not exists (
            select 1 from live_nodes as parents
            where parents.node_id = live_nodes.parent_id
       )

    union all

    select
        children.node_id,
        children.node_type,
        children.space_id,
        tree.node_id,
        tree.node_type,
        cast(case when tree.node_type = 'page' then tree.node_id else tree.parent_page_id end as {{ dbt.type_string() }}),
        cast(coalesce(tree.root_page_id, case when children.node_type = 'page' then children.node_id end) as {{ dbt.type_string() }}),
        tree.root_id,
        tree.root_type,
        tree.depth + 1,
        cast({{ dbt.concat(['tree.page_path_ids', "'/'", 'children.node_id']) }} as {{ dbt.type_string() }}),
        cast({{ dbt.concat(['tree.page_path_titles', "' > '", 'coalesce(children.title, children.node_id)']) }} as {{ dbt.type_string() }})
    from tree
    inner join live_nodes as children
        on children.parent_id = tree.node_id
    where tree.depth < {{ var('max_page_depth', 50) }}

)

select
    node_id as page_id,
    space_id,
    parent_id,
    parent_type,
    parent_page_id,
    root_page_id,
    root_id,
    root_type,
    depth,
    page_path_ids,
    page_path_titles
from tree
where node_type = 'page'

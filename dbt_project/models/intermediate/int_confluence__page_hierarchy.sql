{#-
    Tree of live pages. A page starts a tree (depth 0) when it has no parent, or when its parent
    is not a live page (a folder, whiteboard or database, or a deleted page). Recursion is bounded
    by var('max_page_depth'); pages inside a parent cycle (which Confluence does not allow) are
    not reached.
-#}
with recursive live_pages as (

    select
        content_id as page_id,
        parent_id,
        title,
        space_id
    from {{ ref('int_confluence__content') }}
    where content_type = 'page'
      and is_live

),

tree as (

    select
        live_pages.page_id as page_id,
        live_pages.space_id as space_id,
        cast(null as {{ dbt.type_string() }}) as parent_page_id,
        live_pages.page_id as root_page_id,
        0 as depth,
        cast(live_pages.page_id as {{ dbt.type_string() }}) as page_path_ids,
        cast(coalesce(live_pages.title, live_pages.page_id) as {{ dbt.type_string() }}) as page_path_titles
    from live_pages
    where live_pages.parent_id is null
       or not exists (
            select 1 from live_pages as parent_pages
            where parent_pages.page_id = live_pages.parent_id
       )

    union all

    select
        children.page_id,
        children.space_id,
        tree.page_id,
        tree.root_page_id,
        tree.depth + 1,
        cast({{ dbt.concat(['tree.page_path_ids', "'/'", 'children.page_id']) }} as {{ dbt.type_string() }}),
        cast({{ dbt.concat(['tree.page_path_titles', "' > '", 'coalesce(children.title, children.page_id)']) }} as {{ dbt.type_string() }})
    from tree
    inner join live_pages as children
        on children.parent_id = tree.page_id
    where tree.depth < {{ var('max_page_depth', 50) }}

)

select
    page_id,
    space_id,
    parent_page_id,
    root_page_id,
    depth,
    page_path_ids,
    page_path_titles
from tree

{#-
    One row per (live page or blog post, user who can view it), groups expanded to their members:
    the rows of int_confluence__content_viewers, with the ways the user gets access. Rules:
    models/docs/marts.md (Access).
-#}
select
    cast({{ dbt.concat(['viewers.content_id', "':'", 'viewers.account_id']) }} as {{ dbt.type_string() }}) as content_user_id,
    viewers.content_id,
    viewers.content_type,
    viewers.space_id,
    viewers.account_id,
    viewers.display_name,
    viewers.space_access,
    viewers.has_user_space_permission,
    viewers.restriction_access,
    viewers.is_restricted,
    viewers.restriction_source,
    viewers.nearest_restricted_id
from {{ ref('int_confluence__content_viewers') }} as viewers

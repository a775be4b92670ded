{#-
    Pages, blog posts, comments and attachments that are deleted in Confluence now (trashed or
    purged) although the warehouse imported them, with when it happened.
-#}
with content as (

    select
        content_id as object_id,
        content_type as object_type,
        title,
        space_id,
        cast(null as {{ dbt.type_string() }}) as container_id,
        status,
        author_account_id,
        created_at,
        deleted_at,
        deletion_detected_at,
        first_extracted_at,
        last_live_extracted_at
    from {{ ref('int_confluence__content') }}
    where is_deleted

),

comments as (

    select
        comment_id as object_id,
        cast('comment' as {{ dbt.type_string() }}) as object_type,
        title,
        space_id,
        container_id,
        status,
        author_account_id,
        created_at,
        deleted_at,
        deletion_detected_at,
        first_extracted_at,
        last_live_extracted_at
    from {{ ref('stg_confluence__comments') }}
    where is_deleted

),

attachments as (

    select
        attachment_id as object_id,
        cast('attachment' as {{ dbt.type_string() }}) as object_type,
        file_name as title,
        space_id,
        container_id,
        status,
        author_account_id,
        created_at,
        deleted_at,
        deletion_detected_at,
        first_extracted_at,
        last_live_extracted_at
    from {{ ref('stg_confluence__attachments') }}
    where is_deleted

),

deleted as (

    select * from content
    union all
    select * from comments
    union all
    select * from attachments

),

spaces as (

    select * from {{ ref('stg_confluence__spaces') }}

),

people as (

    select * from {{ ref('int_confluence__people') }}

)

select
    deleted.object_id,
    deleted.object_type,
    deleted.title,
    deleted.space_id,
    spaces.space_key,
    spaces.space_name,
    deleted.container_id,
    deleted.status as source_status,
    case when {{ confluence_is_purged('deleted.status') }} then 'purged' else 'trashed' end as deletion_kind,
    deleted.deleted_at,
    deleted.deletion_detected_at,
    deleted.first_extracted_at as first_imported_at,
    deleted.last_live_extracted_at as last_seen_live_at,
    (deleted.last_live_extracted_at is not null) as was_seen_live,
    deleted.created_at,
    deleted.author_account_id,
    authors.display_name as author_name

from deleted
left join spaces
    on spaces.space_id = deleted.space_id
left join people as authors
    on authors.account_id = deleted.author_account_id

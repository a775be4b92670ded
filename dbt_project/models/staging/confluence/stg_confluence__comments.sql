{#-
    Latest version of every footer and inline comment.
    Versions are the raw rows plus those only the history snapshot still holds (an append +
    dedup loader keeps one row per id; see macros/confluence_history.sql).
-#}
{%- set source_relation = source('confluence', 'comments') -%}
{%- set columns = [
    'comment_type', 'container_id', 'container_type', 'space_id', 'parent_comment_id', 'status',
    'resolution_status', 'inline_original_selection', 'title', 'author_account_id', 'created_at',
    'updated_at', 'version_number', 'body_storage', 'body_text', 'web_url', 'deleted_at',
    'is_deleted', 'airbyte_generation_id'
] -%}
{%- set backfill_columns = [
    'comment_type', 'container_id', 'container_type', 'space_id', 'parent_comment_id', 'title',
    'author_account_id', 'created_at', 'web_url'
] -%}

with source as (

    {{ confluence_loaded_versions('comments', ref('confluence__comments_history')) }}

),

typed as (

    select
        cast(id as {{ dbt.type_string() }}) as comment_id,
        cast(lower(comment_type) as {{ dbt.type_string() }}) as comment_type,
        cast(container_id as {{ dbt.type_string() }}) as container_id,
        cast(lower(container_type) as {{ dbt.type_string() }}) as container_type,
        cast(space_id as {{ dbt.type_string() }}) as space_id,
        cast(parent_comment_id as {{ dbt.type_string() }}) as parent_comment_id,
        cast(lower(status) as {{ dbt.type_string() }}) as status,
        cast(lower(resolution_status) as {{ dbt.type_string() }}) as resolution_status,
        cast(inline_original_selection as {{ dbt.type_string() }}) as inline_original_selection,
        cast(title as {{ dbt.type_string() }}) as title,
        cast(author_id as {{ dbt.type_string() }}) as author_account_id,
        {{ confluence_to_utc_timestamp('created_at') }} as created_at,
        {{ confluence_to_utc_timestamp('updated_at') }} as updated_at,
        cast(version_number as {{ dbt.type_bigint() }}) as version_number,
        cast(body_storage as {{ dbt.type_string() }}) as body_storage,
        cast(body_text as {{ dbt.type_string() }}) as body_text,
        cast(web_url as {{ dbt.type_string() }}) as web_url,
        {{ confluence_to_utc_timestamp('deleted_at') }} as deleted_at,
        {{ confluence_is_deleted('status', 'deleted_at') }} as is_deleted,
        {{ confluence_airbyte_columns(source_relation) }}

    from source

),

deduplicated as (

    {{ confluence_deduplicate(
        'typed', 'comment_id', columns, ['updated_at', 'airbyte_extracted_at'],
        backfill_columns=backfill_columns, deleted_flag='is_deleted'
    ) }}

)

select
    comment_id,
    comment_type,
    (coalesce(comment_type, '') = 'inline') as is_inline,
    container_id,
    container_type,
    space_id,
    parent_comment_id,
    status,
    resolution_status,
    inline_original_selection,
    title,
    author_account_id,
    created_at,
    updated_at,
    version_number,
    body_storage,
    body_text,
    web_url,
    is_deleted,
    {{ confluence_is_purged('status') }} as is_purged,
    deleted_at,
    deletion_detected_at,
    first_extracted_at,
    last_live_extracted_at,
    loaded_row_count,
    airbyte_extracted_at,
    airbyte_raw_id,
    airbyte_generation_id

from deduplicated

{#-
    Latest version of every attachment (metadata only; file contents are never synced).
    Versions are the raw rows plus those only the history snapshot still holds (an append +
    dedup loader keeps one row per id; see macros/confluence_history.sql).
-#}
{%- set source_relation = source('confluence', 'attachments') -%}
{%- set columns = [
    'file_name', 'media_type', 'file_size_bytes', 'attachment_comment', 'container_id',
    'container_type', 'space_id', 'status', 'author_account_id', 'created_at', 'updated_at',
    'version_number', 'download_url', 'web_url', 'deleted_at', 'is_deleted', 'airbyte_generation_id'
] -%}
{%- set backfill_columns = [
    'file_name', 'media_type', 'container_id', 'container_type', 'space_id', 'author_account_id',
    'created_at', 'web_url'
] -%}

with source as (

    {{ confluence_loaded_versions('attachments', ref('confluence__attachments_history')) }}

),

typed as (

    select
        cast(id as {{ dbt.type_string() }}) as attachment_id,
        cast(title as {{ dbt.type_string() }}) as file_name,
        cast(media_type as {{ dbt.type_string() }}) as media_type,
        cast(file_size as {{ dbt.type_bigint() }}) as file_size_bytes,
        cast(comment as {{ dbt.type_string() }}) as attachment_comment,
        cast(container_id as {{ dbt.type_string() }}) as container_id,
        cast(lower(container_type) as {{ dbt.type_string() }}) as container_type,
        cast(space_id as {{ dbt.type_string() }}) as space_id,
        cast(lower(status) as {{ dbt.type_string() }}) as status,
        cast(author_id as {{ dbt.type_string() }}) as author_account_id,
        {{ confluence_to_utc_timestamp('created_at') }} as created_at,
        {{ confluence_to_utc_timestamp('updated_at') }} as updated_at,
        cast(version_number as {{ dbt.type_bigint() }}) as version_number,
        cast(download_url as {{ dbt.type_string() }}) as download_url,
        cast(web_url as {{ dbt.type_string() }}) as web_url,
        {{ confluence_to_utc_timestamp('deleted_at') }} as deleted_at,
        {{ confluence_is_deleted('status', 'deleted_at') }} as is_deleted,
        {{ confluence_airbyte_columns(source_relation) }}

    from source

),

deduplicated as (

    {{ confluence_deduplicate(
        'typed', 'attachment_id', columns, ['updated_at', 'airbyte_extracted_at'],
        backfill_columns=backfill_columns, deleted_flag='is_deleted'
    ) }}

)

select
    attachment_id,
    file_name,
    media_type,
    file_size_bytes,
    attachment_comment,
    container_id,
    container_type,
    space_id,
    status,
    author_account_id,
    created_at,
    updated_at,
    version_number,
    download_url,
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

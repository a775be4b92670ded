{#-
    Latest version of every blog post; purged posts keep the descriptive values of their last live version.
    Versions are the raw rows plus those only the history snapshot still holds (an append +
    dedup loader keeps one row per id; see macros/confluence_history.sql).
-#}
{%- set source_relation = source('confluence', 'blog_posts') -%}
{%- set columns = [
    'space_id', 'title', 'status', 'author_account_id', 'owner_account_id', 'created_at',
    'updated_at', 'version_number', 'version_author_account_id', 'version_message',
    'is_minor_edit', 'body_storage', 'body_text', 'word_count', 'web_url', 'deleted_at',
    'is_deleted', 'airbyte_generation_id'
] -%}
{%- set backfill_columns = [
    'space_id', 'title', 'author_account_id', 'owner_account_id', 'created_at',
    'version_author_account_id', 'web_url'
] -%}

with source as (

    {{ confluence_loaded_versions('blog_posts', ref('confluence__blog_posts_history')) }}

),

typed as (

    select
        cast(id as {{ dbt.type_string() }}) as blog_post_id,
        cast(space_id as {{ dbt.type_string() }}) as space_id,
        cast(title as {{ dbt.type_string() }}) as title,
        cast(lower(status) as {{ dbt.type_string() }}) as status,
        cast(author_id as {{ dbt.type_string() }}) as author_account_id,
        cast(owner_id as {{ dbt.type_string() }}) as owner_account_id,
        {{ confluence_to_utc_timestamp('created_at') }} as created_at,
        {{ confluence_to_utc_timestamp('updated_at') }} as updated_at,
        cast(version_number as {{ dbt.type_bigint() }}) as version_number,
        cast(version_author_id as {{ dbt.type_string() }}) as version_author_account_id,
        cast(version_message as {{ dbt.type_string() }}) as version_message,
        cast(minor_edit as {{ dbt.type_boolean() }}) as is_minor_edit,
        cast(body_storage as {{ dbt.type_string() }}) as body_storage,
        cast(body_text as {{ dbt.type_string() }}) as body_text,
        cast(word_count as {{ dbt.type_bigint() }}) as word_count,
        cast(web_url as {{ dbt.type_string() }}) as web_url,
        {{ confluence_to_utc_timestamp('deleted_at') }} as deleted_at,
        {{ confluence_is_deleted('status', 'deleted_at') }} as is_deleted,
        {{ confluence_airbyte_columns(source_relation) }}

    from source

),

deduplicated as (

    {{ confluence_deduplicate(
        'typed', 'blog_post_id', columns, ['updated_at', 'airbyte_extracted_at'],
        backfill_columns=backfill_columns, deleted_flag='is_deleted'
    ) }}

)

select
    blog_post_id,
    space_id,
    title,
    status,
    author_account_id,
    owner_account_id,
    created_at,
    updated_at,
    version_number,
    version_author_account_id,
    version_message,
    is_minor_edit,
    body_storage,
    body_text,
    word_count,
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

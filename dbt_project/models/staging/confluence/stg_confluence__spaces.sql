{#- Latest row of every space (the stream has no cursor: the last loaded row wins). -#}
{%- set source_relation = source('confluence', 'spaces') -%}
{%- set columns = [
    'space_key', 'space_name', 'space_type', 'status', 'space_description', 'homepage_page_id',
    'author_account_id', 'created_at', 'web_url', 'airbyte_generation_id'
] -%}

with source as (

    select * from {{ source_relation }}

),

typed as (

    select
        cast(id as {{ dbt.type_string() }}) as space_id,
        cast(key as {{ dbt.type_string() }}) as space_key,
        cast(name as {{ dbt.type_string() }}) as space_name,
        cast(lower(type) as {{ dbt.type_string() }}) as space_type,
        cast(lower(status) as {{ dbt.type_string() }}) as status,
        cast(description as {{ dbt.type_string() }}) as space_description,
        cast(homepage_id as {{ dbt.type_string() }}) as homepage_page_id,
        cast(author_id as {{ dbt.type_string() }}) as author_account_id,
        {{ confluence_to_utc_timestamp('created_at') }} as created_at,
        cast(web_url as {{ dbt.type_string() }}) as web_url,
        {{ confluence_airbyte_columns(source_relation) }}

    from source

),

deduplicated as (

    {{ confluence_deduplicate('typed', 'space_id', columns, ['airbyte_extracted_at']) }}

)

select
    space_id,
    space_key,
    space_name,
    space_type,
    status,
    (coalesce(status, 'current') = 'archived') as is_archived,
    space_description,
    homepage_page_id,
    author_account_id,
    created_at,
    web_url,
    first_extracted_at,
    loaded_row_count,
    airbyte_extracted_at,
    airbyte_raw_id,
    airbyte_generation_id

from deduplicated

{#-
    Latest row of every user: highest `resolved_at` (when the connector looked the user up), then
    latest load. Raw tables written before the connector had `resolved_at` work too: the load
    order decides alone.
-#}
{%- set source_relation = source('confluence', 'users') -%}
{%- set columns = [
    'display_name', 'public_name', 'email', 'account_type', 'account_status', 'profile_url',
    'resolved_at', 'airbyte_generation_id'
] -%}

with source as (

    select * from {{ source_relation }}

),

typed as (

    select
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(display_name as {{ dbt.type_string() }}) as display_name,
        cast(public_name as {{ dbt.type_string() }}) as public_name,
        cast(email as {{ dbt.type_string() }}) as email,
        cast(lower(account_type) as {{ dbt.type_string() }}) as account_type,
        cast(lower(account_status) as {{ dbt.type_string() }}) as account_status,
        cast(profile_url as {{ dbt.type_string() }}) as profile_url,
        {% if confluence_has_column(source_relation, 'resolved_at') -%}
        {{ confluence_to_utc_timestamp('resolved_at') }}
        {%- else -%}
        cast(null as {{ dbt.type_timestamp() }})
        {%- endif %} as resolved_at,
        {{ confluence_airbyte_columns(source_relation) }}

    from source

),

deduplicated as (

    {{ confluence_deduplicate('typed', 'account_id', columns, ['resolved_at', 'airbyte_extracted_at']) }}

)

select
    account_id,
    display_name,
    public_name,
    email,
    account_type,
    account_status,
    (coalesce(account_status, 'active') = 'active') as is_active,
    profile_url,
    resolved_at,
    first_extracted_at,
    loaded_row_count,
    airbyte_extracted_at,
    airbyte_raw_id,
    airbyte_generation_id

from deduplicated

{#- Latest version of every inline task (action item). -#}
{%- set source_relation = source('confluence', 'tasks') -%}
{%- set columns = [
    'task_local_id', 'container_id', 'container_type', 'space_id', 'status', 'task_text',
    'created_by_account_id', 'assignee_account_id', 'completed_by_account_id', 'due_at',
    'created_at', 'updated_at', 'completed_at', 'airbyte_generation_id'
] -%}

with source as (

    select * from {{ source_relation }}

),

typed as (

    select
        cast(id as {{ dbt.type_string() }}) as task_id,
        cast(local_id as {{ dbt.type_string() }}) as task_local_id,
        cast(container_id as {{ dbt.type_string() }}) as container_id,
        cast(lower(container_type) as {{ dbt.type_string() }}) as container_type,
        cast(space_id as {{ dbt.type_string() }}) as space_id,
        cast(lower(status) as {{ dbt.type_string() }}) as status,
        cast(body_text as {{ dbt.type_string() }}) as task_text,
        cast(created_by as {{ dbt.type_string() }}) as created_by_account_id,
        cast(assigned_to as {{ dbt.type_string() }}) as assignee_account_id,
        cast(completed_by as {{ dbt.type_string() }}) as completed_by_account_id,
        {{ confluence_to_utc_timestamp('due_at') }} as due_at,
        {{ confluence_to_utc_timestamp('created_at') }} as created_at,
        {{ confluence_to_utc_timestamp('updated_at') }} as updated_at,
        {{ confluence_to_utc_timestamp('completed_at') }} as completed_at,
        {{ confluence_airbyte_columns(source_relation) }}

    from source

),

deduplicated as (

    {{ confluence_deduplicate('typed', 'task_id', columns, ['updated_at', 'airbyte_extracted_at']) }}

)

select
    task_id,
    task_local_id,
    container_id,
    container_type,
    space_id,
    status,
    (coalesce(status, '') = 'complete') as is_complete,
    task_text,
    created_by_account_id,
    assignee_account_id,
    completed_by_account_id,
    due_at,
    created_at,
    updated_at,
    completed_at,
    first_extracted_at,
    loaded_row_count,
    airbyte_extracted_at,
    airbyte_raw_id,
    airbyte_generation_id

from deduplicated

{#-
    Latest row of every (content, label) pair (the stream is a full-refresh snapshot without a
    cursor: the last loaded row wins).

    Loaded with append or merge, a pair whose label was removed stays in the raw table with the
    extraction time of the last snapshot that had it. Setting var('content_labels_snapshot_hours')
    to N keeps only the pairs loaded within N hours of the latest label load, i.e. those of the
    latest snapshot (choose N longer than a sync, shorter than the interval between syncs).
    Loaded with overwrite (replace), the table holds only the latest snapshot and the var is not
    needed.
-#}
{%- set snapshot_hours = var('content_labels_snapshot_hours', none) -%}
{%- set source_relation = source('confluence', 'content_labels') -%}
{%- set columns = [
    'content_id', 'content_type', 'space_id', 'label_id', 'label_name', 'label_prefix',
    'airbyte_generation_id'
] -%}

with source as (

    select * from {{ source_relation }}

),

typed as (

    select
        cast(id as {{ dbt.type_string() }}) as content_label_id,
        cast(content_id as {{ dbt.type_string() }}) as content_id,
        cast(lower(content_type) as {{ dbt.type_string() }}) as content_type,
        cast(space_id as {{ dbt.type_string() }}) as space_id,
        cast(label_id as {{ dbt.type_string() }}) as label_id,
        cast(lower(label_name) as {{ dbt.type_string() }}) as label_name,
        cast(lower(label_prefix) as {{ dbt.type_string() }}) as label_prefix,
        {{ confluence_airbyte_columns(source_relation) }}

    from source

),

deduplicated as (

    {{ confluence_deduplicate('typed', 'content_label_id', columns, ['airbyte_extracted_at']) }}

)

{%- if snapshot_hours is not none %}
, latest_snapshot as (

    select max(airbyte_extracted_at) as latest_extracted_at from deduplicated

)
{%- endif %}

select
    content_label_id,
    content_id,
    content_type,
    space_id,
    label_id,
    label_name,
    label_prefix,
    first_extracted_at,
    loaded_row_count,
    airbyte_extracted_at,
    airbyte_raw_id,
    airbyte_generation_id

from deduplicated
{%- if snapshot_hours is not none %}
where airbyte_extracted_at >= (
    select {{ dbt.dateadd('hour', -1 * (snapshot_hours | int), 'latest_extracted_at') }} from latest_snapshot
)
{%- endif %}

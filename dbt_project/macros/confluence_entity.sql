{#-
    Each stream's column list is written once, in macros/entities/confluence_<stream>.sql, and
    everything that lists columns reads it: the base model (latest version per id), the staging
    model (renames and casts) and the history snapshot (the columns it keeps).
-#}

{#- The entity description of `stream` (see macros/entities/). -#}
{% macro confluence_entity(stream) -%}
    {%- set entities = {
        'spaces': confluence_spaces_entity,
        'users': confluence_users_entity,
        'pages': confluence_pages_entity,
        'blog_posts': confluence_blog_posts_entity,
        'comments': confluence_comments_entity,
        'tasks': confluence_tasks_entity,
        'content_labels': confluence_content_labels_entity,
        'attachments': confluence_attachments_entity,
        'content_versions': confluence_content_versions_entity,
        'decisions': confluence_decisions_entity,
        'content_views': confluence_content_views_entity,
        'groups': confluence_groups_entity,
        'group_members': confluence_group_members_entity,
        'audit_records': confluence_audit_records_entity,
        'space_permissions': confluence_space_permissions_entity,
        'content_restrictions': confluence_content_restrictions_entity,
        'folders': confluence_folders_entity,
    } -%}
    {{ return(entities[stream]()) }}
{%- endmacro %}


{#- Raw name of an entity column. -#}
{% macro confluence_raw_name(column) -%}
    {{ return(column.get('source', column.name)) }}
{%- endmacro %}


{#- The adapter's type for an entity column type (string, bigint, boolean, timestamp; json, which
    staging passes through uncast, is typed as a string only where a missing table stands in). -#}
{% macro confluence_data_type(type_name) -%}
    {%- set types = {
        'string': dbt.type_string(),
        'bigint': dbt.type_bigint(),
        'boolean': dbt.type_boolean(),
        'timestamp': dbt.type_timestamp(),
        'json': dbt.type_string(),
    } -%}
    {{ return(types[type_name]) }}
{%- endmacro %}


{#- Every column of `stream` renamed and cast from its raw column in `relation_alias`: timestamps
    to UTC timestamps without time zone, `lower` columns lower-cased. A comma-separated list. -#}
{% macro confluence_staged_columns(stream, relation_alias) -%}
    {%- for column in confluence_entity(stream).columns %}
        {%- set raw = relation_alias ~ '.' ~ confluence_raw_name(column) -%}
        {%- set value = 'lower(' ~ raw ~ ')' if column.get('lower') else raw -%}
        {%- if column.type == 'timestamp' %}
        {{ confluence_to_utc_timestamp(value) }} as {{ column.name }}
        {%- elif column.type == 'json' %}
        {{ value }} as {{ column.name }}
        {%- else %}
        cast({{ value }} as {{ confluence_data_type(column.type) }}) as {{ column.name }}
        {%- endif -%}
        {{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- What the base model adds about the loads of each id, passed on unchanged by staging. -#}
{% macro confluence_load_columns(stream, relation_alias) -%}
    {%- set deletions = confluence_entity(stream).deletions -%}
        {%- if deletions %}
        {{ relation_alias }}.deletion_detected_at,
        {%- endif %}
        {{ relation_alias }}.first_extracted_at,
        {%- if deletions %}
        {{ relation_alias }}.last_live_extracted_at,
        {%- endif %}
        {{ relation_alias }}.loaded_row_count,
        {{ relation_alias }}.airbyte_extracted_at,
        {{ relation_alias }}.airbyte_raw_id,
        {{ relation_alias }}.airbyte_generation_id
{%- endmacro %}


{#-
    The latest version of every id of `stream`, in the raw column names (a complete select with
    its own CTEs: the body of a base model).

    Versions are the raw rows (plus, for streams with a history, the snapshot rows the raw table no
    longer holds: see confluence_loaded_versions). The latest is the first by the entity's
    `version_order` columns (as UTC timestamps, nulls last), then by load time, then by raw id (see
    confluence_deduplicate, which also adds the load bookkeeping). For streams with `deletions`, a
    purge tombstone keeps the last live version's `backfill` columns.

    `within_hours_of_latest_load` = N keeps only the ids loaded within N hours of the latest load
    of the stream (the latest full-refresh snapshot, when an append loader keeps the older ones).
-#}
{% macro confluence_latest_versions(stream, within_hours_of_latest_load=none) -%}
    {%- set entity = confluence_entity(stream) -%}
    {%- set relation = source('confluence', stream) -%}
    {%- set key = confluence_raw_name(entity.columns[0]) -%}
    {%- set columns = [] -%}
    {%- set backfill_columns = [] -%}
    {%- for column in entity.columns[1:] -%}
        {%- do columns.append(confluence_raw_name(column)) -%}
        {%- if column.get('backfill') -%}{%- do backfill_columns.append(confluence_raw_name(column)) -%}{%- endif -%}
    {%- endfor -%}
    {%- do columns.append('airbyte_generation_id') -%}
    {%- set order_by = [] -%}
    {%- for column in entity.version_order -%}{%- do order_by.append('version_order_' ~ loop.index) -%}{%- endfor -%}
    {%- do order_by.append('airbyte_extracted_at') -%}
with loaded as (

    {% if entity.history -%}
    {{ confluence_loaded_versions(stream, ref('confluence__' ~ stream ~ '_history')) }}
    {%- elif entity.get('table_optional') and not confluence_source_exists(relation) -%}
    {{ confluence_no_rows(entity) }}
    {%- else -%}
    select
        {%- for column in entity.columns %}
        {%- set raw = confluence_raw_name(column) %}
        {%- if column.get('optional') and not confluence_has_column(relation, raw) %}
        cast(null as {{ confluence_data_type(column.type) }}) as {{ raw }},
        {%- else %}
        {{ raw }},
        {%- endif %}
        {%- endfor %}
        _airbyte_raw_id,
        _airbyte_extracted_at,
        {{ confluence_optional_column(relation, '_airbyte_generation_id', dbt.type_bigint()) }} as _airbyte_generation_id
    from {{ relation }}
    {%- endif %}

),

versions as (

    select
        loaded.*,
        {%- for column in entity.version_order %}
        {{ confluence_to_utc_timestamp(column) }} as version_order_{{ loop.index }},
        {%- endfor %}
        {%- if entity.deletions %}
        {{ confluence_is_deleted('status', 'deleted_at') if entity.get('status_column', true) else '(deleted_at is not null)' }} as is_deleted_version,
        {%- endif %}
        cast(_airbyte_generation_id as {{ dbt.type_bigint() }}) as airbyte_generation_id,
        {{ confluence_to_utc_timestamp('_airbyte_extracted_at') }} as airbyte_extracted_at,
        cast(_airbyte_raw_id as {{ dbt.type_string() }}) as airbyte_raw_id
    from loaded

),

deduplicated as (

    {{ confluence_deduplicate(
        'versions', key, columns, order_by, backfill_columns=backfill_columns,
        deleted_flag=('is_deleted_version' if entity.deletions else none)
    ) }}

)

select * from deduplicated
{%- if within_hours_of_latest_load is not none %}
where airbyte_extracted_at >= (
    select {{ dbt.dateadd('hour', -1 * (within_hours_of_latest_load | int), 'max(airbyte_extracted_at)') }}
    from deduplicated
)
{%- endif %}
{%- endmacro %}

{#-
    Whether `relation` has a column (compared case-insensitively: Snowflake upper-cases). Used for
    columns that only some loaders or schema versions write, e.g. `_airbyte_generation_id`, which
    Airbyte destinations add and PyAirbyte's cache does not. False at parse time and for
    relations given as strings (unit-test fixtures).
-#}
{% macro confluence_has_column(relation, column_name) -%}
    {%- if execute and relation is not string -%}
        {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {{ return((column_name | lower) in existing) }}
    {%- endif -%}
    {{ return(false) }}
{%- endmacro %}


{#- The column cast to `data_type` when `relation` has it, a typed null otherwise. -#}
{% macro confluence_optional_column(relation, column_name, data_type) -%}
    {%- if confluence_has_column(relation, column_name) -%}
        cast({{ column_name }} as {{ data_type }})
    {%- else -%}
        cast(null as {{ data_type }})
    {%- endif -%}
{%- endmacro %}


{#- true when a record is trashed, purged (tombstone) or otherwise carries a deletion time. -#}
{% macro confluence_is_deleted(status_column='status', deleted_at_column='deleted_at') -%}
    (
        coalesce(lower({{ status_column }}), 'current') in ('trashed', 'deleted', 'purged')
        or {{ deleted_at_column }} is not null
    )
{%- endmacro %}


{#- true when a (lower-cased) status says the object was purged: `deleted` (the connector's tombstones) or `purged`. -#}
{% macro confluence_is_purged(status_column='status') -%}
    (coalesce({{ status_column }}, '') in ('deleted', 'purged'))
{%- endmacro %}


{#- numerator / denominator rounded to `scale` decimals, as dbt.type_numeric() on every adapter;
    null when the denominator is 0. -#}
{% macro confluence_safe_ratio(numerator, denominator, scale=4) -%}
    cast(
        round(
            cast({{ numerator }} as {{ dbt.type_numeric() }})
            / nullif(cast({{ denominator }} as {{ dbt.type_numeric() }}), 0),
            {{ scale }}
        )
        as {{ dbt.type_numeric() }}
    )
{%- endmacro %}


{#- Number of rows where `condition` holds, as a bigint on every adapter (DuckDB's sum is a HUGEINT). -#}
{% macro confluence_count_if(condition) -%}
    cast(sum(case when {{ condition }} then 1 else 0 end) as {{ dbt.type_bigint() }})
{%- endmacro %}


{#- The loader's bookkeeping columns every staging model carries (Airbyte destinations and
    PyAirbyte both write `_airbyte_extracted_at` and `_airbyte_raw_id`; only destinations write
    `_airbyte_generation_id`). -#}
{% macro confluence_airbyte_columns(relation) -%}
        {{ confluence_optional_column(relation, '_airbyte_generation_id', dbt.type_bigint()) }} as airbyte_generation_id,
        {{ confluence_to_utc_timestamp('_airbyte_extracted_at') }} as airbyte_extracted_at,
        cast(_airbyte_raw_id as {{ dbt.type_string() }}) as airbyte_raw_id
{%- endmacro %}

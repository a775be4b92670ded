{#-
    Streams a sync may leave out (content_versions with `version_history: none`, content_views
    without `page_views`, any stream not selected) have no raw table. Their base models must still
    build, empty, so the marts reading them fall back to what the other streams give.
-#}

{#- Whether the raw table of a source relation exists. True for unit-test fixtures (strings, or
    the CTEs dbt 1.11 puts in their place) and at parse time, when nothing is queried. -#}
{% macro confluence_source_exists(relation) -%}
    {%- if execute and relation is not string and relation.type != 'cte' -%}
        {%- set found = adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
        {{ return(found is not none) }}
    {%- endif -%}
    {{ return(true) }}
{%- endmacro %}


{#- A select with the raw columns of `entity` and the loader's, typed, and no rows. -#}
{% macro confluence_no_rows(entity) -%}
    select
        {%- for column in entity.columns %}
        cast(null as {{ confluence_data_type(column.type) }}) as {{ confluence_raw_name(column) }},
        {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as _airbyte_raw_id,
        cast(null as {{ dbt.type_timestamp() }}) as _airbyte_extracted_at,
        cast(null as {{ dbt.type_bigint() }}) as _airbyte_generation_id
    where 1 = 0
{%- endmacro %}

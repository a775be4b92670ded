{#-
    What the warehouse saw of pages, blog posts, comments and attachments, whatever the loader keeps.

    An append loader (the project's pipeline, Airbyte "Incremental | Append") keeps every row it
    loaded; an append + dedup loader (Airbyte's default, PyAirbyte's merge) keeps one row per id,
    so a deleted version replaces the live one. The snapshots in snapshots/ record, at every build,
    the latest row of each id (its descriptive columns, not the bodies); staging reads the raw rows
    plus the snapshot rows the raw table no longer holds, and so sees the same versions with either
    loader, as long as a build ran while each version was in the table.
-#}

{#- Raw columns of `stream` the history does not keep (large, and only the latest version's matter). -#}
{% macro confluence_history_omitted_columns(stream) -%}
    {%- set omitted = [] -%}
    {%- for column in confluence_entity(stream).columns if column.get('history', true) is false -%}
        {%- do omitted.append(confluence_raw_name(column)) -%}
    {%- endfor -%}
    {{ return(omitted) }}
{%- endmacro %}


{#- Raw columns of `stream` the history keeps: the entity's columns (macros/entities/) without the omitted ones. -#}
{% macro confluence_history_columns(stream) -%}
    {%- set kept = [] -%}
    {%- for column in confluence_entity(stream).columns if column.get('history', true) is not false -%}
        {%- do kept.append(confluence_raw_name(column)) -%}
    {%- endfor -%}
    {{ return(kept) }}
{%- endmacro %}


{#- The select a history snapshot takes: the latest row of every id of the raw table (the same
    order as staging: version time, then load time), with its loader bookkeeping. -#}
{% macro confluence_history_snapshot(stream) -%}
    {%- set relation = source('confluence', stream) -%}
    select
        {{ confluence_history_columns(stream) | join(',\n        ') }},
        _airbyte_raw_id,
        _airbyte_extracted_at,
        {{ confluence_optional_column(relation, '_airbyte_generation_id', dbt.type_bigint()) }} as _airbyte_generation_id
    from (
        select
            loaded.*,
            row_number() over (
                partition by id
                order by {{ confluence_to_utc_timestamp('updated_at') }} desc nulls last,
                    _airbyte_extracted_at desc, _airbyte_raw_id desc
            ) as confluence_row_rank
        from {{ relation }} as loaded
    ) as ranked
    where confluence_row_rank = 1
{%- endmacro %}


{#- Every row version of `stream` the warehouse saw, in the raw table's columns: the raw rows, then
    the `history` snapshot rows the raw table no longer holds (their omitted columns null), for ids
    the raw table still holds (an id a full refresh dropped stays dropped). A select statement. -#}
{% macro confluence_loaded_versions(stream, history) -%}
    {%- set relation = source('confluence', stream) -%}
    {%- set omitted = confluence_history_omitted_columns(stream) -%}
    select
        {{ confluence_history_columns(stream) | join(', ') }},
        {% for column in omitted -%}
        {{ column }},
        {% endfor -%}
        _airbyte_raw_id,
        _airbyte_extracted_at,
        {{ confluence_optional_column(relation, '_airbyte_generation_id', dbt.type_bigint()) }} as _airbyte_generation_id
    from {{ relation }}

    union all

    select
        {% for column in confluence_history_columns(stream) -%}
        history.{{ column }},
        {% endfor -%}
        {% for column in omitted -%}
        cast(null as {{ dbt.type_string() }}) as {{ column }},
        {% endfor -%}
        history._airbyte_raw_id,
        history._airbyte_extracted_at,
        history._airbyte_generation_id
    from {{ history }} as history
    where not exists (
        select 1 from {{ relation }} as loaded where loaded._airbyte_raw_id = history._airbyte_raw_id
    )
      and exists (
        select 1 from {{ relation }} as loaded where loaded.id = history.id
    )
{%- endmacro %}

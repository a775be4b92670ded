{#- Helpers of the LLM-ready documents (confluence__documents), per adapter. -#}

{#- A line break inside SQL text (chr(10) is the same on DuckDB, PostgreSQL and Snowflake). -#}
{% macro confluence_newline() -%}
    chr(10)
{%- endmacro %}


{#- The values of a group as a compact JSON array text, sorted byte-wise, the same text on DuckDB
    and PostgreSQL (their JSON functions escape quotes and backslashes); null on an empty group. -#}
{% macro confluence_json_array_agg(expression) -%}
    {{ return(adapter.dispatch('confluence_json_array_agg', 'confluence')(expression)) }}
{%- endmacro %}

{% macro default__confluence_json_array_agg(expression) -%}
    {{ exceptions.raise_compiler_error(
        "confluence__documents builds its JSON arrays on DuckDB and PostgreSQL only, not on " ~ target.type ~ ".") }}
{%- endmacro %}

{% macro duckdb__confluence_json_array_agg(expression) -%}
    cast(to_json(list({{ expression }} order by {{ expression }})) as {{ dbt.type_string() }})
{%- endmacro %}

{#- Built by hand around to_json so the text is compact, as DuckDB's (json_agg puts spaces after
    commas), and sorted byte-wise (collation "C") as DuckDB sorts. -#}
{% macro postgres__confluence_json_array_agg(expression) -%}
    '[' || string_agg(cast(to_json(cast({{ expression }} as text)) as text), ','
        order by cast({{ expression }} as text) collate "C") || ']'
{%- endmacro %}


{#- One Markdown line per aggregated row, in order, lines separated by `separator_lines` line breaks. -#}
{% macro confluence_text_agg(expression, order_by, separator_lines=1) -%}
    {%- set separator = ([confluence_newline()] * separator_lines) | join(' || ') -%}
    {{ dbt.listagg(expression, separator, 'order by ' ~ order_by) }}
{%- endmacro %}

{#-
    Helpers of the compatibility views (models/compat/): the nested objects and timestamp strings of
    the records of Airbyte's own Confluence connector (source-confluence 1.x), per adapter.
-#}

{#- A JSON object from [(key, sql expression), ...]; null values are kept as JSON null. -#}
{% macro confluence_compat_json_object(pairs) -%}
    {{ return(adapter.dispatch('confluence_compat_json_object', 'confluence')(pairs)) }}
{%- endmacro %}

{% macro default__confluence_compat_json_object(pairs) -%}
    {{ exceptions.raise_compiler_error(
        "The compatibility views (var confluence_official_compat) build JSON objects on DuckDB, "
        ~ "PostgreSQL, Snowflake and BigQuery only, not on " ~ target.type ~ ".") }}
{%- endmacro %}

{% macro _confluence_compat_pairs(pairs) -%}
    {%- for key, expression in pairs -%}
        '{{ key }}', {{ expression }}{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{% macro duckdb__confluence_compat_json_object(pairs) -%}
    json_object({{ _confluence_compat_pairs(pairs) }})
{%- endmacro %}

{% macro postgres__confluence_compat_json_object(pairs) -%}
    jsonb_build_object({{ _confluence_compat_pairs(pairs) }})
{%- endmacro %}

{% macro snowflake__confluence_compat_json_object(pairs) -%}
    object_construct_keep_null({{ _confluence_compat_pairs(pairs) }})
{%- endmacro %}

{% macro bigquery__confluence_compat_json_object(pairs) -%}
    json_object({{ _confluence_compat_pairs(pairs) }})
{%- endmacro %}


{#- A UTC timestamp (as staging exposes them) as the API writes it: 2024-05-01T10:00:00.000Z. -#}
{% macro confluence_compat_iso8601(expression) -%}
    {{ return(adapter.dispatch('confluence_compat_iso8601', 'confluence')(expression)) }}
{%- endmacro %}

{% macro default__confluence_compat_iso8601(expression) -%}
    {{ exceptions.raise_compiler_error(
        "The compatibility views format timestamps on DuckDB, PostgreSQL, Snowflake and BigQuery only, not on "
        ~ target.type ~ ".") }}
{%- endmacro %}

{% macro duckdb__confluence_compat_iso8601(expression) -%}
    strftime({{ expression }}, '%Y-%m-%dT%H:%M:%S.%gZ')
{%- endmacro %}

{% macro postgres__confluence_compat_iso8601(expression) -%}
    to_char({{ expression }}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
{%- endmacro %}

{% macro snowflake__confluence_compat_iso8601(expression) -%}
    to_char({{ expression }}, 'YYYY-MM-DD"T"HH24:MI:SS.FF3"Z"')
{%- endmacro %}

{% macro bigquery__confluence_compat_iso8601(expression) -%}
    format_timestamp('%Y-%m-%dT%H:%M:%E3SZ', {{ expression }})
{%- endmacro %}


{#- The API's `_links.webui` of a record: its path below the Cloud site's /wiki (Data Center links,
    which have no /wiki, stay absolute). -#}
{% macro confluence_compat_webui(web_url) -%}
    regexp_replace({{ web_url }}, '^https?://[^/]+/wiki', '')
{%- endmacro %}


{#- Config shared by the compatibility views: opt-in, views, in their own schema, named as the
    streams of source-confluence 1.x. -#}
{% macro confluence_compat_config(stream) -%}
    {{ config(
        enabled=var('confluence_official_compat', false),
        materialized='view',
        schema=var('confluence_official_compat_schema', 'confluence_v1'),
        alias=stream
    ) }}
{%- endmacro %}


{#- The API's `version` object of a page or blog post. -#}
{% macro confluence_compat_version() -%}
    {{ confluence_compat_json_object([
        ('createdAt', confluence_compat_iso8601('updated_at')),
        ('message', 'version_message'),
        ('number', 'version_number'),
        ('minorEdit', 'is_minor_edit'),
        ('authorId', 'version_author_account_id'),
    ]) }}
{%- endmacro %}


{#- The API's `body` object: the storage format when the sync read bodies, else empty (as the 1.x
    connector's rows are: it asked for no body format). -#}
{% macro confluence_compat_body() -%}
    case when body_storage is null then {{ confluence_compat_json_object([]) }} else
        {{ confluence_compat_json_object([('storage', confluence_compat_json_object([
            ('value', 'body_storage'), ('representation', "'storage'")]))]) }}
    end
{%- endmacro %}

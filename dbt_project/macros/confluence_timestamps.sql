{#-
    Timestamps: every timestamp the models expose is a UTC timestamp without time zone, whatever
    the loader wrote (timestamp with time zone, or an ISO-8601 string). Converting needs different
    syntax per adapter, hence the dispatch.
-#}
{% macro confluence_to_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('confluence_to_utc_timestamp', 'confluence')(expression)) }}
{%- endmacro %}

{% macro default__confluence_to_utc_timestamp(expression) -%}
    cast({{ expression }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro postgres__confluence_to_utc_timestamp(expression) -%}
    (cast({{ expression }} as timestamp with time zone) at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__confluence_to_utc_timestamp(expression) -%}
    (cast({{ expression }} as timestamp with time zone) at time zone 'UTC')
{%- endmacro %}

{% macro snowflake__confluence_to_utc_timestamp(expression) -%}
    cast(convert_timezone('UTC', cast({{ expression }} as timestamp_tz)) as timestamp_ntz)
{%- endmacro %}


{#- The reference "now": var('as_of') when set (a 'YYYY-MM-DD HH:MM:SS' UTC string), else the
    current timestamp in UTC. -#}
{% macro confluence_as_of() -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if as_of -%}
        cast('{{ as_of }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        {{ confluence_to_utc_timestamp(dbt.current_timestamp()) }}
    {%- endif -%}
{%- endmacro %}


{#- Calendar days (UTC dates) from `expression` to the reference "now": the age that staleness is
    measured in. -#}
{% macro confluence_days_since(expression) -%}
    {{ dbt.datediff('cast(' ~ expression ~ ' as date)', 'cast(' ~ confluence_as_of() ~ ' as date)', 'day') }}
{%- endmacro %}


{#- First day (a date) of the week or month holding `expression`. Weeks start on Monday. -#}
{% macro confluence_period_start(datepart, expression) -%}
    {{ return(adapter.dispatch('confluence_period_start', 'confluence')(datepart, expression)) }}
{%- endmacro %}

{% macro default__confluence_period_start(datepart, expression) -%}
    cast({{ dbt.date_trunc(datepart, expression) }} as date)
{%- endmacro %}

{% macro bigquery__confluence_period_start(datepart, expression) -%}
    {#- BigQuery's `week` starts on Sunday; `isoweek` starts on Monday like the other adapters. -#}
    date_trunc(cast({{ expression }} as date), {{ 'isoweek' if datepart == 'week' else datepart }})
{%- endmacro %}

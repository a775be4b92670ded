{#-
    Integers 0 .. upper_bound - 1 as column `period_index`, built from cross-joined digits so that
    it needs no generate_series (which not every warehouse has).
-#}
{% macro confluence_integers(upper_bound) -%}
    {%- set ns = namespace(positions=1) -%}
    {%- for _ in range(18) -%}
        {%- if 10 ** ns.positions < upper_bound -%}
            {%- set ns.positions = ns.positions + 1 -%}
        {%- endif -%}
    {%- endfor -%}
    select period_index from (
        select
            {% for position in range(ns.positions) -%}
            digits_{{ position }}.digit * {{ 10 ** position }}{{ ' +' if not loop.last }}
            {% endfor -%}
            as period_index
        from
            {% for position in range(ns.positions) -%}
            (
                {%- for digit in range(10) %}
                select {{ digit }} as digit{{ ' union all' if not loop.last }}
                {%- endfor %}
            ) as digits_{{ position }}{{ ' cross join' if not loop.last }}
            {% endfor %}
    ) as confluence_integers
    where period_index < {{ upper_bound }}
{%- endmacro %}


{#-
    Date spine: one row per `datepart` (week or month) from `start_column` to `end_column`
    (both inclusive, both dates that are period starts), read from the one-row relation
    `bounds_relation` (usually a CTE). Output column: period_start (date).
    Yields no row when the bounds are null.
-#}
{% macro confluence_date_spine(datepart, bounds_relation, start_column='spine_start', end_column='spine_end', max_periods=none) -%}
    {%- set upper_bound = max_periods or var('date_spine_max_periods', 5000) -%}
    {%- set start_expr = bounds_relation ~ '.' ~ start_column -%}
    {%- set period_expr = dbt.dateadd(datepart, 'spine_numbers.period_index', start_expr) -%}
    select cast({{ period_expr }} as date) as period_start
    from {{ bounds_relation }}
    cross join ({{ confluence_integers(upper_bound) }}) as spine_numbers
    where {{ bounds_relation }}.{{ start_column }} is not null
      and cast({{ period_expr }} as date) <= {{ bounds_relation }}.{{ end_column }}
{%- endmacro %}

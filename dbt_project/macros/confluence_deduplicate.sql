{#-
    Latest version of every record of an append-mode table.

    `relation` (usually a CTE) holds one row per loaded record version with the columns `key`,
    every name in `columns`, `airbyte_extracted_at` and `airbyte_raw_id`. The loaders append a new
    row each time a record is re-read, so a key can have many rows.

    The latest row per `key` is the first in `order_by` (e.g. updated_at, then
    airbyte_extracted_at; nulls sort last), with airbyte_raw_id as the final tie-breaker so the
    choice is deterministic.

    When `deleted_flag` names a boolean column (true for trashed/purged versions):
      * a tombstone (purged content arrives with few fields set) keeps the values of the last
        live version for every column in `backfill_columns`;
      * last_live_extracted_at  : when the record was last loaded while live (null = never);
      * deletion_detected_at    : first load, after that, of a deleted version (null while live).
    Always: first_extracted_at (first load of the key) and loaded_row_count (rows per key).

    Returns a select statement (no WITH, so it can sit inside a CTE on any adapter).
-#}
{% macro confluence_deduplicate(relation, key, columns, order_by, backfill_columns=[], deleted_flag=none) -%}
    {%- set ordering -%}
        {%- for column in order_by -%}{{ column }} desc nulls last, {% endfor -%}airbyte_raw_id desc
    {%- endset -%}
    select
        latest.{{ key }},
        {%- for column in columns %}
        {%- if column in backfill_columns and deleted_flag %}
        coalesce(latest.{{ column }}, last_live.{{ column }}) as {{ column }},
        {%- else %}
        latest.{{ column }},
        {%- endif %}
        {%- endfor %}
        latest.airbyte_extracted_at,
        latest.airbyte_raw_id,
        loads.first_extracted_at,
        {%- if deleted_flag %}
        loads.last_live_extracted_at,
        deletions.deletion_detected_at,
        {%- endif %}
        loads.loaded_row_count
    from (
        select
            versions.*,
            row_number() over (partition by {{ key }} order by {{ ordering }}) as confluence_version_rank
        from {{ relation }} as versions
    ) as latest
    inner join (
        select
            {{ key }},
            min(airbyte_extracted_at) as first_extracted_at,
            {%- if deleted_flag %}
            max(case when not {{ deleted_flag }} then airbyte_extracted_at end) as last_live_extracted_at,
            {%- endif %}
            count(*) as loaded_row_count
        from {{ relation }}
        group by {{ key }}
    ) as loads
        on loads.{{ key }} = latest.{{ key }}
    {%- if deleted_flag %}
    left join (
        select
            versions.*,
            row_number() over (partition by {{ key }} order by {{ ordering }}) as confluence_live_rank
        from {{ relation }} as versions
        where not {{ deleted_flag }}
    ) as last_live
        on last_live.{{ key }} = latest.{{ key }}
        and last_live.confluence_live_rank = 1
    left join (
        select
            versions.{{ key }},
            min(versions.airbyte_extracted_at) as deletion_detected_at
        from {{ relation }} as versions
        inner join (
            select {{ key }}, max(case when not {{ deleted_flag }} then airbyte_extracted_at end) as last_live_at
            from {{ relation }}
            group by {{ key }}
        ) as live_loads
            on live_loads.{{ key }} = versions.{{ key }}
        where versions.{{ deleted_flag }}
          and (live_loads.last_live_at is null or versions.airbyte_extracted_at > live_loads.last_live_at)
        group by versions.{{ key }}
    ) as deletions
        on deletions.{{ key }} = latest.{{ key }}
    {%- endif %}
    where latest.confluence_version_rank = 1
{%- endmacro %}

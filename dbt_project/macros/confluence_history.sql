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
    {{ return([] if stream == 'attachments' else ['body_storage', 'body_text']) }}
{%- endmacro %}


{#- Raw columns of `stream` the history keeps: the stream's columns without the omitted ones. -#}
{% macro confluence_history_columns(stream) -%}
    {%- set columns = {
        'pages': [
            'id', 'space_id', 'title', 'status', 'parent_id', 'parent_type', 'position', 'author_id',
            'owner_id', 'created_at', 'updated_at', 'version_number', 'version_author_id',
            'version_message', 'minor_edit', 'word_count', 'web_url', 'deleted_at'
        ],
        'blog_posts': [
            'id', 'space_id', 'title', 'status', 'author_id', 'owner_id', 'created_at', 'updated_at',
            'version_number', 'version_author_id', 'version_message', 'minor_edit', 'word_count',
            'web_url', 'deleted_at'
        ],
        'comments': [
            'id', 'comment_type', 'container_id', 'container_type', 'space_id', 'parent_comment_id',
            'status', 'resolution_status', 'inline_original_selection', 'title', 'author_id',
            'created_at', 'updated_at', 'version_number', 'web_url', 'deleted_at'
        ],
        'attachments': [
            'id', 'title', 'media_type', 'file_size', 'comment', 'container_id', 'container_type',
            'space_id', 'status', 'author_id', 'created_at', 'updated_at', 'version_number',
            'download_url', 'web_url', 'deleted_at'
        ],
    } -%}
    {{ return(columns[stream]) }}
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

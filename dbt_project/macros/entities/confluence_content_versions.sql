{#- The content_versions stream: one row per version of a page, blog post, comment or attachment
    (column keys: see confluence_pages_entity). `table_optional`: the table may be absent (the stream not
    synced, `version_history: none`); the base model is then empty. -#}
{% macro confluence_content_versions_entity() -%}
    {{ return({
        'stream': 'content_versions',
        'version_order': ['created_at'],
        'history': false,
        'deletions': false,
        'table_optional': true,
        'columns': [
            {'name': 'content_version_id', 'source': 'id', 'type': 'string'},
            {'name': 'content_id', 'type': 'string'},
            {'name': 'content_type', 'type': 'string', 'lower': true},
            {'name': 'container_id', 'type': 'string'},
            {'name': 'container_type', 'type': 'string', 'lower': true},
            {'name': 'space_id', 'type': 'string'},
            {'name': 'version_number', 'type': 'bigint'},
            {'name': 'author_account_id', 'source': 'author_id', 'type': 'string'},
            {'name': 'created_at', 'type': 'timestamp'},
            {'name': 'version_message', 'source': 'message', 'type': 'string'},
            {'name': 'is_minor_edit', 'source': 'minor_edit', 'type': 'boolean'},
        ],
    }) }}
{%- endmacro %}

{#- The content_views stream (Cloud): view and distinct viewer counts per page or blog post, one
    row per count read (column keys: see confluence_pages_entity). `table_optional`: the table is absent
    unless `page_views` is on. -#}
{% macro confluence_content_views_entity() -%}
    {{ return({
        'stream': 'content_views',
        'version_order': ['counted_at'],
        'history': false,
        'deletions': false,
        'table_optional': true,
        'columns': [
            {'name': 'content_id', 'type': 'string'},
            {'name': 'content_type', 'type': 'string', 'lower': true},
            {'name': 'space_id', 'type': 'string'},
            {'name': 'view_count', 'source': 'views', 'type': 'bigint'},
            {'name': 'viewer_count', 'source': 'viewers', 'type': 'bigint'},
            {'name': 'counted_from', 'type': 'timestamp'},
            {'name': 'counted_at', 'type': 'timestamp'},
        ],
    }) }}
{%- endmacro %}

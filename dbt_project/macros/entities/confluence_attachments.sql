{#- The attachments stream: metadata, and the file's text when attachment_text is on (column keys:
    see confluence_pages_entity). -#}
{% macro confluence_attachments_entity() -%}
    {{ return({
        'stream': 'attachments',
        'version_order': ['updated_at'],
        'history': true,
        'deletions': true,
        'columns': [
            {'name': 'attachment_id', 'source': 'id', 'type': 'string'},
            {'name': 'file_name', 'source': 'title', 'type': 'string', 'backfill': true},
            {'name': 'media_type', 'type': 'string', 'backfill': true},
            {'name': 'file_size_bytes', 'source': 'file_size', 'type': 'bigint'},
            {'name': 'attachment_comment', 'source': 'comment', 'type': 'string'},
            {'name': 'container_id', 'type': 'string', 'backfill': true},
            {'name': 'container_type', 'type': 'string', 'lower': true, 'backfill': true},
            {'name': 'space_id', 'type': 'string', 'backfill': true},
            {'name': 'status', 'type': 'string', 'lower': true},
            {'name': 'author_account_id', 'source': 'author_id', 'type': 'string', 'backfill': true},
            {'name': 'created_at', 'type': 'timestamp', 'backfill': true},
            {'name': 'updated_at', 'type': 'timestamp'},
            {'name': 'version_number', 'type': 'bigint'},
            {'name': 'download_url', 'type': 'string'},
            {'name': 'web_url', 'type': 'string', 'backfill': true},
            {'name': 'deleted_at', 'type': 'timestamp'},
            {'name': 'text_content', 'type': 'string', 'history': false},
            {'name': 'text_extracted_at', 'type': 'timestamp'},
            {'name': 'text_status', 'type': 'string'},
        ],
    }) }}
{%- endmacro %}

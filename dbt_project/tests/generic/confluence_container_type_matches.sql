{#-
    Fails for every row whose container (`column_name`) is in `to` (key `field`) with another type
    than the row's `type_column` says (`to_type_field` in `to`).

    Comments, tasks and attachments are listed whatever their container's status, while the first
    sync skips archived pages and blog posts (include_archived false), so a container missing from
    content is expected; a container that is there must be the page or blog post the row names.
-#}
{% test confluence_container_type_matches(model, column_name, type_column, to, field, to_type_field) %}

select rows_with_container.{{ column_name }}, rows_with_container.{{ type_column }}, containers.{{ to_type_field }}
from {{ model }} as rows_with_container
inner join {{ to }} as containers
    on containers.{{ field }} = rows_with_container.{{ column_name }}
where rows_with_container.{{ type_column }} is not null
  and containers.{{ to_type_field }} <> rows_with_container.{{ type_column }}

{% endtest %}

{#- Fails for every combination of `combination_of_columns` that appears more than once (nulls compare equal). -#}
{% test confluence_unique_combination(model, combination_of_columns) %}

select
    {{ combination_of_columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}

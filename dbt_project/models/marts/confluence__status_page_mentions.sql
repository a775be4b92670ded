{#-
    How many project status pages mention the watched keywords ('delayed', 'at risk' by default),
    per space and month of their latest update. Rules: models/docs/marts.md
    (confluence__status_page_mentions).
-#}
{%- set keywords = var('status_mention_keywords') -%}
{%- set status_labels = var('status_page_labels') -%}
{%- set title_words = var('status_page_title_words') -%}
{%- set mention_flags = [] -%}
{%- for keyword in keywords %}{% do mention_flags.append('mentions_' ~ loop.index) %}{% endfor -%}
{%- set any_mention = '(' ~ (mention_flags | join(' or ') if mention_flags else 'false') ~ ')' -%}
with content as (

    select content_id, content_type, space_id, space_key, title, updated_at
    from {{ ref('confluence__content_enhanced') }}

),

bodies as (

    select page_id as content_id, body_text from {{ ref('stg_confluence__pages') }}
    union all
    select blog_post_id as content_id, body_text from {{ ref('stg_confluence__blog_posts') }}

),

labelled as (

    select distinct content_id
    from {{ ref('stg_confluence__content_labels') }}
    where lower(label_name) in (
        {%- for label in status_labels %}'{{ label | lower | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%}
        {%- if not status_labels %}null{% endif -%}
    )

),

status_pages as (

    select
        content.content_id,
        content.space_id,
        content.space_key,
        {{ confluence_period_start('month', 'content.updated_at') }} as month_start,
        lower({{ dbt.concat(["coalesce(content.title, '')", "' '", "coalesce(bodies.body_text, '')"]) }}) as searched_text
    from content
    left join bodies
        on bodies.content_id = content.content_id
    where content.updated_at is not null
      and (
        content.content_id in (select content_id from labelled)
        {%- for word in title_words %}
        or {{ dbt.position("'" ~ (word | lower | replace("'", "''")) ~ "'", 'lower(content.title)') }} > 0
        {%- endfor %}
      )

),

matched as (

    select
        status_pages.*,
        {%- for keyword in keywords %}
        ({{ dbt.position("'" ~ (keyword | lower | replace("'", "''")) ~ "'", 'searched_text') }} > 0) as mentions_{{ loop.index }}{{ "," if not loop.last }}
        {%- endfor %}
        {%- if not keywords %}
        false as mentions_none{% endif %}
    from status_pages

)

select
    cast({{ dbt.concat(['space_id', "':'", 'cast(month_start as ' ~ dbt.type_string() ~ ')']) }} as {{ dbt.type_string() }}) as space_month_id,
    space_id,
    max(space_key) as space_key,
    month_start,
    count(*) as status_page_count,
    {{ confluence_count_if(any_mention) }} as mentioning_page_count
from matched
group by space_id, month_start

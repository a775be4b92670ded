{#- Every row of the raw `blog_posts` table seen by a build (see macros/confluence_history.sql). -#}
{% snapshot confluence__blog_posts_history %}
    {{ config(unique_key='id', strategy='check', check_cols=['_airbyte_raw_id']) }}
    {{ confluence_history_snapshot('blog_posts') }}
{% endsnapshot %}

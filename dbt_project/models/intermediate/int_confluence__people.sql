{#- Every account that appears anywhere, with the name to show for it. -#}
{%- set references = [
    ('stg_confluence__pages', ['author_account_id', 'owner_account_id', 'version_author_account_id']),
    ('stg_confluence__blog_posts', ['author_account_id', 'owner_account_id', 'version_author_account_id']),
    ('stg_confluence__comments', ['author_account_id']),
    ('stg_confluence__tasks', ['created_by_account_id', 'assignee_account_id', 'completed_by_account_id']),
    ('stg_confluence__attachments', ['author_account_id']),
    ('stg_confluence__spaces', ['author_account_id']),
] -%}

with users as (

    select * from {{ ref('stg_confluence__users') }}

),

referenced as (

    {% for model, columns in references %}
    {% for column in columns %}
    select {{ column }} as account_id from {{ ref(model) }} where {{ column }} is not null
    {% if not loop.last %}union{% endif %}
    {% endfor %}
    {% if not loop.last %}union{% endif %}
    {% endfor %}

),

accounts as (

    select account_id from users
    union
    select account_id from referenced

)

select
    accounts.account_id,
    coalesce(users.display_name, users.public_name, accounts.account_id) as display_name,
    users.public_name,
    users.email,
    users.account_type,
    users.account_status,
    coalesce(users.is_active, false) as is_active,
    users.profile_url,
    (users.account_id is not null) as is_known_user

from accounts
left join users
    on users.account_id = accounts.account_id

{#- Markdown heading levels inside the LLM-ready documents (confluence__documents). -#}

{#- `expression` (Markdown text as the connector renders body_text) with every ATX heading line
    (0-3 spaces, 1-6 `#`, a space) outside fenced code blocks made `levels` deeper, so a body's
    headings nest under the heading the document puts above it ("# Title" -> body "# Section"
    becomes "## Section"); a level that would pass 6 (Markdown's deepest) becomes 6. Code is left
    untouched: one regular expression matches either a whole fenced block (kept as matched) or a
    heading's first `#` (repeated as many times as needed); without back-references a fence closes
    on a line of exactly its own length, spelled out for 3 to 8 backticks (the connector makes a
    fence longer than any backtick run in its code). -#}
{% macro confluence_shift_markdown_headings(expression, levels) -%}
    {%- set line_prefix -%}(?:[ ]|- |[0-9]+\. |\[[ x]\] )*{%- endset -%}
    {%- set fence_rest -%}(?:[^`\n][^\n]*)?\n(?:[^\n]*\n)*?[ ]*{%- endset -%}
    {%- set fence_end -%}[ \t]*${%- endset -%}
    {%- set fences = [] -%}
    {%- for length in range(8, 2, -1) -%}
        {%- do fences.append(('`' * length) ~ fence_rest ~ ('`' * length) ~ fence_end) -%}
    {%- endfor -%}
    {#- A heading that can go `levels` deeper, then one that would pass 6 and becomes 6. -#}
    {%- set headings -%}|^( {0,3})(#)(#{0,DEEPEST}[ \t])|^( {0,3})(#)#{CAPPED,5}([ \t]){%- endset -%}
    {%- set pattern = '(^' ~ line_prefix ~ '(?:' ~ (fences | join('|')) ~ '))'
        ~ headings.replace('DEEPEST', (5 - levels) | string).replace('CAPPED', (6 - levels) | string) -%}
    {%- set groups -%}\1 \2 \3 \4 \5 \6 \7{%- endset -%}
    {%- set group = groups.split(' ') -%}
    {%- set replacement = group[0] ~ group[1] ~ (group[2] * (levels + 1)) ~ group[3]
        ~ group[4] ~ (group[5] * 6) ~ group[6] -%}
    {{ return(adapter.dispatch('confluence_shift_markdown_headings', 'confluence')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__confluence_shift_markdown_headings(expression, pattern, replacement) -%}
    {{ exceptions.raise_compiler_error(
        "confluence__documents shifts Markdown headings on DuckDB and PostgreSQL only, not on " ~ target.type ~ ".") }}
{%- endmacro %}

{#- RE2: (?m) lets ^ and $ match at every line; alternatives are tried leftmost-first. -#}
{% macro duckdb__confluence_shift_markdown_headings(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '(?m){{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{#- PostgreSQL: (?n) is the same newline-sensitive matching; an expression whose top level is an
    alternation would take the longest match (a fence running on to the last closing fence of its
    length, swallowing the headings between blocks), so the whole is made non-greedy with {1,1}?. -#}
{% macro postgres__confluence_shift_markdown_headings(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '(?n)(?:{{ pattern }}){1,1}?', '{{ replacement }}', 'g')
{%- endmacro %}

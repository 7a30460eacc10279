{#- The model has between min_rows and max_rows rows (either bound optional). -#}
{% test row_count_between(model, min_rows=none, max_rows=none) %}

with

counted as (

    select count(*) as row_count from {{ model }}

)

select row_count
from counted
where false
    {%- if min_rows is not none %} or row_count < {{ min_rows }}{% endif %}
    {%- if max_rows is not none %} or row_count > {{ max_rows }}{% endif %}

{% endtest %}

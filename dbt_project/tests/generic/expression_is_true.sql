{#- Every row (optionally: every row matching `where`) satisfies the SQL expression.
    A NULL result counts as a failure unless the expression handles it. -#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}

{#- An area dimension (dim_regions, dim_districts): the reference seed of the level's areas
    (`regions` or `districts`) with `columns` (names or "expression as name"), and the area's
    population and its year from int_area_populations. -#}
{% macro area_dimension(area_level, columns) %}
    with

    areas as (

        select * from {{ ref(area_level ~ 's') }}

    ),

    populations as (

        select * from {{ ref('int_area_populations') }}
        where area_level = '{{ area_level }}'

    ),

    final as (

        select
            {%- for column in columns %}
            areas.{{ column }},
            {%- endfor %}
            populations.population,
            populations.population_year
        from areas
        left join populations on areas.{{ area_level }}_code = populations.{{ area_level }}_code

    )

    select * from final
{% endmacro %}

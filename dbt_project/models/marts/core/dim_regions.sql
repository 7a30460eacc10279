{{ config(alias='regions') }}

with

regions as (

    select * from {{ ref('regions') }}

),

populations as (

    select * from {{ ref('int_area_populations') }}
    where area_level = 'region'

),

final as (

    select
        regions.region_code,
        regions.name_en,
        regions.name_ru,
        regions.name_ky,
        regions.kind as region_kind,
        populations.population,
        populations.population_year
    from regions
    left join populations on regions.region_code = populations.region_code

)

select * from final

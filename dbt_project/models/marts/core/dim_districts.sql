{{ config(alias='districts') }}

with

districts as (

    select * from {{ ref('districts') }}

),

populations as (

    select * from {{ ref('int_area_populations') }}
    where area_level = 'district'

),

final as (

    select
        districts.district_code,
        districts.region_code,
        districts.name_en,
        districts.name_ru,
        districts.name_ky,
        populations.population,
        populations.population_year
    from districts
    left join populations on districts.district_code = populations.district_code

)

select * from final

-- One row per area (the nation, each region, each district) with the population used for
-- rates: the as-of year's figure, else the latest earlier year, else the earliest published.
with

population as (

    select * from {{ ref('population') }}

),

regions as (

    select * from {{ ref('regions') }}

),

districts as (

    select * from {{ ref('districts') }}

),

ranked as (

    select
        area_code,
        year as population_year,
        population,
        row_number() over (
            partition by area_code
            order by year <= year({{ as_of_date() }}) desc, abs(year - year({{ as_of_date() }}))
        ) as preference
    from population

),

chosen as (

    select * from ranked where preference = 1

),

areas as (

    select 'region' as area_level, regions.region_code, null as district_code, chosen.population_year, chosen.population
    from regions
    left join chosen on regions.region_code = chosen.area_code

    union all

    select 'district', districts.region_code, districts.district_code, chosen.population_year, chosen.population
    from districts
    left join chosen on districts.district_code = chosen.area_code

),

nation as (

    select 'nation' as area_level, null as region_code, null as district_code,
        max(population_year) as population_year, sum(population) as population
    from areas
    where area_level = 'region'

),

final as (

    select * from areas
    union all
    select * from nation

)

select * from final

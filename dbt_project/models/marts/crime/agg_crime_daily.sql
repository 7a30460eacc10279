with

crime_reports as (

    select * from {{ ref('fct_crime_reports') }}
    where registered_date <= {{ as_of_date() }}

),

final as (

    select
        registered_date as date_day,
        region_code,
        district_code,
        offence_code,
        count(*) as crimes_registered,
        count(*) filter (where is_cleared) as crimes_cleared,
        count(*) filter (where is_victim_minor) as crimes_against_minors,
        count(*) filter (where is_domestic_violence) as dv_crimes,
        count(*) filter (where is_public_place) as public_place_crimes,
        count(*) filter (where is_public_place and is_cleared) as public_place_crimes_cleared,
        count(*) filter (where is_public_place and is_cleared_with_camera_evidence)
            as public_place_cleared_with_camera
    from crime_reports
    group by all

)

select * from final

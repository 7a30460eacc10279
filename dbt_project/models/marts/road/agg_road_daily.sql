with

road_incidents as (

    select * from {{ ref('fct_road_incidents') }}
    where occurred_date <= {{ as_of_date() }}

),

final as (

    select
        occurred_date as date_day,
        region_code,
        district_code,
        cause,
        count(*) as incidents,
        count(*) filter (where is_fatal) as fatal_incidents,
        sum(killed) as killed,
        sum(injured) as injured,
        sum(seriously_injured) as seriously_injured,
        sum(killed_or_seriously_injured) as ksi,
        sum(children_hurt) as children_hurt,
        count(*) filter (where has_camera_coverage) as incidents_with_camera_coverage,
        count(*) filter (where not has_camera_coverage) as incidents_without_camera_coverage,
        count(*) filter (where has_camera_coverage is null) as incidents_coverage_unknown,
        bool_or(is_special_period) as is_special_period
    from road_incidents
    group by all

)

select * from final

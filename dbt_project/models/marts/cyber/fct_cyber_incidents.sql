with

incidents as (

    select * from {{ ref('stg_lake__cyber_incidents') }}

),

final as (

    select
        incident_id,
        system,
        incident_type,
        impact,
        region_code,
        detected_at,
        detected_date,
        contained_at,
        contained_at is not null as is_contained,
        round(date_diff('minute', detected_at, contained_at) / 60.0, 2) as hours_to_contain
    from incidents

)

select * from final

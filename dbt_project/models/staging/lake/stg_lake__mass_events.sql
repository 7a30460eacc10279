with

source as (

    select * from {{ lake_source('mass_event') }}

),

final as (

    select
        event_id as mass_event_id,
        region_code,
        district_code,
        venue,
        event_type,
        {{ to_local('starts_at') }} as starts_at,
        cast({{ to_local('starts_at') }} as date) as event_date,
        {{ to_local('ends_at') }} as ends_at,
        expected_attendance,
        actual_attendance,
        coalesce(with_children, false) as has_children,
        police_assigned,
        coalesce(police_assigned, 0) > 0 as is_secured,
        coalesce(round_the_clock_duty, false) as has_round_the_clock_duty,
        incidents,
        {{ to_local('updated_at') }} as updated_at,
        organiser_phone as organiser_phone_pseudonym,
        {{ lake_lineage() }}

    from source
    where {{ this_geography() }}

)

select * from final

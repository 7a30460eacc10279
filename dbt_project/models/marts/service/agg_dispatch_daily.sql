with

calls as (

    select * from {{ ref('fct_dispatch_calls') }}
    where received_date <= {{ as_of_date() }}

),

final as (

    select
        received_date as date_day,
        region_code,
        district_code,
        coalesce(area_type, 'unknown') as area_type,
        count(*) as calls,
        count(dispatched_at) as calls_dispatched,
        count(*) filter (where is_dispatch_within_standard) as dispatched_within_standard,
        count(arrived_at) as calls_attended,
        count(*) filter (where is_arrival_within_standard) as arrived_within_standard
    from calls
    group by all

)

select * from final

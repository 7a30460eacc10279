with

sessions as (

    select * from {{ ref('fct_reception_sessions') }}
    where scheduled_date <= {{ as_of_date() }}

),

final as (

    select
        scheduled_date as date_day,
        region_code,
        district_code,
        leader_position,
        count(*) as sessions_scheduled,
        count(*) filter (where is_held) as sessions_held,
        sum(citizens_received) as citizens_received
    from sessions
    group by all

)

select * from final

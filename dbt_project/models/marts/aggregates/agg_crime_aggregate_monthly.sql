with

monthly as (

    select * from {{ ref('stg_lake__crime_aggregates') }}
    where is_calendar_month

),

final as (

    select
        period_start as month_start,
        region_code,
        offence_group,
        -- NULL where the tables did not publish the measure, 0 where they said none
        cast(sum(crimes) filter (where measure = 'registered') as bigint) as crimes_registered,
        cast(sum(crimes) filter (where measure = 'solved') as bigint) as crimes_solved,
        cast(sum(crimes) filter (where measure = 'sent_to_court') as bigint) as crimes_sent_to_court,
        cast(sum(crimes) filter (where measure = 'discontinued') as bigint) as crimes_discontinued,
        max(published_on) as published_on
    from monthly
    group by all

)

select * from final

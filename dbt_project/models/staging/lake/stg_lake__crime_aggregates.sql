with

source as (

    select * from {{ lake_source('crime_aggregate') }}

),

final as (

    select
        region_code,
        offence_group,
        measure,
        period_start,
        period_end,
        period_start = date_trunc('month', period_start) and period_end = last_day(period_start)
            as is_calendar_month,
        published_on,
        "count" as crimes,
        {{ lake_lineage() }}

    from source
    where {{ this_geography() }}

)

select * from final

-- One row per outage episode per local day it touches, with the minutes that fall on that day:
-- an outage from 23:00 to 01:00 gives 60 minutes to each of the two days. Ongoing outages run
-- to the as-of moment.
with

outages as (

    select * from {{ ref('fct_camera_outages') }}

),

bounded as (

    select
        camera_outage_id,
        camera_id,
        outage_kind,
        cause,
        started_at,
        least(coalesce(ended_at, {{ as_of_timestamp() }}), {{ as_of_timestamp() }}) as ended_at,
        source_ingested_at
    from outages

),

days as (

    select
        bounded.*,
        cast(day_start as date) as date_day,
        greatest(bounded.started_at, day_start) as part_start,
        least(bounded.ended_at, day_start + interval 1 day) as part_end
    from bounded,
        unnest(generate_series(
            date_trunc('day', bounded.started_at),
            date_trunc('day', bounded.ended_at - interval 1 microsecond),
            interval 1 day
        )) as t(day_start)
    where bounded.ended_at > bounded.started_at

),

final as (

    select
        camera_outage_id,
        camera_id,
        date_day,
        outage_kind,
        cause,
        epoch(part_end - part_start) / 60 as minutes,
        source_ingested_at
    from days

)

select * from final

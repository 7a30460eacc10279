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

spans as (

    -- a filter on last_day reaches the outages before they are split into days; one on date_day
    -- alone is applied after splitting every outage in the history
    select *, cast(ended_at - interval 1 microsecond as date) as last_day
    from bounded

),

days as (

    select
        spans.*,
        cast(day_start as date) as date_day,
        greatest(spans.started_at, day_start) as part_start,
        least(spans.ended_at, day_start + interval 1 day) as part_end
    from spans,
        unnest(generate_series(
            date_trunc('day', spans.started_at),
            date_trunc('day', spans.ended_at - interval 1 microsecond),
            interval 1 day
        )) as t(day_start)
    where spans.ended_at > spans.started_at

),

final as (

    select
        camera_outage_id,
        camera_id,
        date_day,
        outage_kind,
        cause,
        epoch(part_end - part_start) / 60 as minutes,
        last_day,
        source_ingested_at
    from days

)

select * from final

-- Each count on the day it belongs to: received and repeat appeals on the day received, answers on the day
-- answered, and whether an answer came in time on the day that was settled (fct_citizen_appeals.settled_date).
with

appeals as (

    select * from {{ ref('fct_citizen_appeals') }}

),

counts as (

    select received_date as date_day, region_code, district_code, category,
        1 as appeals_received, case when is_repeat_appeal then 1 else 0 end as repeat_appeals,
        0 as appeals_answered, 0 as appeals_settled, 0 as appeals_on_time
    from appeals
    union all
    select answered_date, region_code, district_code, category, 0, 0, 1, 0, 0
    from appeals
    where answered_date is not null
    union all
    select settled_date, region_code, district_code, category, 0, 0, 0, 1,
        case when is_answered_on_time then 1 else 0 end
    from appeals

),

final as (

    select
        date_day,
        region_code,
        district_code,
        category,
        sum(appeals_received) as appeals_received,
        sum(repeat_appeals) as repeat_appeals,
        sum(appeals_answered) as appeals_answered,
        sum(appeals_settled) as appeals_settled,
        sum(appeals_on_time) as appeals_on_time
    from counts
    where date_day <= {{ as_of_date() }}
    group by all

)

select * from final

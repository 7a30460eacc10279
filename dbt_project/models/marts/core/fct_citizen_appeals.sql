{{ config(alias='citizen_appeals') }}

with

appeals as (

    select * from {{ ref('stg_lake__citizen_appeals') }}

),

terms as (

    select * from {{ ref('appeal_terms') }}

),

due as (

    select
        appeals.* exclude (updated_at, {{ lineage_columns() }}),
        -- the unit's due date, or the legal term where it recorded none; never later than the law allows
        least(
            coalesce(appeals.recorded_due_date, appeals.received_date + terms.term_days),
            appeals.received_date + terms.term_days + terms.max_extension_days
        ) as due_date
    from appeals
    inner join terms on appeals.category = terms.category

),

final as (

    select
        *,
        answered_date is not null as is_answered,
        outcome is not null and answered_date is null as is_answer_date_missing,
        coalesce(answered_date <= due_date, false) as is_answered_on_time,
        -- the day it was settled whether the answer came in time: the answer, or the first day past due
        case when answered_date <= due_date then answered_date else due_date + 1 end as settled_date,
        answered_date - received_date as days_to_answer
    from due

)

select * from final

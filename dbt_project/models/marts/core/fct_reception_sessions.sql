{{ config(alias='reception_sessions') }}

with

sessions as (

    select * from {{ ref('stg_lake__reception_sessions') }}

),

final as (

    select
        * exclude (updated_at, {{ lineage_columns() }}),
        is_held and held_date is distinct from scheduled_date as is_held_on_another_day
    from sessions

)

select * from final

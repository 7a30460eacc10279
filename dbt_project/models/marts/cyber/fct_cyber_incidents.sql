with

incidents as (

    select * from {{ ref('stg_lake__cyber_incidents') }}

),

final as (

    select
        * exclude (updated_at, {{ lineage_columns() }}),
        contained_at is not null as is_contained,
        round(date_diff('minute', detected_at, contained_at) / 60.0, 2) as hours_to_contain
    from incidents

)

select * from final

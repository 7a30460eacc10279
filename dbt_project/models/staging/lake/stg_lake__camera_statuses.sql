with

source as (

    select * from {{ lake_source('camera_status') }}

),

final as (

    select
        camera_id,
        {{ to_local('status_at') }} as status_at,
        cast({{ to_local('status_at') }} as date) as status_date,
        -- the lake's own column: a filter on it skips the lake's Parquet files by their min/max
        status_at as status_at_utc,
        kind as observation_kind,
        status,
        cause,
        {{ lake_lineage() }}

    from source
    where {{ this_geography() }}

)

select * from final

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
        _file_sha256 as source_file_sha256,
        _line as source_line,
        _profile as source_profile,
        _ingested_at as ingested_at

    from source

)

select * from final

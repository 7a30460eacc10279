"""The production settings: an object store without credentials, or a wrong warehouse URL, is one clear line."""

from __future__ import annotations

import pytest

from safelake import lake
from safelake.errors import SafeLakeError
from safelake.settings import Settings, get_settings

CREDENTIALS = {"SAFELAKE_S3_ACCESS_KEY_ID": "key", "SAFELAKE_S3_SECRET_ACCESS_KEY": "secret"}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        (
            {"SAFELAKE_LAKE_DATA_PATH": "s3://lake/data/"},
            "SAFELAKE_LAKE_DATA_PATH is on S3 but SAFELAKE_S3_ACCESS_KEY_ID or SAFELAKE_S3_SECRET_ACCESS_KEY is not "
            "set; export both",
        ),
        (
            {**CREDENTIALS, "SAFELAKE_WAREHOUSE_URL": "s3://builds"},
            "SAFELAKE_WAREHOUSE_URL 's3://builds': use s3://bucket/prefix/ (ending in /)",
        ),
    ],
)
def test_object_storage_settings_are_checked(settings, monkeypatch, variables, message):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    with pytest.raises(SafeLakeError) as info:
        get_settings()
    assert str(info.value).startswith(message)


def test_the_s3_secret_reaches_dbt_only_when_configured(tmp_path):
    embedded = Settings(home=tmp_path)
    assert lake.s3_env(embedded) == {} and embedded.postgres_catalog is None
    production = Settings(
        home=tmp_path,
        lake_catalog="postgres:dbname=lake host=db",
        s3_endpoint="s3:8333",
        s3_access_key_id="key",
        s3_secret_access_key="secret",
        s3_use_ssl=False,
    )
    assert production.postgres_catalog == "dbname=lake host=db"
    assert lake.s3_env(production) == {
        "SAFELAKE_S3_ACCESS_KEY_ID": "key",
        "SAFELAKE_S3_SECRET_ACCESS_KEY": "secret",
        "SAFELAKE_S3_ENDPOINT": "s3:8333",
        "SAFELAKE_S3_REGION": "us-east-1",
        "SAFELAKE_S3_USE_SSL": "false",
        "SAFELAKE_S3_URL_STYLE": "path",
    }

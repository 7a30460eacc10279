"""The production settings: an object store without credentials, or a wrong warehouse URL, is one clear line."""

from __future__ import annotations

import os

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


def test_the_s3_secret_reaches_dbt_only_while_it_runs(tmp_path, monkeypatch):
    embedded = Settings(home=tmp_path)
    assert lake.s3_secret(embedded) == {} and embedded.postgres_catalog is None
    production = Settings(
        home=tmp_path,
        lake_catalog="postgres:dbname=lake host=db",
        s3_endpoint="s3:8333",
        s3_access_key_id="key",
        s3_secret_access_key="secret",
        s3_use_ssl=False,
    )
    assert production.postgres_catalog == "dbname=lake host=db"
    monkeypatch.setenv("DBT_ENV_SECRET_S3_REGION", "before")
    with lake.s3_environment(production):
        seen = {name: os.environ.get(name) for name in lake.S3_SECRET_ENV.values()}
    assert seen == {
        "DBT_ENV_SECRET_S3_KEY_ID": "key",
        "DBT_ENV_SECRET_S3_SECRET": "secret",
        "DBT_ENV_SECRET_S3_ENDPOINT": "s3:8333",
        "DBT_ENV_SECRET_S3_REGION": "us-east-1",
        "DBT_ENV_SECRET_S3_USE_SSL": "false",
        "DBT_ENV_SECRET_S3_URL_STYLE": "path",
    }
    assert os.environ["DBT_ENV_SECRET_S3_REGION"] == "before" and "DBT_ENV_SECRET_S3_KEY_ID" not in os.environ

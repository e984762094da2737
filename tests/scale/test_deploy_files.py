"""The deployment files (deploy/) checked as far as a machine without a container engine can.

The compose file by Docker Compose's own `config` (the compose-spec schema, references between services,
variables), the nginx configuration by `nginx -t`, the Kubernetes manifests against the API schemas that
kubernetes-validate bundles; and that each place starts the Rasa server with every variable it needs.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import compose
import kubernetes_validate
import pytest
import yaml

from scripts.stack import PROJECT

DEPLOY = PROJECT / "deploy"
DOCKER_COMPOSE = Path(compose.__file__).parent / "docker-compose"  # the binary: its wrapper drops exit codes
KUBERNETES_VERSION = "1.28.0"
SECRETS = {
    "POSTGRES_PASSWORD": "a-password",
    "REVIEW_DB_PASSWORD": "another",
    "RASA_TOKEN": "a-token",
    "CRISIS_ALERT_URL": "https://alerts.example/crisis",
    "WIDGET_SESSION_SECRET": "a-widget-session-secret",
    "REST_TOKEN": "a-rest-token",
}


def variables_named_in(path: Path) -> set[str]:
    return set(re.findall(r"\$\{(\w+)\}", path.read_text(encoding="utf-8")))


RASA_NEEDS = variables_named_in(PROJECT / "endpoints.yml") | variables_named_in(PROJECT / "credentials.yml")


def compose_config(env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [str(DOCKER_COMPOSE), "-f", str(DEPLOY / "docker-compose.yml"), "config", "--format", "json"]
    return subprocess.run(command, env={"PATH": "/usr/bin:/bin", **env}, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def compose_file() -> dict:
    resolved = compose_config(SECRETS)
    assert resolved.returncode == 0, resolved.stderr
    return json.loads(resolved.stdout)


def test_the_compose_file_is_valid_and_refuses_to_start_without_its_secrets(compose_file):
    assert {"rasa-1", "rasa-2", "actions", "postgres", "redis", "webchat", "review", "proxy"} <= set(
        compose_file["services"]
    )
    missing = compose_config({})
    assert missing.returncode != 0
    assert re.search(rf"required variable ({'|'.join(SECRETS)}) is missing", missing.stderr), missing.stderr


@pytest.mark.parametrize("service", ["rasa-1", "rasa-2"])
def test_every_rasa_server_shares_postgresql_and_the_redis_lock_with_every_variable_set(compose_file, service):
    environment = compose_file["services"][service]["environment"]
    assert set(environment) >= RASA_NEEDS, RASA_NEEDS - set(environment)
    assert environment["TRACKER_DB_DIALECT"] == "postgresql" and environment["TRACKER_DB_HOST"] == "postgres"
    assert environment["LOCK_STORE_TYPE"] == "redis" and environment["LOCK_STORE_HOST"] == "redis"
    assert environment["ACTION_SERVER_URL"] == "http://actions:5055/webhook"


def test_only_the_proxy_is_published(compose_file):
    published = {name for name, service in compose_file["services"].items() if service.get("ports")}
    assert published == {"proxy"}


def nginx_binary() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if not found:
        pytest.fail("nginx is not installed: `make test-tools` installs Debian's nginx-light")
    return found


def test_the_proxy_configuration_passes_nginx_t_and_names_only_compose_services(compose_file, tmp_path):
    config = (DEPLOY / "nginx" / "nginx.conf").read_text(encoding="utf-8")
    upstreams = set(re.findall(r"server ([\w-]+):(\d+)", config))
    assert {"rasa-1", "rasa-2", "webchat", "review"} == {name for name, _ in upstreams}
    assert upstreams <= {(name, "5005") for name in ("rasa-1", "rasa-2")} | {("webchat", "8000"), ("review", "8100")}
    assert {name for name, _ in upstreams} <= set(compose_file["services"])
    # The services' names resolve only inside the compose network: nginx -t resolves them, so here they
    # stand for this machine.
    (tmp_path / "nginx.conf").write_text(re.sub(r"server [\w-]+:", "server 127.0.0.1:", config))
    (tmp_path / "logs").mkdir()
    checked = subprocess.run(
        [nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-e", "stderr"]
        + ["-g", f"pid {tmp_path}/nginx.pid; error_log stderr;"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


def manifests() -> list[tuple[str, dict]]:
    return [
        (path.name, document)
        for path in sorted((DEPLOY / "k8s").glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
    ]


@pytest.mark.parametrize(("file", "resource"), manifests(), ids=lambda v: v if isinstance(v, str) else v["kind"])
def test_each_kubernetes_manifest_matches_the_api_schema(file, resource):
    kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def test_the_schema_check_rejects_a_misspelt_field():
    deployment = next(resource for file, resource in manifests() if resource["kind"] == "Deployment")
    misspelt = {**deployment, "spec": {**deployment["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(misspelt, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_applies_every_manifest_but_the_secrets_example():
    listed = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())["resources"]
    on_disk = {path.name for path in (DEPLOY / "k8s").glob("*.yaml")} - {"kustomization.yaml"}
    assert set(listed) == on_disk - {"secrets.example.yaml"}


def test_the_kubernetes_rasa_servers_get_every_variable_they_need_and_share_the_stores():
    resources = {(resource["kind"], resource["metadata"]["name"]): resource for _, resource in manifests()}
    config, secrets = resources[("ConfigMap", "trd-config")]["data"], resources[("Secret", "trd-secrets")]
    given = set(config) | set(secrets["stringData"])
    assert given >= RASA_NEEDS, RASA_NEEDS - given
    assert config["TRACKER_DB_DIALECT"] == "postgresql" and config["LOCK_STORE_TYPE"] == "redis"
    rasa = resources[("Deployment", "rasa")]["spec"]
    assert rasa["replicas"] >= 2
    assert {"configMapRef": {"name": "trd-config"}} in rasa["template"]["spec"]["containers"][0]["envFrom"]
    assert {"secretRef": {"name": "trd-secrets"}} in rasa["template"]["spec"]["containers"][0]["envFrom"]

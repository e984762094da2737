"""The deployment files (deploy/) checked as far as a machine without a container engine can.

The compose file by Docker Compose's own `config` (the compose-spec schema, references between services,
variables), the nginx configuration by `nginx -t`, the Kubernetes manifests against the API schemas that
kubernetes-validate bundles; that each place starts the Rasa server with every variable it needs; and the
security review's rules: each part holds its own secrets only, none on a command line, no part signs in to
PostgreSQL as the superuser, Redis asks for a password, and retention runs daily.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
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
    "POSTGRES_PASSWORD": "superuser-password",
    "RASA_DB_PASSWORD": "rasa-role-password",
    "REVIEW_DB_PASSWORD": "review-role-password",
    "RETENTION_DB_PASSWORD": "retention-role-password",
    "REDIS_PASSWORD": "redis-password",
    "RASA_TOKEN": "rasa-api-token",
    "CRISIS_ALERT_URL": "https://alerts.example/crisis",
    "WIDGET_SESSION_SECRET": "a-widget-session-secret",
    "REST_TOKEN": "a-rest-token",
}
# what would let a part act as another: the passwords and the API token
CREDENTIALS = {"POSTGRES_PASSWORD", "RASA_DB_PASSWORD", "REVIEW_DB_PASSWORD", "RETENTION_DB_PASSWORD"} | {
    "REDIS_PASSWORD",
    "RASA_TOKEN",
}
# the same in the Kubernetes Secrets (secrets.example.yaml), by key
K8S_CREDENTIALS = {
    ("trd-database-passwords", "POSTGRES_PASSWORD"),
    ("trd-secrets", "TRACKER_DB_PASSWORD"),
    ("trd-database-passwords", "REVIEW_DB_PASSWORD"),
    ("trd-database-passwords", "RETENTION_DB_PASSWORD"),
    ("trd-secrets", "LOCK_STORE_PASSWORD"),
    ("trd-secrets", "RASA_TOKEN"),
}
ROLES_SCRIPT = DEPLOY / "postgres" / "create-roles.sh"


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


def credentials_in(environment: dict[str, str]) -> set[str]:
    """Which of the passwords and the token (by their deploy/.env names) an environment holds."""
    return {name for name in CREDENTIALS if SECRETS[name] in environment.values()}


def k8s_resources() -> dict[tuple[str, str], dict]:
    return {(resource["kind"], resource["metadata"]["name"]): resource for _, resource in manifests()}


def containers_of(resource: dict) -> list[dict]:
    """A workload's containers; none for the other kinds."""
    spec = resource.get("spec", {})
    spec = spec.get("jobTemplate", {}).get("spec", spec)
    return spec.get("template", {}).get("spec", {}).get("containers", [])


def secret_keys_reaching(container: dict) -> set[tuple[str, str]]:
    """Every (Secret, key) in a container's environment: all of a Secret it takes whole, and single keys."""
    secrets = {name: resource["stringData"] for (kind, name), resource in k8s_resources().items() if kind == "Secret"}
    whole = [source["secretRef"]["name"] for source in container.get("envFrom", []) if "secretRef" in source]
    single = [
        (variable["valueFrom"]["secretKeyRef"]["name"], variable["valueFrom"]["secretKeyRef"]["key"])
        for variable in container.get("env", [])
        if "secretKeyRef" in variable.get("valueFrom", {})
    ]
    return {(name, key) for name in whole for key in secrets[name]} | set(single)


def the_container(kind: str, name: str) -> dict:
    [container] = containers_of(k8s_resources()[(kind, name)])
    return container


def test_every_secret_key_a_manifest_names_is_in_the_secrets_example():
    secrets = {name: resource["stringData"] for (kind, name), resource in k8s_resources().items() if kind == "Secret"}
    named = {
        pair
        for resource in k8s_resources().values()
        for c in containers_of(resource)
        for pair in secret_keys_reaching(c)
    }
    assert all(key in secrets.get(name, {}) for name, key in named), named


def test_the_review_app_holds_its_own_read_only_password_and_no_other(compose_file):
    assert credentials_in(compose_file["services"]["review"]["environment"]) == {"REVIEW_DB_PASSWORD"}
    reaching = secret_keys_reaching(the_container("Deployment", "review"))
    assert reaching & K8S_CREDENTIALS == {("trd-database-passwords", "REVIEW_DB_PASSWORD")}


def test_the_rasa_servers_sign_in_as_their_own_role_made_by_the_init_script(compose_file):
    postgres = compose_file["services"]["postgres"]
    superuser = postgres["environment"].get("POSTGRES_USER", "postgres")
    for service in ("rasa-1", "rasa-2"):
        environment = compose_file["services"][service]["environment"]
        assert environment["TRACKER_DB_USER"] not in {"postgres", superuser}
        assert environment["TRACKER_DB_USER"] == postgres["environment"]["RASA_DB_USER"]
        assert credentials_in(environment) == {"RASA_DB_PASSWORD", "REDIS_PASSWORD", "RASA_TOKEN"}
    assert any(mount["source"] == str(ROLES_SCRIPT) for mount in postgres["volumes"])
    script = ROLES_SCRIPT.read_text(encoding="utf-8")
    assert 'rasa="$RASA_DB_USER"' in script and 'CREATE ROLE :"rasa" LOGIN' in script

    config = k8s_resources()[("ConfigMap", "trd-config")]["data"]
    assert config["TRACKER_DB_USER"] != "postgres"
    assert K8S_CREDENTIALS & secret_keys_reaching(the_container("Deployment", "rasa")) == {
        ("trd-secrets", "TRACKER_DB_PASSWORD"),
        ("trd-secrets", "LOCK_STORE_PASSWORD"),
        ("trd-secrets", "RASA_TOKEN"),
    }
    database = the_container("StatefulSet", "postgres")
    environment = {variable["name"]: variable.get("valueFrom", {}) for variable in database["env"]}
    assert "POSTGRES_USER" not in environment  # the image's postgres, which no part signs in as
    assert environment["POSTGRES_PASSWORD"]["secretKeyRef"]["key"] == "POSTGRES_PASSWORD"
    assert environment["RASA_DB_USER"]["configMapKeyRef"]["key"] == "TRACKER_DB_USER"
    # kustomize reads no file outside deploy/k8s: the manifest carries the script, which must not drift
    assert k8s_resources()[("ConfigMap", "postgres-init")]["data"]["create-roles.sh"] == script


def command_line(container_or_service: dict) -> str:
    return " ".join(container_or_service.get("command") or []) + " " + " ".join(container_or_service.get("args") or [])


def test_no_secret_and_no_api_token_is_on_a_command_line(compose_file):
    for name, service in compose_file["services"].items():
        line = command_line(service)
        assert "--auth-token" not in line and not {value for value in SECRETS.values() if value in line}, name
    for resource in k8s_resources().values():
        for container in containers_of(resource):
            line = command_line(container)
            # $(VARIABLE) in a command or args is filled in by Kubernetes: the value would be on the command line
            assert "--auth-token" not in line and "$(" not in line, resource["metadata"]["name"]
    for rasa in (compose_file["services"]["rasa-1"], the_container("Deployment", "rasa")):
        assert "deploy/rasa_with_token.py" in command_line(rasa) and "--enable-api" in command_line(rasa)


def launcher():
    spec = importlib.util.spec_from_file_location("rasa_with_token", DEPLOY / "rasa_with_token.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_launcher_hands_rasa_the_token_from_the_environment_and_refuses_without_one(monkeypatch):
    module, seen = launcher(), []
    monkeypatch.setattr(module, "rasa_main", lambda: seen.append(list(sys.argv)))
    monkeypatch.setattr(sys, "argv", ["deploy/rasa_with_token.py", "run", "--enable-api"])
    monkeypatch.setenv("RASA_TOKEN", "the-token")
    module.main()
    assert seen == [["rasa", "run", "--enable-api", "--auth-token", "the-token"]]
    monkeypatch.setenv("RASA_TOKEN", "")
    with pytest.raises(SystemExit, match="RASA_TOKEN is not set"):
        module.main()


def test_redis_asks_for_the_password_that_every_rasa_server_has(compose_file):
    redis = compose_file["services"]["redis"]
    assert re.search(r'requirepass "\$+REDISCLI_AUTH"', command_line(redis))
    assert redis["environment"]["REDISCLI_AUTH"] == SECRETS["REDIS_PASSWORD"]
    for service in ("rasa-1", "rasa-2"):
        assert compose_file["services"][service]["environment"]["LOCK_STORE_PASSWORD"] == SECRETS["REDIS_PASSWORD"]

    redis = the_container("Deployment", "redis")
    assert re.search(r'requirepass "\$REDISCLI_AUTH"', command_line(redis))
    assert secret_keys_reaching(redis) == {("trd-secrets", "LOCK_STORE_PASSWORD")}
    assert ("trd-secrets", "LOCK_STORE_PASSWORD") in secret_keys_reaching(the_container("Deployment", "rasa"))
    assert "LOCK_STORE_PASSWORD" not in k8s_resources()[("ConfigMap", "trd-config")]["data"]


def test_retention_runs_daily_as_its_own_role_with_its_own_password_only(compose_file):
    retention = compose_file["services"]["retention"]
    assert re.fullmatch(r"while true; do python -m review\.retention; sleep 86400; done", retention["command"][-1])
    assert retention["restart"] == "unless-stopped"
    assert (
        retention["environment"]["TRACKER_DB_USER"]
        == compose_file["services"]["postgres"]["environment"]["RETENTION_DB_USER"]
    )
    assert credentials_in(retention["environment"]) == {"RETENTION_DB_PASSWORD"}

    cronjob = k8s_resources()[("CronJob", "retention")]
    assert re.fullmatch(r"\d{1,2} \d{1,2} \* \* \*", cronjob["spec"]["schedule"])
    container = the_container("CronJob", "retention")
    assert container["args"] == ["python", "-m", "review.retention"]
    assert secret_keys_reaching(container) == {("trd-database-passwords", "RETENTION_DB_PASSWORD")}
    user = next(variable for variable in container["env"] if variable["name"] == "TRACKER_DB_USER")
    assert user["valueFrom"]["configMapKeyRef"]["key"] == "RETENTION_DB_USER"

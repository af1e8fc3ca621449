"""Structural checks of the Dockerfile and of the docker commands in the docs; run by scripts/check-dockerfile.

Parses with `dockerfile`, which wraps BuildKit's own parser, so a syntax error fails here as it would in
`docker build`.
"""

import json
import os
import re
import shlex
import subprocess
import sys

import dockerfile
import yaml

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
    return condition


def words(command):
    """The arguments of an instruction, JSON form or shell form."""
    return list(command.value)


try:
    commands = dockerfile.parse_file("Dockerfile")
except dockerfile.GoParseError as error:
    sys.exit(f"check-dockerfile: Dockerfile does not parse: {error}")

# Global ARGs (before the first FROM) with their defaults, for expanding ${...} in FROM lines.
args = {}
for command in commands:
    if command.cmd == "FROM":
        break
    if command.cmd == "ARG":
        for value in command.value:
            name, _, default = value.partition("=")
            args[name] = default


def expand(text):
    return re.sub(r"\$\{?(\w+)\}?", lambda match: args.get(match.group(1), match.group(0)), text)


# Split into stages.
stages = []
for command in commands:
    if command.cmd == "FROM":
        value = words(command)
        name = value[2] if len(value) >= 3 and value[1].upper() == "AS" else None
        stages.append({"image": expand(value[0]), "name": name, "commands": [], "line": command.start_line})
    elif stages:
        stages[-1]["commands"].append(command)

check(len(stages) >= 2, f"expected a multi-stage build (a build stage and a run stage), found {len(stages)} stage(s)")
if len(stages) < 2:
    sys.exit("check-dockerfile: " + "; ".join(failures))
build, final = stages[0], stages[-1]


def instructions(stage, name):
    return [command for command in stage["commands"] if command.cmd == name]


def run_text(stage):
    return "\n".join(" ".join(words(command)) for command in instructions(stage, "RUN"))


# Build stage: the official Swift image, release, static stdlib, and the toolchain this repository builds with.
match = re.fullmatch(r"swift:(\d+\.\d+)(?:\.\d+)?-(noble|jammy)(?:-slim)?", build["image"])
if check(match, f"the build stage must use the official swift:X.Y-noble|jammy image, not {build['image']}"):
    try:
        local = subprocess.run(["swift", "--version"], capture_output=True, text=True, check=False).stdout
        local_version = re.search(r"Swift version (\d+\.\d+)", local)
        if local_version and local_version.group(1) != match.group(1):
            print(
                f"check-dockerfile: note: the image builds with Swift {match.group(1)}, this machine has "
                f"{local_version.group(1)}",
                file=sys.stderr,
            )
    except FileNotFoundError:
        pass
build_runs = run_text(build)
check("swift build -c release" in build_runs, "the build stage must run `swift build -c release`")
check("--static-swift-stdlib" in build_runs, "the build stage must link with --static-swift-stdlib")
check(build["name"] is not None, "name the build stage (FROM ... AS build) so the run stage can copy from it")

# Every COPY source exists and is not excluded by .dockerignore.
ignored = []
if os.path.exists(".dockerignore"):
    ignored = [line.strip() for line in open(".dockerignore") if line.strip() and not line.startswith("#")]
for stage in stages:
    for command in instructions(stage, "COPY"):
        if any(flag.startswith("--from") for flag in command.flags):
            continue
        for source in words(command)[:-1]:
            check(os.path.exists(source), f"line {command.start_line}: COPY source '{source}' does not exist")
            check(source not in ignored, f"line {command.start_line}: COPY source '{source}' is in .dockerignore")

# Run stage: slim Ubuntu, the runtime libraries only, the binary from the build stage.
check(
    re.fullmatch(r"(ubuntu|debian):[\w.-]+", final["image"]) is not None,
    f"the run stage must start from a slim distribution image, not {final['image']}",
)
final_runs = run_text(final)
# What `ldd` shows the static-stdlib binary still needs, plus TLS roots and time zones.
for package in ["libsqlite3-0", "libstdc++6", "zlib1g", "ca-certificates", "tzdata"]:
    check(re.search(rf"\b{re.escape(package)}\b", final_runs), f"the run stage must install {package}")
for package in ["swiftlang", "libsqlite3-dev", "build-essential", "libcurl4", "curl"]:
    check(package not in final_runs, f"the run stage must not install build-time package {package}")
copies = [command for command in instructions(final, "COPY") if any(f.startswith("--from") for f in command.flags)]
check(
    any(f"--from={build['name']}" in command.flags for command in copies),
    "the run stage must COPY --from the build stage",
)

# Non-root user, entrypoint, port, volume, database path, health check.
users = instructions(final, "USER")
user = words(users[-1])[0] if users else "root"
check(user.split(":")[0] not in ("root", "0"), f"the run stage must switch to a non-root USER, not '{user}'")

entrypoints = instructions(final, "ENTRYPOINT")
check(entrypoints and entrypoints[-1].json, "ENTRYPOINT must be in JSON (exec) form")
check(entrypoints and words(entrypoints[-1]) == ["switchyard"], 'ENTRYPOINT must be ["switchyard"]')
cmds = instructions(final, "CMD")
check(cmds and cmds[-1].json, "CMD must be in JSON (exec) form")
check(
    cmds and words(cmds[-1])[:3] == ["serve", "--host", "0.0.0.0"],
    'CMD must be ["serve", "--host", "0.0.0.0"] so the service listens outside the container',
)

exposed = [port.split("/")[0] for command in instructions(final, "EXPOSE") for port in words(command)]
check(len(exposed) == 1, f"EXPOSE exactly one port, found {exposed}")
port = exposed[0] if exposed else "8080"
with open("examples/demo.yaml") as demo:
    demo_port = re.search(r"^\s*port:\s*(\d+)", demo.read(), re.M)
check(demo_port and demo_port.group(1) == port, f"EXPOSE {port} must be the demo's server.port")

volumes = []
for command in instructions(final, "VOLUME"):
    volumes += words(command)
check(volumes == ["/data"], f"VOLUME must be /data, found {volumes}")
environment = {}
for command in instructions(final, "ENV"):
    value = words(command)
    for index in range(0, len(value) - 1, 2):
        environment[value[index]] = value[index + 1]
database = environment.get("SWITCHYARD_DB", "")
check(database.startswith("/data/"), f"ENV SWITCHYARD_DB must put the ledger on the volume, not '{database}'")

healthchecks = instructions(final, "HEALTHCHECK")
if check(healthchecks, "HEALTHCHECK is missing"):
    text = " ".join(words(healthchecks[-1]))
    check("/readyz" in text, "HEALTHCHECK must ask /readyz (which fails while the ledger cannot record), not /healthz")
    check(f"/{port}" in text or f":{port}" in text, f"HEALTHCHECK must use the exposed port {port}")
    tools = re.findall(r"\b(curl|wget)\b", text)
    for tool in tools:
        check(re.search(rf"\b{tool}\b", final_runs), f"HEALTHCHECK uses {tool}, which the run stage does not install")


# The docs' docker commands use the image's port and volume.
def docker_commands(path):
    """`docker ...` commands in the fenced shell blocks of a Markdown file, with `\\` continuations joined."""
    if not os.path.exists(path):
        return []
    blocks, current, language = [], None, ""
    for line in open(path):
        if line.lstrip().startswith("```"):
            if current is None:
                current, language = [], line.strip()[3:].strip()
            else:
                if language in ("", "sh", "shell", "bash", "console"):
                    blocks.append("".join(current))
                current = None
        elif current is not None:
            current.append(line)
    found = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip().removeprefix("$ ")
            if line.startswith("docker "):
                found.append(line.split(" #")[0])
    return found


def check_run(path, command):
    arguments = shlex.split(command)
    published, mounted = [], []
    for index, argument in enumerate(arguments):
        value = arguments[index + 1] if index + 1 < len(arguments) else ""
        if argument in ("-p", "--publish"):
            published.append(value)
        elif argument.startswith("--publish="):
            published.append(argument.split("=", 1)[1])
        elif argument in ("-v", "--volume"):
            mounted.append(value)
        elif argument.startswith("--mount"):
            mounted.append(value if argument == "--mount" else argument.split("=", 1)[1])
    check(published, f"{path}: `{command}` publishes no port (-p HOST:{port})")
    for publish in published:
        check(publish.split(":")[-1] == port, f"{path}: `{command}` publishes {publish}, the image listens on {port}")
    for mount in mounted:
        target = mount.split(":")[1] if ":" in mount else mount
        if "target=" in mount or "dst=" in mount or "destination=" in mount:
            target = re.search(r"(?:target|dst|destination)=([^,]+)", mount).group(1)
        if target.startswith("/data") or target.startswith("/etc/switchyard"):
            continue
        check(False, f"{path}: `{command}` mounts {mount}: the ledger volume is /data (configs go in /etc/switchyard)")
    check(
        any((m.split(":")[1] if ":" in m else m).rstrip("/") == "/data" for m in mounted),
        f"{path}: `{command}` keeps the ledger in the container: add -v switchyard-data:/data",
    )


documented = 0
for path in ["README.md", "docs/cli.md"]:
    for command in docker_commands(path):
        arguments = command.split()
        if len(arguments) > 1 and arguments[1] == "run":
            check_run(path, command)
            documented += 1
        if len(arguments) > 1 and arguments[1] == "build":
            check(arguments[-1] == ".", f"{path}: `{command}` must build from the repository root (.)")
check(documented > 0, "docs/cli.md must show a `docker run` command")

# deploy/compose.yaml: two instances of this image on one PostgreSQL ledger (docs/deployment.md).
compose_path = "deploy/compose.yaml"
with open(compose_path) as file:
    compose = yaml.safe_load(file)
services = compose.get("services", {})
instances = {name: service for name, service in services.items() if "build" in service}
check(len(instances) >= 2, f"{compose_path}: expected at least two Switchyard services built from the Dockerfile")
check("postgres" in services and "healthcheck" in services.get("postgres", {}), f"{compose_path}: a postgres service with a healthcheck")
for name, service in instances.items():
    check(service["build"].get("context") == "..", f"{compose_path}: {name} must build from the repository root (..)")
    url = service.get("environment", {}).get("SWITCHYARD_DB", "")
    check(url.startswith("postgresql://") and ":" not in url.split("://", 1)[1].split("@")[0],
          f"{compose_path}: {name}'s SWITCHYARD_DB must be a postgresql:// URL without a password")
    check(service.get("depends_on", {}).get("postgres", {}).get("condition") == "service_healthy",
          f"{compose_path}: {name} must wait for postgres to be healthy")
    for publish in service.get("ports", []):
        check(str(publish).split(":")[-1] == port, f"{compose_path}: {name} publishes {publish}, the image listens on {port}")

if failures:
    for failure in failures:
        print(f"check-dockerfile: {failure}", file=sys.stderr)
    sys.exit(1)
print(f"check-dockerfile: ok ({len(stages)} stages, {documented} documented docker run command(s), {len(instances)} compose instance(s) checked)")

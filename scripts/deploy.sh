#!/usr/bin/env bash
# One-command deploy of the compose stack (docs/ops.md "Deploy"; design: OPS.md 4.10). Idempotent:
# the first run starts everything, later runs update with a rolling restart.
#
#   scripts/deploy.sh [--init] [--dry-run] [--env-file PATH]
#
#   --init      write the env file (default deploy/.env, mode 0600) from deploy/.env.example,
#               generating every missing or CHANGEME secret (SWITCHBOARD_MASTER_KEY, POSTGRES_PASSWORD,
#               REDIS_PASSWORD); existing values are kept. Works with --dry-run too (it touches no container).
#   --dry-run   print the steps (the exact compose commands) in order and run none of them.
#
# Steps: 1 preflight (compose version, env file, TLS switch, config -q) · 2 build · 3 PostgreSQL and
# Redis up and healthy · 4 pre-migration backup when a database exists · 5 migrate · 6 first deploy:
# up -d; update: scripts/rolling-restart compose · 7 smoke: /readyz through nginx.
# SWITCHBOARD_COMPOSE overrides the compose command (default "docker compose").
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COMPOSE_FILE=$ROOT/deploy/docker-compose.yml
ENV_FILE=$ROOT/deploy/.env
INIT=0
DRY_RUN=0

say() { echo "deploy: $*" >&2; }
die() { say "$*"; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --init) INIT=1 ;;
    --dry-run) DRY_RUN=1 ;;
    --env-file) ENV_FILE=${2:?--env-file needs a path}; shift ;;
    -h | --help) sed -n '2,17p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown argument: $1 (usage: deploy.sh [--init] [--dry-run] [--env-file PATH])" ;;
  esac
  shift
done

read -r -a COMPOSE <<<"${SWITCHBOARD_COMPOSE:-docker compose}"
COMPOSE+=(-f "$COMPOSE_FILE" --env-file "$ENV_FILE")

step() { echo "== $*"; }
# Print a command; run it unless this is a dry run.
run() {
  echo "+ $*"
  [ "$DRY_RUN" = 1 ] || "$@"
}

# The value of KEY in the env file (the last assignment wins, as in compose), quotes removed.
env_value() {
  local line
  line=$(grep -E "^$1=" "$ENV_FILE" | tail -n 1) || return 0
  line=${line#*=}
  line=${line%\"}
  line=${line#\"}
  printf '%s' "$line"
}

# Set KEY=VALUE in the env file, in place of an existing assignment or appended.
set_env_value() {
  local key=$1 value=$2 temp
  temp=$(mktemp "$ENV_FILE.XXXXXX")
  chmod 0600 "$temp"
  if grep -qE "^$key=" "$ENV_FILE"; then
    awk -v key="$key" -v value="$value" 'BEGIN { FS = "=" } $1 == key { print key "=" value; next } { print }' "$ENV_FILE" >"$temp"
  else
    cat "$ENV_FILE" >"$temp"
    printf '%s=%s\n' "$key" "$value" >>"$temp"
  fi
  mv -f "$temp" "$ENV_FILE"
}

needs_value() {
  local value
  value=$(env_value "$1")
  [ -z "$value" ] || [[ "$value" == *CHANGEME* ]]
}

init_env_file() {
  command -v openssl >/dev/null || die "--init needs openssl to generate secrets"
  if [ ! -f "$ENV_FILE" ]; then
    (umask 077 && cp "$ROOT/deploy/.env.example" "$ENV_FILE")
    say "wrote $ENV_FILE from deploy/.env.example"
  fi
  chmod 0600 "$ENV_FILE"
  if needs_value SWITCHBOARD_MASTER_KEY; then
    set_env_value SWITCHBOARD_MASTER_KEY "$(openssl rand -base64 32)"
    say "generated SWITCHBOARD_MASTER_KEY: keep a copy off this host (backups cannot be read without it)"
  fi
  # Letters and digits only: the passwords go into DATABASE_URL and REDIS_URL unescaped.
  needs_value POSTGRES_PASSWORD && set_env_value POSTGRES_PASSWORD "$(openssl rand -hex 24)" && say "generated POSTGRES_PASSWORD"
  needs_value REDIS_PASSWORD && set_env_value REDIS_PASSWORD "$(openssl rand -hex 24)" && say "generated REDIS_PASSWORD"
  return 0
}

# ---- 1. preflight -----------------------------------------------------------------------------
step "1. preflight"
[ "$INIT" = 1 ] && init_env_file
[ -f "$ENV_FILE" ] || die "$ENV_FILE is missing: run scripts/deploy.sh --init (or copy deploy/.env.example and fill in every CHANGEME)"
if [ "$(stat -c %a "$ENV_FILE")" != 600 ]; then
  say "warning: $ENV_FILE holds secrets but is not mode 0600"
fi
for key in SWITCHBOARD_MASTER_KEY POSTGRES_PASSWORD REDIS_PASSWORD; do
  needs_value "$key" && die "$key is not set in $ENV_FILE: run scripts/deploy.sh --init"
done
[[ "$(env_value PUBLIC_URL)" == *example.com* ]] && say "warning: PUBLIC_URL is still the example; set it in $ENV_FILE"

# TLS: on when the certificate directory holds both files (docs/ops.md "nginx and TLS").
cert_dir=$(env_value TLS_CERT_DIR)
cert_dir=${cert_dir:-./certs}
[[ "$cert_dir" == /* ]] || cert_dir=$ROOT/deploy/$cert_dir
if [ -f "$cert_dir/fullchain.pem" ] && [ -f "$cert_dir/privkey.pem" ]; then tls_dir=/tmp/tls; else tls_dir=/etc/nginx/tls-off; fi
echo "+ set SWITCHBOARD_NGINX_TLS_DIR=$tls_dir in $ENV_FILE ($([ "$tls_dir" = /tmp/tls ] && echo "TLS on: certificates found" || echo "TLS off: no certificates in $cert_dir"))"
if [ "$DRY_RUN" != 1 ] && [ "$(env_value SWITCHBOARD_NGINX_TLS_DIR)" != "$tls_dir" ]; then
  set_env_value SWITCHBOARD_NGINX_TLS_DIR "$tls_dir"
fi

run "${COMPOSE[@]}" version
run "${COMPOSE[@]}" config -q

# ---- 2. build ---------------------------------------------------------------------------------
step "2. build"
run "${COMPOSE[@]}" build

# ---- 3. data services -------------------------------------------------------------------------
step "3. postgres and redis"
run "${COMPOSE[@]}" up -d --wait postgres redis

# ---- 4. pre-migration backup ------------------------------------------------------------------
step "4. backup (when a database exists)"
has_schema() {
  [ "$("${COMPOSE[@]}" exec -T postgres psql -U switchboard -d switchboard -tAc \
    "select to_regclass('drizzle.__drizzle_migrations') is not null" 2>/dev/null)" = t ]
}
if [ "$DRY_RUN" = 1 ]; then
  echo "# if the database has a schema:"
  run "${COMPOSE[@]}" run --rm --no-deps backup backup --dir /backups
elif has_schema; then
  run "${COMPOSE[@]}" run --rm --no-deps backup backup --dir /backups
else
  echo "# empty database: no backup"
fi

# ---- 5. migrate -------------------------------------------------------------------------------
step "5. migrate"
run "${COMPOSE[@]}" run --rm migrate

# ---- 6. start or update -----------------------------------------------------------------------
step "6. start or update"
is_running() { [ -n "$("${COMPOSE[@]}" ps -q --status running "$1" 2>/dev/null)" ]; }
update() {
  echo "+ scripts/rolling-restart compose"
  if [ "$DRY_RUN" = 1 ]; then
    SWITCHBOARD_ENV_FILE=$ENV_FILE "$ROOT/scripts/rolling-restart" --dry-run compose 2>/dev/null | sed 's/^/    /'
  else
    SWITCHBOARD_ENV_FILE=$ENV_FILE "$ROOT/scripts/rolling-restart" compose
  fi
  run "${COMPOSE[@]}" up -d --no-recreate
  run "${COMPOSE[@]}" up -d --no-deps --force-recreate backup
  run "${COMPOSE[@]}" exec -T nginx nginx -c /tmp/nginx.conf -s reload
}
if [ "$DRY_RUN" = 1 ]; then
  echo "# first deploy (app-1 not running):"
  run "${COMPOSE[@]}" up -d
  echo "# update (app-1 running): app-1, app-2 and the worker replaced with 0 failed requests:"
  update
elif ! is_running app-1; then
  run "${COMPOSE[@]}" up -d
else
  update
fi

# ---- 7. smoke ---------------------------------------------------------------------------------
step "7. smoke: /readyz through nginx"
if [ "$tls_dir" = /tmp/tls ]; then
  port=$(env_value HTTPS_PORT)
  url="https://127.0.0.1:${port:-443}/readyz"
else
  port=$(env_value HTTP_PORT)
  url="http://127.0.0.1:${port:-80}/readyz"
fi
echo "+ curl -fsSk $url (up to 60s)"
if [ "$DRY_RUN" != 1 ]; then
  deadline=$((SECONDS + 60))
  until curl -fsSk -o /dev/null --max-time 3 "$url"; do
    [ "$SECONDS" -lt "$deadline" ] || die "$url did not answer 200 within 60s: see \`${COMPOSE[*]} logs\`"
    sleep 2
  done
  say "ready: $url"
fi

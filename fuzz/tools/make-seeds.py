#!/usr/bin/env python3
"""Regenerates fuzz/seeds/<target>/ from the project's own examples and test
fixtures (run from anywhere: python3 fuzz/tools/make-seeds.py). The seeds are
committed; the working corpus (fuzz/corpus) is not. Sources: fuzz/seeds/SOURCES.md."""
import glob
import hashlib
import os
import re
import shutil

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
MAX = 4096  # seeds stay small: the fuzzer grows them


def read(rel):
    with open(os.path.join(ROOT, rel), "rb") as f:
        return f.read()


def small(paths):
    return [p for p in sorted(paths) if os.path.getsize(os.path.join(ROOT, p)) <= MAX]


def small_up_to(paths, limit):
    return [p for p in sorted(paths) if os.path.getsize(os.path.join(ROOT, p)) <= limit]


def rel_glob(pattern):
    return [os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, pattern))]


def write(target, data, name=None):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    name = name or hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


confs = small(rel_glob("examples/*.conf") + rel_glob("tests/rules/*/*.conf")
              + ["tests/fixtures/corpus/official/tests-assets-7.2/default.conf",
                 "tests/fixtures/corpus/official/tests-assets-7.2/minimal.conf",
                 "tests/fixtures/corpus/realworld/OT-CONTAINER-KIT__redis__redis.conf",
                 "tests/fixtures/corpus/realworld/OT-CONTAINER-KIT__redis__sentinel.conf",
                 "tests/fixtures/corpus/realworld/ddev__ddev-redis/redis-optimized-includes.conf",
                 "tests/fixtures/corpus/realworld/ddev__ddev-redis/security.conf"])
envs = small(rel_glob("examples/*.env") + rel_glob("tests/rules/*/*.env")
             + ["tests/fixtures/corpus/realworld/env/netbox-community__netbox-docker__netbox.env",
                "tests/fixtures/corpus/realworld/env/netbox-community__netbox-docker__redis-cache.env"])
acls = ["tests/fixtures/corpus/official/tests-assets-7.2/user.acl",
        "tests/fixtures/corpus/official/tests-assets-7.2/userwithselectors.acl",
        "tests/fixtures/corpus/official/tests-assets-7.2/nodefaultuser.acl"]

# Hand-written lines for the lexer's corners: quotes, escapes, blanks.
LEXER_EXTRA = [
    b'save ""\nsave 3600 1 300 100\n',
    b'requirepass "p\\x41ss w\\"ord"\nuser alice on \'>it\\\'s\' ~* +@all\n',
    b'  bind 127.0.0.1 -::1\t\r\n# comment\n\n\tport\t6380\r\n',
    b'rename-command CONFIG ""\nrename-command FLUSHALL "fl\\x75sh"\n',
    b'dir "/var/lib/redis"x\nlogfile \'unterminated\n',
    b'include /etc/redis/*.conf\ninclude "conf.d/a b.conf"\n',
]
for p in confs:
    write("conf_lexer", read(p))
for extra in LEXER_EXTRA:
    write("conf_lexer", extra)

# conf_load: [0x01 flags] main \0 inc1 \0 inc2 \0 inc3.
main = read("examples/redis.conf")
ddev = "tests/fixtures/corpus/realworld/ddev__ddev-redis/"
write("conf_load", main)
write("conf_load", read(ddev + "redis-optimized-includes.conf") + b"\0" + read(ddev + "security.conf"))
write("conf_load", b"\x01\x08" + b"port 6380\n" + b"\0" + b"maxmemory 1gb\n" + b"\0" + b"include inc1.conf\n")
write("conf_load", b"\x01\x20" + read("tests/fixtures/corpus/official/tests-assets-7.2/minimal.conf")
      + b"\0" + read(acls[0]))
write("conf_load", b"\x01\x40" + read("tests/fixtures/corpus/realworld/OT-CONTAINER-KIT__redis__sentinel.conf")
      + b"\0sentinel auth-pass mymaster s3cr3t-pass\n")
write("conf_load", b"\x01\x96" + b"requirepass foobared\n" + b"\0" + b"include inc2.conf\nmasterauth x\n"
      + b"\0" + b"include inc1.conf\n" + b"\0" + b"user default on >pw ~* +@all\n")
write("conf_load", b"\x01\x06" + read("tests/fixtures/corpus/official/tests-assets-7.2/default.conf"))
for p in small(rel_glob("tests/rules/*/fail.conf"))[:20]:
    write("conf_load", read(p))

# dotenv.
DOTENV_EXTRA = [
    b'export REDIS_URL="redis://:p%40ss@h:6379/0"\nREDIS_PASSWORD=\'lit # eral\'\n',
    b'REDIS_PASSWORD="multi\nline\\" value"\nCACHE_TTL_DEFAULT=60 # inline\n',
    b'  REDIS_AUTH_TOKEN = spaced\r\nREDIS_TLS=\nVALKEY_URL=valkeys://u:pw@h\n',
    b'# comment\n\nREDIS_URL=rediss://h?password=sec&db=2\n',
]
for p in envs:
    write("dotenv", read(p))
for extra in DOTENV_EXTRA:
    write("dotenv", extra)

# redis_url.
URLS = [
    "redis://:foobared@203.0.113.10:6379/0", "rediss://app:p%40ss@cache.internal:6380/2?ssl_cert_reqs=none",
    "unix:///run/redis/redis.sock?db=3", "redis://[::1]:6379", "valkeys://u:pw@h/1",
    "redis://h?password=s3cr3t&db=2", "redis+unix:///tmp/r.sock?password=x", "http://u:hunter2secret@h",
    "redis://u:hunter2secret@h:99999", "redis://:only-pass@10.0.0.5", "redis://user@host:0",
]
for u in URLS:
    write("redis_url", u.encode())

# settings: the README's examples.
readme = read("README.md").decode()
for block in re.findall(r"```toml\n(.*?)```", readme, re.S):
    write("settings", block.encode())
write("settings", b'profile = "redis-cloud"\n[thresholds]\npassword_min_length = 8\n[[waiver]]\nrule = "x"\nreason = "y"\nsubject = "z"\n')

# resp: replies a server sends.
RESP = [
    b"+OK\r\n", b"-ERR unknown command\r\n", b":42\r\n", b"$5\r\nhello\r\n", b"$-1\r\n", b"*-1\r\n", b"_\r\n",
    b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n", b"%2\r\n+a\r\n:1\r\n+b\r\n#t\r\n", b"=15\r\ntxt:Some string\r\n",
    b"|1\r\n+key\r\n+val\r\n:7\r\n", b"|0\r\n|1\r\n+a\r\n+b\r\n|0\r\n+OK\r\n", b"~2\r\n,3.14\r\n(3492890328409238509324850943850943825024385\r\n",
    b">3\r\n+message\r\n+chan\r\n$2\r\nhi\r\n",
    b"*3\r\n$6\r\nmaster\r\n:3129659\r\n*1\r\n*3\r\n$9\r\n127.0.0.1\r\n$4\r\n9001\r\n$7\r\n3129242\r\n",
    b"$36\r\n# Server\r\nredis_version:7.2.4\r\n\r\n\r\n",
]
for r in RESP:
    write("resp", r)

# pipeline: [0x01 control(48)] conf \0 env \0 include \0 acl.
def control(secret, line, profile, flags, mask, rest=b""):
    c = bytes([secret, line, profile, flags]) + mask.to_bytes(3, "little") + rest
    return b"\x01" + (c + bytes(48))[:48]

app_env = read("examples/app.env")
write("pipeline", main + b"\0" + app_env)
write("pipeline", control(0, 0, 0, 0, 0xFFFFF, bytes(range(7, 48))) + main + b"\0" + app_env)
write("pipeline", control(1, 1, 2, 2, 0x0000F, bytes(range(3, 44))) + read(confs[1]) + b"\0" + app_env)
write("pipeline", control(3, 3, 1, 0, 0x3F000, bytes(range(5, 46, 1))) + b"port 6380\n\0REDIS_TLS=true\n")
write("pipeline", control(0, 2, 0, 1, 0x00C00) + read("tests/fixtures/corpus/realworld/OT-CONTAINER-KIT__redis__sentinel.conf"))
write("pipeline", control(2, 0, 3, 2, 0x00300) + b"maxmemory 1gb\n\0\0save \"\"\n\0user bob on >x ~* +@all\n")
rule_envs = small(rel_glob("tests/rules/*/fail.env"))
for conf_path, env_path in zip(small(rel_glob("tests/rules/*/fail.conf"))[:8], rule_envs):
    write("pipeline", read(conf_path) + b"\0" + read(env_path))

# deploy_yaml: compose files, Kubernetes manifests and Helm values (the deployment
# fixtures, when the checkout has them), and hand-written ones with a planted password.
DEPLOY_MAX = 32768
deploy_files = [p for p in small_up_to(rel_glob("tests/fixtures/deployments/compose/*")
                                       + rel_glob("tests/fixtures/deployments/kubernetes/*.yaml")
                                       + rel_glob("tests/fixtures/deployments/helm/*"), DEPLOY_MAX)]
for p in deploy_files:
    write("deploy_yaml", read(p))
DEPLOY_EXTRA = [
    b"services:\n  redis:\n    image: redis:7.2\n    command: redis-server --requirepass PLANTEDpw1 --port 6380\n"
    b"    ports: ['6380:6380']\n  app:\n    image: shop/app\n    environment:\n      REDIS_URL: redis://redis:6380\n",
    b"services:\n  cache:\n    image: valkey/valkey:8\n    command: [sh, -c, 'valkey-server --requirepass PLANTEDpw1']\n"
    b"    # command: redis-server --requirepass PLANTEDpw1\n",
    b"apiVersion: v1\nkind: Pod\nmetadata: {name: r}\nspec:\n  containers:\n  - name: redis\n    image: redis:7\n"
    b"    args: [\"--requirepass PLANTEDpw1\", \"--maxmemory\", \"$(MEM)\"]\n    env: [{name: MEM, value: 1gb}]\n",
    b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: cache, namespace: x}\nspec:\n  template:\n"
    b"    metadata: {labels: {app: cache}}\n    spec:\n      containers:\n      - name: redis\n        image: redis:7.2\n"
    b"        command:\n        - sh\n        - -c\n        - |\n          exec redis-server /etc/redis/redis.conf \\\n"
    b"            --requirepass PLANTEDpw1 --dir $DIR\n        env:\n        - name: PW\n          valueFrom:\n"
    b"            secretKeyRef: {name: s, key: password}\n        volumeMounts: [{name: c, mountPath: /etc/redis}]\n"
    b"        ports: [{containerPort: 6379, hostPort: 6379, name: redis}]\n      volumes:\n"
    b"      - {name: c, configMap: {name: conf, items: [{key: redis.conf, path: redis.conf}]}}\n---\n"
    b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf, namespace: x}\ndata:\n  redis.conf: |\n"
    b"    maxmemory 1gb\n    masterauth \"other\"\n---\napiVersion: v1\nkind: Service\nmetadata: {name: cache, namespace: x}\n"
    b"spec: {type: LoadBalancer, selector: {app: cache}, ports: [{port: 6379, targetPort: redis}]}\n",
    b"apiVersion: v1\nkind: List\nitems:\n- apiVersion: batch/v1\n  kind: CronJob\n  metadata: {name: j}\n  spec:\n"
    b"    jobTemplate:\n      spec:\n        template:\n          spec:\n            hostNetwork: true\n"
    b"            containers:\n            - {name: s, image: 'bitnami/redis:7.2', env: [{name: ALLOW_EMPTY_PASSWORD, value: 'yes'}]}\n"
    b"            - {name: app, image: web, env: [{name: REDIS_HOST, value: j}, {name: X, value: 'redis://:p@j:1'}]}\n",
    b"a: &a\n  image: redis\n  command: \"redis-server --requirepass PLANTEDpw1\"\nservices:\n  r:\n    <<: *a\n"
    b"    annotations:\n      note: '[\n  ]'\n",
]
for extra in DEPLOY_EXTRA:
    write("deploy_yaml", extra)
# cloud_json: the recorded cloud descriptions of tests/fixtures/deployments/cloud-json
# (each file's source in tests/fixtures/deployments/SOURCES.md) and hand-written ones
# with a planted credential (fuzz_targets/cloud_json.rs).
for p in small_up_to(rel_glob("tests/fixtures/deployments/cloud-json/*.json"), DEPLOY_MAX):
    write("cloud_json", read(p))
CLOUD_EXTRA = [
    b'{"ReplicationGroups": [{"ReplicationGroupId": "rg", "MemberClusters": ["rg-001"], "AuthTokenEnabled": true,\n'
    b' "AuthToken": "PLANTEDpw1", "TransitEncryptionEnabled": true, "TransitEncryptionMode": "preferred",\n'
    b' "UserGroupIds": ["ug"], "AtRestEncryptionEnabled": true, "AutomaticFailover": "enabled",\n'
    b' "NodeGroups": [{"NodeGroupMembers": [{"CacheClusterId": "rg-001"}, {"CacheClusterId": "rg-002"}]}]}],\n'
    b' "Users": [{"UserId": "default", "UserName": "default", "Status": "active", "AccessString": "on ~* +@all",\n'
    b' "UserGroupIds": ["ug"], "Authentication": {"Type": "no-password"}}]}\n',
    b'{"value": [{"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Cache/Redis/c", "name": "c",\n'
    b' "type": "Microsoft.Cache/Redis", "properties": {"sku": {"name": "Premium", "family": "P", "capacity": 1},\n'
    b' "enableNonSslPort": true, "minimumTlsVersion": "1.0", "redisConfiguration": {"maxmemory-policy": "allkeys-lru",\n'
    b' "authnotrequired": "true", "rdb-backup-enabled": "true", "maxclients": "1000"},\n'
    b' "accessKeys": {"primaryKey": "PLANTEDpw1", "secondaryKey": "PLANTEDpw1"}}},\n'
    b' {"id": "/subscriptions/s/resourceGroups/g/providers/Microsoft.Cache/Redis/c/firewallRules/r", "name": "r",\n'
    b' "type": "Microsoft.Cache/Redis/firewallRules", "properties": {"startIP": "0.0.0.0", "endIP": "255.255.255.255"}}]}\n',
    b'{"version": 1, "interactions": [{"request": {}, "response": {"body": {"string": "{\\"Clusters\\": [{\\"Name\\": '
    b'\\"m\\", \\"ACLName\\": \\"open-access\\", \\"TLSEnabled\\": false, \\"password\\": \\"PLANTEDpw1\\", '
    b'\\"Shards\\": [{\\"NumberOfNodes\\": 2}], \\"EngineVersion\\": \\"7.1\\"}]}"}}}]}\n',
    b'{"headers": {}, "body": {"instances": [{"name": "projects/p/locations/l/instances/i", "tier": "STANDARD_HA",\n'
    b' "authEnabled": true, "transitEncryptionMode": "SERVER_AUTHENTICATION", "redisVersion": "REDIS_7_2",\n'
    b' "redisConfigs": {"maxmemory-policy": "noeviction", "notify-keyspace-events": "Ex"},\n'
    b' "persistenceConfig": {"persistenceMode": "RDB"}, "note": "\\u00e9\\/\\ud83d\\ude00"}]}}\n',
    b'{"clusters": [{"name": "projects/p/locations/l/clusters/c", "authorizationMode": "AUTH_MODE_IAM_AUTH",\n'
    b' "transitEncryptionMode": "TRANSIT_ENCRYPTION_MODE_DISABLED", "replicaCount": 0,\n'
    b' "automatedBackupConfig": {"automatedBackupMode": "ENABLED", "retention": "604800s"}}]}\n',
]
for extra in CLOUD_EXTRA:
    write("cloud_json", extra)
# terraform: the Terraform fixtures, and hand-written files with a planted password
# (a line `auth_token = "PLANTEDpw1"` in a resource, a module, a comment, a heredoc, a tfvars file).
for p in small_up_to(rel_glob("tests/fixtures/deployments/terraform/*.tf"), DEPLOY_MAX):
    write("terraform", read(p))
TERRAFORM_EXTRA = [
    b'resource "aws_elasticache_replication_group" "r" {\n  transit_encryption_enabled = true\n'
    b'  auth_token = "PLANTEDpw1"\n  parameter_group_name = aws_elasticache_parameter_group.p.name\n}\n'
    b'resource "aws_elasticache_parameter_group" "p" {\n  name = "p"\n  parameter {\n    name = "maxmemory-policy"\n'
    b'    value = "allkeys-lru"\n  }\n}\n',
    b'module "redis" {\n  source = "cloudposse/elasticache-redis/aws"\n  auth_token = "PLANTEDpw1"\n}\n'
    b'# auth_token = "PLANTEDpw1"\n/*\nauth_token = "PLANTEDpw1"\n*/\n',
    b'resource "google_redis_instance" "c" {\n  tier = var.tier\n  auth_enabled = local.auth\n'
    b'  redis_configs = { "maxmemory-policy" = lower("X") }\n  notes = <<EOT\nauth_token = "PLANTEDpw1"\nEOT\n}\n'
    b'variable "tier" {\n  default = "STANDARD_HA"\n}\nlocals {\n  auth = true\n}\n',
    b'resource "azurerm_redis_cache" "c" {\n  sku_name = "Premium"\n  dynamic "redis_configuration" {\n'
    b'    for_each = [1]\n    content {}\n  }\n}\nresource "azurerm_redis_firewall_rule" "f" {\n'
    b'  redis_cache_name = azurerm_redis_cache.c.name\n  start_ip = "0.0.0.0"\n  end_ip = "${var.x}"\n}\n',
    b'auth_token = "PLANTEDpw1"\nnode_type = "cache.t3.micro"\n',
    b'{"auth_token": "x", "nested": {"password": ["y"]}, "url": "redis://:z@h:1"}',
]
for extra in TERRAFORM_EXTRA:
    write("terraform", extra)
# argv: [control(3)] arg \0 arg ... (fuzz_targets/argv.rs); hand-written command lines.
def argv(*args, flags=None, position=0):
    body = b"\0".join(a.encode() if isinstance(a, str) else a for a in args)
    return (bytes([0x01, flags, position]) if flags is not None else b"") + body


ARGV = [
    argv("--port", "7000", "--bind", "127.0.0.1", "-::1"),
    argv("/etc/redis/redis.conf", "--port 7000", "--maxmemory", "1gb"),
    argv("--requirepass", "--x", "--save", "--appendonly", "yes", "--save"),
    argv("-", "--save", "", "--sentinel", "monitor", "m", "127.0.0.1", "6379", "2"),
    argv("--#comment", "value", "--port 7000\nmaxmemory 1gb", "--\"port\"", "7000", "--", "x", "-"),
    argv("--save \"3600", " 1 \"", "--user", "alice", "on", ">pw", "~*", "+@all"),
    argv("--rename-command", "CONFIG", "", "--include", "/etc/redis/extra.conf", "--foo.bar", "1"),
    argv("-x", "--port", "-", "--check-rdb", "--SENTINEL", "--MAXMEMORY", "1GB", flags=0x01, position=0),
    argv("--maxmemory", "--requirepass", "--appendonly", "yes", flags=0x0A, position=1),
    argv("--port", "7000", "--masterauth", "x", flags=0x18, position=2),
    argv("--port", "7000", "--bind", "a b", flags=0x68, position=9),
]
for a in ARGV:
    write("argv", a)

print("seeds:", {t: len(os.listdir(os.path.join(SEEDS, t))) for t in sorted(os.listdir(SEEDS)) if os.path.isdir(os.path.join(SEEDS, t))})

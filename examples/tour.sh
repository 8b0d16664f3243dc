#!/usr/bin/env bash
# Runs every command once against a scratch copy of the sample store (made by real jvspatial
# 0.2.2) and prints each command line with its output: the README's tour is this script's output.
set -uo pipefail
cd "$(dirname "$0")/.."
JVDB="${JVDB:-$PWD/target/debug/jvdb}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r examples/sample-store "$work/store"
cd "$work"
export JVSPATIAL_DB_PATH=store
jvdb() { "$JVDB" "$@"; }
show() {
  printf '$ %s\n' "$*"
  eval "$*" 2>&1 | sed "s#$work/#./#g; s#$work#.#g"
  local rc=${PIPESTATUS[0]}
  printf '[exit %s]\n\n' "$rc"
}
show 'jvdb info'
show 'jvdb collections --format table'
show 'jvdb count node'
show "jvdb find node --query '{\"context.population\":{\"\$gt\":5000000}}' --sort context.population:-1 --fields context.name,context.population --format table"
show "jvdb find node --entity City --limit 2 --fields context.name --format jsonl"
show "jvdb find edge --entity Highway --limit 2 --format csv"
show "jvdb find node --query '{\"context.tags\":\"coastal\"}' --count"
show "jvdb --dialect jvspatial find node --query '{\"context.tags\":\"coastal\"}' --count"
show "jvdb --dialect jvspatial find node --query '{\"context.name\":{\"\$gt\":5}}' --count"
show "echo '{\"context.country\": \"JP\"}' | jvdb count node --query @-"
show 'jvdb count objcet'
show 'jvdb --db sqlit:x.db count node'
show 'jvdb get node n.Root.root n.City.missing'
show "jvdb save object --data '{\"id\":\"o.Config.tour\",\"entity\":\"Config\",\"context\":{\"key\":\"theme\",\"value\":\"dark\"}}'"
show "jvdb save object --mode insert --data '{\"id\":\"o.Config.tour\",\"entity\":\"Config\",\"context\":{}}'"
show "printf '%s\n' '{\"entity\":\"Config\",\"context\":{\"n\":1}}' '{\"id\": broken' | jvdb save object --generate-id"
show 'jvdb check'
show 'jvdb stats'
show 'jvdb edges n.City.000000000000000000000003 --format table'
show 'jvdb neighbors n.City.000000000000000000000003 --depth 2 --format table'
show 'jvdb path n.City.000000000000000000000003 n.City.00000000000000000000000e --format table'
show 'jvdb export --format mermaid --from n.City.000000000000000000000003 --depth 1'
show 'jvdb cleanup --dry-run --format json'
show 'jvdb cleanup --max-delete 1'
show 'jvdb cleanup </dev/null'
show 'jvdb cleanup --yes --backup cleanup.tar.zst'
show "jvdb delete node --query '{\"context.country\":\"JP\"}' --cascade --dry-run"
show 'jvdb migrate --from stroe --to copy-of-store'
show 'jvdb migrate --from store --to store/backup'
show 'jvdb migrate --from store --to copy-of-store'
show 'jvdb migrate --from store --to copy-of-store'
show 'jvdb verify store copy-of-store'
show "rm copy-of-store/node/n.Root.root.json; printf '%s\\n' '{\"id\":\"n.City.tour\",\"entity\":\"City\",\"context\":{}}' '{\"id\":\"n.City.000000000000000000000001\",\"context\":{\"population\":1}}' | jvdb -q --db copy-of-store save node --mode merge; jvdb verify --list store copy-of-store"
show 'jvdb diff --format jsonl --collection node store copy-of-store'
show 'jvdb copy --from store --to configs --collection object --query "{\"entity\":\"Config\"}"'
show 'jvdb dump -o backup.tar.zst'
show 'jvdb dump -o backup.tar.zst'
show 'tar --zstd -tf backup.tar.zst | sed -n "1,3p;\$p"'
show 'jvdb restore backup.tar.zst --to copy-of-store'
show 'jvdb restore backup.tar.zst --to restored'
show 'jvdb restore cleanup.tar.zst --to restored --mode replace'
show 'jvdb count edge --db archive:cleanup.tar.zst'

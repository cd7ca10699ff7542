// jsforce against a running demo org: node jsforce-check.cjs INSTANCE_URL ACCESS_TOKEN
// (with NODE_PATH pointing at the node_modules that holds jsforce).
// Exits 1 when a check fails. Run by scripts/demo-org-clients.sh.
const jsforce = require('jsforce');

async function main() {

const [instanceUrl, accessToken] = process.argv.slice(2);
let failed = 0;
const check = async (name, fn) => {
  try {
    const detail = await fn();
    console.log(`PASS jsforce ${name}${detail ? ': ' + detail : ''}`);
  } catch (e) {
    failed++;
    console.log(`FAIL jsforce ${name}: ${e.errorCode ?? ''} ${e.message}`);
  }
};
const assert = (ok, msg) => { if (!ok) throw new Error(msg); };

// A trailing slash on the instance URL makes jsforce send //services/data/…
const conn = new jsforce.Connection({ instanceUrl: instanceUrl + '/', accessToken, version: '62.0' });

await check('identity', async () => {
  const id = await conn.identity();
  assert(id.username === 'demo@crmsheets.example', `username ${id.username}`);
  return id.username;
});
await check('describe', async () => {
  const d = await conn.sobject('Account').describe();
  assert(d.childRelationships.some((c) => c.relationshipName === 'Contacts'), 'no Contacts relationship');
  return `${d.fields.length} fields`;
});
await check('query with relationship and autoFetch past 2,000', async () => {
  const total = (await conn.query('SELECT COUNT() FROM Contact')).totalSize;
  const recs = [];
  await new Promise((resolve, reject) => {
    conn.query('SELECT Id, LastName, Account.Name FROM Contact')
      .on('record', (r) => recs.push(r)).on('end', resolve).on('error', reject)
      .run({ autoFetch: true, maxFetch: 100000 });
  });
  assert(recs.length === total && total > 2000, `${recs.length} of ${total}`);
  return `${recs.length} records`;
});
await check('aggregate query', async () => {
  const res = await conn.query('SELECT Industry, COUNT(Id) n, SUM(AnnualRevenue) FROM Account GROUP BY Industry ORDER BY COUNT(Id) DESC LIMIT 3');
  assert(res.records.length === 3 && res.records[0].attributes.type === 'AggregateResult' && res.records[0].n > 0, JSON.stringify(res.records[0]));
  return JSON.stringify(res.records[0]);
});
await check('subquery', async () => {
  const res = await conn.query('SELECT Name, (SELECT LastName FROM Contacts) FROM Account LIMIT 5');
  assert(res.records.some((r) => r.Contacts && r.Contacts.records.length > 0), 'no children');
  return `${res.records[0].Name}: ${res.records[0].Contacts?.totalSize ?? 0} contacts`;
});
await check('create, retrieve, update, delete', async () => {
  const created = await conn.sobject('Account').create({ Name: 'jsforce check' });
  assert(created.success, JSON.stringify(created));
  await conn.sobject('Account').update({ Id: created.id, Industry: 'Banking' });
  const got = await conn.sobject('Account').retrieve(created.id);
  assert(got.Industry === 'Banking', `Industry ${got.Industry}`);
  const many = await conn.sobject('Contact').create([{ LastName: 'One', AccountId: created.id }, { LastName: 'Two', AccountId: created.id }], { allOrNone: true });
  assert(many.every((r) => r.success), JSON.stringify(many));
  await conn.sobject('Contact').destroy(many.map((r) => r.id));
  await conn.sobject('Account').destroy(created.id);
  return created.id;
});
await check('composite tree', async () => {
  const res = await conn.requestPost('/composite/tree/Account', { records: [{
    attributes: { type: 'Account', referenceId: 'a1' }, Name: 'Tree check',
    Contacts: { records: [{ attributes: { type: 'Contact', referenceId: 'c1' }, LastName: 'Leaf' }] },
  }] });
  assert(res.hasErrors === false && res.results.length === 2, JSON.stringify(res));
  return res.results.map((r) => r.referenceId).join(',');
});
await check('search', async () => {
  const res = await conn.search('FIND {Demo} IN NAME FIELDS RETURNING User(Id, Name)');
  assert(res.searchRecords.length >= 1, JSON.stringify(res));
  return res.searchRecords[0].Name;
});
await check('limits', async () => {
  const l = await conn.limits();
  assert(l.DailyApiRequests.Max > 0, JSON.stringify(l.DailyApiRequests));
  return `${l.DailyApiRequests.Remaining}/${l.DailyApiRequests.Max}`;
});
return failed;
}

main().then((failed) => process.exit(failed ? 1 : 0), (e) => { console.log(`FAIL jsforce: ${e.message}`); process.exit(1); });

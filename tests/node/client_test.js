// A client of the tronidx public API that nobody on the team wrote against the C++ code: it loads only
// proto/tronidx/v1/*.proto with @grpc/proto-loader and talks to tronidxd with @grpc/grpc-js, then checks
// what it gets against the simulator's ground truth (a JSONL file from DumpGroundTruth).
//
//   node client_test.js --endpoint 127.0.0.1:50151 --protos <repo>/proto --truth truth.jsonl \
//        --address T... --cursor c1... --from-block N --tip N
//
// Checks: GetStatus (tip); ListTransfers of --address, every page of 7, oldest first; GetTransfers of a
// few transactions; Subscribe(addresses=[--address], after_cursor=--cursor) delivers an ADDED for every
// ground-truth transfer of the address in blocks > --from-block, then a HEARTBEAT. Prints
// "node-client: OK ..." and exits 0, or prints the differences and exits 1.
'use strict';
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

function args() {
  const out = {};
  const a = process.argv.slice(2);
  for (let i = 0; i < a.length; i += 2) out[a[i].replace(/^--/, '')] = a[i + 1];
  for (const k of ['endpoint', 'protos', 'truth', 'address', 'cursor', 'from-block', 'tip']) {
    if (out[k] === undefined) throw new Error('missing --' + k);
  }
  return out;
}

const opts = args();
const failures = [];
const fail = (msg) => { failures.push(msg); };

const dir = path.join(opts.protos, 'tronidx', 'v1');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.proto')).map((f) => path.join('tronidx/v1', f));
const def = protoLoader.loadSync(files, {
  includeDirs: [opts.protos], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
});
const v1 = grpc.loadPackageDefinition(def).tronidx.v1;
const creds = grpc.credentials.createInsecure();
const query = new v1.Query(opts.endpoint, creds);
const subscribe = new v1.Subscribe(opts.endpoint, creds);
const deadline = () => new Date(Date.now() + 30000);
const call = (client, method, req) => new Promise((resolve, reject) => {
  client[method](req, { deadline: deadline() }, (err, resp) => (err ? reject(err) : resolve(resp)));
});

const truth = fs.readFileSync(opts.truth, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
  .filter((t) => t.kind !== 'TRC10' && t.block_num >= 1);
const key = (t) => [t.block_num, t.tx_index, t.event_index, t.block_id, t.txid, t.kind, t.token, t.from, t.to,
  t.amount].join('|');
const fromApi = (t) => ({
  block_num: Number(t.block_num), tx_index: t.tx_index, event_index: t.event_index, block_id: t.block_id,
  txid: t.txid, kind: t.kind, token: t.token, from: t.from, to: t.to, amount: t.amount,
});
const compare = (what, want, got) => {
  const w = want.map(key);
  const g = got.map(key);
  if (w.length !== g.length) fail(`${what}: ${g.length} transfers, expected ${w.length}`);
  for (let i = 0; i < Math.max(w.length, g.length); i++) {
    if (w[i] !== g[i]) { fail(`${what} #${i}: got ${g[i]} expected ${w[i]}`); break; }
  }
};

async function main() {
  const address = opts.address;
  const mine = truth.filter((t) => t.from === address || t.to === address);

  const st = await call(query, 'GetStatus', {});
  if (st.tip_block_num !== opts.tip) fail(`GetStatus.tip_block_num ${st.tip_block_num}, expected ${opts.tip}`);
  if (!/^[0-9a-f]{64}$/.test(st.tip_block_id)) fail(`GetStatus.tip_block_id ${st.tip_block_id}`);

  // Every page, oldest first.
  const listed = [];
  let token = '';
  let pages = 0;
  do {
    const resp = await call(query, 'ListTransfers', {
      address, order: 'OLDEST_FIRST', page_size: 7, page_token: token,
    });
    if (resp.transfers.length > 7) fail(`page of ${resp.transfers.length} > 7`);
    for (const t of resp.transfers) {
      listed.push(fromApi(t));
      if (t.confirmations !== String(Number(opts.tip) - Number(t.block_num) + 1)) {
        fail(`confirmations ${t.confirmations} of block ${t.block_num}`);
      }
      if (!/^[0-9]+$/.test(t.amount)) fail(`amount not a decimal string: ${t.amount}`);
    }
    token = resp.next_page_token;
    pages++;
  } while (token && pages < 10000);
  compare('ListTransfers', mine, listed);

  // GetTransfers of a few transactions.
  const txids = [...new Set(mine.map((t) => t.txid))].slice(0, 5);
  for (const txid of txids) {
    const resp = await call(query, 'GetTransfers', { txid });
    compare(`GetTransfers ${txid.slice(0, 10)}`, truth.filter((t) => t.txid === txid), resp.transfers.map(fromApi));
  }
  try {
    await call(query, 'GetTransfers', { txid: 'not-a-txid' });
    fail('GetTransfers of a malformed txid succeeded');
  } catch (e) {
    if (e.code !== grpc.status.INVALID_ARGUMENT) fail(`GetTransfers malformed: code ${e.code}`);
  }

  // Subscribe from the cursor: the ADDED events of the blocks after it, then a heartbeat.
  const want = mine.filter((t) => t.block_num > Number(opts['from-block']));
  const added = [];
  await new Promise((resolve) => {
    const stream = subscribe.Subscribe({ addresses: [address], min_confirmations: 0, after_cursor: opts.cursor });
    const timer = setTimeout(() => { fail('Subscribe: timed out'); stream.cancel(); resolve(); }, 60000);
    stream.on('data', (e) => {
      if (!e.cursor.startsWith('c1.')) fail(`cursor ${e.cursor}`);
      if (e.type === 'ADDED') added.push(fromApi(e.transfer));
      if (e.type === 'HEARTBEAT' && added.length >= want.length) {
        clearTimeout(timer);
        stream.cancel();
        resolve();
      }
    });
    stream.on('error', (e) => {
      if (e.code !== grpc.status.CANCELLED) { fail(`Subscribe: ${e.code} ${e.details}`); clearTimeout(timer); resolve(); }
    });
  });
  compare('Subscribe ADDED', want, added);

  query.close();
  subscribe.close();
  if (failures.length) {
    for (const f of failures.slice(0, 20)) console.log('FAIL ' + f);
    process.exit(1);
  }
  console.log(`node-client: OK status tip ${st.tip_block_num}; ${listed.length} transfers in ${pages} pages; ` +
    `${txids.length} txids; ${added.length} ADDED events`);
  process.exit(0);
}

main().catch((e) => { console.log('FAIL ' + (e.stack || e)); process.exit(1); });

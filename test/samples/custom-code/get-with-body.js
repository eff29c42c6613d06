/* global exports, fetch, AbortSignal -- HubSpot custom-code files are CommonJS: exports.main; fetch and AbortSignal are Node 24 globals */
// Sample written for the verifier tests: a search sent as a GET with a body (fetch throws on it), and an axios GET
// whose filter travels in `data` (the server ignores it).
const axios = require('axios');

exports.main = async (event) => {
  const res = await fetch('https://api.hubapi.com/crm/v3/objects/tickets/search', {
    headers: { Authorization: `Bearer ${process.env.HUBSPOT_ACCESS_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ filterGroups: [{ filters: [{ propertyName: 'hs_pipeline_stage', operator: 'EQ', value: '1' }] }] }),
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw Object.assign(new Error(`HubSpot ${res.status}`), { response: { status: res.status } });
  const open = await res.json();
  const orders = await axios.get('https://shop.example/api/orders', { data: { customer: event.inputFields.email }, timeout: 5000 });
  return { outputFields: { open_tickets: open.total, orders: orders.data.length } };
};

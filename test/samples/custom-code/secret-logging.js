/* global exports, fetch -- HubSpot custom-code files are CommonJS: exports.main; fetch is a Node 24 global */
// Sample written for the tests: prints its secrets to the action log while debugging, and reads a deal with fetch.
exports.main = async (event, callback) => {
  const token = process.env.HUBSPOT_ACCESS_TOKEN;
  console.log('Using token ' + token);
  console.log(`Webhook secret: ${process.env.WEBHOOK_SECRET}`);

  const res = await fetch(`https://api.hubapi.com/crm/v3/objects/deals/${event.object.objectId}?properties=amount`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw Object.assign(new Error(`HubSpot ${res.status}`), { response: { status: res.status } });
  const deal = await res.json();
  callback({ outputFields: { amount: Number(deal.properties.amount) } });
};

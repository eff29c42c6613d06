/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// Sample written for the codemod tests: a promise chain that calls back, with a follow-up request started inside
// it and never returned, and a callback that the code tests for before using (`if (callback)`).
const axios = require('axios');

const headers = { Authorization: `Bearer ${process.env.HUBSPOT_ACCESS_TOKEN}` };

exports.main = (event, callback) => {
  axios
    .get(`https://api.hubapi.com/crm/v3/objects/deals/${event.object.objectId}?properties=amount`, { headers, timeout: 5000 })
    .then((res) => {
      axios.patch(`https://api.hubapi.com/crm/v3/objects/deals/${event.object.objectId}`, { properties: { amount_checked: 'true' } }, { headers, timeout: 5000 });
      if (callback) {
        callback({ outputFields: { amount: Number(res.data.properties.amount) } });
      }
    })
    .catch((err) => {
      throw err;
    });
};

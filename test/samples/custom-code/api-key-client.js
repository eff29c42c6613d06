/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// Sample written for the verifier tests: a 2021-style action authenticated with the account's API key, both through
// the client's `apiKey` option and a hand-built `?hapikey=` URL. Keys were sunset in November 2022.
const hubspot = require('@hubspot/api-client');
const axios = require('axios');

exports.main = async (event, callback) => {
  const hubspotClient = new hubspot.Client({ apiKey: process.env.HAPIKEY });
  const contact = await hubspotClient.crm.contacts.basicApi.getById(event.object.objectId, ['email', 'company']);

  const owners = await axios.get(`https://api.hubapi.com/crm/v3/owners/?hapikey=${process.env.HAPIKEY}`, { timeout: 5000 });
  const owner = owners.data.results.find((o) => o.email === contact.properties.email);

  callback({ outputFields: { owner_id: owner ? owner.id : '' } });
};

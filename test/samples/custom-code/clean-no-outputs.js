/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// Sample written for the verifier tests: nothing wrong here. It declares no outputs (it only updates the deal),
// reads a deal with associations in the current getById signature, logs an @hubspot/api-client error whole and
// re-throws it.
const hubspot = require('@hubspot/api-client');

exports.main = async (event) => {
  const hubspotClient = new hubspot.Client({ accessToken: process.env.HUBSPOT_ACCESS_TOKEN });
  if (!event.inputFields.stage) return;
  try {
    const deal = await hubspotClient.crm.deals.basicApi.getById(event.object.objectId, ['dealstage'], undefined, ['companies']);
    if (deal.properties.dealstage === event.inputFields.stage) return;
    await hubspotClient.crm.deals.basicApi.update(event.object.objectId, { properties: { dealstage: event.inputFields.stage } });
  } catch (err) {
    console.error(err);
    throw err;
  }
};

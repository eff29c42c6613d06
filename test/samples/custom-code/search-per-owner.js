/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// Sample written for the verifier tests: one search per owner in a loop, to count each owner's open deals.
const hubspot = require('@hubspot/api-client');

const hubspotClient = new hubspot.Client({ accessToken: process.env.HUBSPOT_ACCESS_TOKEN });

exports.main = async (event) => {
  const ownerIds = event.inputFields.owner_ids.split(';');
  let busiest = '';
  let most = -1;
  for (const ownerId of ownerIds) {
    const found = await hubspotClient.crm.deals.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'hubspot_owner_id', operator: 'EQ', value: ownerId }] }],
      limit: 1,
    });
    if (found.total > most) {
      most = found.total;
      busiest = ownerId;
    }
  }
  return { outputFields: { busiest_owner: busiest, open_deals: most } };
};

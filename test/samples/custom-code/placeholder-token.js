/* global exports -- HubSpot custom-code files are CommonJS: exports.main */ /* eslint-disable no-undef -- the undeclared names are what this sample plants */
// Sample written for the verifier tests: pasted from an example without filling in the placeholder, and with a
// typo in a variable name. Both throw ReferenceError on every run.
const hubspot = require('@hubspot/api-client');

exports.main = async (event) => {
  const hubspotClient = new hubspot.Client({ accessToken: YOUR_ACCESS_TOKEN });
  const contact = await hubspotClient.crm.contacts.basicApi.getById(event.object.objectId, ['firstname']);
  const firstname = contcat.properties.firstname || '';
  return { outputFields: { greeting: `Hello ${firstname}`, id: contact.id } };
};

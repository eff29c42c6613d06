/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// A hand-written custom-code action in the style of HubSpot's own examples (callback style, the runtime's
// pre-installed @hubspot/api-client): copies the domain of a contact's email into a property and an output.
// https://developers.hubspot.com/docs/api/workflows/custom-code-actions
const hubspot = require('@hubspot/api-client');

exports.main = async (event, callback) => {
  const hubspotClient = new hubspot.Client({ accessToken: process.env.HUBSPOT_ACCESS_TOKEN });
  const contactId = event.object.objectId;
  try {
    const contact = await hubspotClient.crm.contacts.basicApi.getById(contactId, ['email']);
    const email = contact.properties.email || '';
    const domain = email.includes('@') ? email.split('@')[1].toLowerCase() : '';
    console.log(`contact ${contactId}: domain ${domain || '(none)'}`);
    await hubspotClient.crm.contacts.basicApi.update(contactId, { properties: { email_domain: domain } });
    callback({ outputFields: { email_domain: domain } });
  } catch (err) {
    console.error(`failed: ${err.message}`);
    // HubSpot's examples re-throw so that a rate limit (429) or a 5xx makes HubSpot re-run the action.
    throw err;
  }
};

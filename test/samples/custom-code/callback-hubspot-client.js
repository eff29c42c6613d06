/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// Sample written for the codemod tests: a callback-style action on the pre-installed @hubspot/api-client,
// as HubSpot's older examples wrote them (a promise chain that calls back from inside .then).
const hubspot = require('@hubspot/api-client');

exports.main = (event, callback) => {
  const hubspotClient = new hubspot.Client({ accessToken: process.env.HUBSPOT_ACCESS_TOKEN });

  // Read the contact, then tell the workflow whether a phone number is on file.
  hubspotClient.crm.contacts.basicApi
    .getById(event.object.objectId, ['email', 'phone'])
    .then((contact) => {
      const phone = contact.properties.phone;
      callback({
        outputFields: {
          email: contact.properties.email,
          has_phone: Boolean(phone),
        },
      });
    })
    .catch((err) => {
      console.error(`contact ${event.object.objectId}: ${err.message}`);
      // re-throw so a 429 or 5xx makes HubSpot re-run the action
      throw err;
    });
};

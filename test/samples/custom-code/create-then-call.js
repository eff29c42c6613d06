/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// Sample written for the verifier tests: creates a note and sends an SMS, then makes more calls that can fail.
// A 429/5xx on a later call makes HubSpot re-run the action, and the note and the SMS happen twice.
const hubspot = require('@hubspot/api-client');
const axios = require('axios');

const hubspotClient = new hubspot.Client({ accessToken: process.env.HUBSPOT_ACCESS_TOKEN });

exports.main = async (event) => {
  const contactId = event.object.objectId;
  const note = await hubspotClient.crm.objects.notes.basicApi.create({
    properties: { hs_note_body: 'Renewal reminder sent', hs_timestamp: String(Date.now()) },
  });
  await axios.post(
    'https://sms.example/v1/messages',
    { to: event.inputFields.phone, body: 'Your renewal is due next week.' },
    { headers: { Authorization: `Bearer ${process.env.SMS_TOKEN}` }, timeout: 5000 },
  );
  await hubspotClient.crm.associations.v4.basicApi.createDefault('notes', note.id, 'contacts', contactId);
  return { outputFields: { note_id: note.id } };
};

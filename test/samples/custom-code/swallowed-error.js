/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// Sample written for the tests: a callback-style action whose catch logs and carries on, so a 429 or 5xx from
// Slack ends the run as a success and HubSpot never re-runs it.
const axios = require('axios');

exports.main = async (event, callback) => {
  try {
    await axios.post(process.env.SLACK_WEBHOOK_URL, { text: `New signup: ${event.inputFields.email}` }, { timeout: 5000 });
  } catch (e) {
    console.log('Slack notification failed', e.message);
  }
  callback({ outputFields: { notified: true } });
};

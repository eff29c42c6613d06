/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// Sample written for the codemod tests: posts to a Slack webhook without waiting for it and calls back right away.
// The old runtime let the post finish after callback(); on Node.js 24 a returned handler is frozen with it pending.
const axios = require('axios');

exports.main = async (event, callback) => {
  const email = event.inputFields.email;
  const dealName = event.inputFields.dealname;

  axios
    .post(process.env.SLACK_WEBHOOK_URL, { text: `Deal ${dealName} won by ${email}` }, { timeout: 5000 })
    .then(() => console.log('Slack notified'));

  callback({ outputFields: { notified: true } });
};

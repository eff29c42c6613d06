/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// Sample written for the codemod tests: shapes the codemod must not rewrite on its own — a callback from an
// event listener, code that keeps running after a callback — and a module HubSpot does not pre-install.
const https = require('https');
const moment = require('moment');

exports.main = (event, callback) => {
  if (!event.inputFields.date) callback({ outputFields: { days: 0 } });
  const days = moment().diff(moment(event.inputFields.date), 'days');
  const req = https.request({ host: 'stats.example', path: `/track?days=${days}`, method: 'POST' }, (res) => {
    res.on('data', () => {});
    res.on('end', () => callback({ outputFields: { days } }));
  });
  req.end();
};

/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// Sample written for the codemod tests: a callback-style action on the pre-installed axios, with an early
// `return callback(...)`, Lambda's error-first `callback(null, result)` and `callback(err)` on failure.
const axios = require('axios');

exports.main = async (event, callback) => {
  const email = event.inputFields.email;
  if (!email) {
    return callback({ outputFields: { job_title: '', lookup: 'skipped' } });
  }
  if (email.endsWith('@example.test')) {
    callback(null, { outputFields: { job_title: '', lookup: 'test-address' } });
    return;
  }

  try {
    const res = await axios.get('https://api.enrich.example/v1/person', {
      params: { email },
      headers: { Authorization: `Bearer ${process.env.ENRICH_API_KEY}` },
    });
    callback({ outputFields: { job_title: res.data.title || '', lookup: 'found' } });
  } catch (err) {
    console.error(`lookup failed: ${err.message}`);
    callback(err);
  }
};

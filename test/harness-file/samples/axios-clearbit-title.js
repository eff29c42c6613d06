/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// A hand-written custom-code action on the runtime's pre-installed axios (return style): looks a contact's email
// up in Clearbit's Person API and returns the job title. https://dashboard.clearbit.com/docs#enrichment-api-person-api
const axios = require('axios');

exports.main = async (event) => {
  const email = event.inputFields.email;
  if (!email) return { outputFields: { job_title: '', found: 'false' } };
  const response = await axios.get('https://person.clearbit.com/v2/people/find', {
    params: { email },
    headers: { Authorization: `Bearer ${process.env.CLEARBIT_API_KEY}` },
    // 404 means "no such person", an answer rather than a failure.
    validateStatus: (status) => (status >= 200 && status < 300) || status === 404,
  });
  if (response.status === 404) return { outputFields: { job_title: '', found: 'false' } };
  const title = (response.data.employment && response.data.employment.title) || '';
  console.log(`clearbit: ${email} → ${title || '(no title)'}`);
  return { outputFields: { job_title: title, found: 'true' } };
};

/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// Sample written for the verifier tests: logs whole error objects. The axios error carries its request config
// (Authorization header included); the @hubspot/api-client error carries only the response, so it leaks nothing.
const hubspot = require('@hubspot/api-client');
const axios = require('axios');

const hubspotClient = new hubspot.Client({ accessToken: process.env.HUBSPOT_ACCESS_TOKEN });

exports.main = async (event) => {
  let company;
  try {
    company = await hubspotClient.crm.companies.basicApi.getById(event.object.objectId, ['domain']);
  } catch (err) {
    console.error(err);
    throw err;
  }

  const enrichment = await axios
    .get(`https://api.enrich.example/v2/companies/${company.properties.domain}`, {
      headers: { Authorization: `Bearer ${process.env.ENRICH_TOKEN}` },
      timeout: 5000,
    })
    .catch((err) => console.error(err));

  return { outputFields: { industry: enrichment ? enrichment.data.industry : '' } };
};

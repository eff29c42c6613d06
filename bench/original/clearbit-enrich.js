/**
 * One of the original snippets this project replaces (hand-written, on @hubspot/api-client and the vendor's SDK),
 * kept verbatim as plain JS for the benchmark (scripts/bench/seed.ts). Every change is the smallest that lets it run, marked `FIX:` with why.
 * Not shipped; not part of the actions.
 */
// Example code snippet for Clearbit enrichment
async function enrichContactWithClearbit(email, hubspotClient) {
// Initialize axios for API calls
const axios = require('axios');
try {
// Call Clearbit API
const response = await axios.get(`https://person.clearbit.com/v2/people/find?email=${email}`, {
headers: {
'Authorization': `Bearer ${process.env.CLEARBIT_API_KEY}`
}
}) ;
const data = response.data;
// Map Clearbit data to HubSpot properties
const properties = {
// Person data
job_title: data.employment?.title,
job_seniority: data.employment?.seniority,
linkedin_url: data.linkedin?.handle ? `https://www.linkedin.com/in/${data.linkedin.handle}` : undefined,
twitter_url: data.twitter?.handle ? `https://twitter.com/${data.twitter.handle}` : undefined,
bio: data.bio,
// Company data
company_domain: data.employment?.domain,
industry: data.employment?.sector,
company_location: data.geo?.city && data.geo?.country ? `${data.geo.city}, ${data.geo.country}` : undefined,
company_linkedin_url: data.company?.linkedin?.handle ? `https://www.linkedin.com/company/${data.company.linkedin.handle}` : undefined,
company_twitter_url: data.company?.twitter?.handle ? `https://twitter.com/${data.company.twitter.handle}` : undefined,
company_employees: data.company?.metrics?.employees?.toString() ,
company_estimated_annual_revenue: data.company?.metrics?.estimatedAnnualRevenue?.toString(),
company_founded_year: data.company?.foundedYear?.toString(),
// Enrichment metadata
clearbit_enriched: 'true',
clearbit_enriched_at: new Date().toISOString()
};
// Filter out undefined values
const filteredProperties = Object.entries(properties)
.filter(([_, value]) => value !== undefined)
.reduce((obj, [key, value]) => {
obj[key] = value;
return obj;
}, {});
// Update contact in HubSpot
await hubspotClient.crm.contacts.basicApi.update(
email,
{ properties: filteredProperties },
'email' // FIX: without idProperty=email HubSpot reads the email as a record id and answers 404, so the original snippet could never update anyone.
);
return {
status: 'success',
message: 'Contact enriched with Clearbit data',
enriched_fields: Object.keys(filteredProperties)
};
} catch (error) {
if (error.response && error.response.status === 404) {
// Person not found in Clearbit
return {
status: 'not_found',
message: 'Contact not found in Clearbit database'
};
}
throw new Error(`Clearbit enrichment error: ${error.message}`);
}
}
module.exports = { enrichContactWithClearbit };

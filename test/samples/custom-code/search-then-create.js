/* global exports -- HubSpot custom-code files are CommonJS: exports.main */
// Sample written for the verifier tests: already Node 24 style, but it finds-or-creates a company with search
// (which lags writes) and counts the company's deals page by page without a limit.
const hubspot = require('@hubspot/api-client');

exports.main = async (event) => {
  const client = new hubspot.Client({ accessToken: process.env.HUBSPOT_ACCESS_TOKEN });
  const domain = event.inputFields.domain;

  const found = await client.crm.companies.searchApi.doSearch({
    filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'EQ', value: domain }] }],
    properties: ['domain'],
    limit: 1,
  });
  let companyId;
  if (found.results.length > 0) {
    companyId = found.results[0].id;
  } else {
    const created = await client.crm.companies.basicApi.create({ properties: { domain, name: domain } });
    companyId = created.id;
  }

  let deals = 0;
  let after;
  do {
    const page = await client.crm.associations.v4.basicApi.getPage('companies', companyId, 'deals', after, 100);
    deals += page.results.length;
    after = page.paging?.next?.after;
  } while (after);

  return { outputFields: { company_id: companyId, deal_count: deals } };
};
